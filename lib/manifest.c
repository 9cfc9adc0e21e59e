/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>

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
}

static void app_done(struct app *a) {
        free(a->requires);
        free(a->requires_pos);
        /* Parsing may stop halfway through a container list; unused slots are zeroed. */
        for (size_t i = 0; i < a->n_containers; i++)
                container_done(&a->containers[i]);
        free(a->containers);
        for (size_t i = 0; i < a->n_derived; i++) {
                free(a->derived[i].settings);
                free(a->derived[i].vars);
        }
        free(a->derived);
}

void manifest_free(struct manifest *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_apps; i++)
                app_done(&m->apps[i]);
        free(m->apps);
        if (m->have_doc)
                yaml_document_delete(&m->doc);
        free(m->path);
        free(m);
}

const struct app *manifest_find_app(const struct manifest *m, const char *name) {
        for (size_t i = 0; i < m->n_apps; i++)
                if (strcmp(m->apps[i].name, name) == 0)
                        return &m->apps[i];
        return NULL;
}
