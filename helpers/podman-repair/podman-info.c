/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "podman-info.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "macro.h"
#include "parse-number.h"

static yaml_node_t *lookup(yaml_document_t *doc, yaml_node_t *map, const char *key) {
        if (!map || map->type != YAML_MAPPING_NODE)
                return NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(doc, p->key);
                if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
                        return yaml_document_get_node(doc, p->value);
        }
        return NULL;
}

/* A dotted path of keys ("store.graphRoot") to a scalar, or NULL. */
static const char *scalar_at(yaml_document_t *doc, const char *path) {
        char key[64];
        yaml_node_t *n = yaml_document_get_root_node(doc);
        for (const char *p = path; n && *p;) {
                size_t len = strcspn(p, ".");
                if (len >= sizeof(key))
                        return NULL;
                memcpy(key, p, len);
                key[len] = '\0';
                n = lookup(doc, n, key);
                p += len + (p[len] == '.');
        }
        return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int dup_at(yaml_document_t *doc, const char *path, char **ret) {
        const char *v = scalar_at(doc, path);
        if (!v)
                return 0;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

static long number_at(yaml_document_t *doc, const char *path) {
        const char *v = scalar_at(doc, path);
        unsigned long long n;
        return v && parse_unsigned(v, LONG_MAX, &n) == 0 ? (long)n : -1;
}

int podman_info_parse(const char *text, size_t len, struct podman_info *ret) {
        *ret = (struct podman_info){.containers = -1, .containers_running = -1};
        yaml_parser_t parser;
        yaml_document_t doc;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        bool loaded = yaml_parser_load(&parser, &doc);
        yaml_parser_delete(&parser);
        if (!loaded)
                return -EINVAL;
        int r = dup_at(&doc, "store.graphRoot", &ret->graph_root);
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
