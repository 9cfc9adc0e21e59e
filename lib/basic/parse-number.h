/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Decimal numbers as archy writes and reads them: digits only (no sign, no space, no "0x"), 1 to
 * 20 of them, the value at most max. 0, or -EINVAL (and *ret untouched). Pure. */

/* The first len bytes of s. */
int parse_decimal(const char *s, size_t len, unsigned long long max, unsigned long long *ret);
/* A whole string. */
int parse_unsigned(const char *s, unsigned long long max, unsigned long long *ret);

/* A size as compose writes one (mem_limit, shm_size): digits, then an optional unit b, k, m, g or t
 * (any case; k, m, g and t may be followed by "b" or "ib"), all 1024-based: "64m" is 67108864. The
 * byte count at most max, else -EINVAL. */
int parse_size(const char *s, unsigned long long max, unsigned long long *ret);
/* A decimal with at most `decimals` digits after the point ("1.5", "2", "0.25"), returned scaled
 * by 10^decimals (1500 for "1.5" with 3), at most max, else -EINVAL. No sign, no exponent, a digit
 * on both sides of a point. */
int parse_fixed_point(const char *s, unsigned decimals, unsigned long long max, unsigned long long *ret);
