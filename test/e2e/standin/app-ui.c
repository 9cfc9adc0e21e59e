/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ui: a stand-in web UI with the path assumptions of the real UIs of the node, so the browser checks
 * (test/e2e/guest/browser-check) can tell a proxy scheme that real UIs tolerate from one they do not.
 * The page's script loads the page's stylesheet and config and only then marks the page ready
 * (<html data-archy-ready="ok">, and a postMessage to the parent when framed); a failed load marks it
 * "failed: ..." and a script that never loads leaves no mark at all.
 *
 *   base-root  Angular-like: <base href="/">, every asset under /resources/, any other path is the
 *              app (client-side routes). mempool/mempool frontend/src/index.mempool.html:
 *              <script src="/resources/config.js"> and <base href="/">, icons under /resources/.
 *   cra        create-react-app-like: /static/js/main.js, /static/css/main.css, and the script fetches
 *              /config.json at start (the CRA build layout; fedimint's guardian UI as issue 13 states
 *              it, fedimint/ui apps/guardian-ui/public/config.json; not read at the pinned tag).
 *   root-path  every URL under a configured base path (--base), nothing outside it, like BTCPay
 *              Server with its root path (btcpayserver/btcpayserver v2.0.7 BTCPayServer/Hosting/
 *              Startup.cs: app.Map(options.RootPath, ...)). BTCPay also sends X-Frame-Options: DENY
 *              (Startup.cs adds XFrameOptionsAttribute(Deny) as a global filter): --header mimics it.
 *
 * --tls CERT KEY serves HTTPS instead, as lightning-terminal does on its UI port 8443 with its own
 * self-signed certificate (lightninglabs/lightning-terminal config.go, v0.14.1-alpha: defaultHTTPSListen
 * 127.0.0.1:8443, tls.cert in ~/.lit); the node's nginx then proxies to https://.
 */
#include "standin.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#define UI_MAX_HEADERS 8

struct ui_opts {
        unsigned long port;
        const char *shape;
        char prefix[256]; /* root-path: "/btcpay" (no trailing slash); "" for the others */
        const char *headers[UI_MAX_HEADERS];
        size_t n_headers;
        const char *tls_cert, *tls_key;
};

/* One accepted connection, plain or TLS. */
struct ui_conn {
        int fd;
        SSL *ssl;
};

static ssize_t conn_read(struct ui_conn *c, char *buf, size_t len) {
        if (c->ssl) {
                int n = SSL_read(c->ssl, buf, (int)len);
                return n > 0 ? n : -1;
        }
        return recv(c->fd, buf, len, 0);
}

static int conn_write(struct ui_conn *c, const char *buf, size_t len) {
        if (!c->ssl)
                return send_all(c->fd, buf, len);
        return SSL_write(c->ssl, buf, (int)len) == (int)len ? 0 : -1;
}

static const char ui_js[] =
        "(function () {\n"
        "  var root = document.documentElement;\n"
        "  function done(state) {\n"
        "    root.setAttribute('data-archy-ready', state);\n"
        "    var p = document.getElementById('state');\n"
        "    if (p) p.textContent = state;\n"
        "    if (window.parent !== window)\n"
        "      window.parent.postMessage({archy: 'ready', state: state, shape: SHAPE, href: location.href}, '*');\n"
        "  }\n"
        "  if (getComputedStyle(root).getPropertyValue('--archy-css').trim() !== 'loaded') {\n"
        "    done('failed: stylesheet not applied');\n"
        "    return;\n"
        "  }\n"
        "  fetch(CONFIG).then(function (r) {\n"
        "    if (!r.ok) throw new Error(CONFIG + ' answered ' + r.status);\n"
        "    return r.json();\n"
        "  }).then(function (c) {\n"
        "    if (c.shape !== SHAPE) throw new Error(CONFIG + ' is not this app\\'s config');\n"
        "    done('ok');\n"
        "  }).catch(function (e) { done('failed: ' + e.message); });\n"
        "})();\n";

