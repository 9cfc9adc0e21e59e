/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* archy owns one block of lines inside a config file that also holds the user's own lines; only the
 * block is rewritten, everything else is kept byte for byte. */

#define BLOCK_BEGIN "# BEGIN archy-derive: this block is rewritten by archy-derive, edit the manifest instead"
#define BLOCK_END "# END archy-derive"

/* One line of a text: [start, start + len) without its newline; end is past the newline. */
struct text_line {
        size_t start;
        size_t len;
        size_t end;
};

/* Walks text line by line from *pos; false at the end. */
bool text_next_line(const char *text, size_t len, size_t *pos, struct text_line *ret);

/* A BEGIN or END marker line (trailing blanks and '\r' ignored). */
bool block_is_marker_line(const char *line, size_t len);

enum block_state {
        BLOCK_ABSENT,
        BLOCK_INTACT,
        BLOCK_DAMAGED,
};

/* INTACT: exactly one BEGIN line, later exactly one END line. ABSENT: no marker line. DAMAGED:
 * anything else (only one of them, END before BEGIN, duplicates). Marker lines match after trimming
 * trailing spaces, tabs and '\r'. For INTACT, *body and *body_len is the text strictly between the
 * marker lines (whole lines, newlines included; empty when none), pointing into text. body and
 * body_len may be NULL. */
enum block_state block_find(const char *text, size_t len, const char **body, size_t *body_len);

/* line is without its newline. */
typedef bool (*block_drop_fn)(const char *line, size_t len, void *userdata);

/* Newly allocated text: every user line of text (lines outside an intact block; with a damaged
 * block, every line except the marker lines) for which drop is NULL or returns false, in order,
 * with BEGIN + body + END in place of the intact block, or appended at the end (after a newline if
 * the kept text does not end with one) when the block was absent or damaged. An intact block keeps
 * its own marker lines as written, so that composing a text with the body block_find returned gives
 * the same bytes back. body is empty (or NULL) or ends with '\n'; a missing final newline is added.
 * A last user line without a newline stays so. NULL on allocation failure. */
char *block_compose(const char *text, size_t len, const char *body, block_drop_fn drop, void *userdata);

/* Newly allocated: every user line of text, as block_compose() keeps them, with no block at all
 * (an intact block goes whole, a damaged one loses its marker lines). For a file whose app is
 * uninstalled. NULL on allocation failure; *ret_len is the length. */
char *block_remove(const char *text, size_t len, block_drop_fn drop, void *userdata, size_t *ret_len);

/* Newly allocated (NUL-terminated) copy of text without its NUL bytes: a NUL byte is never
 * anybody's content (a power cut during a write leaves zero-filled stretches). NULL on allocation
 * failure; *ret_len is the length. */
char *text_without_nul(const char *text, size_t len, size_t *ret_len);
