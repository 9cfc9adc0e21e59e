/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bitcoind's JSON-RPC server side, shared by the "node" mode and the bitcoind applet: rpcauth lines,
 * Basic authentication against them (and against one plain user:password, the cookie's or
 * -rpcpassword's), reading one request, and the durable shutdown markers of the data directory.
 */
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define BODY_DRAIN_MAX ((size_t)1024 * 1024)

/* Bitcoin Core splits at ':' then '$' and insists on exactly two fields each
 * (bitcoin/bitcoin v28.1 src/httprpc.cpp InitRPCAuthentication). */
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

int rpc_auth_add(struct rpc_auth *a, const char *value) {
        struct rpcauth one;
        if (!parse_rpcauth(value, &one))
                return -1;
        struct rpcauth *grown = realloc(a->auth, (a->n_auth + 1) * sizeof *grown);
        if (!grown) {
                free(one.buf);
                return -1;
        }
        a->auth = grown;
        a->auth[a->n_auth++] = one;
        return 0;
}

void rpc_auth_free(struct rpc_auth *a) {
        for (size_t i = 0; i < a->n_auth; i++)
                free(a->auth[i].buf);
        free(a->auth);
        if (a->userpass) {
                OPENSSL_cleanse(a->userpass, strlen(a->userpass));
                free(a->userpass);
        }
        *a = (struct rpc_auth){0};
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

static bool userpass_matches(const char *want, const unsigned char *creds, size_t len) {
        return want && strlen(want) == len && CRYPTO_memcmp(want, creds, len) == 0;
}

bool rpc_authorized(const struct rpc_auth *a, const char *authz) {
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
        bool ok = userpass_matches(a->userpass, creds, (size_t)len);
        for (size_t i = 0; i < a->n_auth; i++)
                if (strlen(a->auth[i].user) == user_len && memcmp(a->auth[i].user, creds, user_len) == 0)
                        ok |= hmac_matches(&a->auth[i], pass, pass_len);
        OPENSSL_cleanse(creds, sizeof creds);
        return ok;
}

/* Reads the rest of the body: up to cap-1 bytes kept in body, the remainder drained (left unread,
 * it would make close() send a RST that can eat our reply). */
static void read_body(int fd, const char *content_length, const char *already, size_t n_already, char *body,
                      size_t cap) {
        unsigned long want;
        size_t kept = 0;
        if (body && cap)
                body[0] = '\0';
        if (!parse_ulong(content_length, 0, ULONG_MAX, &want))
                return;
        if (want > BODY_DRAIN_MAX)
                want = BODY_DRAIN_MAX;
        for (size_t i = 0; i < n_already && i < want && body && kept + 1 < cap; i++)
                body[kept++] = already[i];
        char scratch[4096];
        for (size_t left = want > n_already ? want - n_already : 0; left > 0;) {
                ssize_t r = recv(fd, scratch, left < sizeof scratch ? left : sizeof scratch, 0);
                if (r < 0 && errno == EINTR && !stop_signal)
                        continue;
                if (r <= 0)
                        break;
                for (ssize_t i = 0; i < r && body && kept + 1 < cap; i++)
                        body[kept++] = scratch[i];
                left -= (size_t)r;
        }
        if (body && cap)
                body[kept] = '\0';
}

int rpc_read_request(const struct rpc_auth *a, int fd, const char *peer, char *body, size_t body_cap) {
        char head[HEAD_MAX];
        size_t head_len = 0;
        ssize_t got = read_head(fd, head, sizeof head, &head_len);
        if (got < 0) {
                if (errno == EMSGSIZE)
                        http_respond(fd, "400 Bad Request", "", "");
                return -1;
        }
        char cl[32], authz[2048];
        char tail[HEAD_MAX];
        size_t n_tail = (size_t)got - head_len;
        memcpy(tail, head + head_len, n_tail);
        head[head_len] = '\0'; /* header lookups must not match inside the body */
        if (find_header(head, "content-length", cl, sizeof cl))
                read_body(fd, cl, tail, n_tail, body, body_cap);
        else if (body && body_cap)
                body[0] = '\0';
        if (!find_header(head, "authorization", authz, sizeof authz) || !rpc_authorized(a, authz)) {
                logmsg("incorrect password attempt from %s", peer);
                http_respond(fd, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"jsonrpc\"\r\n", "");
                return -1;
        }
        return 0;
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
int write_marker(const char *dir, const char *name) {
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

const char *take_shutdown_state(const char *dir) {
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
