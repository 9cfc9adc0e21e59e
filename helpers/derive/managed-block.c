/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "managed-block.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

bool text_next_line(const char *text, size_t len, size_t *pos, struct text_line *ret) {
        if (*pos >= len)
                return false;
        const char *nl = memchr(text + *pos, '\n', len - *pos);
        size_t stop = nl ? (size_t)(nl - text) : len;
        *ret = (struct text_line){
                .start = *pos,
                .len = stop - *pos,
                .end = nl ? stop + 1 : len,
        };
        *pos = ret->end;
        return true;
}

/* Editors and Windows tools leave trailing blanks and '\r' behind; neither makes a marker another. */
static bool is_marker(const char *line, size_t len, const char *marker) {
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
                len--;
        return len == strlen(marker) && memcmp(line, marker, len) == 0;
}

bool block_is_marker_line(const char *line, size_t len) {
        return is_marker(line, len, BLOCK_BEGIN) || is_marker(line, len, BLOCK_END);
}

struct markers {
        struct text_line begin, end;
};

static enum block_state find_markers(const char *text, size_t len, struct markers *ret) {
        unsigned n_begin = 0, n_end = 0;
        bool end_first = false;
        struct markers m = {0};
        size_t pos = 0;
        struct text_line l;

        while (text_next_line(text, len, &pos, &l)) {
                if (is_marker(text + l.start, l.len, BLOCK_BEGIN)) {
                        n_begin++;
                        m.begin = l;
                } else if (is_marker(text + l.start, l.len, BLOCK_END)) {
                        if (n_begin == 0)
                                end_first = true;
                        n_end++;
                        m.end = l;
                }
        }

        if (n_begin == 0 && n_end == 0)
                return BLOCK_ABSENT;
        if (n_begin != 1 || n_end != 1 || end_first)
                return BLOCK_DAMAGED;
        *ret = m;
        return BLOCK_INTACT;
}

enum block_state block_find(const char *text, size_t len, const char **body, size_t *body_len) {
        struct markers m;
        enum block_state state = find_markers(text, len, &m);

        if (state == BLOCK_INTACT) {
                if (body)
                        *body = text + m.begin.end;
                if (body_len)
                        *body_len = m.end.start - m.begin.end;
        }
        return state;
}

static void add_body(struct strbuf *sb, const char *body) {
        size_t n = strlen(body);
        strbuf_add(sb, body, n);
        /* Without it the END marker would be glued to the last line and the block lost. */
        if (n > 0 && body[n - 1] != '\n')
                strbuf_putc(sb, '\n');
}

/* The user's lines into sb; with_body: an intact block is rewritten in place with body. */
static void keep_user_lines(struct strbuf *sb, const char *text, size_t len, const char *body, block_drop_fn drop,
                            void *userdata, enum block_state *ret_state) {
        struct markers m;
        enum block_state state = find_markers(text, len, &m);
        size_t pos = 0;
        struct text_line l;

        while (text_next_line(text, len, &pos, &l)) {
                const char *s = text + l.start;

                if (state == BLOCK_INTACT && l.start == m.begin.start) {
                        /* The markers as written: rewriting their line endings would make every
                         * run see a change and rewrite the file again. */
                        if (body) {
                                strbuf_add(sb, s, m.begin.end - m.begin.start);
                                add_body(sb, body);
                                strbuf_add(sb, text + m.end.start, m.end.end - m.end.start);
                        }
                        pos = m.end.end;
                        continue;
                }
                if (state == BLOCK_DAMAGED && block_is_marker_line(s, l.len))
                        continue;
                if (drop && drop(s, l.len, userdata))
                        continue;
                strbuf_add(sb, s, l.end - l.start);
        }
        *ret_state = state;
}

char *block_compose(const char *text, size_t len, const char *body, block_drop_fn drop, void *userdata) {
        struct strbuf sb = STRBUF_INIT;
        enum block_state state;

        if (!body)
                body = "";
        keep_user_lines(&sb, text, len, body, drop, userdata, &state);
        if (state != BLOCK_INTACT) {
                if (sb.len > 0 && sb.data[sb.len - 1] != '\n')
                        strbuf_putc(&sb, '\n');
                strbuf_puts(&sb, BLOCK_BEGIN "\n");
                add_body(&sb, body);
                strbuf_puts(&sb, BLOCK_END "\n");
        }

        return strbuf_steal(&sb);
}

char *block_remove(const char *text, size_t len, block_drop_fn drop, void *userdata, size_t *ret_len) {
        struct strbuf sb = STRBUF_INIT;
        enum block_state state;

        keep_user_lines(&sb, text, len, NULL, drop, userdata, &state);
        *ret_len = sb.len;
        return strbuf_steal(&sb);
}

char *text_without_nul(const char *text, size_t len, size_t *ret_len) {
        char *out = malloc(len + 1);
        if (!out)
                return NULL;
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                if (text[i] != '\0')
                        out[n++] = text[i];
        out[n] = '\0';
        *ret_len = n;
        return out;
}
