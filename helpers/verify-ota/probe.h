/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>

/* One HTTP(S) GET of a health check, with libcurl. Redirects are not followed (a check names the
 * page it means). A self-signed certificate is accepted for loopback hosts only; anywhere else the
 * certificate and host name are verified. */

struct probe_result {
        long status; /* HTTP status; 0 when there was no HTTP answer */
        char error[CURL_ERROR_SIZE];
};

/* 0 when the request completed with any HTTP status (compare result->status), negative when it
 * did not (connection refused, TLS failure, timeout, closed connection): result->error says why. */
int probe_get(const char *url, long connect_timeout_ms, long total_timeout_ms, struct probe_result *result);
