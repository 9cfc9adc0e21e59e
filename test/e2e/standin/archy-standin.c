// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * archy-standin: a tiny stand-in for the real node apps in the end-to-end tests. "node" mimics the parts
 * of bitcoind that archy must get right (rpcauth read once at startup, clean vs unclean shutdown on a
 * persistent volume), "consumer" mimics ElectrumX/lnd (re-resolving the node on every attempt, reporting
 * whether its password still works), "resolve" shows what a container's resolver answers. Syncing a real
 * chain in every test run would be slow and flaky; these behaviours are what the failure modes hinge on.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define HEAD_MAX 16384
#define BODY_DRAIN_MAX ((size_t)1024 * 1024)
#define FIELD_MAX ((size_t)256)

static const char *mode = "main";
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t hup_pending;

/* ---- shared helpers ---- */

__attribute__((format(printf, 1, 2))) static void logmsg(const char *fmt, ...) {
        char line[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        /* One fprintf per line so lines from concurrent writers to the journal do not interleave. */
        fprintf(stderr, "archy-standin %s: %s\n", mode, line);
}

static void usage(FILE *f) {
        fputs("usage: archy-standin node --conf FILE --port N --data DIR [--stop-delay SEC]\n"
              "       archy-standin consumer (--url-env VAR | --url URL) --port N [--interval SEC]\n"
              "       archy-standin resolve NAME\n"
              "       archy-standin --help\n"
              "\n"
              "node      bitcoind stand-in: JSON-RPC with rpcauth on 0.0.0.0:N, shutdown state in DIR\n"
              "consumer  ElectrumX/lnd stand-in: polls the node at URL (http://user:pass@host:port/),\n"
              "          serves its last outcome on 0.0.0.0:N (200 when connected, else 503)\n"
              "resolve   prints the IPv4 addresses the resolver gives for NAME\n",
              f);
}

static void on_signal(int sig) {
        if (sig == SIGHUP)
                hup_pending = 1;
        else
                stop_signal = sig;
}

/* No SA_RESTART: blocking calls must return EINTR so the loops notice the flags. */
static int install_signals(void) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        int sigs[] = {SIGTERM, SIGINT, SIGHUP};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
                if (sigaction(sigs[i], &sa, NULL) < 0)
                        return -1;
        struct sigaction ign = {.sa_handler = SIG_IGN};
        return sigaction(SIGPIPE, &ign, NULL);
}

/*
 * Wait for fd with the signals blocked except inside ppoll(): checking the flags and then blocking in
 * accept() would lose a SIGTERM that lands in between, and podman stop would end in a SIGKILL.
 */
static int wait_readable(int fd, int64_t timeout_ms) {
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGHUP);
        sigprocmask(SIG_BLOCK, &block, &old);
        int r = -1;
        errno = EINTR;
        if (!stop_signal && !hup_pending) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000};
                r = ppoll(&p, 1, timeout_ms < 0 ? NULL : &ts, &old);
        }
        int saved = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        errno = saved;
        return r;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *ret) {
        char *end;
        errno = 0;
        if (!s || *s < '0' || *s > '9')
                return false;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return false;
        *ret = v;
        return true;
}

static void set_timeouts(int fd, int seconds) {
        struct timeval tv = {.tv_sec = seconds};
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int send_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR && !stop_signal)
                        continue;
                if (n < 0)
                        return -1;
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

static int listen_tcp(unsigned port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        int one = 1;
        struct sockaddr_in sa = {
                .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
        }
        return fd;
}

static const char *find_head_end(const char *buf) {
        const char *crlf = strstr(buf, "\r\n\r\n");
        const char *lf = strstr(buf, "\n\n");
        if (crlf && (!lf || crlf < lf))
                return crlf + 4;
        return lf ? lf + 2 : NULL;
}

