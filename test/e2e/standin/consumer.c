/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* consumer: the ElectrumX/lnd stand-in (re-resolves the node on every probe, serves its last outcome). */
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define FIELD_MAX ((size_t)256)

struct target {
        char user[FIELD_MAX], pass[FIELD_MAX], host[FIELD_MAX], port[8], path[FIELD_MAX];
};

struct cstate {
        char outcome[512];
        char addr[64];
        long long blocks;
        unsigned reconnects;
        bool connected, ever_connected;
};

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)(c | 0x20);
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int percent_decode(const char *in, size_t len, char *out, size_t cap) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
                char c = in[i];
                if (c == '%') {
                        int hi = i + 2 < len ? hex_digit(in[i + 1]) : -1;
                        int lo = hi >= 0 ? hex_digit(in[i + 2]) : -1;
                        if (lo < 0)
                                return -1;
                        c = (char)(hi << 4 | lo);
                        i += 2;
                }
                if (c == '\0' || n + 1 >= cap)
                        return -1;
                out[n++] = c;
        }
        out[n] = '\0';
        return 0;
}

static int copy_span(const char *s, size_t len, char *out, size_t cap) {
        if (len == 0 || len >= cap)
                return -1;
        memcpy(out, s, len);
        out[len] = '\0';
        return 0;
}

static int parse_hostport(const char *s, size_t len, struct target *t) {
        const char *colon = memchr(s, ':', len);
        if (!colon) {
                strcpy(t->port, "80");
                return copy_span(s, len, t->host, sizeof t->host);
        }
        unsigned long port;
        char digits[8];
        size_t host_len = (size_t)(colon - s);
        if (copy_span(colon + 1, len - host_len - 1, digits, sizeof digits) < 0 ||
            !parse_ulong(digits, 1, 65535, &port))
                return -1;
        snprintf(t->port, sizeof t->port, "%lu", port);
        return copy_span(s, host_len, t->host, sizeof t->host);
}

/* http://user:password@host[:port][/path]; the userinfo is mandatory, like ElectrumX's DAEMON_URL. */
static int parse_url(const char *url, struct target *t) {
        if (!url || strncasecmp(url, "http://", 7) != 0)
                return -1;
        const char *auth = url + 7;
        size_t auth_len = strcspn(auth, "/?#");
        const char *path = auth + auth_len;
        const char *at = memrchr(auth, '@', auth_len);
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (!colon)
                return -1;
        if (percent_decode(auth, (size_t)(colon - auth), t->user, sizeof t->user) < 0 ||
            percent_decode(colon + 1, (size_t)(at - colon - 1), t->pass, sizeof t->pass) < 0 ||
            parse_hostport(at + 1, auth_len - (size_t)(at + 1 - auth), t) < 0)
                return -1;
        return copy_span(*path == '/' ? path : "/", *path == '/' ? strcspn(path, "#") : 1, t->path, sizeof t->path);
}

static int finish_connect(int fd, int timeout_ms) {
        if (errno != EINPROGRESS)
                return -1;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int r = poll(&p, 1, timeout_ms);
        if (r <= 0) {
                if (r == 0)
                        errno = ETIMEDOUT;
                return -1;
        }
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
                return -1;
        errno = err;
        return err ? -1 : 0;
}

/* Non-blocking connect, because a node container that vanished leaves SYNs unanswered for minutes. */
static int connect_timeout(const struct addrinfo *ai, int timeout_ms) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && finish_connect(fd, timeout_ms) < 0) {
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
        }
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        set_timeouts(fd, timeout_ms / 1000);
        return fd;
}

