/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "arena.h"
#include "diag.h"
#include "manifest.h"

/* A loaded document is ours, not libyaml's (lib/model/yaml-load.c builds it from libyaml's
 * events): one array of 24-byte nodes instead of a 96-byte node, a strdup'ed tag and a malloc'ed
 * value each. The fields the typed parses read keep libyaml's names (n->type, n->data.scalar.value
 * and .length, n->data.sequence.items.start/.top, n->data.mapping.pairs.start/.top, pairs of node
 * indexes), and so does the type: `yaml_node_t` below means `struct ynode`. Positions are read
 * through ypos(), the scalar style (for JSON-ish checks) is n->style. */
struct ynode {
        union {
                struct {
                        const char *value; /* NUL-terminated, may hold NULs: use length */
                        size_t length;
                } scalar;
                struct {
                        struct {
                                yaml_node_item_t *start, *top;
                        } items;
                } sequence;
                struct {
                        struct {
                                yaml_node_pair_t *start, *top;
                        } pairs;
                } mapping;
        } data;
        uint32_t line;        /* of the node's start, 0-based */
        uint32_t column : 26; /* 0-based; a 16 MiB manifest has shorter lines */
        uint32_t type : 3;    /* yaml_node_type_t */
        uint32_t style : 3;   /* yaml_scalar_style_t of a scalar */
};
#define yaml_node_t struct ynode

/* The nodes (index 1 is the root) live in blocks of YDOC_BLOCK_NODES, their lists in `tree`;
 * ydoc_drop_tree() frees both once the typed parse is done, ydoc_release() the blocks of a part
 * already parsed (an app of a big node). Scalar texts live in `text`, which lasts as long as the
 * document, so parsed structs may point into it. */
#define YDOC_BLOCK_NODES 2048
struct ydoc {
        struct ynode **blocks; /* NULL where released */
        size_t n_nodes, n_blocks;
        struct arena tree, text;
};
static inline struct ynode *ydoc_node(const struct ydoc *doc, size_t index) {
        return &doc->blocks[(index - 1) / YDOC_BLOCK_NODES][(index - 1) % YDOC_BLOCK_NODES];
}
const yaml_node_t *yroot(const struct ydoc *doc);
void ydoc_drop_tree(struct ydoc *doc);
/* Nodes first .. end - 1 (indexes) are not read again: the blocks that hold only such nodes are
 * freed (again: nothing), for the structs parsed from them to reuse. The tree is otherwise unchanged. */
void ydoc_release(const struct ydoc *doc, int first, int end);
void ydoc_free(struct ydoc *doc);

/* Typed access to a loaded YAML document with errors that say where and what was expected.
 * `key` is the dotted path of the node ("apps.lnd.containers.main.image") for messages;
 * `app` attributes the error to an app (NULL: the whole manifest). */
struct yctx {
        const struct ydoc *doc;
        struct diag_list *diags;
        const char *app;
};

yaml_node_t *ynode(const struct yctx *c, int index);
struct mpos ypos(const yaml_node_t *n);
const char *ynode_kind(const yaml_node_t *n);

bool yexpect_mapping(const struct yctx *c, const yaml_node_t *n, const char *key);
bool yexpect_sequence(const struct yctx *c, const yaml_node_t *n, const char *key);
/* A scalar of safe text (no control characters, no NUL). */
const char *yexpect_text(const struct yctx *c, const yaml_node_t *n, const char *key);
/* The same, with newline and tab allowed (YAML's block scalars): for values archy renders as a
 * quoted word with C escapes (\n, \t), which Quadlet and systemd both undo (unit-escape.h). */
const char *yexpect_text_lines(const struct yctx *c, const yaml_node_t *n, const char *key);
/* A scalar true or false. */
bool yexpect_bool(const struct yctx *c, const yaml_node_t *n, const char *key, bool *ret);
/* A scalar that is one of `names` (NULL-terminated): its index in *ret, or an error listing them. */
bool yexpect_choice(const struct yctx *c, const yaml_node_t *n, const char *key, const char *const *names, size_t *ret);

/* Reports keys not in `allowed` (NULL-terminated) with a "did you mean" hint and non-scalar
 * keys (duplicate keys never get here: yload_single() refuses them). Returns false if anything was reported. */
bool ycheck_keys(const struct yctx *c, const yaml_node_t *map, const char *key, const char *const *allowed);
/* Value of `name` in a mapping, or NULL. Assumes keys were checked. */
yaml_node_t *ylookup(const struct yctx *c, const yaml_node_t *map, const char *name);
/* The scalar text of a key node (keys are checked to be scalars). */
const char *ykey_text(const struct yctx *c, const yaml_node_pair_t *pair);

#define yerror(c, n, ...) diag_add((c)->diags, (c)->app, ypos(n).line, ypos(n).col, __VA_ARGS__)

#define ymapping_foreach(pair, n)                                                                                      \
        for (yaml_node_pair_t *pair = (n)->data.mapping.pairs.start; pair < (n)->data.mapping.pairs.top; pair++)
#define ysequence_foreach(item, n)                                                                                     \
        for (yaml_node_item_t *item = (n)->data.sequence.items.start; item < (n)->data.sequence.items.top; item++)
static inline size_t ymapping_len(const yaml_node_t *n) {
        return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}
static inline size_t ysequence_len(const yaml_node_t *n) {
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}
static inline const char *yscalar(const yaml_node_t *n) {
        return (const char *)n->data.scalar.value;
}

/* The longest dotted key path a message names. */
#define MANIFEST_KEY_MAX 256

/* Item `it` of sequence `seq`, its key path "key[i]" written to `k` (MANIFEST_KEY_MAX bytes). */
yaml_node_t *yitem(const struct yctx *c, const yaml_node_t *seq, const yaml_node_item_t *it, const char *key, char *k);
/* Compose a key path for messages; long paths are cut, never overflowed. */
void ykeyf(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);

/* The deepest nesting of lists and mappings a document may have (the manifest needs 6). */
#define YAML_DEPTH_MAX 64

/* Load exactly one document from text (lib/model/yaml-load.c). Refused, each with its
 * position: syntax errors ("<syntax>: ..."), a second document (second_document), lists and
 * mappings nested deeper than YAML_DEPTH_MAX, anchors and aliases, and a key written twice in
 * one mapping (every one reported). Returns true when *ret holds the document (the caller frees it
 * with ydoc_free()); on false nothing is left to free and every problem is manifest-wide. */
bool yload_single(const char *text, size_t len, struct ydoc **ret, struct diag_list *diags, const char *syntax,
                  const char *second_document);
/* The same, reading the text in pieces through `read` (libyaml's read handler, called with
 * `data`), so that a big manifest is never held whole. A reader that fails reports why in diags
 * itself, sets *read_failed and returns 0; libyaml's own "input error" is then not reported. */
bool yload_single_reader(yaml_read_handler_t *read, void *data, const bool *read_failed, struct ydoc **ret,
                         struct diag_list *diags, const char *syntax, const char *second_document);
