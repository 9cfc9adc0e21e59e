/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-escape.h"

#include <string.h>

static void append_escaped(struct strbuf *sb, const char *s, bool quoted) {
        for (const char *c = s; *c; c++) {
                if (*c == '%' || *c == '$')
                        strbuf_putc(sb, *c);
                else if (quoted && (*c == '"' || *c == '\\'))
                        strbuf_putc(sb, '\\');
                strbuf_putc(sb, *c);
        }
}

void unit_append_word(struct strbuf *sb, const char *s) {
        /* ';' alone would separate commands in an Exec line; quote it like anything unusual. */
        bool plain = s[0] != '\0' && strcspn(s, " \t\"'\\;") == strlen(s);
        if (!plain)
                strbuf_putc(sb, '"');
        append_escaped(sb, s, !plain);
        if (!plain)
                strbuf_putc(sb, '"');
}

void unit_append_raw(struct strbuf *sb, const char *s) {
        append_escaped(sb, s, false);
}