/* Reads until the blank line after the headers; returns bytes read (body bytes may follow head_len). */
static ssize_t read_head(int fd, char *buf, size_t cap, size_t *head_len) {
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
static bool find_header(const char *head, const char *name, char *out, size_t cap) {
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

static void http_respond(int fd, const char *status, const char *headers, const char *body) {
        char buf[2048];
        int n = snprintf(buf, sizeof buf, "HTTP/1.0 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
                         headers, strlen(body), body);
        if (n > 0 && (size_t)n < sizeof buf)
                (void)send_all(fd, buf, (size_t)n);
        shutdown(fd, SHUT_WR);
}

static void format_peer(const struct sockaddr_in *sa, char *out, size_t cap) {
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%u", ip, (unsigned)ntohs(sa->sin_port));
}

/* Returns a connected blocking socket with the given receive/send timeout, or -1. */
static int accept_client(int lfd, int timeout_s, char *peer, size_t peer_cap) {
        struct sockaddr_in sa = {0};
        socklen_t sl = sizeof sa;
        int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
        if (fd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        logmsg("accept: %s", strerror(errno));
                return -1;
        }
        set_timeouts(fd, timeout_s);
        format_peer(&sa, peer, peer_cap);
        return fd;
}

/* ---- node: bitcoind stand-in ---- */

struct rpcauth {
        char *buf; /* owns the strings below */
        const char *user, *salt, *hmac;
};

struct node {
        struct rpcauth *auth;
        size_t n_auth;
        const char *last_shutdown;
        int64_t started_ms;
};

static char *trim(char *s) {
        s += strspn(s, " \t\r\n");
        size_t len = strlen(s);
        while (len > 0 && strchr(" \t\r\n", s[len - 1]))
                s[--len] = '\0';
        return s;
}

/* Bitcoin Core splits at ':' then '$' and insists on exactly two fields each. */
static bool parse_rpcauth(const char *value, struct rpcauth *ret) {
        const char *colon = strchr(value, ':');
        if (!colon || strchr(colon + 1, ':'))
                return false;
        const char *dollar = strchr(colon + 1, '$');
        if (!dollar || strchr(dollar + 1, '$') || colon == value || dollar == colon + 1 || !dollar[1])
                return false;
        char *buf = strdup(value);
        if (!buf)
                return false;
        buf[colon - value] = '\0';
        buf[dollar - value] = '\0';
        *ret = (struct rpcauth){
                .buf = buf, .user = buf, .salt = buf + (colon - value) + 1, .hmac = buf + (dollar - value) + 1};
        return true;
}

static int add_rpcauth(struct node *n, const char *value) {
        struct rpcauth a;
        if (!parse_rpcauth(value, &a))
                return -1;
        struct rpcauth *grown = realloc(n->auth, (n->n_auth + 1) * sizeof *grown);
        if (!grown) {
                free(a.buf);
                return -1;
        }
        n->auth = grown;
        n->auth[n->n_auth++] = a;
        return 0;
}

static void free_node(struct node *n) {
        for (size_t i = 0; i < n->n_auth; i++)
                free(n->auth[i].buf);
        free(n->auth);
}

/* Returns the value if line is "rpcauth = value" in bitcoin.conf syntax, else NULL. */
static char *rpcauth_value(char *line) {
        line[strcspn(line, "#")] = '\0'; /* bitcoin.conf comments may also trail a value */
        line = trim(line);
        char *eq = strchr(line, '=');
        if (!eq)
                return NULL;
        *eq = '\0';
        if (strcmp(trim(line), "rpcauth") != 0)
                return NULL;
        return trim(eq + 1);
}

/* Read exactly once: bitcoind never re-reads rpcauth, which is what makes drifted passwords stick. */
static int load_conf(const char *path, struct node *n) {
        FILE *f = fopen(path, "re");
        if (!f) {
                logmsg("cannot read %s: %s", path, strerror(errno));
                return -1;
        }
        char *line = NULL;
        size_t cap = 0;
        int r = 0;
        for (unsigned lineno = 1; r == 0 && getline(&line, &cap, f) >= 0; lineno++) {
                char *value = rpcauth_value(line);
                if (value && add_rpcauth(n, value) < 0) {
                        logmsg("%s:%u: invalid -rpcauth argument '%s'", path, lineno, value);
                        r = -1;
                }
        }
        if (r == 0 && ferror(f)) {
                logmsg("reading %s: %s", path, strerror(errno));
                r = -1;
        }
        free(line);
        fclose(f);
        return r;
}

static int b64_value(char c) {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *p = c ? strchr(alphabet, c) : NULL;
        return p ? (int)(p - alphabet) : -1;
}

/* Strict decoder: Bitcoin Core rejects malformed base64 rather than guessing. */
static ssize_t base64_decode(const char *in, unsigned char *out, size_t cap) {
        size_t len = strlen(in), n = 0;
        if (len % 4 != 0)
                return -1;
        for (size_t i = 0; i < len; i += 4) {
                uint32_t w = 0;
                int pad = 0;
                for (int j = 0; j < 4; j++) {
                        int v = in[i + j] == '=' && i + 4 == len && j >= 2 ? (pad++, 0) : b64_value(in[i + j]);
                        if (v < 0 || (pad && in[i + j] != '='))
                                return -1;
                        w = w << 6 | (uint32_t)v;
                }
                unsigned char bytes[3] = {(unsigned char)(w >> 16), (unsigned char)(w >> 8), (unsigned char)w};
                for (int j = 0; j < 3 - pad; j++) {
                        if (n == cap)
                                return -1;
                        out[n++] = bytes[j];
                }
        }
        return (ssize_t)n;
}

static bool hmac_matches(const struct rpcauth *a, const unsigned char *pass, size_t pass_len) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned md_len = 0;
        if (!HMAC(EVP_sha256(), a->salt, (int)strlen(a->salt), pass, pass_len, md, &md_len))
                return false;
        char hex[2 * EVP_MAX_MD_SIZE + 1];
        for (size_t i = 0; i < md_len; i++) {
                hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
                hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
        }
        size_t hex_len = 2 * (size_t)md_len;
        return strlen(a->hmac) == hex_len && CRYPTO_memcmp(hex, a->hmac, hex_len) == 0;
}

static bool authorized(const struct node *n, const char *authz) {
        if (strncmp(authz, "Basic ", 6) != 0)
                return false;
        unsigned char creds[1024];
        ssize_t len = base64_decode(authz + 6 + strspn(authz + 6, " "), creds, sizeof creds);
        const unsigned char *colon = len > 0 ? memchr(creds, ':', (size_t)len) : NULL;
        if (!colon)
                return false;
        size_t user_len = (size_t)(colon - creds);
        const unsigned char *pass = colon + 1;
        size_t pass_len = (size_t)len - user_len - 1;
        bool ok = false;
        for (size_t i = 0; i < n->n_auth; i++)
                if (strlen(n->auth[i].user) == user_len && memcmp(n->auth[i].user, creds, user_len) == 0)
                        ok |= hmac_matches(&n->auth[i], pass, pass_len);
        OPENSSL_cleanse(creds, sizeof creds);
        return ok;
}

/* The body is unused, but leaving it unread would make close() send a RST that can eat our reply. */
static void drain_body(int fd, const char *content_length, size_t already) {
        unsigned long want;
        if (!parse_ulong(content_length, 0, ULONG_MAX, &want))
                return;
        if (want > BODY_DRAIN_MAX)
                want = BODY_DRAIN_MAX;
        char scratch[4096];
        for (size_t left = want > already ? want - already : 0; left > 0;) {
                ssize_t r = recv(fd, scratch, left < sizeof scratch ? left : sizeof scratch, 0);
                if (r < 0 && errno == EINTR && !stop_signal)
                        continue;
                if (r <= 0)
                        return;
                left -= (size_t)r;
        }
}

static void serve_rpc(const struct node *n, int fd, const char *peer) {
        char head[HEAD_MAX];
        size_t head_len = 0;
        ssize_t got = read_head(fd, head, sizeof head, &head_len);
        if (got < 0) {
                if (errno == EMSGSIZE)
                        http_respond(fd, "400 Bad Request", "", "");
                return;
        }
        char cl[32];
        head[head_len] = '\0'; /* header lookups must not match inside the body */
        if (find_header(head, "content-length", cl, sizeof cl))
                drain_body(fd, cl, (size_t)got - head_len);
        char authz[2048];
        if (!find_header(head, "authorization", authz, sizeof authz) || !authorized(n, authz)) {
                logmsg("incorrect password attempt from %s", peer);
                http_respond(fd, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"jsonrpc\"\r\n", "");
                return;
        }
        char body[256];
        /* Bitcoin Core ends every JSON-RPC reply with a newline. */
        snprintf(body, sizeof body,
                 "{\"result\":{\"chain\":\"regtest\",\"blocks\":%lld,\"last_shutdown\":\"%s\"},"
                 "\"error\":null,\"id\":null}\n",
                 (long long)((now_ms() - n->started_ms) / 1000), n->last_shutdown);
        http_respond(fd, "200 OK", "Content-Type: application/json\r\n", body);
}

static int path_in(char *out, const char *dir, const char *name) {
        int r = snprintf(out, PATH_MAX, "%s/%s", dir, name);
        return r > 0 && r < PATH_MAX ? 0 : -1;
}

static int fsync_dir(const char *dir) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        int r = fsync(fd);
        close(fd);
        return r;
}

