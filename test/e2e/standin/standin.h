/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Every file of the stand-in includes this header first: the build line has no -D_GNU_SOURCE, and
 * ppoll, accept4 and memrchr need it defined before the first system header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define HEAD_MAX 16384

/* main.c: the process frame every subcommand shares */
extern volatile sig_atomic_t stop_signal;
extern volatile sig_atomic_t hup_pending;
__attribute__((format(printf, 1, 2))) void logmsg(const char *fmt, ...);
void usage(FILE *f);
int install_signals(void);

/* net.c */
int wait_readable(int fd, int64_t timeout_ms);
/* ppoll() on n fds with the stop signals blocked except while waiting (see wait_readable) */
int wait_any(struct pollfd *p, nfds_t n, int64_t timeout_ms);
void serve_forever(int lfd, int64_t probe_ms, void (*probe)(void *ctx), void (*serve)(int fd, void *ctx), void *ctx);
int64_t now_ms(void);
bool parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *ret);
void set_timeouts(int fd, int seconds);
int send_all(int fd, const char *buf, size_t len);
int listen_tcp(unsigned port);
int listen_tcp_at(uint32_t addr, unsigned port);
/* host:port over IPv4, resolved on every call, 2 s to connect, 5 s I/O timeouts; -1 with a Go-like message in err */
int tcp_connect(const char *host, const char *port, char *err, size_t cap);
void format_peer(const struct sockaddr_in *sa, char *out, size_t cap);
int accept_client(int lfd, int timeout_s, char *peer, size_t peer_cap);

/* http.c */
ssize_t read_head(int fd, char *buf, size_t cap, size_t *head_len);
bool find_header(const char *head, const char *name, char *out, size_t cap);
void http_respond(int fd, const char *status, const char *headers, const char *body);

/* tls.c: the only file that calls OpenSSL's SSL_* (linked, -lssl); the handles are SSL_CTX * / SSL * */
void *tls_server_ctx(const char *cert, const char *key); /* logs why and returns NULL on a bad pair */
void *tls_client_ctx(const char *cafile);
void tls_ctx_free(void *ctx);
void *tls_accept(void *ctx, int fd);
void *tls_connect(void *ctx, int fd, const char *host, char *err, size_t cap);
void tls_shutdown(void *ssl); /* close_notify */
void tls_free(void *ssl);
ssize_t tls_read(void *ssl, char *buf, size_t len); /* one read: the count, -1 on EOF or error */
int tls_write_all(void *ssl, const char *buf, size_t len);
ssize_t tls_read_all(void *ssl, char *buf, size_t cap);
ssize_t tls_read_request(void *ssl, char *buf, size_t cap, size_t *head_len);
int tls_make_cert(const char *cert_path, const char *key_path, const char *cn, const char *sans);

/* rpc.c: bitcoind's JSON-RPC authentication, shared by node and the bitcoind applet */
struct rpcauth {
        char *buf; /* owns the strings below */
        const char *user, *salt, *hmac;
};
struct rpc_auth {
        struct rpcauth *auth; /* rpcauth=USER:SALT$HMAC lines */
        size_t n_auth;
        char *userpass; /* "user:password" of -rpcpassword or of the cookie, or NULL */
};
int rpc_auth_add(struct rpc_auth *a, const char *value); /* -1: not USER:SALT$HASH */
void rpc_auth_free(struct rpc_auth *a);
bool rpc_authorized(const struct rpc_auth *a, const char *authz);
/* Reads one request (up to body_cap-1 bytes of its body into body, may be NULL) and answers 401
 * itself when it is not authorized: 0 when the caller must answer it, else -1. */
int rpc_read_request(const struct rpc_auth *a, int fd, const char *peer, char *body, size_t body_cap);
int write_marker(const char *dir, const char *name);
const char *take_shutdown_state(const char *dir); /* "first-start", "clean", "unclean"; NULL on error */

/* applets.c: archy-standin is multi-call; argv[0]'s basename picks an applet */
struct applet {
        const char *name;
        int (*main)(int argc, char **argv);
        const char *summary;
};
extern const struct applet applets[]; /* terminated by {NULL} */
void set_log_name(const char *name);

/* The subcommands, each in its own file; argv[0] is the subcommand's name. */
int node_main(int argc, char **argv);
int consumer_main(int argc, char **argv);
int resolve_main(int argc, char **argv);
int web_main(int argc, char **argv);
int hog_main(int argc, char **argv);

/* The applets (app-<app>.c); argv[0] is the applet's name. */
int bitcoind_main(int argc, char **argv);
int bitcoin_cli_main(int argc, char **argv);
int gosu_main(int argc, char **argv);
/* app-btcpay.c, app-nbxplorer.c, btcpay-lib.c: the btcpay-server group */
int btcpay_main(int argc, char **argv);
int nbxplorer_main(int argc, char **argv);
int dotnet_main(int argc, char **argv);
/* app-ui.c */
int ui_main(int argc, char **argv);
/* The stand-in UI's reply for PATH in SHAPE (base-root, cra, guardian, root-path under PREFIX, "" at the root):
 * the app stand-ins serve their UI with it, so every UI sets the browser checks' readiness marker. */
struct ui_reply {
        int status;
        const char *type, *cache; /* Content-Type, Cache-Control */
        const char *location;     /* Location of a 303, else NULL */
        char body[2048];
        size_t len; /* of body, which may hold NUL bytes (an image) */
};
void ui_route(const char *shape, const char *prefix, const char *path, struct ui_reply *r);
void ui_guardian_page(struct ui_reply *r); /* the guardian shape's page: fedimintd's / and /login */
/* R as an HTTP/1.0 response with EXTRA header lines ("Name: value\r\n"...): its length, -1 if > cap */
int ui_format_reply(const struct ui_reply *r, const char *extra, char *out, size_t cap);
/* ui_route + ui_format_reply sent on a plain socket, then shutdown(SHUT_WR) */
void ui_respond(int fd, const char *shape, const char *prefix, const char *path, const char *extra);
/* app-fedimint.c */
int fedimintd_main(int argc, char **argv);
