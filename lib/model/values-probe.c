/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "values-probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "parse-number.h"
#include "url.h"
#include "values-container.h"

bool probe_name_valid(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= ARCHY_NAME_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

const char *probe_kind_to_string(enum probe_kind k) {
        return k == PROBE_TCP ? "tcp" : "http";
}

bool probe_status_expected(const struct probe *p, long status) {
        if (p->n_expect == 0)
                return status >= 200 && status <= 399;
        for (size_t i = 0; i < p->n_expect; i++)
                if (status == (long)p->expect[i])
                        return true;
        return false;
}

static bool port_valid(const char *s, size_t len, unsigned *ret) {
        unsigned long long v;
        if (len == 0 || parse_decimal(s, len, 65535, &v) < 0 || v == 0)
                return false;
        *ret = (unsigned)v;
        return true;
}

/* HOST of len bytes (brackets included for IPv6) into host, without brackets. */
static bool host_valid(const char *s, size_t len, char *host) {
        if (len == 0 || len >= PROBE_HOST_MAX)
                return false;
        unsigned char addr[16];
        if (s[0] == '[') {
                if (len < 3 || s[len - 1] != ']')
                        return false;
                memcpy(host, s + 1, len - 2);
                host[len - 2] = '\0';
                return inet_pton(AF_INET6, host, addr) == 1;
        }
        memcpy(host, s, len);
        host[len] = '\0';
        if (inet_pton(AF_INET, host, addr) == 1)
                return true;
        /* a name: RFC 1123 labels; all-numeric dotted text that is not an IPv4 address is refused */
        return strspn(host, "0123456789.") != len && host_labels_valid(host, 253);
}

int probe_tcp_target_parse(const char *s, char *host, unsigned *port) {
        const char *colon = strrchr(s, ':');
        if (!colon)
                return -EINVAL;
        size_t hlen = (size_t)(colon - s);
        if (s[0] != '[' && memchr(s, ':', hlen))
                return -EINVAL; /* an IPv6 address without brackets */
        if (!host_valid(s, hlen, host) || !port_valid(colon + 1, strlen(colon + 1), port))
                return -EINVAL;
        return 0;
}

bool probe_url_valid(const char *s) {
        struct url_parts u;
        return url_split(s, &u);
}

int probe_timeout_parse(const char *s, unsigned *ret_ms) {
        size_t digits = strspn(s, "0123456789");
        unsigned long long v, factor;
        if (strcmp(s + digits, "ms") == 0)
                factor = 1;
        else if (strcmp(s + digits, "s") == 0 || s[digits] == '\0')
                factor = 1000;
        else
                return -EINVAL;
        if (parse_decimal(s, digits, PROBE_TIMEOUT_MAX_MS, &v) < 0 || v == 0 || v * factor > PROBE_TIMEOUT_MAX_MS)
                return -EINVAL;
        *ret_ms = (unsigned)(v * factor);
        return 0;
}