/* Durable marker: a power cut right after must not lose it, or the next start lies about the state. */
static int write_marker(const char *dir, const char *name) {
        char path[PATH_MAX];
        if (path_in(path, dir, name) < 0)
                return -1;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        ssize_t w = write(fd, "1\n", 2);
        int r = w == 2 && fsync(fd) == 0 ? 0 : -1;
        if (close(fd) < 0)
                r = -1;
        return r == 0 ? fsync_dir(dir) : -1;
}

static const char *take_shutdown_state(const char *dir) {
        char clean[PATH_MAX], ever[PATH_MAX];
        if (path_in(clean, dir, "clean-shutdown") < 0 || path_in(ever, dir, "ever-started") < 0)
                return NULL;
        const char *state = "first-start";
        if (access(clean, F_OK) == 0) {
                if (unlink(clean) < 0)
                        return NULL;
                state = "clean";
        } else if (access(ever, F_OK) == 0) {
                logmsg("previous shutdown was not clean: reindexing");
                state = "unclean";
        }
        return write_marker(dir, "ever-started") == 0 ? state : NULL;
}

static void sleep_through_signals(unsigned seconds) {
        struct timespec left = {.tv_sec = seconds};
        while (nanosleep(&left, &left) < 0 && errno == EINTR)
                ;
}

