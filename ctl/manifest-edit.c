/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text splices of a manifest (manifest-edit.h). The positions come from the loader's document
 * (each node's 0-based line and column); the bytes found there are checked before anything is
 * replaced. A block (an app under apps, a secret under secrets) is the lines from its key's line
 * to the next sibling's key line (or the next top-level key, or the end), less the blank and
 * comment lines at its end (they belong to what follows), plus the comment lines directly above
 * its key.
 */
#include "manifest-edit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strbuf.h"
#include "suggest.h"
#include "values.h"
#include "yaml-node.h"

/* ---- errors ---- */

/* *ret_error becomes the message: 0, or -ENOMEM. */
_printf_(2, 3) static int set_error(char **ret_error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(*ret_error);
        *ret_error = msg;
        return 0;
}
/* An expression (always negative, as the analyzers see): -EINVAL with the message, or -ENOMEM. */
#define refuse(ret_error, ...) (set_error((ret_error), __VA_ARGS__) < 0 ? -ENOMEM : -EINVAL)

/* ---- lines ---- */

struct lines {
        const char *text;
        size_t len;
        size_t *start; /* start[i]: offset of line i; start[n] == len */
        size_t n;
};

static int lines_split(const char *text, size_t len, struct lines *ret) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                if (text[i] == '\n')
                        n++;
        if (len > 0 && text[len - 1] != '\n')
                n++;
        size_t *start = calloc(n + 1, sizeof *start);
        if (!start)
                return -ENOMEM;
        size_t k = 0;
        start[k++] = 0;
        for (size_t i = 0; i < len && k <= n; i++)
                if (text[i] == '\n' && k <= n)
                        start[k++] = i + 1;
        start[n] = len;
        *ret = (struct lines){.text = text, .len = len, .start = start, .n = n};
        return 0;
}

static size_t line_len(const struct lines *l, size_t i) {
        size_t e = l->start[i + 1];
        return e > l->start[i] && l->text[e - 1] == '\n' ? e - l->start[i] - 1 : e - l->start[i];
}

static size_t indent_of(const struct lines *l, size_t i) {
        size_t k = 0;
        while (k < line_len(l, i) && l->text[l->start[i] + k] == ' ')
                k++;
        return k;
}

static bool is_blank(const struct lines *l, size_t i) {
        return indent_of(l, i) == line_len(l, i);
}

static bool is_comment(const struct lines *l, size_t i) {
        size_t k = indent_of(l, i);
        return k < line_len(l, i) && l->text[l->start[i] + k] == '#';
}

/* ---- the document's layout ---- */

struct layout {
        struct lines lines;
        struct ydoc *doc;
        const yaml_node_t *root;
        int apps_pair, secrets_pair; /* index into the root's pairs, -1: none */
};

static void layout_done(struct layout *y) {
        free(y->lines.start);
        if (y->doc)
                ydoc_free(y->doc);
        *y = (struct layout){0};
}

static const yaml_node_pair_t *root_pair(const struct layout *y, int i) {
        return i < 0 ? NULL : y->root->data.mapping.pairs.start + i;
}

static const yaml_node_t *node(const struct layout *y, int index) {
        return ydoc_node(y->doc, (size_t)index);
}

static bool key_is(const struct layout *y, const yaml_node_pair_t *p, const char *name) {
        const yaml_node_t *k = node(y, p->key);
        return k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(name) &&
               memcmp(yscalar(k), name, k->data.scalar.length) == 0;
}

/* The byte at a node's position, or NUL when the position is outside the text. */
static char char_at(const struct layout *y, const yaml_node_t *n) {
        if (n->line >= y->lines.n || n->column >= line_len(&y->lines, n->line))
                return '\0';
        return y->lines.text[y->lines.start[n->line] + n->column];
}

