/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "yaml-node.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose-hints.h"
#include "format.h"
#include "strbuf.h"
#include "suggest.h"
#include "values.h"

yaml_node_t *ynode(const struct yctx *c, int index) {
        return ydoc_node(c->doc, (size_t)index);
}

yaml_node_t *yitem(const struct yctx *c, const yaml_node_t *seq, const yaml_node_item_t *it, const char *key, char *k) {
        ykeyf(k, MANIFEST_KEY_MAX, "%s[%zu]", key, (size_t)(it - seq->data.sequence.items.start));
        return ynode(c, *it);
}

const yaml_node_t *yroot(const struct ydoc *doc) {
        return doc->n_nodes ? ydoc_node(doc, 1) : NULL;
}

void ydoc_drop_tree(struct ydoc *doc) {
        for (size_t i = 0; i < doc->n_blocks; i++)
                free(doc->blocks[i]);
        free(doc->blocks);
        doc->blocks = NULL;
        doc->n_nodes = doc->n_blocks = 0;
        arena_free(&doc->tree);
}

/* The blocks are the document's memory, not its content: releasing them changes nothing a
 * reader of the remaining nodes sees, so a const document (as struct yctx holds) may. */
void ydoc_release(const struct ydoc *doc, int first, int end) {
        if (first < 1 || end <= first)
                return;
        /* block b holds indexes b * N + 1 .. (b + 1) * N */
        for (size_t b = ((size_t)first - 1 + YDOC_BLOCK_NODES - 1) / YDOC_BLOCK_NODES;
             (b + 1) * YDOC_BLOCK_NODES < (size_t)end && b < doc->n_blocks; b++) {
                free(doc->blocks[b]);
                doc->blocks[b] = NULL;
        }
}

void ydoc_free(struct ydoc *doc) {
        if (!doc)
                return;
        ydoc_drop_tree(doc);
        arena_free(&doc->text);
        free(doc);
}

struct mpos ypos(const yaml_node_t *n) {
        return (struct mpos){(size_t)n->line + 1, (size_t)n->column + 1};
}

const char *ynode_kind(const yaml_node_t *n) {
        switch (n->type) {
        case YAML_SCALAR_NODE: return "a scalar";
        case YAML_SEQUENCE_NODE: return "a list";
        case YAML_MAPPING_NODE: return "a mapping";
        default: return "nothing";
        }
}

bool yexpect_mapping(const struct yctx *c, const yaml_node_t *n, const char *key) {
        if (n->type == YAML_MAPPING_NODE)
                return true;
        yerror(c, n, "%s: expected a mapping (key: value), got %s", key, ynode_kind(n));
        return false;
}

bool yexpect_sequence(const struct yctx *c, const yaml_node_t *n, const char *key) {
        if (n->type == YAML_SEQUENCE_NODE)
                return true;
        yerror(c, n, "%s: expected a list, got %s", key, ynode_kind(n));
        return false;
}

/* What is wrong with a scalar text_check() (or content_text_check(), for `lines`) refused: the C0
 * controls as always, a C1 control or a byte of invalid UTF-8 named with its offset in the value. */
static void report_bad_text(const struct yctx *c, const yaml_node_t *n, const char *key, bool lines) {
        char shown[96];
        size_t at = 0;
        uint32_t ch = 0;
        enum text_problem p = (lines ? content_text_check : text_check)(yscalar(n), n->data.scalar.length, &at, &ch);
        value_for_message(yscalar(n), n->data.scalar.length, shown, sizeof(shown));
        if (p == TEXT_C1_CONTROL)
                yerror(c, n,
                       "%s: expected text without control characters, got the C1 control character U+%04X at byte %zu "
                       "of \"%s\"",
                       key, (unsigned)ch, at, shown);
        else if (p == TEXT_BAD_UTF8)
                yerror(c, n, "%s: expected UTF-8 text, got the invalid byte 0x%02x at byte %zu of \"%s\"", key,
                       (unsigned)ch, at, shown);
        else if (lines)
                yerror(c, n,
                       "%s: expected text without control characters other than newline and tab, got 0x%02x at byte "
                       "%zu of \"%s\"",
                       key, (unsigned)ch, at, shown);
        else
                yerror(c, n, "%s: expected text without control characters (newline, tab, NUL), got \"%s\"", key,
                       shown);
}

static const char *expect_text(const struct yctx *c, const yaml_node_t *n, const char *key, bool lines) {
        if (n->type != YAML_SCALAR_NODE) {
                yerror(c, n, "%s: expected a string, got %s", key, ynode_kind(n));
                return NULL;
        }
        if (n->data.scalar.length > ARCHY_VALUE_MAX) {
                yerror(c, n, "%s: expected a value of at most %u bytes, got %zu bytes", key, ARCHY_VALUE_MAX,
                       n->data.scalar.length);
                return NULL;
        }
        size_t at = 0;
        uint32_t ch = 0;
        if ((lines ? content_text_check : text_check)(yscalar(n), n->data.scalar.length, &at, &ch) != TEXT_OK) {
                report_bad_text(c, n, key, lines);
                return NULL;
        }
        return yscalar(n);
}

