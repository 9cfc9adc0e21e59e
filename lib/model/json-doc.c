/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json-doc.h"

#include <errno.h>
#include <string.h>

#include "parse-number.h"

int json_doc_load(const char *text, size_t len, yaml_document_t *ret) {
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        bool loaded = yaml_parser_load(&parser, ret);
        bool oom = !loaded && parser.error == YAML_MEMORY_ERROR;
        yaml_parser_delete(&parser);
        if (!loaded)
                return oom ? -ENOMEM : -EINVAL;
        if (!yaml_document_get_root_node(ret)) {
                yaml_document_delete(ret);
                return -EINVAL;
        }
        return 0;
}

yaml_node_t *json_member(yaml_document_t *doc, yaml_node_t *map, const char *key) {
        if (!map)
                map = yaml_document_get_root_node(doc);
        if (!map || map->type != YAML_MAPPING_NODE)
                return NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(doc, p->key);
                if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
                        return yaml_document_get_node(doc, p->value);
        }
        return NULL;
}

const char *json_string_member(yaml_document_t *doc, yaml_node_t *map, const char *key) {
        yaml_node_t *n = json_member(doc, map, key);
        if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
                return NULL;
        return (const char *)n->data.scalar.value;
}

bool json_unsigned_member(yaml_document_t *doc, yaml_node_t *map, const char *key, unsigned long long max,
                          unsigned long long *ret) {
        yaml_node_t *n = json_member(doc, map, key);
        return n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
               parse_unsigned((const char *)n->data.scalar.value, max, ret) == 0;
}

const char *json_scalar_at(yaml_document_t *doc, const char *path) {
        char key[64];
        yaml_node_t *n = yaml_document_get_root_node(doc);
        for (const char *p = path; n && *p;) {
                size_t len = strcspn(p, ".");
                if (len >= sizeof key)
                        return NULL;
                memcpy(key, p, len);
                key[len] = '\0';
                n = json_member(doc, n, key);
                p += len + (p[len] == '.');
        }
        return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}
