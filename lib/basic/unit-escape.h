/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "strbuf.h"

/* The one place where manifest text becomes unit-file text. Callers have already rejected
 * control characters other than newline and tab, so no value can start a new line or a new
 * directive; what remains is systemd's own syntax inside a line:
 *   %  starts a specifier everywhere          -> %%
 *   $  starts a variable in Exec-type lines   -> $$ (Quadlet copies these lines into ExecStart=)
 *   "  \  and whitespace split or quote words -> a double-quoted word with \" and \\
 *   newline, tab (words only)                 -> \n, \t in the quoted word: Quadlet 5.4 unescapes
 *     Exec= and Environment= (SplitCUnescape) and escapes them again in ExecStart=, where systemd
 *     unescapes them once more, so the program gets the bytes. */

/* One word of a command line or of a space-separated list (Exec=, Environment=). */
void unit_append_word(struct strbuf *sb, const char *s);
/* The word NAME=VALUE (Environment=), the same as unit_append_word() of the joined text. */
void unit_append_assignment(struct strbuf *sb, const char *name, const char *value);
/* A value taken whole, as Quadlet takes HealthCmd=: only specifiers and variables escaped.
 * The caller must reject a newline (Quadlet reads a raw value: no escape reaches the program as
 * one) and a trailing backslash (line continuation). A tab inside is kept. */
void unit_append_raw(struct strbuf *sb, const char *s);
