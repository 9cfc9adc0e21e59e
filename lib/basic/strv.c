/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **v) {
        for (char **s = v; s && *s; s++)
                free(*s);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

int strv_contains(char *const *v, const char *s) {
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return 1;
        return 0;
}

int strv_push(char ***v, size_t *n, char *s) {
        if (!s)
                return -ENOMEM;
        char **bigger = reallocarray(*v, *n + 2, sizeof(char *));
        if (!bigger) {
                free(s);
                return -ENOMEM;
        }
        bigger[(*n)++] = s;
        bigger[*n] = NULL;
        *v = bigger;
        return 0;
}

int strv_add_unique(char ***v, size_t *n, const char *s) {
        if (strv_contains(*v, s))
                return 0;
        int r = strv_push(v, n, strdup(s));
        return r < 0 ? r : 1;
}
