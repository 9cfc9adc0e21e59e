/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "subid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parse-number.h"

static bool field_is(const char *f, size_t n, const char *user, uid_t uid) {
        char id[24];
        int k = snprintf(id, sizeof(id), "%u", (unsigned)uid);
        return (strlen(user) == n && memcmp(f, user, n) == 0) || ((size_t)k == n && memcmp(f, id, n) == 0);
}

static int parse_line(const char *p, size_t n, struct subid_range *ret) {
        const char *colon = memchr(p, ':', n);
        if (!colon)
                return -EINVAL;
        unsigned long long start, count;
        size_t a = (size_t)(colon - p);
        if (parse_decimal(p, a, 4294967295ULL, &start) < 0 ||
            parse_decimal(colon + 1, n - a - 1, 4294967295ULL, &count) < 0 || start + count > 4294967296ULL)
                return -EINVAL;
        *ret = (struct subid_range){.start = (unsigned long)start, .count = (unsigned long)count};
        return 0;
}

int subid_find(const char *text, size_t len, const char *user, uid_t uid, struct subid_range *ret) {
        for (size_t at = 0; at < len;) {
                const char *line = text + at, *nl = memchr(line, '\n', len - at);
                size_t n = nl ? (size_t)(nl - line) : len - at;
                at += n + 1;
                const char *colon = memchr(line, ':', n);
                if (!colon || !field_is(line, (size_t)(colon - line), user, uid))
                        continue;
                size_t name = (size_t)(colon - line) + 1;
                return parse_line(line + name, n - name, ret);
        }
        return -ENOENT;
}

bool subid_map(unsigned long owner, const struct subid_range *range, unsigned long id, unsigned long *ret) {
        if (id == 0) {
                *ret = owner;
                return true;
        }
        if (id > range->count)
                return false;
        *ret = range->start + id - 1;
        return true;
}

bool subid_unmap(unsigned long owner, const struct subid_range *range, unsigned long host, unsigned long *ret) {
        if (host == owner) {
                *ret = 0;
                return true;
        }
        if (host < range->start || host - range->start >= range->count)
                return false;
        *ret = host - range->start + 1;
        return true;
}
