/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "format.h"

#include <string.h>

/* The conversion at f (just after '%'): its length, 0 when it is not a simple one. */
static size_t conversion_length(const char *f) {
        const char *p = f;
        if (*p == '.') {
                if (*++p < '0' || *p > '9')
                        return 0;
                while (*p >= '0' && *p <= '9')
                        p++;
                return *p == 's' ? (size_t)(p - f + 1) : 0;
        }
        switch (*p) {
        case 's':
        case 'c':
        case 'd':
        case 'u':
        case '%': return 1;
        case 'z':
        case 'l': return p[1] == 'u' ? 2 : 0;
        default: return 0;
        }
}

static void put_unsigned(format_put_t put, void *ctx, unsigned long long v, bool negative) {
        char digits[24], *d = digits + sizeof(digits);
        do
                *--d = (char)('0' + v % 10);
        while (v /= 10);
        if (negative)
                *--d = '-';
        put(ctx, d, (size_t)(digits + sizeof(digits) - d));
}

static void put_string(format_put_t put, void *ctx, const char *s, const char *precision) {
        s = s ? s : "(null)";
        if (!precision) {
                put(ctx, s, strlen(s));
                return;
        }
        size_t max = 0;
        for (const char *p = precision; *p >= '0' && *p <= '9'; p++)
                max = max * 10 + (size_t)(*p - '0');
        put(ctx, s, strnlen(s, max));
}

bool format_simple(format_put_t put, void *ctx, const char *fmt, va_list ap) {
        for (const char *f = fmt;;) {
                const char *pct = strchr(f, '%');
                size_t lit = pct ? (size_t)(pct - f) : strlen(f);
                if (lit)
                        put(ctx, f, lit);
                if (!pct)
                        return true;
                f = pct + 1;
                size_t n = conversion_length(f);
                if (n == 0)
                        return false;
                switch (f[n - 1]) {
                case 's': put_string(put, ctx, va_arg(ap, const char *), *f == '.' ? f + 1 : NULL); break;
                case 'c': {
                        char c = (char)va_arg(ap, int);
                        put(ctx, &c, 1);
                        break;
                }
                case 'd': {
                        int v = va_arg(ap, int);
                        put_unsigned(put, ctx, v < 0 ? -(unsigned long long)v : (unsigned long long)v, v < 0);
                        break;
                }
                case 'u':
                        put_unsigned(put, ctx,
                                     *f == 'z'   ? va_arg(ap, size_t)
                                     : *f == 'l' ? va_arg(ap, unsigned long)
                                                 : va_arg(ap, unsigned),
                                     false);
                        break;
                default: put(ctx, "%", 1); break;
                }
                f += n;
        }
}