static int layout_load(const char *text, size_t len, const char *what, struct layout *y, char **ret_error) {
        *y = (struct layout){.apps_pair = -1, .secrets_pair = -1};
        if (memchr(text, '\r', len))
                return refuse(ret_error, "%s has CR line ends (\\r\\n): edit it by hand", what);
        if (memchr(text, '\0', len))
                return refuse(ret_error, "%s holds a NUL byte: edit it by hand", what);
        int r = lines_split(text, len, &y->lines);
        if (r < 0)
                return r;
        struct diag_list diags = {0};
        bool ok = yload_single(text, len, &y->doc, &diags, "YAML syntax", "a second document");
        if (!ok) {
                r = diags.oom ? -ENOMEM
                              : refuse(ret_error, "%s is not one YAML document%s%s", what, diags.n > 0 ? ": " : "",
                                       diags.n > 0 ? diags.items[0].text : "");
                diag_list_free(&diags);
                return r;
        }
        diag_list_free(&diags);
        y->root = yroot(y->doc);
        if (!y->root || y->root->type != YAML_MAPPING_NODE || char_at(y, y->root) == '{')
                return refuse(ret_error, "%s is not a block mapping at the top: edit it by hand", what);
        int i = 0;
        ymapping_foreach (p, y->root) {
                if (key_is(y, p, "apps"))
                        y->apps_pair = i;
                else if (key_is(y, p, "secrets"))
                        y->secrets_pair = i;
                i++;
        }
        return 0;
}

/* A mapping under a top-level key (apps, secrets), in block style with at least one entry. */
static int section(const struct layout *y, int pair, const char *name, const char *what, const yaml_node_t **ret,
                   char **ret_error) {
        const yaml_node_t *v = node(y, root_pair(y, pair)->value);
        if (v->type != YAML_MAPPING_NODE || ymapping_len(v) == 0 || char_at(y, v) == '{')
                return refuse(ret_error, "%s: %s is empty or in flow style ({...}): edit it by hand", what, name);
        *ret = v;
        return 0;
}

/* The line after the top-level key `pair` and all under it: the next top-level key's line, or the end. */
static size_t section_end(const struct layout *y, int pair) {
        size_t n = ymapping_len(y->root);
        return (size_t)pair + 1 < n ? node(y, root_pair(y, pair + 1)->key)->line : y->lines.n;
}

struct block {
        size_t first, end; /* lines [first, end) */
        size_t key_line, key_column;
};

/* Entry i of mapping m, whose section ends at line limit; above: the first line it may take. */
static struct block block_of(const struct layout *y, const yaml_node_t *m, size_t i, size_t above, size_t limit) {
        const yaml_node_pair_t *p = m->data.mapping.pairs.start + i;
        const yaml_node_t *k = node(y, p->key);
        struct block b = {.first = k->line, .key_line = k->line, .key_column = k->column};
        while (b.first > above && is_comment(&y->lines, b.first - 1))
                b.first--;
        b.end = i + 1 < ymapping_len(m) ? node(y, p[1].key)->line : limit;
        while (b.end > b.key_line + 1 && (is_blank(&y->lines, b.end - 1) || is_comment(&y->lines, b.end - 1)))
                b.end--;
        return b;
}

/* The index of entry `name` in mapping m, or -1. */
static int find_entry(const struct layout *y, const yaml_node_t *m, const char *name) {
        int i = 0;
        ymapping_foreach (p, m) {
                if (key_is(y, p, name))
                        return i;
                i++;
        }
        return -1;
}

static int unknown_app(const struct layout *y, const yaml_node_t *apps, const char *what, const char *app,
                       char **ret_error) {
        size_t n = apps ? ymapping_len(apps) : 0;
        _cleanup_free_ const char **names = calloc(n + 1, sizeof *names);
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                names[i] = yscalar(node(y, apps->data.mapping.pairs.start[i].key));
        const char *near = suggest_closest(app, names);
        return set_error(ret_error, "%s has no app \"%s\"%s%s%s", what, app, near ? " (did you mean \"" : "",
                         near ? near : "", near ? "\"?)" : "") < 0
                       ? -ENOMEM
                       : -ENOENT;
}

/* ---- the state ---- */

static int splice(const char *text, size_t len, size_t at, size_t cut, const char *put, char **ret, size_t *ret_len) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_add(&sb, text, at);
        strbuf_puts(&sb, put);
        strbuf_add(&sb, text + at + cut, len - at - cut);
        if (strbuf_failed(&sb)) {
                strbuf_free(&sb);
                return -ENOMEM;
        }
        *ret_len = sb.len;
        *ret = sb.data;
        return 0;
}

/* The bytes of the scalar v (the value of key, "apps.APP.state") as written (plain, 'x' or "x", one
 * line): *ret_cut of them at *ret_at. */
