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
        free(ct->entrypoint);
        free(ct->tmpfs);
        free(ct->cap_drop);
        free(ct->cap_add);
        free(ct->ulimits);
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
}

void manifest_free(struct manifest *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_apps; i++)
                app_done(&m->apps[i]);
        free(m->apps);
        free(m->secrets);
        free(m->by_name);
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

int manifest_index_apps(struct manifest *m) {
        free(m->by_name);
        m->by_name = calloc(m->n_apps + 1, sizeof(struct app *));
        if (!m->by_name)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_apps; i++)
                m->by_name[i] = &m->apps[i];
        if (m->n_apps > 0)
                qsort(m->by_name, m->n_apps, sizeof(struct app *), app_ptr_compare);
        return 0;
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

const struct secret_decl *manifest_find_secret(const struct manifest *m, const char *name) {
        for (size_t i = 0; i < m->n_secrets; i++)
                if (strcmp(m->secrets[i].name, name) == 0)
                        return &m->secrets[i];
        return NULL;
}
