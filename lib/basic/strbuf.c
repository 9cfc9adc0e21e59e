/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

static bool strbuf_reserve(struct strbuf *sb, size_t extra) {
        if (sb->oom)
                return false;
        if (sb->len + extra + 1 <= sb->cap)
                return true;
        size_t cap = sb->cap ? sb->cap : 256;
        while (cap < sb->len + extra + 1)
                cap *= 2;
        char *data = realloc(sb->data, cap);
        if (!data) {
                sb->oom = true;
                return false;
        }
        sb->data = data;
        sb->cap = cap;
        return true;
}

void strbuf_add(struct strbuf *sb, const char *s, size_t n) {
        if (!strbuf_reserve(sb, n))
                return;
        memcpy(sb->data + sb->len, s, n);
        sb->len += n;
        sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s) {
        strbuf_add(sb, s, strlen(s));
}

void strbuf_putc(struct strbuf *sb, char c) {
        strbuf_add(sb, &c, 1);
}

static void strbuf_put(void *sb, const char *s, size_t len) {
        strbuf_add(sb, s, len);
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...) {
        va_list ap;
        size_t start = sb->len;
        va_start(ap, fmt);
        bool done = format_simple(strbuf_put, sb, fmt, ap);
        va_end(ap);
        if (done)
                return;
        sb->len = start; /* a conversion format_simple() does not do: all of it by vsnprintf */
        if (sb->data)
                sb->data[start] = '\0';
        /* Format straight into the spare room; only a result that does not fit is formatted twice. */
        if (!strbuf_reserve(sb, 64))
                return;
        va_start(ap, fmt);
        int n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sb->cap - sb->len) {
                sb->len += (size_t)n;
                return;
        }
        if (n < 0 || !strbuf_reserve(sb, (size_t)n)) {
                sb->oom = true;
                return;
        }
        va_start(ap, fmt);
        vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        sb->len += (size_t)n;
}

void strbuf_reset(struct strbuf *sb) {
        sb->len = 0;
        if (sb->data)
                sb->data[0] = '\0';
}

void strbuf_free(struct strbuf *sb) {
        free(sb->data);
        *sb = (struct strbuf)STRBUF_INIT;
}

char *strbuf_steal(struct strbuf *sb) {
        if (sb->oom) {
                strbuf_free(sb);
                return NULL;
        }
        /* A kept text takes its length, not the room it grew in (a name in a 256-byte buffer). */
        if (sb->data && sb->len + 1 < sb->cap) {
                char *fit = realloc(sb->data, sb->len + 1);
                if (fit)
                        sb->data = fit;
        }
        char *s = sb->data ? sb->data : strdup("");
        *sb = (struct strbuf)STRBUF_INIT;
        return s;
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t len) {
        size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : 0;
        if (n == 0 || n > len)
                return 0;
        for (size_t i = 1; i < n; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        /* overlong three-byte forms, surrogates, and beyond U+10FFFF */
        if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
            (s[0] == 0xf4 && s[1] >= 0x90))
                return 0;
        return n;
}

void strbuf_json_string(struct strbuf *sb, const char *s, size_t len) {
        strbuf_putc(sb, '"');
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                size_t n;
                if (c == '"' || c == '\\')
                        strbuf_printf(sb, "\\%c", c);
                else if (c == '\n')
                        strbuf_puts(sb, "\\n");
                else if (c < 0x20 || c == 0x7f)
                        strbuf_printf(sb, "\\u%04x", c);
                else if (c < 0x80)
                        strbuf_putc(sb, (char)c);
                else if ((n = utf8_sequence((const unsigned char *)s + i, len - i)) == 3 &&
                         (unsigned char)s[i + 1] == 0x80 && c == 0xe2 && ((unsigned char)s[i + 2] & 0xfe) == 0xa8) {
                        /* U+2028 and U+2029: valid raw in JSON, but a YAML reader (json_doc_load)
                         * takes them for line breaks and strips the blanks around them */
                        strbuf_printf(sb, "\\u%04x", 0x2028u + ((unsigned char)s[i + 2] & 1u));
                        i += n - 1;
                } else if (n > 0) {
                        strbuf_add(sb, s + i, n);
                        i += n - 1;
                } else
                        strbuf_puts(sb, "\\ufffd"); /* not UTF-8: JSON cannot carry the byte */
        }
        strbuf_putc(sb, '"');
}
