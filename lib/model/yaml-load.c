/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one loader of outside YAML (the manifest and the OTA marker). Before any typed parse sees
 * a document it must be a tree of bounded depth with each key once per mapping. One pass over
 * libyaml's events refuses deep nesting (libyaml's time grows with the square of the depth) and
 * anchors and aliases (an alias bomb expands a small file without limit), and builds the first
 * document as a struct ydoc (yaml-node.h): nodes in one array, their lists and texts in two
 * arenas, no tag kept. Each mapping's keys are compared when it ends; only when two are equal is
 * the tree walked again to report every duplicate with its key path, as the typed parse would
 * otherwise fill one field twice. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#include "values.h"
#include "yaml-node.h"

#define KEY_PATH_MAX 256

/* A reader that failed has reported why (yload_single_reader()); libyaml then only says "input error". */
static void report_yaml_error(const yaml_parser_t *p, struct diag_list *diags, const char *syntax,
                              const bool *read_failed) {
        if (read_failed && *read_failed && p->error == YAML_READER_ERROR)
                return;
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

/* A list or mapping being built: its node and where its children start on the stack. */
struct open_node {
        int index;
        size_t first;
};

/* The first document's tree as its events arrive. The children of every open list or mapping
 * wait on one stack (`kids`, node indexes) until its end event moves them into the tree arena. */
struct builder {
        struct ydoc *doc;
        struct open_node open[YAML_DEPTH_MAX]; /* check_event() refuses deeper nesting */
        size_t n_open;
        int *kids;
        size_t n_kids, cap_kids;
        bool duplicates;           /* some mapping has a key twice: walk the tree for the messages */
        struct interned *interned; /* short scalars already in the text arena, by hash */
        size_t n_interned, cap_interned;
};

/* A manifest repeats its keys and many values (a big node: 586 kB of scalars, 136 kB distinct),
 * so short scalars are kept once. The table is bounded; when full, texts are simply copied. */
#define INTERN_LEN_MAX 48
#define INTERN_SLOTS_FIRST 512
#define INTERN_SLOTS_MAX 8192
struct interned {
        const char *text;
        size_t length;
};

static size_t text_hash(const char *s, size_t len) {
        uint64_t h = 14695981039346656037u; /* FNV-1a */
        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char)s[i]) * 1099511628211u;
        return (size_t)h;
}

/* The slot of s in the table: where it is, or the empty one where it would go. */
static struct interned *intern_slot(struct interned *table, size_t cap, const char *s, size_t len) {
        for (size_t i = text_hash(s, len) & (cap - 1);; i = (i + 1) & (cap - 1))
                if (!table[i].text || (table[i].length == len && memcmp(table[i].text, s, len) == 0))
                        return &table[i];
}

static bool intern_grow(struct builder *b) {
        size_t cap = b->cap_interned ? b->cap_interned * 2 : INTERN_SLOTS_FIRST;
        struct interned *table = calloc(cap, sizeof(*table));
        if (!table)
                return false;
        for (size_t i = 0; i < b->cap_interned; i++)
                if (b->interned[i].text)
                        *intern_slot(table, cap, b->interned[i].text, b->interned[i].length) = b->interned[i];
        free(b->interned);
        b->interned = table;
        b->cap_interned = cap;
        return true;
}

/* A NUL-terminated copy of a scalar's text in the document's text arena, shared when short. */
static const char *scalar_text(struct builder *b, const char *s, size_t len) {
        struct arena *text = &b->doc->text;
        if (len > INTERN_LEN_MAX)
                return arena_memdup0(text, s, len);
        if (b->n_interned * 2 >= b->cap_interned && b->cap_interned < INTERN_SLOTS_MAX && !intern_grow(b))
                return NULL;
        struct interned *slot = intern_slot(b->interned, b->cap_interned, s, len);
        if (slot->text)
                return slot->text;
        const char *copy = arena_memdup0(text, s, len);
        if (copy && b->n_interned * 4 < b->cap_interned * 3) { /* a full table keeps empty slots */
                *slot = (struct interned){copy, len};
                b->n_interned++;
        }
        return copy;
}

/* The new node's index (1-based, as pairs and items refer to nodes), 0 when out of memory. */
static int add_node(struct builder *b, const yaml_event_t *ev, yaml_node_type_t type) {
        struct ydoc *d = b->doc;
        if (d->n_nodes % YDOC_BLOCK_NODES == 0) {
                size_t n = d->n_nodes / YDOC_BLOCK_NODES;
                struct ynode **blocks = d->n_nodes < INT32_MAX - YDOC_BLOCK_NODES
                                                ? realloc(d->blocks, (n + 1) * sizeof(struct ynode *))
                                                : NULL;
                if (!blocks)
                        return 0;
                d->blocks = blocks;
                if (!(blocks[n] = malloc(YDOC_BLOCK_NODES * sizeof(struct ynode))))
                        return 0;
                d->n_blocks = n + 1;
        }
        size_t line = ev->start_mark.line, col = ev->start_mark.column, col_max = (1u << 26) - 1;
        *ydoc_node(d, d->n_nodes + 1) = (struct ynode){
                .line = line < UINT32_MAX ? (uint32_t)line : UINT32_MAX,
                .column = col < col_max ? (uint32_t)col : (uint32_t)col_max,
                .type = (uint32_t)type,
        };
        return (int)++d->n_nodes;
}