/* Resolves on every call: after a restart the node's container may have a new address. */
static int connect_target(const struct target *t, char *outcome, size_t cap, char *addr, size_t addr_cap) {
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        int g = getaddrinfo(t->host, t->port, &hints, &res);
        if (g != 0) {
                snprintf(outcome, cap, "unreachable: resolving %s: %s", t->host,
                         g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
                return -1;
        }
        int fd = -1;
        for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
                format_peer((const struct sockaddr_in *)ai->ai_addr, addr, addr_cap);
                fd = connect_timeout(ai, 2000);
                if (fd < 0)
                        snprintf(outcome, cap, "unreachable: connecting to %s: %s", addr, strerror(errno));
        }
        freeaddrinfo(res);
        return fd;
}

static int send_rpc(int fd, const struct target *t) {
        static const char body[] = "{\"jsonrpc\":\"1.0\",\"id\":\"archy-standin\",\"method\":\"getblockchaininfo\","
                                   "\"params\":[]}";
        char creds[2 * FIELD_MAX + 2], b64[4 * ((sizeof creds + 2) / 3) + 1], req[2048];
        int cl = snprintf(creds, sizeof creds, "%s:%s", t->user, t->pass);
        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)creds, cl);
        int n = snprintf(req, sizeof req,
                         "POST %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Basic %s\r\n"
                         "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         t->path, t->host, t->port, b64, sizeof body - 1, body);
        OPENSSL_cleanse(creds, sizeof creds);
        int r = n > 0 && (size_t)n < sizeof req ? send_all(fd, req, (size_t)n) : -1;
        OPENSSL_cleanse(req, sizeof req);
        return r;
}

static ssize_t recv_all(int fd, char *buf, size_t cap) {
        size_t len = 0;
        while (len + 1 < cap) {
                ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
                if (n < 0 && errno == EINTR && !stop_signal)
                        continue;
                if (n < 0)
                        return len > 0 ? (ssize_t)len : -1;
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        return (ssize_t)len;
}

static void classify_reply(const char *reply, char *outcome, size_t cap, long long *blocks) {
        int code;
        if (sscanf(reply, "HTTP/%*d.%*d %d", &code) != 1) {
                snprintf(outcome, cap, "unreachable: malformed HTTP reply");
                return;
        }
        const char *b = strstr(reply, "\"blocks\":");
        if (code == 200 && b && sscanf(b + 9, "%lld", blocks) == 1)
                snprintf(outcome, cap, "connected");
        else if (code == 200)
                snprintf(outcome, cap, "http-200 without blocks");
        else if (code == 401)
                snprintf(outcome, cap, "unauthorized");
        else
                snprintf(outcome, cap, "http-%d", code);
}

static void record(struct cstate *st, const struct target *t, const char *outcome, const char *addr, long long blocks) {
        bool connected = strcmp(outcome, "connected") == 0;
        if (connected && !st->connected) {
                st->reconnects += st->ever_connected;
                st->ever_connected = true;
        }
        if (strcmp(outcome, st->outcome) != 0)
                logmsg("%s:%s (%s): %s", t->host, t->port, addr, outcome);
        st->connected = connected;
        st->blocks = blocks;
        snprintf(st->outcome, sizeof st->outcome, "%s", outcome);
        snprintf(st->addr, sizeof st->addr, "%s", addr);
}

static void exchange(int fd, const struct target *t, char *outcome, size_t cap, long long *blocks) {
        char reply[8192];
        if (send_rpc(fd, t) < 0) {
                snprintf(outcome, cap, "unreachable: sending request: %s", strerror(errno));
                return;
        }
        errno = 0;
        if (recv_all(fd, reply, sizeof reply) <= 0) {
                snprintf(outcome, cap, "unreachable: no reply: %s", errno ? strerror(errno) : "connection closed");
                return;
        }
        classify_reply(reply, outcome, cap, blocks);
}

static void probe(const struct target *t, struct cstate *st) {
        char outcome[sizeof st->outcome], addr[64] = "-";
        long long blocks = 0;
        int fd = connect_target(t, outcome, sizeof outcome, addr, sizeof addr);
        if (fd >= 0) {
                exchange(fd, t, outcome, sizeof outcome, &blocks);
                close(fd);
        }
        /* A probe cut short by SIGTERM says nothing about the node. */
        if (!stop_signal)
                record(st, t, outcome, addr, blocks);
}

static void serve_status(int lfd, const struct target *t, const struct cstate *st) {
        char peer[64], head[HEAD_MAX], body[sizeof st->outcome + 2 * FIELD_MAX];
        size_t head_len;
        int fd = accept_client(lfd, 2, peer, sizeof peer);
        if (fd < 0)
                return;
        if (read_head(fd, head, sizeof head, &head_len) < 0) {
                close(fd);
                return;
        }
        if (strncmp(head, "GET ", 4) != 0) {
                http_respond(fd, "405 Method Not Allowed", "Allow: GET\r\n", "");
        } else if (st->connected) {
                snprintf(body, sizeof body, "connected to %s:%s blocks=%lld reconnects=%u\n", t->host, t->port,
                         st->blocks, st->reconnects);
                http_respond(fd, "200 OK", "Content-Type: text/plain\r\n", body);
        } else {
                snprintf(body, sizeof body, "%s\n", st->outcome);
                http_respond(fd, "503 Service Unavailable", "Content-Type: text/plain\r\n", body);
        }
        close(fd);
}

struct consumer_opts {
        const char *url, *url_env;
        unsigned long port, interval;
};

static int parse_consumer_opts(int argc, char **argv, struct consumer_opts *o) {
        static const struct option opts[] = {{"url", required_argument, NULL, 'u'},
                                             {"url-env", required_argument, NULL, 'e'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"interval", required_argument, NULL, 'i'},
                                             {NULL, 0, NULL, 0}};
        *o = (struct consumer_opts){.interval = 1};
        bool port_ok = false, interval_ok = true;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                switch (c) {
                case 'u': o->url = optarg; break;
                case 'e': o->url_env = optarg; break;
                case 'p': port_ok = parse_ulong(optarg, 1, 65535, &o->port); break;
                case 'i': interval_ok = parse_ulong(optarg, 1, 3600, &o->interval); break;
                default: return -1;
                }
        }
        bool one_source = !o->url != !o->url_env;
        return optind == argc && one_source && port_ok && interval_ok ? 0 : -1;
}

