/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void diag_add(struct diag_list *dl, const char *app, size_t line, size_t col, const char *fmt, ...) {
        if (dl->n == dl->cap) {
                size_t cap = dl->cap ? dl->cap * 2 : 8;
                struct diag *items = realloc(dl->items, cap * sizeof(*items));
                if (!items) {
                        dl->oom = true;
                        return;
                }
                dl->items = items;
                dl->cap = cap;
        }

        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, dl->file ? dl->file : "<manifest>");
        size_t file_len = sb.len;
        if (line > 0)
                strbuf_printf(&sb, ":%zu:%zu", line, col);
        strbuf_puts(&sb, ": ");
        va_list ap;
        va_start(ap, fmt);
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg) {
                dl->oom = true;
                return;
        }
        strbuf_puts(&sb, msg);
        free(msg);

        struct diag d = {.text = strbuf_steal(&sb),
                         .app = app ? strdup(app) : NULL,
                         .line = line,
                         .col = col,
                         .file_len = file_len};
        if (!d.text || (app && !d.app)) {
                free(d.text);
                free(d.app);
                dl->oom = true;
                return;
        }
        dl->items[dl->n++] = d;
}

static int diag_compare(const struct diag *a, const struct diag *b) {
        size_t n = a->file_len < b->file_len ? a->file_len : b->file_len;
        int r = memcmp(a->text, b->text, n);
        if (r != 0 || a->file_len != b->file_len)
                return r != 0 ? r : (a->file_len > b->file_len) - (a->file_len < b->file_len);
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        return (a->col > b->col) - (a->col < b->col);
}

/* A merge sort: stable, n log n for the largest manifest's problems. */
static void merge_sort(struct diag *items, struct diag *tmp, size_t n) {
        if (n < 2)
                return;
        size_t half = n / 2;
        merge_sort(items, tmp, half);
        merge_sort(items + half, tmp, n - half);
        size_t i = 0, j = half, k = 0;
        while (i < half && j < n)
                tmp[k++] = diag_compare(&items[j], &items[i]) < 0 ? items[j++] : items[i++];
        while (i < half)
                tmp[k++] = items[i++];
        memcpy(items, tmp, k * sizeof(*items));
}

void diag_sort(struct diag_list *dl) {
        if (dl->n < 2)
                return;
        struct diag *tmp = malloc(dl->n * sizeof(*tmp));
        if (!tmp) {
                dl->oom = true;
                return;
        }
        merge_sort(dl->items, tmp, dl->n);
        free(tmp);
}

bool diag_has_global(const struct diag_list *dl) {
        if (dl->oom)
                return true;
        for (size_t i = 0; i < dl->n; i++)
                if (!dl->items[i].app)
                        return true;
        return false;
}

bool diag_has_app(const struct diag_list *dl, const char *app) {
        for (size_t i = 0; i < dl->n; i++)
                if (dl->items[i].app && strcmp(dl->items[i].app, app) == 0)
                        return true;
        return false;
}

void diag_list_free(struct diag_list *dl) {
        for (size_t i = 0; i < dl->n; i++) {
                free(dl->items[i].text);
                free(dl->items[i].app);
        }
        free(dl->items);
        dl->items = NULL;
        dl->n = dl->cap = 0;
}
