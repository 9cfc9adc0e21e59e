/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure: the URLs archy itself requests (archy-verify-ota's checks, the manifest's http probes). */
#include "url.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "parse-number.h"

static bool url_char_valid(char c) {
        return (unsigned char)c > 0x20 && (unsigned char)c < 0x7f;
}

static bool port_valid(const char *s, size_t len) {
        unsigned long long port;
        return len <= 5 && parse_decimal(s, len, 65535, &port) == 0 && port >= 1;
}

/* The part of url after "http://" or "https://", or NULL. */
const char *url_after_scheme(const char *url) {
        if (strncmp(url, "https://", 8) == 0)
                return url + 8;
        if (strncmp(url, "http://", 7) == 0)
                return url + 7;
        return NULL;
}

static bool ipv6_literal_valid(const char *s, size_t len) {
        char buf[INET6_ADDRSTRLEN];
        struct in6_addr a;
        if (len == 0 || len >= sizeof(buf))
                return false;
        memcpy(buf, s, len);
        buf[len] = '\0';
        return inet_pton(AF_INET6, buf, &a) == 1;
}

/* Splits http(s)://host[:port][/path...] and refuses whatever a client might read differently
 * from us: a user name ("https://127.0.0.1@evil.example/" goes to evil.example), spaces and
 * control characters, and a host or port that is not plainly one. */
bool url_split(const char *url, struct url_parts *ret) {
        size_t len = strlen(url);
        if (len > URL_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!url_char_valid(url[i]))
                        return false;
        const char *auth = url_after_scheme(url);
        if (!auth)
                return false;
        size_t auth_len = strcspn(auth, "/?#");
        if (memchr(auth, '@', auth_len) || memchr(auth, '\\', auth_len))
                return false;
        const char *port = NULL;
        *ret = (struct url_parts){.host = auth};
        if (auth[0] == '[') {
                const char *close = memchr(auth, ']', auth_len);
                if (!close)
                        return false;
                *ret = (struct url_parts){.host = auth + 1, .host_len = (size_t)(close - auth - 1), .bracketed = true};
                if (!ipv6_literal_valid(ret->host, ret->host_len))
                        return false;
                port = close + 1;
        } else {
                ret->host_len = strcspn(auth, ":/?#");
                if (ret->host_len == 0 ||
                    strspn(auth, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < ret->host_len)
                        return false;
                port = auth + ret->host_len;
        }
        size_t rest = auth_len - (size_t)(port - auth);
        if (rest == 0)
                return true;
        return port[0] == ':' && port_valid(port + 1, rest - 1);
}

static bool ipv4_is_loopback(const char *host, size_t len) {
        char buf[INET_ADDRSTRLEN];
        struct in_addr a;
        if (len >= sizeof(buf))
                return false;
        memcpy(buf, host, len);
        buf[len] = '\0';
        /* inet_pton takes only the plain dotted quad: "127.1", "0x7f.0.0.1" and
         * "127.0.0.1.evil.example" are not addresses to it, so not loopback to us. */
        return inet_pton(AF_INET, buf, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

static bool ipv6_is_loopback(const char *host, size_t len) {
        char buf[INET6_ADDRSTRLEN];
        struct in6_addr a;
        if (len >= sizeof(buf))
                return false;
        memcpy(buf, host, len);
        buf[len] = '\0';
        return inet_pton(AF_INET6, buf, &a) == 1 && memcmp(&a, &in6addr_loopback, sizeof(a)) == 0;
}

bool url_is_loopback(const char *url) {
        struct url_parts u;
        if (!url || !url_split(url, &u))
                return false;
        if (u.bracketed)
                return ipv6_is_loopback(u.host, u.host_len);
        if (u.host_len == strlen("localhost") && strncasecmp(u.host, "localhost", u.host_len) == 0)
                return true;
        return ipv4_is_loopback(u.host, u.host_len);
}
