/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "http-get.h"

#include <errno.h>
#include <string.h>

#include "url.h"

/* The body is not looked at: the status is the answer. */
static size_t discard(char *data, size_t size, size_t n, void *user) {
        (void)data;
        (void)user;
        return size * n;
}

int http_get(const char *url, long connect_timeout_ms, long total_timeout_ms, struct http_get_result *result) {
        *result = (struct http_get_result){0};
        CURL *curl = curl_easy_init();
        if (!curl) {
                snprintf(result->error, sizeof(result->error), "cannot initialise libcurl");
                return -ENOMEM;
        }
        bool loopback = url_is_loopback(url);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, result->error);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_timeout_ms);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        /* Never through a proxy, whatever http_proxy, https_proxy or ALL_PROXY say: a proxy would
         * answer for the node (a broken update committed, a good one rolled back). "" disables
         * the proxy, "*" exempts every host in case a libcurl reads the environment anyway. */
        curl_easy_setopt(curl, CURLOPT_PROXY, "");
        curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, loopback ? 0L : 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, loopback ? 0L : 2L);
        CURLcode rc = curl_easy_perform(curl);
        if (rc == CURLE_OK)
                curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result->status);
        else if (!result->error[0])
                snprintf(result->error, sizeof(result->error), "%s", curl_easy_strerror(rc));
        curl_easy_cleanup(curl);
        return rc == CURLE_OK ? 0 : -EIO;
}