static int scalar_span(const struct layout *y, const yaml_node_t *v, const char *key, size_t *ret_at, size_t *ret_cut,
                       char **ret_error) {
        size_t vl = v->data.scalar.length, ll = v->line < y->lines.n ? line_len(&y->lines, v->line) : 0;
        size_t q = v->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || v->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? 1 : 0;
        char quote = v->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ? '\'' : '"';
        bool known = v->style == YAML_PLAIN_SCALAR_STYLE || q;
        const char *at = y->lines.text + y->lines.start[v->line < y->lines.n ? v->line : 0] + v->column;
        if (!known || v->line >= y->lines.n || v->column + vl + 2 * q > ll ||
            (q && (at[0] != quote || at[vl + 1] != quote)) || memcmp(at + q, yscalar(v), vl) != 0)
                return refuse(ret_error, "%s (line %u) is not written as a plain or quoted word: edit it by hand", key,
                              v->line + 1);
        *ret_at = (size_t)(at - y->lines.text);
        *ret_cut = vl + 2 * q;
        return 0;
}

/* The app's mapping (block style) in a loaded manifest; its index in *ret_i. */
static int app_mapping(const struct layout *y, const char *what, const char *app, const yaml_node_t **ret_apps,
                       const yaml_node_t **ret, int *ret_i, char **ret_error) {
        const yaml_node_t *apps = NULL;
        if (y->apps_pair < 0)
                return unknown_app(y, NULL, what, app, ret_error);
        int r = section(y, y->apps_pair, "apps", what, &apps, ret_error);
        if (r < 0)
                return r;
        int i = find_entry(y, apps, app);
        if (i < 0)
                return unknown_app(y, apps, what, app, ret_error);
        const yaml_node_t *a = node(y, apps->data.mapping.pairs.start[i].value);
        if (a->type != YAML_MAPPING_NODE)
                return refuse(ret_error, "%s: apps.%s is not a mapping: edit it by hand", what, app);
        if (char_at(y, a) == '{')
                return refuse(ret_error, "%s: apps.%s is written in flow style ({...}): edit it by hand", what, app);
        *ret_apps = apps;
        *ret = a;
        *ret_i = i;
        return 0;
}

static int set_state_unchecked(const char *text, size_t len, const char *app, enum app_state want, char **ret,
                               size_t *ret_len, char **ret_error) {
        _cleanup_(layout_done) struct layout y = {0};
        int r = layout_load(text, len, "the manifest", &y, ret_error);
        const yaml_node_t *apps = NULL, *a = NULL;
        int i;
        if (r >= 0)
                r = app_mapping(&y, "the manifest", app, &apps, &a, &i, ret_error);
        if (r < 0 || !a)
                return r < 0 ? r : -EINVAL;
        const char *word = app_state_to_string(want);
        int si = find_entry(&y, a, "state");
        if (si < 0) {
                if (want == APP_STATE_STARTED)
                        return 1; /* the default */
                const yaml_node_t *k = node(&y, a->data.mapping.pairs.start->key);
                size_t at = y.lines.start[k->line];
                if (indent_of(&y.lines, k->line) != k->column)
                        return refuse(ret_error,
                                      "apps.%s: its first key (line %u) does not start its line: edit it by hand", app,
                                      k->line + 1);
                _cleanup_free_ char *put = NULL;
                if (asprintf(&put, "%*sstate: %s\n", (int)k->column, "", word) < 0)
                        return -ENOMEM;
                return splice(text, len, at, 0, put, ret, ret_len);
        }
        const yaml_node_t *v = node(&y, a->data.mapping.pairs.start[si].value);
        if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == strlen(word) &&
            memcmp(yscalar(v), word, strlen(word)) == 0)
                return 1;
        size_t at = 0, cut = 0;
        if (v->type != YAML_SCALAR_NODE)
                return refuse(ret_error, "apps.%s.state (line %u) is not a scalar: edit it by hand", app, v->line + 1);
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "apps.%s.state", app) < 0)
                return -ENOMEM;
        r = scalar_span(&y, v, key, &at, &cut, ret_error);
        if (r < 0)
                return r;
        return splice(text, len, at, cut, word, ret, ret_len);
}