static void node_loop(const struct node *n, int lfd) {
        while (!stop_signal) {
                if (hup_pending) {
                        hup_pending = 0;
                        logmsg("SIGHUP: reopening log, rpcauth not reloaded");
                }
                if (wait_readable(lfd, -1) <= 0)
                        continue;
                char peer[64];
                int fd = accept_client(lfd, 5, peer, sizeof peer);
                if (fd < 0)
                        continue;
                serve_rpc(n, fd, peer);
                close(fd);
        }
}

struct node_opts {
        const char *conf, *data;
        unsigned long port, stop_delay;
};

static int parse_node_opts(int argc, char **argv, struct node_opts *o) {
        static const struct option opts[] = {{"conf", required_argument, NULL, 'c'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"stop-delay", required_argument, NULL, 's'},
                                             {NULL, 0, NULL, 0}};
        *o = (struct node_opts){.stop_delay = 3};
        bool port_ok = false, delay_ok = true;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                switch (c) {
                case 'c': o->conf = optarg; break;
                case 'd': o->data = optarg; break;
                case 'p': port_ok = parse_ulong(optarg, 1, 65535, &o->port); break;
                case 's': delay_ok = parse_ulong(optarg, 0, 3600, &o->stop_delay); break;
                default: return -1;
                }
        }
        return optind == argc && o->conf && o->data && port_ok && delay_ok ? 0 : -1;
}

static int node_shutdown(const struct node_opts *o, int lfd) {
        /* Like bitcoind: stop serving RPC first, then take the (slow) flush. */
        close(lfd);
        logmsg("shutting down, flushing");
        sleep_through_signals((unsigned)o->stop_delay);
        if (write_marker(o->data, "clean-shutdown") < 0) {
                logmsg("cannot write %s/clean-shutdown: %s", o->data, strerror(errno));
                return 1;
        }
        logmsg("shutdown done");
        return 0;
}

static int node_main(int argc, char **argv) {
        struct node_opts o;
        if (parse_node_opts(argc, argv, &o) < 0) {
                usage(stderr);
                return 2;
        }
        struct node n = {.started_ms = now_ms()};
        int r = 1;
        int lfd = -1;
        if (load_conf(o.conf, &n) < 0 || install_signals() < 0)
                goto out;
        lfd = listen_tcp((unsigned)o.port);
        if (lfd < 0) {
                logmsg("cannot listen on 0.0.0.0:%lu: %s", o.port, strerror(errno));
                goto out;
        }
        n.last_shutdown = take_shutdown_state(o.data);
        if (!n.last_shutdown) {
                logmsg("cannot record start in %s: %s", o.data, strerror(errno));
                close(lfd);
                goto out;
        }
        if (n.n_auth == 0)
                logmsg("no rpcauth lines in %s: every request will be rejected", o.conf);
        logmsg("listening on 0.0.0.0:%lu, %zu rpcauth line(s), last shutdown %s", o.port, n.n_auth, n.last_shutdown);
        node_loop(&n, lfd);
        r = node_shutdown(&o, lfd);
out:
        free_node(&n);
        return r;
}

/* ---- consumer: ElectrumX / lnd stand-in ---- */

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

static int consumer_main(int argc, char **argv) {
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

/* ---- resolve ---- */

static int resolve_main(int argc, char **argv) {
        if (argc != 2 || argv[1][0] == '-') {
                usage(stderr);
                return 2;
        }
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        int g = getaddrinfo(argv[1], NULL, &hints, &res);
        if (g != 0) {
                logmsg("%s: %s", argv[1], g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
                return 2;
        }
        for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                char ip[INET_ADDRSTRLEN];
                if (inet_ntop(AF_INET, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr, ip, sizeof ip))
                        printf("%s\n", ip);
        }
        freeaddrinfo(res);
        return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                usage(stdout);
                return 0;
        }
        static const struct {
                const char *name;
                int (*run)(int, char **);
        } modes[] = {{"node", node_main}, {"consumer", consumer_main}, {"resolve", resolve_main}};
        for (size_t i = 0; argc >= 2 && i < sizeof modes / sizeof modes[0]; i++)
                if (strcmp(argv[1], modes[i].name) == 0) {
                        mode = modes[i].name;
                        return modes[i].run(argc - 1, argv + 1);
                }
        usage(stderr);
        return 2;
}
