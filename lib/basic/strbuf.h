/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A growable, always NUL-terminated text buffer. Allocation failure is sticky: the buffer
 * remembers it and strbuf_failed() reports it once at the end, so renderers need not check
 * every append. */
struct strbuf {
        char *data;
        size_t len;
        size_t cap;
        bool oom;
};

#define STRBUF_INIT                                                                                                    \
        { 0 }

void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
static inline bool strbuf_failed(const struct strbuf *sb) {
        return sb->oom;
}
/* The text so far; never NULL. */
static inline const char *strbuf_str(const struct strbuf *sb) {
        return sb->data ? sb->data : "";
}
char *strbuf_steal(struct strbuf *sb);

static inline void strbuf_freep(struct strbuf *sb) {
        strbuf_free(sb);
}
#define _cleanup_strbuf_ _cleanup_(strbuf_freep)

/* Append s (len bytes) as a JSON string literal, quotes included. Control characters become
 * \uXXXX, valid UTF-8 passes through, any other byte becomes U+FFFD. */
void strbuf_json_string(struct strbuf *sb, const char *s, size_t len);