const char *yexpect_text(const struct yctx *c, const yaml_node_t *n, const char *key) {
        return expect_text(c, n, key, false);
}

const char *yexpect_text_lines(const struct yctx *c, const yaml_node_t *n, const char *key) {
        return expect_text(c, n, key, true);
}

static void report_unknown_key(const struct yctx *c, const yaml_node_t *k, const char *key, const char *name,
                               const char *const *allowed) {
        char shown[96];
        const char *compose = compose_hint(key, name);
        const char *hint = suggest_closest(name, allowed);
        value_for_message(name, k->data.scalar.length, shown, sizeof(shown));
        if (compose) {
                yerror(c, k, "%s: unknown key \"%s\": %s", key, shown, compose);
                return;
        }
        if (hint) {
                yerror(c, k, "%s: unknown key \"%s\", did you mean \"%s\"?", key, shown, hint);
                return;
        }
        _cleanup_strbuf_ struct strbuf list = STRBUF_INIT;
        for (const char *const *a = allowed; *a; a++)
                strbuf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
        yerror(c, k, "%s: unknown key \"%s\", expected one of: %s", key, shown, strbuf_str(&list));
}

bool ycheck_keys(const struct yctx *c, const yaml_node_t *map, const char *key, const char *const *allowed) {
        bool ok = true;
        ymapping_foreach (pair, map) {
                yaml_node_t *k = ynode(c, pair->key);
                if (k->type != YAML_SCALAR_NODE) {
                        yerror(c, k, "%s: expected a plain key, got %s", key, ynode_kind(k));
                        ok = false;
                        continue;
                }
                if (!allowed)
                        continue;
                const char *name = yscalar(k);
                bool known = false;
                for (const char *const *a = allowed; *a && !known; a++)
                        known = strcmp(*a, name) == 0;
                if (!known) {
                        report_unknown_key(c, k, key, name, allowed);
                        ok = false;
                }
        }
        return ok;
}

yaml_node_t *ylookup(const struct yctx *c, const yaml_node_t *map, const char *name) {
        ymapping_foreach (pair, map) {
                yaml_node_t *k = ynode(c, pair->key);
                if (k->type == YAML_SCALAR_NODE && strcmp(yscalar(k), name) == 0)
                        return ynode(c, pair->value);
        }
        return NULL;
}

const char *ykey_text(const struct yctx *c, const yaml_node_pair_t *pair) {
        yaml_node_t *k = ynode(c, pair->key);
        return k->type == YAML_SCALAR_NODE ? yscalar(k) : "";
}

struct key_sink {
        char *buf;
        size_t size, at;
};

/* Appends len bytes at s, cut at size - 1. */
static void key_put(void *ctx, const char *s, size_t len) {
        struct key_sink *k = ctx;
        size_t room = k->size - 1 - k->at;
        if (len > room)
                len = room;
        memcpy(k->buf + k->at, s, len);
        k->at += len;
}

/* Key paths are made for every node the typed parse visits: their formats are done by
 * format_simple(), about ten times faster than vsnprintf, with the same result. */
void ykeyf(char *buf, size_t size, const char *fmt, ...) {
        va_list ap, again;
        va_start(ap, fmt);
        va_copy(again, ap);
        struct key_sink k = {buf, size, 0};
        if (size > 0 && format_simple(key_put, &k, fmt, ap))
                buf[k.at] = '\0';
        else
                vsnprintf(buf, size, fmt, again);
        va_end(again);
        va_end(ap);
}

bool yexpect_choice(const struct yctx *c, const yaml_node_t *n, const char *key, const char *const *names,
                    size_t *ret) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        _cleanup_strbuf_ struct strbuf expected = STRBUF_INIT;
        for (size_t i = 0; names[i]; i++) {
                if (strcmp(s, names[i]) == 0) {
                        *ret = i;
                        return true;
                }
                strbuf_printf(&expected, "%s%s", i ? ", " : "", names[i]);
        }
        yerror(c, n, "%s: expected one of %s, got \"%s\"", key, strbuf_str(&expected), s);
        return false;
}

bool yexpect_bool(const struct yctx *c, const yaml_node_t *n, const char *key, bool *ret) {
        const char *s = yexpect_text(c, n, key);
        if (s && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
                *ret = s[0] == 't';
                return true;
        }
        if (s)
                yerror(c, n, "%s: expected true or false, got \"%s\"", key, s);
        return false;
}
