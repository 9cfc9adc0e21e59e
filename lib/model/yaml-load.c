/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one loader of outside YAML (the manifest and the OTA marker). Before any typed parse sees
 * a document it must be a tree of bounded depth with each key once per mapping: a pass over
 * libyaml's events refuses deep nesting (libyaml's time grows with the square of the depth) and
 * anchors and aliases (an alias bomb expands a small file without limit), then a pass over the
 * loaded tree refuses duplicate keys (the typed parse would fill one field twice). */
#include <stdlib.h>
#include <string.h>

#include "values.h"
#include "yaml-node.h"

#define KEY_PATH_MAX 256

static void report_yaml_error(const yaml_parser_t *p, struct diag_list *diags, const char *syntax) {
        const char *problem = p->problem ? p->problem : "unknown problem";
        if (p->context)
                diag_add(diags, NULL, p->problem_mark.line + 1, p->problem_mark.column + 1,
                         "%s: %s %s (started at line %zu, column %zu)", syntax, problem, p->context,
                         p->context_mark.line + 1, p->context_mark.column + 1);
        else
                diag_add(diags, NULL, p->problem_mark.line + 1, p->problem_mark.column + 1, "%s: %s", syntax, problem);
}

static void report_at(struct diag_list *diags, yaml_mark_t mark, const char *what, const yaml_char_t *name) {
        char shown[96];
        const char *s = (const char *)name;
        diag_add(diags, NULL, mark.line + 1, mark.column + 1,
                 "YAML %s \"%s%s\": anchors and aliases are not allowed, write the value out in full", what,
                 strcmp(what, "alias") == 0 ? "*" : "&", value_for_message(s, strlen(s), shown, sizeof(shown)));
}

/* false (and reported) when the event is refused. */
static bool check_event(const yaml_event_t *ev, unsigned *depth, struct diag_list *diags) {
        const yaml_char_t *anchor = NULL;
        switch (ev->type) {
        case YAML_ALIAS_EVENT: report_at(diags, ev->start_mark, "alias", ev->data.alias.anchor); return false;
        case YAML_SCALAR_EVENT: anchor = ev->data.scalar.anchor; break;
        case YAML_SEQUENCE_START_EVENT: anchor = ev->data.sequence_start.anchor; break;
        case YAML_MAPPING_START_EVENT: anchor = ev->data.mapping_start.anchor; break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: --*depth; return true;
        default: return true;
        }
        if (anchor) {
                report_at(diags, ev->start_mark, "anchor", anchor);
                return false;
        }
        if (ev->type == YAML_SCALAR_EVENT || ++*depth <= YAML_DEPTH_MAX)
                return true;
        diag_add(diags, NULL, ev->start_mark.line + 1, ev->start_mark.column + 1,
                 "lists and mappings nested deeper than %d levels, expected at most %d", YAML_DEPTH_MAX,
                 YAML_DEPTH_MAX);
        return false;
}

/* Every event of the stream; stops at the first refusal. A second document is reported only
 * when the whole stream is otherwise fine. */
static bool check_events(yaml_parser_t *p, struct diag_list *diags, const char *syntax, const char *second_document) {
        unsigned depth = 0, documents = 0;
        yaml_mark_t second = {0};
        for (;;) {
                yaml_event_t ev;
                if (!yaml_parser_parse(p, &ev)) {
                        report_yaml_error(p, diags, syntax);
                        return false;
                }
                if (ev.type == YAML_DOCUMENT_START_EVENT && ++documents == 2)
                        second = ev.start_mark;
                bool ok = check_event(&ev, &depth, diags), end = ev.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&ev);
                if (!ok)
                        return false;
                if (end)
                        break;
        }
        if (documents > 1)
                diag_add(diags, NULL, second.line + 1, second.column + 1, "%s", second_document);
        return documents <= 1;
}

struct key_ref {
        const yaml_node_t *node;
        size_t index;
};

static int key_ref_compare(const void *x, const void *y) {
        const struct key_ref *a = x, *b = y;
        int r = strcmp(yscalar(a->node), yscalar(b->node));
        return r != 0 ? r : a->index < b->index ? -1 : a->index > b->index;
}

