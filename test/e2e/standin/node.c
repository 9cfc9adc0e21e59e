/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* node: the bitcoind stand-in (rpcauth read once at startup, clean vs unclean shutdown markers). */
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define BODY_DRAIN_MAX ((size_t)1024 * 1024)

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

int node_main(int argc, char **argv) {
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
