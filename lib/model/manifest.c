/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-parse-derived.h"
#include "values.h"

static void container_done(struct container *ct) {
        free(ct->unit);
        free(ct->command);
        for (size_t i = 0; i < ct->n_mounts; i++)
                mount_done(&ct->mounts[i]);
        free(ct->mounts);
        for (size_t i = 0; i < ct->n_ports; i++)
                port_done(&ct->ports[i]);
        free(ct->ports);
        free(ct->env);
        free(ct->env_files);
        free(ct->depends_on);
        free(ct->expose);
        free(ct->entrypoint);
        free(ct->tmpfs);
        free(ct->cap_drop);
        free(ct->cap_add);
        free(ct->ulimits);
        free(ct->aliases);
}

static void app_done(struct app *a) {
        free(a->requires);
        free(a->requires_pos);
        free(a->requires_condition);
        /* Parsing may stop halfway through a container list; unused slots are zeroed. */
        for (size_t i = 0; i < a->n_containers; i++)
                container_done(&a->containers[i]);
        free(a->containers);
        for (size_t i = 0; i < a->n_derived; i++)
                derived_done(&a->derived[i]);
        free(a->derived);
        free(a->volumes);
        free(a->probes);
}

void manifest_free(struct manifest *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_apps; i++)
                app_done(&m->apps[i]);
        free(m->apps);
        free(m->secrets);
        free(m->by_name);
        free(m->required_by);
        ydoc_free(m->doc);
        free(m->path);
        free(m);
}

static int app_ptr_compare(const void *x, const void *y) {
        return strcmp((*(struct app *const *)x)->name, (*(struct app *const *)y)->name);
}

static int app_key_compare(const void *key, const void *elem) {
        return strcmp(key, (*(struct app *const *)elem)->name);
}

/* Every app's required_by, in one array: a count of the requirements naming it, then each app
 * that names it once (its requirements are added together, so a repeat is the last one added). */
static int index_required_by(struct manifest *m) {
        size_t total = 0;
        for (size_t i = 0; i < m->n_apps; i++) {
                total += m->apps[i].n_requires;
                m->apps[i].n_required_by = 0;
        }
        free(m->required_by);
        m->required_by = calloc(total + 1, sizeof(const struct app *));
        if (!m->required_by)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_apps; i++)
                for (size_t r = 0; r < m->apps[i].n_requires; r++) {
                        struct app *t = (struct app *)manifest_find_app(m, m->apps[i].requires[r]);
                        if (t)
                                t->n_required_by++;
                }
        size_t at = 0;
        for (size_t i = 0; i < m->n_apps; i++) {
                m->apps[i].required_by = m->required_by + at;
                at += m->apps[i].n_required_by;
                m->apps[i].n_required_by = 0;
        }
        for (size_t i = 0; i < m->n_apps; i++)
                for (size_t r = 0; r < m->apps[i].n_requires; r++) {
                        struct app *t = (struct app *)manifest_find_app(m, m->apps[i].requires[r]);
                        if (t && (t->n_required_by == 0 || t->required_by[t->n_required_by - 1] != &m->apps[i]))
                                t->required_by[t->n_required_by++] = &m->apps[i];
                }
        return 0;
}

int manifest_index_apps(struct manifest *m) {
        free(m->by_name);
        m->by_name = calloc(m->n_apps + 1, sizeof(struct app *));
        if (!m->by_name)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_apps; i++)
                m->by_name[i] = &m->apps[i];
        if (m->n_apps > 0)
                qsort(m->by_name, m->n_apps, sizeof(struct app *), app_ptr_compare);
        return index_required_by(m);
}

const struct app *manifest_find_app(const struct manifest *m, const char *name) {
        if (!name || m->n_apps == 0)
                return NULL;
        struct app *const *found = bsearch(name, m->by_name, m->n_apps, sizeof(struct app *), app_key_compare);
        return found ? *found : NULL;
}

const struct container *app_find_container(const struct app *a, const char *part) {
        for (size_t i = 0; i < a->n_containers; i++)
                if (a->containers[i].part && strcmp(a->containers[i].part, part) == 0)
                        return &a->containers[i];
        return NULL;
}

bool app_volume_seen_before(const struct app *a, size_t c, size_t v) {
        const char *name = a->containers[c].mounts[v].source;
        for (size_t pc = 0; pc <= c; pc++)
                for (size_t pv = 0; pv < (pc == c ? v : a->containers[pc].n_mounts); pv++) {
                        const struct mount *mt = &a->containers[pc].mounts[pv];
                        if (mt->kind == MOUNT_NAMED_VOLUME && strcmp(mt->source, name) == 0)
                                return true;
                }
        return false;
}

const struct volume_decl *app_find_volume(const struct app *a, const char *name) {
        for (size_t i = 0; i < a->n_volumes; i++)
                if (strcmp(a->volumes[i].name, name) == 0)
                        return &a->volumes[i];
        return NULL;
}

bool app_requires_app(const struct app *a, const char *other) {
        for (size_t r = 0; r < a->n_requires; r++)
                if (strcmp(a->requires[r], other) == 0)
                        return true;
        return false;
}

const struct secret_decl *manifest_find_secret(const struct manifest *m, const char *name) {
        for (size_t i = 0; i < m->n_secrets; i++)
                if (strcmp(m->secrets[i].name, name) == 0)
                        return &m->secrets[i];
        return NULL;
}

bool app_mounts_volume(const struct app *a, const char *volume) {
        for (size_t c = 0; c < a->n_containers; c++)
                for (size_t v = 0; v < a->containers[c].n_mounts; v++) {
                        const struct mount *mt = &a->containers[c].mounts[v];
                        if (mt->kind == MOUNT_NAMED_VOLUME && strcmp(mt->source, volume) == 0)
                                return true;
                }
        return false;
}
