/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "podman-list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json-doc.h"

void rc_objects_done(struct rc_objects *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].name);
                free(l->items[i].app);
        }
        free(l->items);
        *l = (struct rc_objects){0};
}

/* A container's "Names": ["archy-lnd"], a volume's "Name", a network's "name". */
static const char *object_name(yaml_document_t *doc, yaml_node_t *o) {
        yaml_node_t *names = json_member(doc, o, "Names");
        if (names && names->type == YAML_SEQUENCE_NODE &&
            names->data.sequence.items.start < names->data.sequence.items.top) {
                yaml_node_t *first = yaml_document_get_node(doc, *names->data.sequence.items.start);
                return first && first->type == YAML_SCALAR_NODE && first->data.scalar.style != YAML_PLAIN_SCALAR_STYLE
                               ? (const char *)first->data.scalar.value
                               : NULL;
        }
        const char *name = json_string_member(doc, o, "Name");
        return name ? name : json_string_member(doc, o, "name");
}

static int parse_object(yaml_document_t *doc, yaml_node_t *o, struct rc_object *ret, const char **error) {
        if (!o || o->type != YAML_MAPPING_NODE)
                return *error = "an element of the array is not an object", -EINVAL;
        const char *name = object_name(doc, o);
        if (!name || !*name)
                return *error = "an object has no name (\"Names\", \"Name\" or \"name\")", -EINVAL;
        yaml_node_t *labels = json_member(doc, o, "Labels");
        labels = labels ? labels : json_member(doc, o, "labels");
        const char *app = json_string_member(doc, labels, "archy.app"); /* NULL for null or no labels */
        const char *state = json_string_member(doc, o, "State");
        *ret = (struct rc_object){.name = strdup(name),
                                  .app = app ? strdup(app) : NULL,
                                  .running = state && strcmp(state, "running") == 0};
        return ret->name && (!app || ret->app) ? 0 : -ENOMEM;
}

static int parse_array(yaml_document_t *doc, struct rc_objects *ret, const char **error) {
        yaml_node_t *root = yaml_document_get_root_node(doc);
        if (root->type != YAML_SEQUENCE_NODE)
                return *error = "not a JSON array", -EINVAL;
        size_t n = (size_t)(root->data.sequence.items.top - root->data.sequence.items.start);
        ret->items = n ? calloc(n, sizeof(*ret->items)) : NULL;
        if (n && !ret->items)
                return -ENOMEM;
        for (yaml_node_item_t *i = root->data.sequence.items.start; i < root->data.sequence.items.top; i++) {
                int r = parse_object(doc, yaml_document_get_node(doc, *i), &ret->items[ret->n], error);
                ret->n++; /* what parse_object() allocated is released with the rest */
                if (r < 0)
                        return r;
        }
        return 0;
}

int podman_list_parse(const char *text, size_t len, struct rc_objects *ret, const char **error) {
        const char *why = NULL;
        *ret = (struct rc_objects){0};
        size_t blank = 0;
        while (blank < len && strchr(" \t\r\n", text[blank]) && text[blank])
                blank++;
        if (blank == len)
                return 0;
        yaml_document_t doc;
        int r = json_doc_load(text, len, &doc);
        if (r == -EINVAL)
                why = "not JSON";
        if (r == 0) {
                r = parse_array(&doc, ret, &why);
                yaml_document_delete(&doc);
        }
        if (error)
                *error = why;
        return r;
}
