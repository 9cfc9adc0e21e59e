/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "podman-info.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "json-doc.h"
#include "macro.h"
#include "parse-number.h"

static int dup_at(yaml_document_t *doc, const char *path, char **ret) {
        const char *v = json_scalar_at(doc, path);
        if (!v)
                return 0;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

static long number_at(yaml_document_t *doc, const char *path) {
        const char *v = json_scalar_at(doc, path);
        unsigned long long n;
        return v && parse_unsigned(v, LONG_MAX, &n) == 0 ? (long)n : -1;
}

int podman_info_parse(const char *text, size_t len, struct podman_info *ret) {
        *ret = (struct podman_info){.containers = -1, .containers_running = -1};
        yaml_document_t doc;
        int r = json_doc_load(text, len, &doc);
        if (r < 0)
                return r;
        r = dup_at(&doc, "store.graphRoot", &ret->graph_root);
        if (r == 0 && !ret->graph_root)
                r = -EINVAL;
        if (r == 0)
                r = dup_at(&doc, "version.Version", &ret->version);
        if (r == 0)
                r = dup_at(&doc, "host.databaseBackend", &ret->db_backend);
        if (r == 0)
                r = dup_at(&doc, "store.runRoot", &ret->run_root);
        if (r == 0)
                r = dup_at(&doc, "store.volumePath", &ret->volume_path);
        ret->containers = number_at(&doc, "store.containerStore.number");
        ret->containers_running = number_at(&doc, "store.containerStore.running");
        yaml_document_delete(&doc);
        if (r < 0)
                podman_info_done(ret);
        return r;
}

void podman_info_done(struct podman_info *info) {
        free(info->version);
        free(info->db_backend);
        free(info->graph_root);
        free(info->run_root);
        free(info->volume_path);
        *info = (struct podman_info){.containers = -1, .containers_running = -1};
}

char *podman_db_path(const char *db_backend, const char *graph_root) {
        char *path;
        /* podman 5 keeps using BoltDB only where an old one exists (libpod/bolt_state.db). */
        bool bolt = db_backend && strcmp(db_backend, "boltdb") == 0;
        if (asprintf(&path, "%s/%s", graph_root, bolt ? "libpod/bolt_state.db" : "db.sql") < 0)
                return NULL;
        return path;
}
