/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-escape.h"

#include <string.h>

/* Copies runs of ordinary bytes whole: most values have nothing to escape. In a quoted word a
 * newline or tab becomes its C escape, which Quadlet (SplitCUnescape) and systemd's Exec parser
 * both turn back into the byte; Quadlet writes it into ExecStart= escaped again. */
static void append_escaped(struct strbuf *sb, const char *s, bool quoted) {
        const char *special = quoted ? "%$\"\\\n\t" : "%$";
        for (const char *c = s;;) {
                size_t run = strcspn(c, special);
                strbuf_add(sb, c, run);
                c += run;
                if (!*c)
                        return;
                strbuf_putc(sb, *c == '%' || *c == '$' ? *c : '\\');
                strbuf_putc(sb, *c == '\n' ? 'n' : *c == '\t' ? 't' : *c);
                c++;
        }
}

/* ';' alone would separate commands in an Exec line; quote it like anything unusual. */
static bool word_plain(const char *s) {
        return s[strcspn(s, " \t\n\"'\\;")] == '\0';
}

void unit_append_word(struct strbuf *sb, const char *s) {
        bool plain = s[0] != '\0' && word_plain(s);
        if (!plain)
                strbuf_putc(sb, '"');
        append_escaped(sb, s, !plain);
        if (!plain)
                strbuf_putc(sb, '"');
}

void unit_append_assignment(struct strbuf *sb, const char *name, const char *value) {
        bool plain = word_plain(name) && word_plain(value);
        if (!plain)
                strbuf_putc(sb, '"');
        append_escaped(sb, name, !plain);
        strbuf_putc(sb, '=');
        append_escaped(sb, value, !plain);
        if (!plain)
                strbuf_putc(sb, '"');
}

void unit_append_raw(struct strbuf *sb, const char *s) {
        append_escaped(sb, s, false);
}