static void reply_text(struct ui_reply *r, int status, const char *type, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void reply_text(struct ui_reply *r, int status, const char *type, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        r->status = status;
        r->type = type;
        vsnprintf(r->body, sizeof r->body, fmt, ap);
        va_end(ap);
}

static void reply_page(struct ui_reply *r, const char *shape, const char *head) {
        reply_text(r, 200, "text/html; charset=utf-8",
                   "<!doctype html>\n<html><head><meta charset=\"utf-8\">\n<title>archy stand-in UI (%s)</title>\n%s"
                   "</head><body><h1>archy stand-in UI (%s)</h1><p id=\"state\">loading</p></body></html>\n",
                   shape, head, shape);
}

static void reply_js(struct ui_reply *r, const char *shape, const char *config) {
        reply_text(r, 200, "application/javascript", "var SHAPE = '%s', CONFIG = '%s';\n%s", shape, config, ui_js);
}

static void reply_css(struct ui_reply *r) {
        reply_text(r, 200, "text/css", ":root { --archy-css: loaded; }\n");
}

static void reply_config(struct ui_reply *r, const char *shape) {
        reply_text(r, 200, "application/json", "{\"shape\": \"%s\"}\n", shape);
}

static void reply_404(struct ui_reply *r, const char *path, const char *why) {
        reply_text(r, 404, "text/plain", "archy-standin ui: %s: %s\n", path, why);
}

static bool has_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Relative URLs, resolved against <base href="/">: right only when the app is served at the root. */
static void route_base_root(const char *path, struct ui_reply *r) {
        if (strcmp(path, "/resources/app.js") == 0)
                reply_js(r, "base-root", "resources/config.json");
        else if (strcmp(path, "/resources/styles.css") == 0)
                reply_css(r);
        else if (strcmp(path, "/resources/config.json") == 0)
                reply_config(r, "base-root");
        else if (has_prefix(path, "/resources/"))
                reply_404(r, path, "no such asset");
        else
                reply_page(r, "base-root",
                           "<base href=\"/\">\n<link rel=\"stylesheet\" href=\"resources/styles.css\">\n"
                           "<script src=\"resources/app.js\" defer></script>\n");
}

static void route_cra(const char *path, struct ui_reply *r) {
        if (strcmp(path, "/static/js/main.js") == 0)
                reply_js(r, "cra", "/config.json");
        else if (strcmp(path, "/static/css/main.css") == 0)
                reply_css(r);
        else if (strcmp(path, "/config.json") == 0)
                reply_config(r, "cra");
        else if (has_prefix(path, "/static/"))
                reply_404(r, path, "no such asset");
        else
                reply_page(r, "cra",
                           "<link href=\"/static/css/main.css\" rel=\"stylesheet\">\n"
                           "<script defer=\"defer\" src=\"/static/js/main.js\"></script>\n");
}

static void route_root_path(const char *prefix, const char *path, struct ui_reply *r) {
        size_t n = strlen(prefix);
        if (strncmp(path, prefix, n) != 0 || (path[n] != '\0' && path[n] != '/')) {
                reply_404(r, path, "not under the root path");
                return;
        }
        const char *rest = path + n;
        char head[1024], config[300];
        if (strcmp(rest, "/main/site.js") == 0) {
                snprintf(config, sizeof config, "%s/main/config.json", prefix);
                reply_js(r, "root-path", config);
        } else if (strcmp(rest, "/main/site.css") == 0)
                reply_css(r);
        else if (strcmp(rest, "/main/config.json") == 0)
                reply_config(r, "root-path");
        else if (has_prefix(rest, "/main/"))
                reply_404(r, path, "no such asset");
        else {
                snprintf(head, sizeof head,
                         "<link rel=\"stylesheet\" href=\"%s/main/site.css\">\n"
                         "<script src=\"%s/main/site.js\" defer></script>\n",
                         prefix, prefix);
                reply_page(r, "root-path", head);
        }
}

void ui_route(const char *shape, const char *prefix, const char *path, struct ui_reply *r) {
        if (strcmp(shape, "base-root") == 0)
                route_base_root(path, r);
        else if (strcmp(shape, "cra") == 0)
                route_cra(path, r);
        else
                route_root_path(prefix, path, r);
}

int ui_format_reply(const struct ui_reply *r, const char *extra, char *out, size_t cap) {
        int n = snprintf(out, cap,
                         "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
                         "Connection: close\r\n%s\r\n%s",
                         r->status, r->status == 200 ? "OK" : "Not Found", r->type, strlen(r->body), extra, r->body);
        return n > 0 && (size_t)n < cap ? n : -1;
}

void ui_respond(int fd, const char *shape, const char *prefix, const char *path, const char *extra) {
        static char out[8192];
        static struct ui_reply r;
        ui_route(shape, prefix, path, &r);
        int n = ui_format_reply(&r, extra, out, sizeof out);
        if (n > 0)
                (void)send_all(fd, out, (size_t)n);
        shutdown(fd, SHUT_WR);
}

static int ui_send(struct ui_conn *c, const struct ui_opts *o, const struct ui_reply *r) {
        char head[2048];
        size_t len = (size_t)snprintf(head, sizeof head,
                                      "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                                      "Cache-Control: no-store\r\nConnection: close\r\n",
                                      r->status, r->status == 200 ? "OK" : "Not Found", r->type, strlen(r->body));
        for (size_t i = 0; i < o->n_headers && len < sizeof head; i++)
                len += (size_t)snprintf(head + len, sizeof head - len, "%s\r\n", o->headers[i]);
        if (len + 2 >= sizeof head)
                return -1;
        memcpy(head + len, "\r\n", 3);
        if (conn_write(c, head, len + 2) < 0 || conn_write(c, r->body, strlen(r->body)) < 0)
                return -1;
        if (c->ssl)
                SSL_shutdown(c->ssl);
        shutdown(c->fd, SHUT_WR);
        return 0;
}

/* "GET /path?query HTTP/1.1" -> "/path"; false for anything else. */
static bool request_path(const char *head, char *path, size_t cap) {
        if (strncmp(head, "GET ", 4) != 0 && strncmp(head, "HEAD ", 5) != 0)
                return false;
        const char *p = strchr(head, ' ') + 1;
        size_t len = strcspn(p, " ?#\r\n");
        if (*p != '/' || len >= cap)
                return false;
        memcpy(path, p, len);
        path[len] = '\0';
        return true;
}

/* Reads the request head (the body of a GET is empty); false on EOF, timeout or an oversized head. */
static bool ui_read_head(struct ui_conn *c, char *buf, size_t cap) {
        size_t len = 0;
        while (len + 1 < cap) {
                ssize_t n = conn_read(c, buf + len, cap - 1 - len);
                if (n <= 0)
                        return false;
                len += (size_t)n;
                buf[len] = '\0';
                if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
                        return true;
        }
        return false;
}

static void ui_serve(struct ui_conn *c, const struct ui_opts *o) {
        char head[HEAD_MAX], path[1024];
        struct ui_reply r;
        if (!ui_read_head(c, head, sizeof head))
                return;
        if (!request_path(head, path, sizeof path))
                reply_text(&r, 405, "text/plain", "archy-standin ui: only GET\n");
        else
                ui_route(o->shape, o->prefix, path, &r);
        logmsg("%.*s -> %d", (int)strcspn(head, "\r\n"), head, r.status);
        (void)ui_send(c, o, &r);
}

static bool valid_header(const char *h) {
        const char *colon = strchr(h, ':');
        return colon && colon != h && colon[1] == ' ' && !strpbrk(h, "\r\n");
}

static bool set_base(struct ui_opts *o, const char *base) {
        size_t len = strlen(base);
        while (len > 1 && base[len - 1] == '/')
                len--;
        if (base[0] != '/' || len < 2 || len >= sizeof o->prefix || strpbrk(base, "'\"<> ?#\\"))
                return false;
        memcpy(o->prefix, base, len);
        o->prefix[len] = '\0';
        return true;
}

static int ui_check_opts(const struct ui_opts *o, bool port_ok, const char *base) {
        if (!port_ok || !o->shape)
                return -1;
        bool root_path = strcmp(o->shape, "root-path") == 0;
        if (!root_path && strcmp(o->shape, "base-root") != 0 && strcmp(o->shape, "cra") != 0) {
                logmsg("unknown --shape '%s' (base-root, cra or root-path)", o->shape);
                return -1;
        }
        if (root_path != (base != NULL)) {
                logmsg("--base PATH is required with --shape root-path and only there");
                return -1;
        }
        return 0;
}

static int parse_ui_opts(int argc, char **argv, struct ui_opts *o) {
        static const struct option opts[] = {
                {"port", required_argument, NULL, 'p'}, {"shape", required_argument, NULL, 's'},
                {"base", required_argument, NULL, 'b'}, {"header", required_argument, NULL, 'H'},
                {"tls", required_argument, NULL, 't'},  {NULL, 0, NULL, 0}};
        *o = (struct ui_opts){0};
        const char *base = NULL;
        bool port_ok = false;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1)
                switch (c) {
                case 'p': port_ok = parse_ulong(optarg, 1, 65535, &o->port); break;
                case 's': o->shape = optarg; break;
                case 'b':
                        base = optarg;
                        if (!set_base(o, base)) {
                                logmsg("--base '%s': wanted an absolute path like /btcpay", base);
                                return -1;
                        }
                        break;
                case 'H':
                        if (o->n_headers == UI_MAX_HEADERS || !valid_header(optarg)) {
                                logmsg("--header '%s': wanted 'Name: value' (at most %d)", optarg, UI_MAX_HEADERS);
                                return -1;
                        }
                        o->headers[o->n_headers++] = optarg;
                        break;
                case 't': /* --tls CERT KEY: the key is the next argument */
                        if (optind >= argc)
                                return -1;
                        o->tls_cert = optarg;
                        o->tls_key = argv[optind++];
                        break;
                default: return -1;
                }
        return optind == argc ? ui_check_opts(o, port_ok, base) : -1;
}

