/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "parse-number.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

int parse_decimal(const char *s, size_t len, unsigned long long max, unsigned long long *ret) {
        if (len == 0 || len > 20)
                return -EINVAL;
        unsigned long long v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                unsigned digit = (unsigned)(s[i] - '0');
                if (v > (ULLONG_MAX - digit) / 10)
                        return -EINVAL;
                v = v * 10 + digit;
        }
        if (v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_unsigned(const char *s, unsigned long long max, unsigned long long *ret) {
        return parse_decimal(s, strlen(s), max, ret);
}

int parse_size(const char *s, unsigned long long max, unsigned long long *ret) {
        static const char units[] = "bkmgt";
        size_t digits = strspn(s, "0123456789");
        const char *u = s + digits;
        unsigned shift = 0;
        if (*u) {
                const char *at = strchr(units, u[0] | 0x20);
                if (!at)
                        return -EINVAL;
                shift = 10 * (unsigned)(at - units);
                u++;
                /* "kb" and "kib" after k, m, g, t; nothing after b */
                if (shift > 0 && (u[0] | 0x20) == 'i')
                        u++;
                if (shift > 0 && (u[0] | 0x20) == 'b')
                        u++;
                if (*u)
                        return -EINVAL;
        }
        unsigned long long v;
        if (parse_decimal(s, digits, ULLONG_MAX, &v) < 0 || v > (ULLONG_MAX >> shift) || (v << shift) > max)
                return -EINVAL;
        *ret = v << shift;
        return 0;
}

int parse_fixed_point(const char *s, unsigned decimals, unsigned long long max, unsigned long long *ret) {
        size_t whole = strspn(s, "0123456789");
        const char *frac = s + whole;
        size_t n_frac = 0;
        if (*frac == '.') {
                frac++;
                n_frac = strspn(frac, "0123456789");
                if (n_frac == 0 || n_frac > decimals || frac[n_frac] != '\0')
                        return -EINVAL;
        } else if (*frac != '\0')
                return -EINVAL;
        unsigned long long w, f = 0, scale = 1;
        for (unsigned i = 0; i < decimals; i++)
                scale *= 10;
        if (parse_decimal(s, whole, ULLONG_MAX / scale, &w) < 0 ||
            (n_frac && parse_decimal(frac, n_frac, ULLONG_MAX, &f) < 0))
                return -EINVAL;
        for (size_t i = n_frac; i < decimals; i++)
                f *= 10;
        if (w * scale > max || f > max - w * scale)
                return -EINVAL;
        *ret = w * scale + f;
        return 0;
}