/* Sorting keeps large mappings (apps of a big node) O(n log n); duplicates are then adjacent. */
static bool check_mapping_keys(yaml_document_t *doc, const yaml_node_t *map, const char *path,
                               struct diag_list *diags) {
        size_t n = ymapping_len(map);
        _cleanup_free_ struct key_ref *refs = calloc(n + 1, sizeof(*refs));
        if (!refs) {
                diags->oom = true;
                return false;
        }
        size_t k = 0;
        ymapping_foreach (pair, map) {
                yaml_node_t *kn = yaml_document_get_node(doc, pair->key);
                if (kn->type == YAML_SCALAR_NODE)
                        refs[k] = (struct key_ref){kn, k}, k++;
        }
        qsort(refs, k, sizeof(*refs), key_ref_compare);
        bool ok = true;
        for (size_t i = 1; i < k; i++)
                for (size_t first = i - 1; i < k && strcmp(yscalar(refs[i].node), yscalar(refs[first].node)) == 0;
                     i++) {
                        char shown[96];
                        const yaml_node_t *dup = refs[i].node;
                        diag_add(diags, NULL, ypos(dup).line, ypos(dup).col,
                                 "%s: duplicate key \"%s\" (first at line %zu)", path ? path : "(top level)",
                                 value_for_message(yscalar(dup), dup->data.scalar.length, shown, sizeof(shown)),
                                 ypos(refs[first].node).line);
                        ok = false;
                }
        return ok;
}

/* The depth is bounded by check_events() and there are no aliases: a tree of at most
 * YAML_DEPTH_MAX levels. `path` is the dotted key of `n`, NULL for the root. */
static bool check_tree(yaml_document_t *doc, const yaml_node_t *n, const char *path, struct diag_list *diags) {
        char sub[KEY_PATH_MAX], shown[96];
        bool ok = true;
        if (n->type == YAML_SEQUENCE_NODE) {
                ysequence_foreach (it, n) {
                        ykeyf(sub, sizeof(sub), "%s[%zu]", path ? path : "",
                              (size_t)(it - n->data.sequence.items.start));
                        ok = check_tree(doc, yaml_document_get_node(doc, *it), sub, diags) && ok;
                }
        }
        if (n->type != YAML_MAPPING_NODE)
                return ok;
        ymapping_foreach (pair, n) {
                const yaml_node_t *k = yaml_document_get_node(doc, pair->key);
                const char *name = k->type == YAML_SCALAR_NODE
                                           ? value_for_message(yscalar(k), k->data.scalar.length, shown, sizeof(shown))
                                           : "?";
                ykeyf(sub, sizeof(sub), "%s%s%s", path ? path : "", path ? "." : "", name);
                ok = check_tree(doc, yaml_document_get_node(doc, pair->value), sub, diags) && ok;
        }
        return check_mapping_keys(doc, n, path, diags) && ok;
}

static bool parser_open(yaml_parser_t *p, const char *text, size_t len, struct diag_list *diags) {
        if (!yaml_parser_initialize(p)) {
                diags->oom = true;
                return false;
        }
        yaml_parser_set_input_string(p, (const unsigned char *)text, len);
        return true;
}

static void parser_close(yaml_parser_t *p, struct diag_list *diags) {
        if (p->error == YAML_MEMORY_ERROR)
                diags->oom = true;
        yaml_parser_delete(p);
}

bool yload_single(const char *text, size_t len, yaml_document_t *doc, struct diag_list *diags, const char *syntax,
                  const char *second_document) {
        yaml_parser_t parser;
        if (!parser_open(&parser, text, len, diags))
                return false;
        bool ok = check_events(&parser, diags, syntax, second_document);
        parser_close(&parser, diags);
        if (!ok || !parser_open(&parser, text, len, diags))
                return false;
        bool loaded = yaml_parser_load(&parser, doc); /* a failed load has freed doc itself */
        if (!loaded)
                report_yaml_error(&parser, diags, syntax);
        parser_close(&parser, diags);
        if (!loaded)
                return false;
        yaml_node_t *root = yaml_document_get_root_node(doc);
        if (!root || check_tree(doc, root, NULL, diags))
                return true;
        yaml_document_delete(doc);
        return false;
}
