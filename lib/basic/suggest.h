/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The candidate closest to `word` by edit distance, or NULL when none is close enough to be a
 * plausible typo. `candidates` is NULL-terminated. */
const char *suggest_closest(const char *word, const char *const *candidates);
size_t edit_distance(const char *a, const char *b);
