/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure: the URLs archy itself requests (archy-verify-ota's checks, the manifest's http probes). */

#define URL_MAX 2048

struct url_parts {
        const char *host; /* without the brackets of an IPv6 literal */
        size_t host_len;
        bool bracketed;
};

/* The part of url after "http://" or "https://", or NULL. */
const char *url_after_scheme(const char *url);
/* Splits http(s)://host[:port][/path...] of at most URL_MAX characters; false for whatever a
 * client might read differently from us: a user name, spaces and control characters, a host or a
 * port (1..65535) that is not plainly one. */
bool url_split(const char *url, struct url_parts *ret);
/* Is url's host a loopback address (127.0.0.0/8, ::1, localhost)? Only there is a self-signed
 * certificate accepted. */
bool url_is_loopback(const char *url);