/* Adds a new node as a child of the innermost open list or mapping (none: it is the root). */
static int add_child(struct builder *b, const yaml_event_t *ev, yaml_node_type_t type) {
        int index = add_node(b, ev, type);
        if (!index || b->n_open == 0)
                return index;
        if (b->n_kids == b->cap_kids) {
                size_t cap = b->cap_kids ? b->cap_kids * 2 : 64;
                int *kids = realloc(b->kids, cap * sizeof(*kids));
                if (!kids)
                        return 0;
                b->kids = kids;
                b->cap_kids = cap;
        }
        b->kids[b->n_kids++] = index;
        return index;
}

static int key_text_compare(const void *x, const void *y) {
        return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Whether two scalar keys of a mapping are equal: pairwise for small mappings, sorted for large
 * ones (the apps of a big node). Which ones, and where, check_tree() finds later. */
static int has_duplicate_keys(const struct ydoc *d, const yaml_node_pair_t *pairs, size_t n) {
        if (n < 2)
                return 0;
        if (n <= 16) {
                for (size_t i = 1; i < n; i++) {
                        const struct ynode *a = ydoc_node(d, (size_t)pairs[i].key);
                        for (size_t j = 0; j < i && a->type == YAML_SCALAR_NODE; j++) {
                                const struct ynode *k = ydoc_node(d, (size_t)pairs[j].key);
                                if (k->type == YAML_SCALAR_NODE && strcmp(yscalar(a), yscalar(k)) == 0)
                                        return 1;
                        }
                }
                return 0;
        }
        _cleanup_free_ const char **keys = malloc(n * sizeof(*keys));
        if (!keys)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const struct ynode *kn = ydoc_node(d, (size_t)pairs[i].key);
                if (kn->type == YAML_SCALAR_NODE)
                        keys[k++] = yscalar(kn);
        }
        qsort(keys, k, sizeof(*keys), key_text_compare);
        for (size_t i = 1; i < k; i++)
                if (strcmp(keys[i - 1], keys[i]) == 0)
                        return 1;
        return 0;
}

/* The end of the innermost list or mapping: its children move from the stack into the tree. */
static bool close_node(struct builder *b) {
        struct ydoc *d = b->doc;
        if (b->n_open == 0 || !d->n_nodes) /* libyaml pairs every end with a start */
                return false;
        struct open_node o = b->open[--b->n_open];
        size_t n = b->n_kids - o.first;
        const int *kids = b->kids ? b->kids + o.first : NULL;
        if (n > 0 && !kids)
                return false;
        struct ynode *node = ydoc_node(d, (size_t)o.index);
        if (node->type == YAML_SEQUENCE_NODE) {
                yaml_node_item_t *items = arena_alloc(&d->tree, n * sizeof(*items));
                if (!items)
                        return false;
                if (n)
                        memcpy(items, kids, n * sizeof(*items));
                node->data.sequence.items.start = items;
                node->data.sequence.items.top = items + n;
        } else {
                size_t n_pairs = n / 2; /* libyaml gives every key a value, if only an empty scalar */
                yaml_node_pair_t *pairs = arena_alloc(&d->tree, n_pairs * sizeof(*pairs));
                if (!pairs)
                        return false;
                for (size_t i = 0; i < n_pairs; i++)
                        pairs[i] = (yaml_node_pair_t){.key = kids[2 * i], .value = kids[2 * i + 1]};
                node->data.mapping.pairs.start = pairs;
                node->data.mapping.pairs.top = pairs + n_pairs;
                int dup = has_duplicate_keys(d, pairs, n_pairs);
                if (dup < 0)
                        return false;
                b->duplicates = b->duplicates || dup;
        }
        b->n_kids = o.first;
        return true;
}