int medit_set_state(const char *text, size_t len, const char *app, enum app_state want, char **ret, size_t *ret_len,
                    char **ret_error) {
        *ret = NULL;
        *ret_len = 0;
        *ret_error = NULL;
        char *out = NULL;
        size_t out_len = 0;
        int r = set_state_unchecked(text, len, app, want, &out, &out_len, ret_error);
        if (r == 0)
                r = medit_verify(text, len, out, out_len, app, want, ret_error);
        if (r != 0) {
                free(out);
                return r;
        }
        *ret = out;
        *ret_len = out_len;
        return 0;
}

/* ---- an image ---- */

/* The value node of key `name` in mapping m, or NULL. */
static const yaml_node_t *value_of(const struct layout *y, const yaml_node_t *m, const char *name) {
        int i = m && m->type == YAML_MAPPING_NODE ? find_entry(y, m, name) : -1;
        return i < 0 ? NULL : node(y, m->data.mapping.pairs.start[i].value);
}

static int set_image_unchecked(const char *text, size_t len, const char *app, const char *part, const char *image,
                               char **ret, size_t *ret_len, char **ret_error) {
        _cleanup_(layout_done) struct layout y = {0};
        const yaml_node_t *apps = NULL, *a = NULL;
        int i, r = layout_load(text, len, "the manifest", &y, ret_error);
        if (r >= 0)
                r = app_mapping(&y, "the manifest", app, &apps, &a, &i, ret_error);
        if (r < 0 || !a)
                return r < 0 ? r : -EINVAL;
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "apps.%s.containers.%s.image", app, part) < 0)
                return -ENOMEM;
        const yaml_node_t *v = value_of(&y, value_of(&y, value_of(&y, a, "containers"), part), "image");
        if (!v || v->type != YAML_SCALAR_NODE)
                return refuse(ret_error, "the manifest has no scalar %s: edit it by hand", key);
        if (v->data.scalar.length == strlen(image) && memcmp(yscalar(v), image, strlen(image)) == 0)
                return 1;
        size_t at = 0, cut = 0;
        r = scalar_span(&y, v, key, &at, &cut, ret_error);
        if (r < 0)
                return r;
        /* in the style it was written in: an image reference needs no escape within quotes */
        const char *q = v->style == YAML_SINGLE_QUOTED_SCALAR_STYLE   ? "'"
                        : v->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? "\""
                                                                      : "";
        _cleanup_free_ char *put = NULL;
        if (asprintf(&put, "%s%s%s", q, image, q) < 0)
                return -ENOMEM;
        return splice(text, len, at, cut, put, ret, ret_len);
}

/* The result loads, every app in the state it had, and the container runs image. */
static int verify_image(const char *old_text, size_t old_len, const char *new_text, size_t new_len, const char *app,
                        const char *part, const char *image, char **ret_error) {
        struct diag_list od = {0};
        _cleanup_manifest_ struct manifest *o = manifest_parse(old_text, old_len, "old", &od);
        bool oom = od.oom;
        diag_list_free(&od);
        const struct app *oa = o ? manifest_find_app(o, app) : NULL;
        if (oom)
                return -ENOMEM;
        int r = medit_verify(old_text, old_len, new_text, new_len, app, oa ? oa->state : APP_STATE_STARTED, ret_error);
        if (r < 0)
                return r;
        struct diag_list nd = {0};
        _cleanup_manifest_ struct manifest *n = manifest_parse(new_text, new_len, "new", &nd);
        oom = nd.oom;
        diag_list_free(&nd);
        if (oom)
                return -ENOMEM;
        const struct app *na = n ? manifest_find_app(n, app) : NULL;
        const struct container *c = na ? app_find_container(na, part) : NULL;
        if (!c || !c->image || strcmp(c->image, image) != 0)
                return refuse(ret_error, "the edit would not make apps.%s.containers.%s.image %s: refused", app, part,
                              image);
        return 0;
}

