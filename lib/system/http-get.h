/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>

/* One HTTP(S) GET whose status is the answer (archy-verify-ota's checks, archyctl's http probes),
 * with libcurl; blocking, safe to call from several threads at once (no signals; call
 * curl_global_init() first). Redirects are not followed (a check names the
 * page it means). A self-signed certificate is accepted for loopback hosts only; anywhere else the
 * certificate and host name are verified. */

struct http_get_result {
        long status; /* HTTP status; 0 when there was no HTTP answer */
        char error[CURL_ERROR_SIZE];
};

/* 0 when the request completed with any HTTP status (compare result->status), negative when it
 * did not (connection refused, TLS failure, timeout, closed connection): result->error says why. */
int http_get(const char *url, long connect_timeout_ms, long total_timeout_ms, struct http_get_result *result);