/* One event of the first document into the tree; false when out of memory. */
static bool build(struct builder *b, const yaml_event_t *ev) {
        int index;
        switch (ev->type) {
        case YAML_SCALAR_EVENT: {
                index = add_child(b, ev, YAML_SCALAR_NODE);
                const char *value =
                        index ? scalar_text(b, (const char *)ev->data.scalar.value, ev->data.scalar.length) : NULL;
                if (!value)
                        return false;
                struct ynode *n = ydoc_node(b->doc, (size_t)index);
                n->data.scalar.value = value;
                n->data.scalar.length = ev->data.scalar.length;
                n->style = (uint32_t)ev->data.scalar.style;
                return true;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
                index = add_child(b, ev,
                                  ev->type == YAML_SEQUENCE_START_EVENT ? YAML_SEQUENCE_NODE : YAML_MAPPING_NODE);
                if (!index)
                        return false;
                b->open[b->n_open++] = (struct open_node){index, b->n_kids};
                return true;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: return close_node(b);
        default: return true;
        }
}

/* Every event of the stream; stops at the first refusal. The first document is built; a second
 * one is reported only when the whole stream is otherwise fine. */
static bool load_events(yaml_parser_t *p, struct builder *b, struct diag_list *diags, const char *syntax,
                        const char *second_document, const bool *read_failed) {
        unsigned depth = 0, documents = 0;
        yaml_mark_t second = {0};
        for (;;) {
                yaml_event_t ev;
                if (!yaml_parser_parse(p, &ev)) {
                        report_yaml_error(p, diags, syntax, read_failed);
                        return false;
                }
                if (ev.type == YAML_DOCUMENT_START_EVENT && ++documents == 2)
                        second = ev.start_mark;
                bool ok = check_event(&ev, &depth, diags), end = ev.type == YAML_STREAM_END_EVENT;
                if (ok && documents == 1 && !build(b, &ev))
                        ok = false, diags->oom = true;
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
static bool check_mapping_keys(const struct yctx *c, const yaml_node_t *map, const char *path,
                               struct diag_list *diags) {
        size_t n = ymapping_len(map);
        _cleanup_free_ struct key_ref *refs = calloc(n + 1, sizeof(*refs));
        if (!refs) {
                diags->oom = true;
                return false;
        }
        size_t k = 0;
        ymapping_foreach (pair, map) {
                yaml_node_t *kn = ynode(c, pair->key);
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

/* The depth is bounded by check_event() and there are no aliases: a tree of at most
 * YAML_DEPTH_MAX levels. `path` is the dotted key of `n`, NULL for the root. */
static bool check_tree(const struct yctx *c, const yaml_node_t *n, const char *path, struct diag_list *diags) {
        char sub[KEY_PATH_MAX], shown[96];
        bool ok = true;
        if (n->type == YAML_SEQUENCE_NODE) {
                ysequence_foreach (it, n) {
                        ykeyf(sub, sizeof(sub), "%s[%zu]", path ? path : "",
                              (size_t)(it - n->data.sequence.items.start));
                        ok = check_tree(c, ynode(c, *it), sub, diags) && ok;
                }
        }
        if (n->type != YAML_MAPPING_NODE)
                return ok;
        ymapping_foreach (pair, n) {
                const yaml_node_t *k = ynode(c, pair->key);
                const char *name = k->type == YAML_SCALAR_NODE
                                           ? value_for_message(yscalar(k), k->data.scalar.length, shown, sizeof(shown))
                                           : "?";
                ykeyf(sub, sizeof(sub), "%s%s%s", path ? path : "", path ? "." : "", name);
                ok = check_tree(c, ynode(c, pair->value), sub, diags) && ok;
        }
        return check_mapping_keys(c, n, path, diags) && ok;
}

static void parser_close(yaml_parser_t *p, struct diag_list *diags) {
        if (p->error == YAML_MEMORY_ERROR)
                diags->oom = true;
        yaml_parser_delete(p);
}

/* The document, checked, when the stream is; NULL (reported) otherwise. */
static struct ydoc *load_checked(yaml_parser_t *p, struct diag_list *diags, const char *syntax,
                                 const char *second_document, const bool *read_failed) {
        struct ydoc *doc = calloc(1, sizeof(*doc));
        if (!doc) {
                diags->oom = true;
                return NULL;
        }
        struct builder b = {.doc = doc};
        bool ok = load_events(p, &b, diags, syntax, second_document, read_failed);
        free(b.kids);
        free(b.interned);
        struct yctx c = {.doc = doc, .diags = diags};
        if (ok && b.duplicates)
                ok = check_tree(&c, yroot(doc), NULL, diags);
        if (ok)
                return doc;
        ydoc_free(doc);
        return NULL;
}

/* Loads from a parser whose input is set; `read_failed` as in yload_single_reader(). */
static bool load_from(yaml_parser_t *parser, struct ydoc **ret, struct diag_list *diags, const char *syntax,
                      const char *second_document, const bool *read_failed) {
        struct ydoc *doc = load_checked(parser, diags, syntax, second_document, read_failed);
        parser_close(parser, diags);
        if (!doc)
                return false;
        *ret = doc;
        return true;
}

bool yload_single(const char *text, size_t len, struct ydoc **ret, struct diag_list *diags, const char *syntax,
                  const char *second_document) {
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser)) {
                diags->oom = true;
                return false;
        }
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        return load_from(&parser, ret, diags, syntax, second_document, NULL);
}

bool yload_single_reader(yaml_read_handler_t *read, void *data, const bool *read_failed, struct ydoc **ret,
                         struct diag_list *diags, const char *syntax, const char *second_document) {
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser)) {
                diags->oom = true;
                return false;
        }
        yaml_parser_set_input(&parser, read, data);
        return load_from(&parser, ret, diags, syntax, second_document, read_failed);
}