int medit_set_image(const char *text, size_t len, const char *app, const char *part, const char *image, char **ret,
                    size_t *ret_len, char **ret_error) {
        *ret = NULL;
        *ret_len = 0;
        *ret_error = NULL;
        if (!image_ref_valid(image))
                return refuse(ret_error, "\"%s\" is not an image reference", image);
        char *out = NULL;
        size_t out_len = 0;
        int r = set_image_unchecked(text, len, app, part, image, &out, &out_len, ret_error);
        if (r == 0)
                r = verify_image(text, len, out, out_len, app, part, image, ret_error);
        if (r != 0) {
                free(out);
                return r;
        }
        *ret = out;
        *ret_len = out_len;
        return 0;
}

/* ---- install ---- */

/* Lines [first, end) of l, each with its first `from` spaces (at most) replaced by `to` spaces. */
static void put_reindented(const struct lines *l, size_t first, size_t end, size_t from, size_t to,
                           struct strbuf *out) {
        for (size_t i = first; i < end; i++) {
                size_t ind = indent_of(l, i), cut = ind < from ? ind : from, ll = line_len(l, i);
                if (!is_blank(l, i))
                        strbuf_printf(out, "%*s", (int)to, "");
                if (!is_blank(l, i))
                        strbuf_add(out, l->text + l->start[i] + cut, ll - cut);
                strbuf_putc(out, '\n');
        }
}

/* text with lines [first, end) of `into` replaced by `put` (end == first: inserted before line first). */
static int replace_lines(const struct lines *into, size_t first, size_t end, const struct strbuf *put, char **ret,
                         size_t *ret_len) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_add(&sb, into->text, into->start[first]);
        if (into->start[first] > 0 && into->text[into->start[first] - 1] != '\n')
                strbuf_putc(&sb, '\n'); /* appended after a last line without a newline */
        strbuf_add(&sb, put->data ? put->data : "", put->len);
        strbuf_add(&sb, into->text + into->start[end], into->len - into->start[end]);
        if (strbuf_failed(&sb) || strbuf_failed(put)) {
                strbuf_free(&sb);
                return -ENOMEM;
        }
        *ret = sb.data;
        *ret_len = sb.len;
        return 0;
}

/* Whether the installed entries of mapping m are separated by a blank line (the first two). */
static bool blank_between(const struct layout *y, const yaml_node_t *m, size_t limit) {
        if (ymapping_len(m) < 2)
                return false;
        struct block b = block_of(y, m, 1, 0, limit);
        return b.first > 0 && is_blank(&y->lines, b.first - 1);
}

/* Entry `name` of mapping fm (file, section ending at f_limit) put into mapping im (installed,
 * ending at i_limit): replaces the entry of that name, or goes after the last entry. */
static int copy_entry(const struct layout *f, const yaml_node_t *fm, size_t f_above, size_t f_limit,
                      const struct layout *in, const yaml_node_t *im, size_t i_above, size_t i_limit, const char *name,
                      char **ret, size_t *ret_len) {
        struct block fb = block_of(f, fm, (size_t)find_entry(f, fm, name), f_above, f_limit);
        struct block first = block_of(in, im, 0, i_above, i_limit);
        int ii = find_entry(in, im, name);
        _cleanup_strbuf_ struct strbuf put = STRBUF_INIT;
        size_t at, end;
        if (ii >= 0) {
                struct block ib = block_of(in, im, (size_t)ii, i_above, i_limit);
                at = ib.first;
                end = ib.end;
        } else {
                at = end = block_of(in, im, ymapping_len(im) - 1, i_above, i_limit).end;
                if (blank_between(in, im, i_limit))
                        strbuf_putc(&put, '\n');
        }
        put_reindented(&f->lines, fb.first, fb.end, fb.key_column, first.key_column, &put);
        return replace_lines(&in->lines, at, end, &put, ret, ret_len);
}

/* Whether `word` occurs in text[0, len) as a whole name (not inside a longer name). */
static bool names_word(const char *text, size_t len, const char *word) {
        size_t wl = strlen(word);
        for (const char *p = text; wl > 0 && (p = memmem(p, len - (size_t)(p - text), word, wl)); p++) {
                bool before = p == text || !(strchr("abcdefghijklmnopqrstuvwxyz0123456789-_.", p[-1]) ||
                                             (p[-1] >= 'A' && p[-1] <= 'Z'));
                char c = (size_t)(p - text) + wl < len ? p[wl] : ' ';
                bool after =
                        !(strchr("abcdefghijklmnopqrstuvwxyz0123456789-_.", c) || (c >= 'A' && c <= 'Z')) || c == '\0';
                if (before && after)
                        return true;
        }
        return false;
}

