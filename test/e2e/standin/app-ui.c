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
 *              /config.json at start (the CRA build layout: lightning-terminal's UI, and the v0.5
 *              fedimint/ui guardian UI, which fetched /config.json; fedimintd v0.7+ is "guardian").
 *   guardian   fedimintd's built-in guardian UI (fedimint/fedimint fedimint-server-ui and
 *              fedimint-ui-common, src/assets.rs and common_head in src/lib.rs): the page at / only,
 *              assets at exact routes /assets/{bootstrap.min.css,style.css,htmx.org-2.0.4.min.js,
 *              bootstrap.bundle.min.js,logo.png} with their content types; the script checks the
 *              stylesheet and fetches /assets/logo.png (image/png). docs/contracts/fedimint.md.
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
        void *ssl; /* tls.c's handle, NULL on plain HTTP */
};

static ssize_t conn_read(struct ui_conn *c, char *buf, size_t len) {
        if (c->ssl)
                return tls_read(c->ssl, buf, len);
        return recv(c->fd, buf, len, 0);
}

static int conn_write(struct ui_conn *c, const char *buf, size_t len) {
        if (!c->ssl)
                return send_all(c->fd, buf, len);
        return tls_write_all(c->ssl, buf, len);
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
        "    if (!WANT) return r.json();\n"
        "    if (r.headers.get('content-type') !== WANT) throw new Error(CONFIG + ' is not ' + WANT);\n"
        "    return {shape: SHAPE};\n"
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
        r->cache = "no-store";
        r->location = NULL;
        int n = vsnprintf(r->body, sizeof r->body, fmt, ap);
        r->len = n < 0 ? 0 : (size_t)n < sizeof r->body ? (size_t)n : sizeof r->body - 1;
        va_end(ap);
}

static void reply_page(struct ui_reply *r, const char *shape, const char *head) {
        reply_text(r, 200, "text/html; charset=utf-8",
                   "<!doctype html>\n<html><head><meta charset=\"utf-8\">\n<title>archy stand-in UI (%s)</title>\n%s"
                   "</head><body><h1>archy stand-in UI (%s)</h1><p id=\"state\">loading</p></body></html>\n",
                   shape, head, shape);
}

