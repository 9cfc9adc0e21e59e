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