/* The app's block of `file` in the installed text: *ret the new text. */
static int install_app(const struct layout *in, const struct layout *f, const char *app, char **ret, size_t *ret_len,
                       char **ret_error) {
        const yaml_node_t *iapps = NULL, *fapps = NULL, *fa = NULL;
        int fi, r;
        r = app_mapping(f, "FILE", app, &fapps, &fa, &fi, ret_error);
        if (r < 0)
                return r;
        if (in->apps_pair < 0)
                return refuse(ret_error,
                              "the installed manifest has no apps mapping: edit it by hand or use archyctl apply");
        r = section(in, in->apps_pair, "apps", "the installed manifest", &iapps, ret_error);
        if (r < 0)
                return r;
        size_t f_above = node(f, root_pair(f, f->apps_pair)->key)->line + 1;
        size_t i_above = node(in, root_pair(in, in->apps_pair)->key)->line + 1;
        return copy_entry(f, fapps, f_above, section_end(f, f->apps_pair), in, iapps, i_above,
                          section_end(in, in->apps_pair), app, ret, ret_len);
}

/* One secret of `file`, missing from the installed text (layout in), added: *ret the new text. */
static int add_secret(const struct layout *in, const struct layout *f, const char *name, char **ret, size_t *ret_len,
                      char **ret_error) {
        const yaml_node_t *fs = NULL, *is = NULL;
        int r = section(f, f->secrets_pair, "secrets", "FILE", &fs, ret_error);
        if (r < 0)
                return r;
        size_t f_above = node(f, root_pair(f, f->secrets_pair)->key)->line + 1;
        size_t f_limit = section_end(f, f->secrets_pair);
        if (in->secrets_pair >= 0) {
                r = section(in, in->secrets_pair, "secrets", "the installed manifest", &is, ret_error);
                if (r < 0)
                        return r;
                size_t i_above = node(in, root_pair(in, in->secrets_pair)->key)->line + 1;
                return copy_entry(f, fs, f_above, f_limit, in, is, i_above, section_end(in, in->secrets_pair), name,
                                  ret, ret_len);
        }
        /* no secrets mapping yet: one above apps, indented as the apps are */
        const yaml_node_t *iapps = NULL;
        r = section(in, in->apps_pair, "apps", "the installed manifest", &iapps, ret_error);
        if (r < 0)
                return r;
        struct block first = block_of(in, iapps, 0, 0, in->lines.n);
        struct block fb = block_of(f, fs, (size_t)find_entry(f, fs, name), f_above, f_limit);
        size_t at = node(in, root_pair(in, in->apps_pair)->key)->line;
        while (at > 0 && is_comment(&in->lines, at - 1))
                at--;
        _cleanup_strbuf_ struct strbuf put = STRBUF_INIT;
        strbuf_puts(&put, "secrets:\n");
        put_reindented(&f->lines, fb.first, fb.end, fb.key_column, first.key_column, &put);
        return replace_lines(&in->lines, at, at, &put, ret, ret_len);
}

/* The secrets file declares that the app's block names, each added when installed lacks it. */
static int copy_secrets(char **text, size_t *len, const struct layout *f, const char *app, char **ret_error) {
        const yaml_node_t *fs = f->secrets_pair >= 0 ? node(f, root_pair(f, f->secrets_pair)->value) : NULL;
        if (!fs || fs->type != YAML_MAPPING_NODE)
                return 0;
        const yaml_node_t *fapps = node(f, root_pair(f, f->apps_pair)->value);
        struct block ab = block_of(f, fapps, (size_t)find_entry(f, fapps, app), 0, section_end(f, f->apps_pair));
        const char *bt = f->lines.text + f->lines.start[ab.key_line];
        size_t bl = f->lines.start[ab.end] - f->lines.start[ab.key_line];
        ymapping_foreach (p, fs) {
                const char *name = yscalar(node(f, p->key));
                if (!names_word(bt, bl, name))
                        continue;
                _cleanup_(layout_done) struct layout in = {0};
                int r = layout_load(*text, *len, "the installed manifest", &in, ret_error);
                if (r < 0)
                        return r;
                const yaml_node_t *is = in.secrets_pair >= 0 ? node(&in, root_pair(&in, in.secrets_pair)->value) : NULL;
                if (is && is->type == YAML_MAPPING_NODE && find_entry(&in, is, name) >= 0)
                        continue;
                char *out = NULL;
                size_t out_len = 0;
                r = add_secret(&in, f, name, &out, &out_len, ret_error);
                if (r < 0)
                        return r;
                free(*text);
                *text = out;
                *len = out_len;
        }
        return 0;
}

