/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "suggest.h"

#include <string.h>

/* Optimal string alignment distance (Levenshtein plus adjacent transposition): "imgae" is one
 * typo away from "image", not two. Keys are short, so a fixed table is plenty. */
size_t edit_distance(const char *a, const char *b) {
        enum { MAXLEN = 64 };
        size_t la = strnlen(a, MAXLEN), lb = strnlen(b, MAXLEN);
        size_t d[MAXLEN + 1][MAXLEN + 1];

        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        size_t cost = a[i - 1] != b[j - 1];
                        size_t best = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < best)
                                best = d[i][j - 1] + 1;
                        if (d[i - 1][j - 1] + cost < best)
                                best = d[i - 1][j - 1] + cost;
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                            d[i - 2][j - 2] + 1 < best)
                                best = d[i - 2][j - 2] + 1;
                        d[i][j] = best;
                }
        return d[la][lb];
}

const char *suggest_closest(const char *word, const char *const *candidates) {
        const char *best = NULL;
        size_t best_distance = (size_t)-1;
        size_t len = strlen(word);
        /* Allow about one edit per three characters, at least one, at most three. */
        size_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;

        for (const char *const *c = candidates; *c; c++) {
                size_t dist = edit_distance(word, *c);
                if (dist < best_distance) {
                        best_distance = dist;
                        best = *c;
                }
        }
        return best_distance <= limit ? best : NULL;
}
