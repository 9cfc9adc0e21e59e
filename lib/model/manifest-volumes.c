/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks of volumes between the parts of an app and between apps. */
#include <string.h>

#include "manifest-checks.h"
#include "strbuf.h"

#define volume_error(diags, a, pos, ...)                                                                               \
        do {                                                                                                           \
                diag_add((diags), (a)->name, (pos).line, (pos).col, __VA_ARGS__);                                      \
                (a)->skip = true;                                                                                      \
        } while (0)

/* The volumes a's containers mount, for a message. */
static void put_volume_names(struct strbuf *out, const struct app *a) {
        size_t n = 0;
        for (size_t c = 0; c < a->n_containers; c++)
                for (size_t v = 0; v < a->containers[c].n_mounts; v++) {
                        const struct mount *mt = &a->containers[c].mounts[v];
                        if (mt->kind != MOUNT_NAMED_VOLUME)
                                continue;
                        if (!app_volume_seen_before(a, c, v))
                                strbuf_printf(out, "%s%s", n++ ? ", " : "", mt->source);
                }
        if (n == 0)
                strbuf_puts(out, "(it mounts none)");
}

static void check_app_mount(const struct manifest *m, struct app *a, const struct container *ct, const struct mount *mt,
                            struct diag_list *diags) {
        const struct app *o = manifest_find_app(m, mt->app);
        if (o == a) {
                volume_error(diags, a, mt->pos,
                             "apps.%s.containers.%s.volumes: app %s is this app, expected another app (mount this "
                             "app's own volume with source: %s)",
                             a->name, ct->part, mt->app, mt->source);
                return;
        }
        if (!app_requires_app(a, mt->app)) {
                volume_error(diags, a, mt->pos,
                             "apps.%s.containers.%s.volumes: app %s does not require app \"%s\", expected it in "
                             "apps.%s.requires (add %s there: archy then creates its volume first and checks that it "
                             "stays installed)",
                             a->name, ct->part, a->name, mt->app, a->name, mt->app);
                return;
        }
        if (!o || o->state == APP_STATE_UNINSTALLED || app_mounts_volume(o, mt->source))
                return; /* an unknown or uninstalled required app is reported as such */
        _cleanup_strbuf_ struct strbuf names = STRBUF_INIT;
        put_volume_names(&names, o);
        volume_error(diags, a, mt->pos,
                     "apps.%s.containers.%s.volumes: app %s has no volume \"%s\", expected one its containers "
                     "mount: %s",
                     a->name, ct->part, o->name, mt->source, strbuf_str(&names));
}

static void check_app(const struct manifest *m, struct app *a, struct diag_list *diags) {
        for (size_t i = 0; i < a->n_volumes; i++)
                if (!app_mounts_volume(a, a->volumes[i].name))
                        volume_error(diags, a, a->volumes[i].pos,
                                     "apps.%s.volumes.%s: no container of app %s mounts it, expected a volume one "
                                     "of its containers lists under volumes",
                                     a->name, a->volumes[i].name, a->name);
        for (size_t c = 0; c < a->n_containers; c++)
                for (size_t v = 0; v < a->containers[c].n_mounts; v++)
                        if (a->containers[c].mounts[v].kind == MOUNT_APP_VOLUME)
                                check_app_mount(m, a, &a->containers[c], &a->containers[c].mounts[v], diags);
}

void manifest_check_volumes(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++)
                if (m->apps[i].state != APP_STATE_UNINSTALLED)
                        check_app(m, &m->apps[i], diags);
}
