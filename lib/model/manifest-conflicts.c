/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-checks.h"
#include "macro.h"
#include "naming.h"

/* Two apps must not claim the same systemd unit (names like archy-a-b can come from app "a"
 * part "b" or from app "a-b") nor the same host port. Claims are sorted so that this stays
 * O(n log n) for large manifests; the app later in the manifest is the one reported. */

struct claim {
        char *key;
        size_t app;
        const struct container *ct; /* NULL for a volume */
        const struct port *port;
        size_t derived; /* index into the app's derived list, for path claims */
        bool reported;  /* a port claim reported once (against the first one it clashes with) */
};

struct claims {
        struct claim *items;
        size_t n, cap;
        bool oom;
};

static void claim_add(struct claims *cl, char *key, size_t app, const struct container *ct, const struct port *p) {
        if (!key || (cl->n == cl->cap &&
                     !(cl->items = realloc(cl->items, (cl->cap = cl->cap * 2 + 64) * sizeof(*cl->items))))) {
                free(key);
                cl->oom = true;
                return;
        }
        cl->items[cl->n++] = (struct claim){key, app, ct, p, 0, false};
}

static void claims_free(struct claims *cl) {
        for (size_t i = 0; i < cl->n; i++)
                free(cl->items[i].key);
        free(cl->items);
}

static int claim_compare(const void *x, const void *y) {
        const struct claim *a = x, *b = y;
        int r = strcmp(a->key, b->key);
        if (r != 0)
                return r;
        return a->app < b->app ? -1 : a->app > b->app;
}

static char *unit_key(const char *a, const char *volume) {
        char *s;
        int r = volume ? naming_volume_service(a, volume, &s) : naming_service(a, &s);
        return r < 0 ? NULL : s;
}

static void collect_unit_claims(const struct manifest *m, struct claims *cl) {
        for (size_t i = 0; i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t c = 0; c < a->n_containers; c++) {
                        const struct container *ct = &a->containers[c];
                        claim_add(cl, unit_key(ct->unit, NULL), i, ct, NULL);
                        for (size_t v = 0; v < ct->n_mounts; v++)
                                if (ct->mounts[v].kind == MOUNT_NAMED_VOLUME)
                                        claim_add(cl, unit_key(a->name, ct->mounts[v].source), i, NULL, NULL);
                }
        }
}

static void report_unit_conflicts(struct manifest *m, struct claims *cl, struct diag_list *diags) {
        size_t reported = (size_t)-1; /* the app last reported for the current key: once is enough */
        for (size_t k = 1; k < cl->n; k++) {
                const struct claim *first = &cl->items[k - 1], *dup = &cl->items[k];
                if (strcmp(first->key, dup->key) != 0) {
                        reported = (size_t)-1;
                        continue;
                }
                /* A volume shared by containers of one app is one volume, not a conflict. */
                if ((first->app == dup->app && !first->ct && !dup->ct) || reported == dup->app)
                        continue;
                struct app *a = &m->apps[dup->app];
                if (first->app == dup->app)
                        diag_add(diags, a->name, a->pos.line, a->pos.col,
                                 "apps.%s: unit %s would be generated twice in this app (for a container and a "
                                 "volume), expected unit names to be unique (rename the container or volume)",
                                 a->name, dup->key);
                else
                        diag_add(diags, a->name, a->pos.line, a->pos.col,
                                 "apps.%s: unit %s is also generated for app \"%s\", expected unit names to be "
                                 "unique (rename an app, container or volume)",
                                 a->name, dup->key, m->apps[first->app].name);
                a->skip = true;
                reported = dup->app;
        }
}

static void collect_port_claims(const struct manifest *m, struct claims *cl) {
        for (size_t i = 0; i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED)
                        continue;
                for (size_t c = 0; c < a->n_containers; c++)
                        for (size_t p = 0; p < a->containers[c].n_ports; p++) {
                                const struct port *port = &a->containers[c].ports[p];
                                char *key;
                                if (asprintf(&key, "%05u/%s", port->host_port, port->proto) < 0)
                                        key = NULL;
                                claim_add(cl, key, i, &a->containers[c], port);
                        }
        }
}

static bool port_on_all_addresses(const struct port *p) {
        return !p->host_ip || strcmp(p->host_ip, "0.0.0.0") == 0;
}

static bool ports_overlap(const struct port *a, const struct port *b) {
        return port_on_all_addresses(a) || port_on_all_addresses(b) || strcmp(a->host_ip, b->host_ip) == 0;
}

/* Within one app, claims keep the manifest's order: containers, then ports (both point into
 * the app's arrays), so the later one is reported. */
static int port_claim_compare(const void *x, const void *y) {
        const struct claim *a = x, *b = y;
        int r = claim_compare(x, y);
        if (r != 0)
                return r;
        if (a->ct != b->ct)
                return a->ct < b->ct ? -1 : 1;
        return (a->port > b->port) - (a->port < b->port);
}

