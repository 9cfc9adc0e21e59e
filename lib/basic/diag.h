/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Problems found in a manifest. Each one is a finished sentence that names the file, the line
 * and column, the key and what was expected, and belongs either to one app (that app is
 * skipped) or to the manifest as a whole (the manifest is unusable). */
struct diag {
        char *text;
        char *app;                  /* NULL: the whole manifest */
        size_t line, col, file_len; /* the position, and the length of the file name text starts with */
};

struct diag_list {
        const char *file;
        struct diag *items;
        size_t n;
        size_t cap;
        bool oom;
};

/* line and col are 1-based; 0 means "no position". */
void diag_add(struct diag_list *dl, const char *app, size_t line, size_t col, const char *fmt, ...) _printf_(5, 6);
/* Sort the problems by file, line and column (those without a position first in their file), keeping
 * the order of those at one position: the order to print them in. */
void diag_sort(struct diag_list *dl);
bool diag_has_global(const struct diag_list *dl);
bool diag_has_app(const struct diag_list *dl, const char *app);
void diag_list_free(struct diag_list *dl);
