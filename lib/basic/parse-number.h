/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Decimal numbers as archy writes and reads them: digits only (no sign, no space, no "0x"), 1 to
 * 20 of them, the value at most max. 0, or -EINVAL (and *ret untouched). Pure. */

/* The first len bytes of s. */
int parse_decimal(const char *s, size_t len, unsigned long long max, unsigned long long *ret);
/* A whole string. */
int parse_unsigned(const char *s, unsigned long long max, unsigned long long *ret);
