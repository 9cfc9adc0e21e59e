/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "macro.h"

/* NULL-terminated arrays of owned strings. */

void strv_free(char **v);
static inline void strv_freep(char ***v) {
        strv_free(*v);
}
#define _cleanup_strv_ _cleanup_(strv_freep)
size_t strv_length(char *const *v);
int strv_contains(char *const *v, const char *s);
/* Appends s (taken over: freed on failure; NULL counts as a failed allocation) to v of *n
 * strings, keeping v NULL-terminated. 0 or -ENOMEM. */
int strv_push(char ***v, size_t *n, char *s);
/* Appends a copy of s unless v has it already: 1 added, 0 there already, -ENOMEM. */
int strv_add_unique(char ***v, size_t *n, const char *s);