static int install_unchecked(const char *installed, size_t installed_len, const char *file, size_t file_len,
                             const char *app, char **ret, size_t *ret_len, char **ret_error) {
        _cleanup_(layout_done) struct layout in = {0}, f = {0};
        int r = layout_load(installed, installed_len, "the installed manifest", &in, ret_error);
        if (r >= 0)
                r = layout_load(file, file_len, "FILE", &f, ret_error);
        if (r < 0)
                return r;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        r = install_app(&in, &f, app, &text, &len, ret_error);
        if (r >= 0)
                r = copy_secrets(&text, &len, &f, app, ret_error);
        if (r < 0)
                return r;
        char *started = NULL;
        size_t started_len = 0;
        r = set_state_unchecked(text, len, app, APP_STATE_STARTED, &started, &started_len, ret_error);
        if (r < 0)
                return r;
        if (r == 0) {
                free(text);
                text = started;
                len = started_len;
        }
        if (len == installed_len && memcmp(text, installed, len) == 0)
                return 1;
        *ret = TAKE_PTR(text);
        *ret_len = len;
        return 0;
}

int medit_install(const char *installed, size_t installed_len, const char *file, size_t file_len, const char *app,
                  char **ret, size_t *ret_len, char **ret_error) {
        *ret = NULL;
        *ret_len = 0;
        *ret_error = NULL;
        char *out = NULL;
        size_t out_len = 0;
        int r = install_unchecked(installed, installed_len, file, file_len, app, &out, &out_len, ret_error);
        if (r == 0)
                r = medit_verify(installed, installed_len, out, out_len, app, APP_STATE_STARTED, ret_error);
        if (r != 0) {
                free(out);
                return r;
        }
        *ret = out;
        *ret_len = out_len;
        return 0;
}

/* ---- the check ---- */

static int verify_apps(const struct manifest *o, const struct manifest *n, const char *app, enum app_state want,
                       char **ret_error) {
        for (size_t i = 0; i < o->n_apps; i++) {
                const struct app *oa = &o->apps[i], *na = manifest_find_app(n, oa->name);
                if (strcmp(oa->name, app) == 0)
                        continue;
                if (!na)
                        return refuse(ret_error, "the edit would drop the app %s: refused, nothing written", oa->name);
                if (na->state != oa->state)
                        return refuse(ret_error,
                                      "the edit would change the app %s (%s -> %s): refused, nothing written", oa->name,
                                      app_state_to_string(oa->state), app_state_to_string(na->state));
        }
        for (size_t i = 0; i < n->n_apps; i++)
                if (strcmp(n->apps[i].name, app) != 0 && !manifest_find_app(o, n->apps[i].name))
                        return refuse(ret_error, "the edit would add the app %s: refused, nothing written",
                                      n->apps[i].name);
        const struct app *na = manifest_find_app(n, app);
        if (!na || na->state != want)
                return refuse(ret_error, "the edit would not make %s %s: refused, nothing written", app,
                              app_state_to_string(want));
        return 0;
}

int medit_verify(const char *old_text, size_t old_len, const char *new_text, size_t new_len, const char *app,
                 enum app_state want, char **ret_error) {
        struct diag_list od = {0}, nd = {0};
        _cleanup_manifest_ struct manifest *o = manifest_parse(old_text, old_len, "old", &od);
        _cleanup_manifest_ struct manifest *n = manifest_parse(new_text, new_len, "new", &nd);
        int r = od.oom || nd.oom ? -ENOMEM : 0;
        diag_list_free(&od);
        diag_list_free(&nd);
        if (r < 0)
                return r;
        if (!o || !n)
                return refuse(ret_error, "the edited manifest does not load as a whole: refused, nothing written");
        return verify_apps(o, n, app, want, ret_error);
}
