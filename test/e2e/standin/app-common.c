/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the app applets share: connecting with a timeout, bitcoind JSON-RPC, contract refusals. */
#include "apps.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

const char *env_or(const char *name, const char *def) {
        const char *v = getenv(name);
        return v && *v ? v : def; /* empty counts as unset, as ${VAR:-def} in an entrypoint */
}

int refuse(const char *where, const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        logmsg("%s (contract: %s)", msg, where);
        return 1;
}

static int connect_one(const struct addrinfo *ai, int timeout_ms) {
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                int err = 0;
                socklen_t el = sizeof err;
                int r = errno == EINPROGRESS ? poll(&p, 1, timeout_ms) : -1;
                if (r == 0)
                        err = ETIMEDOUT;
                else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
                        err = errno;
                if (err) {
                        close(fd);
                        errno = err;
                        return -1;
                }
        }
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        set_timeouts(fd, timeout_ms / 1000 + 1);
        return fd;
}

/* Resolves on every call: a restarted container may have a new address. */
int tcp_connect_timeout(const char *host, const char *port, int timeout_ms, char *err, size_t err_cap) {
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
        int g = getaddrinfo(host, port, &hints, &res);
        if (g != 0) {
                snprintf(err, err_cap, "resolving %s: %s", host, g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
                return -1;
        }
        int fd = -1;
        for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
                if ((fd = connect_one(ai, timeout_ms)) < 0)
                        snprintf(err, err_cap, "connecting to %s:%s: %s", host, port, strerror(errno));
        freeaddrinfo(res);
        return fd;
}

/* Reads until EOF, the buffer is full or a timeout; NUL-terminates. */
ssize_t recv_some(int fd, char *buf, size_t cap) {
        size_t len = 0;
        while (len + 1 < cap) {
                ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
                if (n < 0 && errno == EINTR && !stop_signal)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        return len > 0 ? (ssize_t)len : -1;
}

static void classify(const char *reply, long long *blocks, char *outcome, size_t cap) {
        int code = 0;
        const char *b = strstr(reply, "\"blocks\":");
        if (sscanf(reply, "HTTP/%*d.%*d %d", &code) != 1)
                snprintf(outcome, cap, "malformed HTTP reply");
        else if (code == 200 && b && sscanf(b + 9, "%lld", blocks) == 1)
                snprintf(outcome, cap, "connected");
        else if (code == 401)
                snprintf(outcome, cap, "unauthorized (HTTP 401): wrong RPC user or password");
        else
                snprintf(outcome, cap, "HTTP %d", code);
}

int btc_rpc_blocks(const char *host, const char *port, const char *user, const char *pass, long long *blocks,
                   char *outcome, size_t cap) {
        static const char body[] =
                "{\"jsonrpc\":\"1.0\",\"id\":\"standin\",\"method\":\"getblockchaininfo\",\"params\":[]}";
        char creds[600], b64[820], req[1400], reply[8192], err[300];
        int fd = tcp_connect_timeout(host, port, 2000, err, sizeof err);
        if (fd < 0) {
                snprintf(outcome, cap, "unreachable: %s", err);
                return -1;
        }
        int cl = snprintf(creds, sizeof creds, "%s:%s", user, pass);
        if (cl < 0 || (size_t)cl >= sizeof creds)
                cl = 0;
        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)creds, cl);
        int n = snprintf(
                req, sizeof req,
                "POST / HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\n"
                "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                host, port, b64, sizeof body - 1, body);
        OPENSSL_cleanse(creds, sizeof creds);
        int r = -1;
        if (n > 0 && (size_t)n < sizeof req && send_all(fd, req, (size_t)n) == 0 &&
            recv_some(fd, reply, sizeof reply) > 0) {
                classify(reply, blocks, outcome, cap);
                r = strcmp(outcome, "connected") == 0 ? 0 : -1;
        } else
                snprintf(outcome, cap, "unreachable: no reply from %s:%s", host, port);
        OPENSSL_cleanse(req, sizeof req);
        close(fd);
        return r;
}