static void consumer_loop(int lfd, const struct target *t, int64_t interval_ms) {
        struct cstate st = {.outcome = "starting"};
        int64_t next = now_ms();
        while (!stop_signal) {
                hup_pending = 0;
                int64_t now = now_ms();
                if (now >= next) {
                        probe(t, &st);
                        next = now + interval_ms;
                        continue;
                }
                if (wait_readable(lfd, next - now) > 0)
                        serve_status(lfd, t, &st);
        }
}

int consumer_main(int argc, char **argv) {
        struct consumer_opts o;
        if (parse_consumer_opts(argc, argv, &o) < 0) {
                usage(stderr);
                return 2;
        }
        const char *url = o.url ? o.url : getenv(o.url_env);
        struct target t;
        if (!url || !*url || parse_url(url, &t) < 0) {
                /* The URL holds a password: name where it came from, never echo it. */
                logmsg("missing or unparsable URL in %s%s", o.url ? "--url" : "$", o.url ? "" : o.url_env);
                return 1;
        }
        if (install_signals() < 0)
                return 1;
        int lfd = listen_tcp((unsigned)o.port);
        if (lfd < 0) {
                logmsg("cannot listen on 0.0.0.0:%lu: %s", o.port, strerror(errno));
                return 1;
        }
        logmsg("polling %s:%s every %lus, status on 0.0.0.0:%lu", t.host, t.port, o.interval, o.port);
        consumer_loop(lfd, &t, (int64_t)o.interval * 1000);
        close(lfd);
        OPENSSL_cleanse(t.pass, sizeof t.pass);
        logmsg("exiting on signal %d", (int)stop_signal);
        return 0;
}
