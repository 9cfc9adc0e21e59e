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

        struct diag d = {.text = strbuf_steal(&sb), .app = app ? strdup(app) : NULL};
        if (!d.text || (app && !d.app)) {
                free(d.text);
                free(d.app);
                dl->oom = true;
                return;
        }
        dl->items[dl->n++] = d;
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
