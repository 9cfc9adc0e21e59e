/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bitcoin-conf-syntax.h"

#include <stdio.h>
#include <string.h>

#include "managed-block.h"

static bool conf_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *len) {
        while (*len > 0 && conf_blank(**s))
                (*s)++, (*len)--;
        while (*len > 0 && conf_blank((*s)[*len - 1]))
                (*len)--;
}

static bool holds(const char *s, size_t len, const char *needle) {
        size_t n = strlen(needle);
        for (size_t i = 0; i + n <= len; i++)
                if (memcmp(s + i, needle, n) == 0)
                        return true;
        return false;
}

/* InterpretKey splits the name (section + "." + key) at its first dot and strips a leading "no". */
static bool is_conf_key(const struct btc_conf_scan *s, const char *key, size_t len) {
        trim(&key, &len);
        if (s->in_section && s->section_has_dot)
                return false; /* the name after the first dot holds the section's other dots */
        const char *dot = s->in_section ? NULL : memchr(key, '.', len);
        if (dot) {
                len -= (size_t)(dot + 1 - key);
                key = dot + 1;
        }
        if (len >= 2 && memcmp(key, "no", 2) == 0)
                key += 2, len -= 2;
        return len == 4 && memcmp(key, "conf", 4) == 0;
}

enum btc_conf_line btc_conf_classify(struct btc_conf_scan *s, const char *line, size_t len) {
        const char *hash = memchr(line, '#', len);
        if (hash)
                len = (size_t)(hash - line);
        trim(&line, &len);
        if (len == 0)
                return BTC_CONF_EMPTY;
        if (line[0] == '[' && line[len - 1] == ']') {
                size_t n = len >= 2 ? len - 2 : 0;
                s->in_section = true;
                s->section_has_dot = memchr(line + 1, '.', n) != NULL;
                s->section_has_rpcpassword = holds(line + 1, n, "rpcpassword");
                return BTC_CONF_SECTION;
        }
        if (line[0] == '-')
                return BTC_CONF_LEADING_DASH;
        const char *eq = memchr(line, '=', len);
        if (!eq)
                return BTC_CONF_NOT_AN_OPTION;
        /* bitcoind's name is section + "." + key; "rpcpassword" holds no dot, so it is in one of them. */
        size_t name_len = (size_t)(eq - line);
        if (hash && (s->section_has_rpcpassword || holds(line, name_len, "rpcpassword")))
                return BTC_CONF_RPCPASSWORD_HASH;
        return is_conf_key(s, line, name_len) ? BTC_CONF_CONF_KEY : BTC_CONF_OPTION;
}

const char *btc_conf_reason(enum btc_conf_line l) {
        switch (l) {
        case BTC_CONF_LEADING_DASH: return "options in configuration file must be specified without leading -";
        case BTC_CONF_RPCPASSWORD_HASH: return "using # in rpcpassword can be ambiguous and should be avoided";
        case BTC_CONF_NOT_AN_OPTION: return "neither an option (no '='), nor a [section], nor a comment";
        case BTC_CONF_CONF_KEY:
                return "conf cannot be set in the configuration file; use includeconf= if you want to include "
                       "additional config files";
        default: return NULL;
        }
}

size_t btc_conf_first_refused(const char *text, size_t len, size_t *ret_start, size_t *ret_len,
                              enum btc_conf_line *ret_why) {
        struct btc_conf_scan s = {0};
        struct text_line l;
        size_t number = 0;
        for (size_t pos = 0; text_next_line(text, len, &pos, &l);) {
                number++;
                enum btc_conf_line c = btc_conf_classify(&s, text + l.start, l.len);
                if (!btc_conf_refused(c))
                        continue;
                if (ret_start)
                        *ret_start = l.start;
                if (ret_len)
                        *ret_len = l.len;
                if (ret_why)
                        *ret_why = c;
                return number;
        }
        return 0;
}

void btc_conf_escape_head(const char *line, size_t len, size_t max_in, char *buf, size_t size) {
        size_t at = 0, i = 0;
        if (size == 0)
                return;
        for (; i < len && i < max_in; i++) {
                unsigned char c = (unsigned char)line[i];
                char piece[5];
                if (c == '\\')
                        snprintf(piece, sizeof(piece), "\\\\");
                else if (c >= 0x20 && c < 0x7f)
                        snprintf(piece, sizeof(piece), "%c", c);
                else
                        snprintf(piece, sizeof(piece), "\\x%02x", c);
                size_t n = strlen(piece);
                if (at + n + 4 > size) /* room for "..." and the NUL byte */
                        break;
                memcpy(buf + at, piece, n);
                at += n;
        }
        if (i < len && at + 4 <= size) {
                memcpy(buf + at, "...", 3);
                at += 3;
        }
        buf[at] = '\0';
}