/* The script fetches CONFIG: JSON naming SHAPE, or (want non-empty) any body of content type WANT. */
static void reply_js(struct ui_reply *r, const char *shape, const char *config, const char *want) {
        reply_text(r, 200, "application/javascript", "var SHAPE = '%s', CONFIG = '%s', WANT = '%s';\n%s", shape, config,
                   want, ui_js);
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
                reply_js(r, "base-root", "resources/config.json", "");
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
                reply_js(r, "cra", "/config.json", "");
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
                reply_js(r, "root-path", config, "");
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

/* fedimint-ui-common src/assets.rs: each asset one exact route, an hour's public cache. */
static void guardian_asset(struct ui_reply *r, const char *path) {
        static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4"
                                           "\x89\0\0\0\x0bIDATx\x9c\x63\x60\0\x02\0\0\x05\0\x01\x7a\x5e\xab\x3f\0\0\0\0"
                                           "IEND\xae\x42\x60\x82";
        if (strcmp(path, "/assets/style.css") == 0)
                reply_css(r);
        else if (strcmp(path, "/assets/bootstrap.min.css") == 0)
                reply_text(r, 200, "text/css", "/* archy stand-in: bootstrap's place */\n");
        else if (strcmp(path, "/assets/htmx.org-2.0.4.min.js") == 0)
                reply_js(r, "guardian", "/assets/logo.png", "image/png");
        else if (strcmp(path, "/assets/bootstrap.bundle.min.js") == 0)
                reply_text(r, 200, "application/javascript", "/* archy stand-in: bootstrap's place */\n");
        else if (strcmp(path, "/assets/logo.png") == 0) {
                reply_text(r, 200, "image/png", "%s", "");
                memcpy(r->body, png, sizeof png - 1);
                r->len = sizeof png - 1;
        } else {
                reply_404(r, path, "no such route");
                return;
        }
        r->cache = "public, max-age=3600";
}

/* fedimintd's guardian UI (fedimint-server-ui, fedimint-ui-common common_head): server-rendered, every
 * URL absolute from the root, the page at / only; any other path is axum's 404. */
static void route_guardian(const char *path, struct ui_reply *r) {
        if (has_prefix(path, "/assets/"))
                guardian_asset(r, path);
        else if (strcmp(path, "/") == 0)
                ui_guardian_page(r);
        else
                reply_404(r, path, "no such route");
}

void ui_guardian_page(struct ui_reply *r) {
        reply_page(r, "guardian",
                   "<link rel=\"stylesheet\" href=\"/assets/bootstrap.min.css\">\n"
                   "<link rel=\"stylesheet\" type=\"text/css\" href=\"/assets/style.css\">\n"
                   "<link rel=\"icon\" type=\"image/png\" href=\"/assets/logo.png\">\n"
                   "<script defer src=\"/assets/htmx.org-2.0.4.min.js\"></script>\n"
                   "<script defer src=\"/assets/bootstrap.bundle.min.js\"></script>\n");
}

void ui_route(const char *shape, const char *prefix, const char *path, struct ui_reply *r) {
        if (strcmp(shape, "guardian") == 0)
                route_guardian(path, r);
        else if (strcmp(shape, "base-root") == 0)
                route_base_root(path, r);
        else if (strcmp(shape, "cra") == 0)
                route_cra(path, r);
        else
                route_root_path(prefix, path, r);
}

static const char *status_text(int status) {
        switch (status) {
        case 200: return "OK";
        case 303: return "See Other";
        case 404: return "Not Found";
        default: return "Method Not Allowed";
        }
}

static int format_head(const struct ui_reply *r, char *out, size_t cap) {
        int n = snprintf(out, cap, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: %s\r\n",
                         r->status, status_text(r->status), r->type, r->len, r->cache);
        if (n > 0 && (size_t)n < cap && r->location)
                n += snprintf(out + n, cap - (size_t)n, "Location: %s\r\n", r->location);
        return n > 0 && (size_t)n < cap ? n : -1;
}

int ui_format_reply(const struct ui_reply *r, const char *extra, char *out, size_t cap) {
        int n = format_head(r, out, cap);
        if (n < 0)
                return -1;
        int m = snprintf(out + n, cap - (size_t)n, "Connection: close\r\n%s\r\n", extra);
        if (m < 0 || (size_t)(n + m) + r->len >= cap)
                return -1;
        memcpy(out + n + m, r->body, r->len);
        return n + m + (int)r->len;
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
        int n = format_head(r, head, sizeof head);
        if (n < 0)
                return -1;
        size_t len = (size_t)n + (size_t)snprintf(head + n, sizeof head - (size_t)n, "Connection: close\r\n");
        for (size_t i = 0; i < o->n_headers && len < sizeof head; i++)
                len += (size_t)snprintf(head + len, sizeof head - len, "%s\r\n", o->headers[i]);
        if (len + 2 >= sizeof head)
                return -1;
        memcpy(head + len, "\r\n", 3);
        if (conn_write(c, head, len + 2) < 0 || conn_write(c, r->body, r->len) < 0)
                return -1;
        tls_shutdown(c->ssl);
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
        if (!root_path && strcmp(o->shape, "base-root") != 0 && strcmp(o->shape, "cra") != 0 &&
            strcmp(o->shape, "guardian") != 0) {
                logmsg("unknown --shape '%s' (base-root, cra, guardian or root-path)", o->shape);
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

static void ui_child(int fd, void *ctx, const struct ui_opts *o) {
        struct ui_conn c = {.fd = fd};
        if (ctx && !(c.ssl = tls_accept(ctx, fd)))
                return; /* a client that gave up on the self-signed certificate */
        ui_serve(&c, o);
        tls_free(c.ssl);
}

int ui_main(int argc, char **argv) {
        struct ui_opts o;
        if (parse_ui_opts(argc, argv, &o) < 0) {
                usage(stderr);
                return 2;
        }
        void *ctx = NULL;
        if (o.tls_cert && !(ctx = tls_server_ctx(o.tls_cert, o.tls_key)))
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
        tls_ctx_free(ctx);
        return 0;
}
