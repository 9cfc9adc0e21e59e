/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Just enough HTTP/1.0 for JSON-RPC and a status page: one request per connection, then close. */
#include "standin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const char *find_head_end(const char *buf) {
        const char *crlf = strstr(buf, "\r\n\r\n");
        const char *lf = strstr(buf, "\n\n");
        if (crlf && (!lf || crlf < lf))
                return crlf + 4;
        return lf ? lf + 2 : NULL;
}

/* Reads until the blank line after the headers; returns bytes read (body bytes may follow head_len). */
ssize_t read_head(int fd, char *buf, size_t cap, size_t *head_len) {
        size_t len = 0;
        buf[0] = '\0';
        while (len + 1 < cap) {
                ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
                if (n < 0 && errno == EINTR && !stop_signal)
                        continue;
                if (n <= 0)
                        return -1;
                len += (size_t)n;
                buf[len] = '\0';
                const char *end = find_head_end(buf);
                if (end) {
                        *head_len = (size_t)(end - buf);
                        return (ssize_t)len;
                }
        }
        errno = EMSGSIZE;
        return -1;
}

/* Header lookup over a NUL-terminated head; skips the request/status line. */
bool find_header(const char *head, const char *name, char *out, size_t cap) {
        size_t name_len = strlen(name);
        for (const char *line = strchr(head, '\n'); line; line = strchr(line, '\n')) {
                line++;
                if (strncasecmp(line, name, name_len) != 0 || line[name_len] != ':')
                        continue;
                const char *v = line + name_len + 1;
                v += strspn(v, " \t");
                size_t len = strcspn(v, "\r\n");
                while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
                        len--;
                if (len >= cap)
                        return false;
                memcpy(out, v, len);
                out[len] = '\0';
                return true;
        }
        return false;
}

void http_respond(int fd, const char *status, const char *headers, const char *body) {
        char buf[2048];
        int n = snprintf(buf, sizeof buf, "HTTP/1.0 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
                         headers, strlen(body), body);
        if (n > 0 && (size_t)n < sizeof buf)
                (void)send_all(fd, buf, (size_t)n);
        shutdown(fd, SHUT_WR);
}
