/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The managed block on its own: arbitrary text and an arbitrary new body (input split at the
 * first NUL byte; the body gets its final newline). Oracles: the composed text holds an intact
 * block with exactly that body, composing it again changes nothing, and every user line
 * survives in order. */
#include "fuzz.h"
#include "managed-block.h"

static bool line_in_from(const char *out, size_t out_len, size_t *pos, const char *line, size_t len) {
        struct text_line l;
        while (text_next_line(out, out_len, pos, &l))
                if (fuzz_bytes_eq(out + l.start, l.len, line, len))
                        return true;
        return false;
}

/* A body block_compose accepts: whole lines with no marker line among them. */
static char *make_body(const char *raw, size_t len) {
        char *body = malloc(len + 2), *w = body;
        FUZZ_ASSERT(body);
        struct text_line l;
        for (size_t pos = 0; text_next_line(raw, len, &pos, &l);) {
                if (block_is_marker_line(raw + l.start, l.len) || memchr(raw + l.start, '\0', l.len))
                        continue;
                memcpy(w, raw + l.start, l.len);
                w += l.len;
                *w++ = '\n';
        }
        *w = '\0';
        return body;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *split = memchr(data, '\0', size);
        size_t text_len = split ? (size_t)(split - data) : size;
        char *text = fuzz_strndup(data, text_len);
        char *body = split ? make_body((const char *)split + 1, size - text_len - 1) : make_body("", 0);

        const char *old_body = NULL;
        size_t old_body_len = 0;
        enum block_state state = block_find(text, text_len, &old_body, &old_body_len);
        size_t body_at = state == BLOCK_INTACT ? (size_t)(old_body - text) : 0;

        char *out = block_compose(text, text_len, body, NULL, NULL);
        FUZZ_ASSERT(out);
        size_t out_len = strlen(out);
        const char *got;
        size_t got_len;
        FUZZ_ASSERT(block_find(out, out_len, &got, &got_len) == BLOCK_INTACT);
        FUZZ_ASSERT(fuzz_bytes_eq(got, got_len, body, strlen(body)));

        char *again = block_compose(out, out_len, body, NULL, NULL);
        FUZZ_ASSERT(again && strcmp(again, out) == 0);

        struct text_line l;
        size_t out_pos = 0;
        for (size_t pos = 0; text_next_line(text, text_len, &pos, &l);) {
                if (state == BLOCK_INTACT && l.end >= body_at && l.start <= body_at + old_body_len)
                        continue; /* BEGIN, the body, END: replaced */
                if (block_is_marker_line(text + l.start, l.len))
                        continue;
                FUZZ_ASSERT(line_in_from(out, out_len, &out_pos, text + l.start, l.len));
        }
        free(again);
        free(out);
        free(body);
        free(text);
        return 0;
}