static SSL_CTX *ui_tls(const struct ui_opts *o) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        if (ctx && SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert) == 1 &&
            SSL_CTX_use_PrivateKey_file(ctx, o->tls_key, SSL_FILETYPE_PEM) == 1 && SSL_CTX_check_private_key(ctx) == 1)
                return ctx;
        char why[256];
        ERR_error_string_n(ERR_get_error(), why, sizeof why);
        logmsg("--tls %s %s: %s", o->tls_cert, o->tls_key, why);
        SSL_CTX_free(ctx);
        return NULL;
}

static void ui_child(int fd, SSL_CTX *ctx, const struct ui_opts *o) {
        struct ui_conn c = {.fd = fd};
        if (ctx) {
                c.ssl = SSL_new(ctx);
                if (!c.ssl || SSL_set_fd(c.ssl, fd) != 1 || SSL_accept(c.ssl) != 1)
                        return; /* a client that gave up on the self-signed certificate */
        }
        ui_serve(&c, o);
}

int ui_main(int argc, char **argv) {
        struct ui_opts o;
        if (parse_ui_opts(argc, argv, &o) < 0) {
                usage(stderr);
                return 2;
        }
        SSL_CTX *ctx = NULL;
        if (o.tls_cert && !(ctx = ui_tls(&o)))
                return 1;
        int lfd = listen_tcp((unsigned)o.port);
        if (lfd < 0) {
                logmsg("listen on port %lu: %s", o.port, strerror(errno));
                return 1;
        }
        if (install_signals() < 0 || signal(SIGCHLD, SIG_IGN) == SIG_ERR)
                return 1;
        logmsg("UI shape %s on %s://0.0.0.0:%lu%s%s", o.shape, ctx ? "https" : "http", o.port,
               o.prefix[0] ? ", root path " : "", o.prefix);
        while (!stop_signal) {
                char peer[64];
                if (wait_readable(lfd, -1) <= 0)
                        continue;
                int fd = accept_client(lfd, 5, peer, sizeof peer);
                if (fd < 0)
                        continue;
                /* One process per connection: a browser's idle preconnect must not hold up the page. */
                pid_t pid = fork();
                if (pid == 0) {
                        close(lfd);
                        ui_child(fd, ctx, &o);
                        _exit(0);
                }
                close(fd);
        }
        close(lfd);
        SSL_CTX_free(ctx);
        return 0;
}
