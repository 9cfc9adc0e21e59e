/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure: what bitcoind's config reader makes of a line (bitcoin/bitcoin src/common/config.cpp,
 * GetConfigOptions, 29.x; docs/contracts/bitcoin.md). Everything from the first '#' is a comment;
 * the rest is trimmed of spaces, tabs, '\r' and '\n'. Then an empty line is skipped, "[name]" is a
 * section, a line starting with '-' is refused, a line with '=' is an option (refused when the line
 * had a '#' and the option's name, with its section, holds "rpcpassword"), any other line is
 * refused. A refused line makes bitcoind exit at start ("parse error on line N"). Only '\n' ends a
 * line; a NUL byte or another control byte is an ordinary byte to it. ReadConfigStream then
 * refuses the option conf (IsConfSupported, the name after InterpretKey's section split and "no"
 * strip: "conf=", "noconf=", "main.conf=", conf= in a section). */

enum btc_conf_line {
        BTC_CONF_EMPTY,
        BTC_CONF_SECTION,
        BTC_CONF_OPTION,
        BTC_CONF_LEADING_DASH,     /* refused */
        BTC_CONF_RPCPASSWORD_HASH, /* refused */
        BTC_CONF_NOT_AN_OPTION,    /* refused */
        BTC_CONF_CONF_KEY,         /* refused */
};

/* What the lines before tell about the next: the section bitcoind prefixes option names with. */
struct btc_conf_scan {
        bool in_section, section_has_dot, section_has_rpcpassword;
};

/* line is without its newline; advances s past a section line. */
enum btc_conf_line btc_conf_classify(struct btc_conf_scan *s, const char *line, size_t len);

static inline bool btc_conf_refused(enum btc_conf_line l) {
        return l >= BTC_CONF_LEADING_DASH;
}

/* Why bitcoind refuses it, in bitcoind's words; NULL for a line it accepts. */
const char *btc_conf_reason(enum btc_conf_line l);

/* The first line of text that bitcoind refuses: its number (1-based, as bitcoind counts), else 0.
 * *ret_start and *ret_len (without the newline) may be NULL; *ret_why gets the class. */
size_t btc_conf_first_refused(const char *text, size_t len, size_t *ret_start, size_t *ret_len,
                              enum btc_conf_line *ret_why);

/* The first bytes of a line for a log message: printable ASCII as is (and '\\' doubled), every
 * other byte as \xHH, at most max_in bytes of line, "..." after when cut. buf is NUL-terminated. */
void btc_conf_escape_head(const char *line, size_t len, size_t max_in, char *buf, size_t size);