static void report_port_conflict(struct app *a, const struct claim *first, const struct claim *dup,
                                 struct diag_list *diags) {
        const struct port *p = dup->port;
        size_t index = (size_t)(p - dup->ct->ports);
        char shown[64];
        snprintf(shown, sizeof(shown), "%s%s%u/%s", p->host_ip ? p->host_ip : "", p->host_ip ? ":" : "", p->host_port,
                 p->proto);
        if (first->ct == dup->ct)
                diag_add(diags, a->name, p->pos.line, p->pos.col,
                         "apps.%s.containers.%s.ports[%zu]: host port %s is also published by ports[%zu] of this "
                         "container, expected each host port to be used once",
                         a->name, dup->ct->part, index, shown, (size_t)(first->port - first->ct->ports));
        else
                diag_add(diags, a->name, p->pos.line, p->pos.col,
                         "apps.%s.containers.%s.ports[%zu]: host port %s is already published by %s, expected each "
                         "host port to be used once",
                         a->name, dup->ct->part, index, shown, first->ct->unit);
        a->skip = true;
}

static void report_port_conflicts(struct manifest *m, struct claims *cl, struct diag_list *diags) {
        for (size_t k = 0; k < cl->n; k++)
                for (size_t j = k + 1; j < cl->n && strcmp(cl->items[j].key, cl->items[k].key) == 0; j++)
                        if (!cl->items[j].reported && ports_overlap(cl->items[k].port, cl->items[j].port)) {
                                report_port_conflict(&m->apps[cl->items[j].app], &cl->items[k], &cl->items[j], diags);
                                cl->items[j].reported = true;
                        }
}

struct mount_ref {
        const struct mount *m;
};

static int mount_target_compare(const void *x, const void *y) {
        const struct mount *a = ((const struct mount_ref *)x)->m, *b = ((const struct mount_ref *)y)->m;
        int r = strcmp(a->target, b->target);
        return r != 0 ? r : (a > b) - (a < b);
}

/* Two mounts on one target in a container: podman refuses to start it. */
static void check_mount_targets(struct app *a, const struct container *ct, struct diag_list *diags) {
        if (ct->n_mounts < 2)
                return;
        _cleanup_free_ struct mount_ref *sorted = calloc(ct->n_mounts, sizeof(*sorted));
        if (!sorted) {
                diags->oom = true;
                return;
        }
        for (size_t i = 0; i < ct->n_mounts; i++)
                sorted[i].m = &ct->mounts[i];
        qsort(sorted, ct->n_mounts, sizeof(*sorted), mount_target_compare);
        for (size_t i = 1; i < ct->n_mounts; i++) {
                const struct mount *first = sorted[i - 1].m, *dup = sorted[i].m;
                if (strcmp(first->target, dup->target) != 0)
                        continue;
                diag_add(diags, a->name, dup->pos.line, dup->pos.col,
                         "apps.%s.containers.%s.volumes[%zu]: %s is also mounted by volumes[%zu], expected each "
                         "target to be mounted once",
                         a->name, ct->part, (size_t)(dup - ct->mounts), dup->target, (size_t)(first - ct->mounts));
                a->skip = true;
        }
}

static void check_all_mount_targets(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++)
                for (size_t c = 0; c < m->apps[i].n_containers; c++)
                        check_mount_targets(&m->apps[i], &m->apps[i].containers[c], diags);
}

/* Two derived entries writing one file would rewrite each other, and restart their consumers,
 * on every run of archy-derive. */
static void collect_path_claims(const struct manifest *m, struct claims *cl) {
        for (size_t i = 0; i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                for (size_t d = 0; a->state != APP_STATE_UNINSTALLED && d < a->n_derived; d++)
                        if (a->derived[d].path) {
                                claim_add(cl, strdup(a->derived[d].path), i, NULL, NULL);
                                if (!cl->oom)
                                        cl->items[cl->n - 1].derived = d;
                        }
        }
}

static void report_path_conflicts(struct manifest *m, struct claims *cl, struct diag_list *diags) {
        for (size_t k = 1; k < cl->n; k++) {
                const struct claim *first = &cl->items[k - 1], *dup = &cl->items[k];
                if (strcmp(first->key, dup->key) != 0)
                        continue;
                struct app *a = &m->apps[dup->app];
                const struct derived *d = &a->derived[dup->derived];
                diag_add(diags, a->name, d->pos.line, d->pos.col,
                         "apps.%s.derived[%zu].path: %s is also written by apps.%s.derived[%zu], expected every "
                         "derived file to have one entry",
                         a->name, dup->derived, dup->key, m->apps[first->app].name, first->derived);
                a->skip = true;
        }
}

static int path_claim_compare(const void *x, const void *y) {
        const struct claim *a = x, *b = y;
        int r = claim_compare(x, y);
        return r != 0 ? r : (a->derived > b->derived) - (a->derived < b->derived);
}

/* One family of claims at a time, freed before the next: the peak holds one family only. */
static void check_claims(struct manifest *m, void (*collect)(const struct manifest *, struct claims *),
                         int (*compare)(const void *, const void *),
                         void (*report)(struct manifest *, struct claims *, struct diag_list *),
                         struct diag_list *diags) {
        struct claims cl = {0};
        collect(m, &cl);
        if (cl.oom)
                diags->oom = true;
        else {
                if (cl.n > 0)
                        qsort(cl.items, cl.n, sizeof(*cl.items), compare);
                report(m, &cl, diags);
        }
        claims_free(&cl);
}

void manifest_check_conflicts(struct manifest *m, struct diag_list *diags) {
        check_claims(m, collect_unit_claims, claim_compare, report_unit_conflicts, diags);
        check_claims(m, collect_port_claims, port_claim_compare, report_port_conflicts, diags);
        check_claims(m, collect_path_claims, path_claim_compare, report_path_conflicts, diags);
        check_all_mount_targets(m, diags);
}
