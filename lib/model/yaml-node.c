/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "yaml-node.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "suggest.h"
#include "values.h"

yaml_node_t *ynode(const struct yctx *c, int index) {
        return &c->doc->nodes[index - 1];
}

const yaml_node_t *yroot(const struct ydoc *doc) {
        return doc->n_nodes ? &doc->nodes[0] : NULL;
}

void ydoc_drop_tree(struct ydoc *doc) {
        free(doc->nodes);
        doc->nodes = NULL;
        doc->n_nodes = doc->cap_nodes = 0;
        arena_free(&doc->tree);
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

/* What is wrong with a scalar text_valid() refused: the C0 controls as always, a C1 control
 * or a byte of invalid UTF-8 named with its offset in the value. */
static void report_bad_text(const struct yctx *c, const yaml_node_t *n, const char *key) {
        char shown[96];
        size_t at = 0;
        uint32_t ch = 0;
        enum text_problem p = text_check(yscalar(n), n->data.scalar.length, &at, &ch);
        value_for_message(yscalar(n), n->data.scalar.length, shown, sizeof(shown));
        if (p == TEXT_C1_CONTROL)
                yerror(c, n,
                       "%s: expected text without control characters, got the C1 control character U+%04X at byte %zu "
                       "of \"%s\"",
                       key, (unsigned)ch, at, shown);
        else if (p == TEXT_BAD_UTF8)
                yerror(c, n, "%s: expected UTF-8 text, got the invalid byte 0x%02x at byte %zu of \"%s\"", key,
                       (unsigned)ch, at, shown);
        else
                yerror(c, n, "%s: expected text without control characters (newline, tab, NUL), got \"%s\"", key,
                       shown);
}

const char *yexpect_text(const struct yctx *c, const yaml_node_t *n, const char *key) {
        if (n->type != YAML_SCALAR_NODE) {
                yerror(c, n, "%s: expected a string, got %s", key, ynode_kind(n));
                return NULL;
        }
        if (n->data.scalar.length > ARCHY_VALUE_MAX) {
                yerror(c, n, "%s: expected a value of at most %u bytes, got %zu bytes", key, ARCHY_VALUE_MAX,
                       n->data.scalar.length);
                return NULL;
        }
        if (!text_valid(yscalar(n), n->data.scalar.length)) {
                report_bad_text(c, n, key);
                return NULL;
        }
        return yscalar(n);
}

static void report_unknown_key(const struct yctx *c, const yaml_node_t *k, const char *key, const char *name,
                               const char *const *allowed) {
        char shown[96];
        const char *hint = suggest_closest(name, allowed);
        value_for_message(name, k->data.scalar.length, shown, sizeof(shown));
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

/* Appends len bytes at s to buf[*at], cut at size - 1. */
static void key_put(char *buf, size_t size, size_t *at, const char *s, size_t len) {
        size_t room = size - 1 - *at;
        if (len > room)
                len = room;
        memcpy(buf + *at, s, len);
        *at += len;
}

/* Key paths are made for every node the typed parse visits, so the formats they use (%s, %zu)
 * are done here, about ten times faster than vsnprintf; any other takes vsnprintf. The result is
 * the same as snprintf's. */
void ykeyf(char *buf, size_t size, const char *fmt, ...) {
        va_list ap, again;
        va_start(ap, fmt);
        va_copy(again, ap);
        size_t at = 0;
        bool plain = size > 0;
        for (const char *f = fmt; plain && *f; f++) {
                const char *pct = strchr(f, '%');
                size_t lit = pct ? (size_t)(pct - f) : strlen(f);
                key_put(buf, size, &at, f, lit);
                if (!pct)
                        break;
                f = pct + 1;
                if (*f == 's') {
                        const char *arg = va_arg(ap, const char *);
                        arg = arg ? arg : "(null)";
                        key_put(buf, size, &at, arg, strlen(arg));
                } else if (f[0] == 'z' && f[1] == 'u') {
                        char digits[24], *d = digits + sizeof(digits);
                        size_t v = va_arg(ap, size_t);
                        do
                                *--d = (char)('0' + v % 10);
                        while (v /= 10);
                        key_put(buf, size, &at, d, (size_t)(digits + sizeof(digits) - d));
                        f++;
                } else
                        plain = false;
        }
        if (plain)
                buf[at] = '\0';
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
