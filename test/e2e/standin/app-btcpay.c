/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * btcpay: stands in for BTCPay Server's web process (btcpayserver/btcpayserver v2.0.7 and v2.4.0; the
 * manifest pins docker.io/btcpayserver/btcpayserver:2.4.0). Reads the BTCPAY_* env as the real one,
 * refuses where it refuses, and keeps probing postgres (psql), NBXplorer (with its cookie) and lnd's
 * REST endpoint (macaroon and certificate files). Serves the UI and ~/api/v1/health under its root path
 * with the framing headers the real one sends; GET ~/archy/status tells what it is connected to.
 * dotnet: the images' entry command, `dotnet BTCPayServer.dll` or `dotnet NBXplorer.dll`.
 */
#include "btcpay-lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct btcpay {
        struct pgconn pg;
        char root[BP_FIELD];
        char nbx_host[BP_FIELD], nbx_port[16], nbx_path[BP_FIELD], cookie_file[BP_FIELD];
        char ln_error[BP_FIELD], ln_host[BP_FIELD], ln_port[16], ln_macaroon[BP_FIELD], ln_cert[BP_FIELD];
        bool ln_configured;
        char pg_state[BP_STATE], nbx_state[BP_STATE], ln_state[BP_STATE];
};

/* The headers every MVC response gets: Startup.cs v2.0.7 (filters XFrameOptions Deny, nosniff,
 * XXSSProtection, ReferrerPolicy same-origin, ContentSecurityPolicy AntiXSS: script-src 'self'). */
#define BTCPAY_HEADERS                                                                                                 \
        "X-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\nX-XSS-Protection: 1; mode=block\r\n"              \
        "Referrer-Policy: same-origin\r\nContent-Security-Policy: script-src 'self'\r\n"

static int refuse(const char *msg, const char *contract) {
        logmsg("%s (contract: btcpayserver/btcpayserver v2.0.7 %s)", msg, contract);
        return 1;
}

static const char *kv_get(const char *cs, const char *key, char *out, size_t cap) {
        size_t kl = strlen(key);
        for (const char *p = cs; p && *p; p = strchr(p, ';'), p = p ? p + 1 : NULL)
                if (strncasecmp(p, key, kl) == 0 && p[kl] == '=') {
                        size_t vl = strcspn(p + kl + 1, ";");
                        snprintf(out, cap, "%.*s", (int)vl, p + kl + 1);
                        return out;
                }
        return NULL;
}

/* BTCPayServer.Lightning LndConnectionStringHandler.cs (btcpayserver/BTCPayServer.Lightning master,
 * since 2023-10 "Pluginize Lightning library"): the same keys and error texts. */
static const char *lnd_parse(struct btcpay *b, const char *cs) {
        char type[64], server[BP_FIELD], path[BP_FIELD], v[BP_FIELD];
        bool https, insecure = false;
        if (!kv_get(cs, "type", type, sizeof type) || strcmp(type, "lnd-rest") != 0)
                return "the stand-in knows type=lnd-rest only";
        if (!kv_get(cs, "server", server, sizeof server))
                return "The key 'server' is mandatory for lnd connection strings";
        if (parse_http_url(server, &https, b->ln_host, sizeof b->ln_host, b->ln_port, sizeof b->ln_port, path,
                           sizeof path) < 0)
                return "The key 'server' should be an URI starting by http:// or https://";
        if (kv_get(cs, "macaroonfilepath", b->ln_macaroon, sizeof b->ln_macaroon)) {
                size_t l = strlen(b->ln_macaroon);
                if (l < 9 || strcasecmp(b->ln_macaroon + l - 9, ".macaroon") != 0)
                        return "The key 'macaroonfilepath' should point to a .macaroon file";
        }
        bool thumb = kv_get(cs, "certthumbprint", v, sizeof v) != NULL;
        if (kv_get(cs, "certfilepath", b->ln_cert, sizeof b->ln_cert) && thumb)
                return "The key 'certfilepath' conflict with 'certthumbprint'";
        if (kv_get(cs, "allowinsecure", v, sizeof v)) {
                if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
                        return "The key 'allowinsecure' should be true or false";
                insecure = strcasecmp(v, "true") == 0;
        }
        if (!https && !insecure)
                return "The key 'allowinsecure' is false, but server's Uri is not using https";
        return NULL;
}

static int btcpay_config(struct btcpay *b, char *bh, char *bp, size_t cap) {
        const char *network = env_or("BTCPAY_NETWORK", "mainnet");
        const char *folder = network_folder(network);
        char err[BP_FIELD];
        if (!folder)
                return refuse("Invalid network, expected mainnet, testnet, regtest or signet",
                              "BTCPayServer/Configuration/DefaultConfiguration.cs");
        /* BTCPayServerServices.cs: configuration["postgres"] empty -> "No database option was configured." */
        const char *pg = getenv("BTCPAY_POSTGRES");
        if (!pg || !*pg)
                return refuse("No database option was configured.", "BTCPayServer/Hosting/BTCPayServerServices.cs");
        if (npgsql_parse(pg, &b->pg, err, sizeof err) < 0)
                return refuse(err, "BTCPayServer/Hosting/BTCPayServerServices.cs (Npgsql connection string)");
        /* BTCPayServerOptions.cs: rootpath, "/" prepended when missing */
        const char *root = env_or("BTCPAY_ROOTPATH", "/");
        snprintf(b->root, sizeof b->root, "%s%s%s", *root == '/' ? "" : "/", root,
                 root[strlen(root) - 1] == '/' ? "" : "/");
        /* DefaultConfiguration.GetDefaultEndpoint: 127.0.0.1 and 23000 on mainnet (BTCPayNetwork.cs) */
        if (split_hostport(env_or("BTCPAY_BIND", "127.0.0.1"), env_or("BTCPAY_PORT", "23000"), bh, cap, bp, 16) < 0)
                return refuse("Invalid BTCPAY_BIND", "BTCPayServer/Configuration/DefaultConfiguration.cs");
        /* BTCPayServerServices.cs: {crypto}.explorer.url and .cookiefile, defaults of NBXplorerDefaultSettings */
        bool https;
        if (parse_http_url(env_or("BTCPAY_BTCEXPLORERURL", "http://127.0.0.1:24444/"), &https, b->nbx_host,
                           sizeof b->nbx_host, b->nbx_port, sizeof b->nbx_port, b->nbx_path, sizeof b->nbx_path) < 0 ||
            https)
                return refuse("Invalid BTCPAY_BTCEXPLORERURL", "BTCPayServer/Hosting/BTCPayServerServices.cs");
        char def[BP_FIELD];
        snprintf(def, sizeof def, "%s/.nbxplorer/%s/.cookie", env_or("HOME", "/root"), folder);
        snprintf(b->cookie_file, sizeof b->cookie_file, "%s", env_or("BTCPAY_BTCEXPLORERCOOKIEFILE", def));
        /* an invalid {crypto}.lightning is only a warning: BTCPay starts without it (BTCPayServerServices.cs) */
        const char *ln = getenv("BTCPAY_BTCLIGHTNING");
        if (ln && *ln) {
                const char *e = lnd_parse(b, ln);
                if (e)
                        logmsg("Invalid setting BTC.lightning, %s (contract: btcpayserver/BTCPayServer.Lightning "
                               "src/BTCPayServer.Lightning.LND/LndConnectionStringHandler.cs)",
                               e);
                snprintf(b->ln_error, sizeof b->ln_error, "%s", e ? e : "");
                b->ln_configured = !e;
        }
        return 0;
}

static void set_state(char *state, const char *what, const char *now) {
        if (strcmp(state, now) != 0)
                logmsg("%s: %s", what, now);
        snprintf(state, BP_STATE, "%s", now);
        for (char *c = state; *c; c++) /* it goes into a JSON string */
                if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
                        *c = '\'';
}

static void probe_lnd(struct btcpay *b) {
        char dial_err[160];
        char buf[8192], st[BP_STATE];
        if (!b->ln_configured) {
                snprintf(st, sizeof st, "not configured%s%s", *b->ln_error ? ": " : "", b->ln_error);
                set_state(b->ln_state, "lnd", st);
                return;
        }
        if (*b->ln_macaroon && read_small_file(b->ln_macaroon, buf, sizeof buf) <= 0)
                snprintf(st, sizeof st, "not connected (macaroon %s: %s)", b->ln_macaroon, strerror(errno));
        else if (*b->ln_cert &&
                 (read_small_file(b->ln_cert, buf, sizeof buf) <= 0 || !strstr(buf, "-----BEGIN CERTIFICATE-----")))
                snprintf(st, sizeof st, "not connected (certificate %s: %s)", b->ln_cert,
                         errno ? strerror(errno) : "no PEM certificate");
        else {
                int fd = tcp_connect(b->ln_host, b->ln_port, dial_err, sizeof dial_err);
                if (fd < 0)
                        snprintf(st, sizeof st, "not connected (%s:%s: %s)", b->ln_host, b->ln_port, strerror(errno));
                else {
                        close(fd);
                        snprintf(st, sizeof st, "connected");
                }
        }
        set_state(b->ln_state, "lnd", st);
}

static void btcpay_probe(struct btcpay *b) {
        char err[BP_FIELD], st[BP_STATE], cookie[256], authz[512], b64[400], path[BP_FIELD + 32], body[4096];
        set_state(b->pg_state, "postgres",
                  pg_ensure_database(&b->pg, err, sizeof err) == 0
                          ? "connected"
                          : (snprintf(st, sizeof st, "not connected (%s)", err), st));
        /* ExplorerClient CookieAuthentication: the file's text is the Basic credential; no file, no auth */
        int n = read_small_file(b->cookie_file, cookie, sizeof cookie);
        if (n > 0) {
                base64_encode(cookie, (size_t)n, b64, sizeof b64);
                snprintf(authz, sizeof authz, "Basic %s", b64);
        }
        snprintf(path, sizeof path, "%sv1/cryptos/btc/status", b->nbx_path);
        int code = http_get(b->nbx_host, b->nbx_port, path, n > 0 ? authz : NULL, body, sizeof body);
        if (code == 200)
                snprintf(st, sizeof st, "connected");
        else
                snprintf(st, sizeof st, "not connected (%s%s)",
                         code < 0      ? "no answer"
                         : code == 401 ? "HTTP 401"
                                       : "HTTP error",
                         n > 0 ? "" : ", cookie file unreadable");
        set_state(b->nbx_state, "nbxplorer", st);
        probe_lnd(b);
}

static void btcpay_serve(int cfd, const struct btcpay *b) {
        char head[HEAD_MAX], path[BP_FIELD], want[BP_FIELD + 32], body[2048];
        size_t hl;
        if (read_head(cfd, head, sizeof head, &hl) <= 0 || sscanf(head, "GET %511s ", path) != 1) {
                http_respond(cfd, "400 Bad Request", "", "");
                return;
        }
        size_t rl = strlen(b->root);
        snprintf(want, sizeof want, "%sapi/v1/health", b->root);
        if (strcmp(path, want) == 0) {
                /* GreenfieldHealthController.cs: 200 and {"synchronized": bool}, anonymous */
                snprintf(body, sizeof body, "{\"synchronized\":%s}",
                         strcmp(b->nbx_state, "connected") == 0 ? "true" : "false");
                http_respond(cfd, "200 OK", BTCPAY_HEADERS "Content-Type: application/json\r\n", body);
                return;
        }
        snprintf(want, sizeof want, "%sarchy/status", b->root);
        if (strcmp(path, want) == 0) {
                snprintf(body, sizeof body, "{\"postgres\":\"%.300s\",\"nbxplorer\":\"%.300s\",\"lnd\":\"%.300s\"}\n",
                         b->pg_state, b->nbx_state, b->ln_state);
                http_respond(cfd, "200 OK", "Content-Type: application/json\r\n", body);
                return;
        }
        if (strncmp(path, b->root, rl) == 0 || strncmp(path, b->root, rl - 1) == 0) {
                /* the UI under the root path, assets under ROOT/main/ (Startup.cs app.Map(RootPath)) */
                char prefix[BP_FIELD];
                snprintf(prefix, sizeof prefix, "%.*s", (int)(rl - 1), b->root);
                path[strcspn(path, "?#")] = '\0';
                ui_respond(cfd, "root-path", prefix, path, BTCPAY_HEADERS);
                return;
        }
        http_respond(cfd, "404 Not Found", "", "");
}

int btcpay_main(int argc, char **argv) {
        (void)argc, (void)argv;
        static struct btcpay b;
        char bh[BP_FIELD], bp[16];
        int r = btcpay_config(&b, bh, bp, sizeof bh);
        if (r != 0)
                return r;
        int lfd = listen_bind(bh, bp);
        if (lfd < 0 || install_signals() < 0) {
                logmsg("cannot listen on %s:%s: %s", bh, bp, strerror(errno));
                return 1;
        }
        logmsg("Now listening on: http://%s:%s (root path %s)", bh, bp, b.root);
        int64_t next = 0;
        while (!stop_signal) {
                if (now_ms() >= next) {
                        btcpay_probe(&b);
                        next = now_ms() + 5000;
                }
                char peer[64];
                int cfd = wait_readable(lfd, 1000) > 0 ? accept_client(lfd, 5, peer, sizeof peer) : -1;
                if (cfd >= 0) {
                        btcpay_serve(cfd, &b);
                        close(cfd);
                }
        }
        close(lfd);
        return 0;
}

/* The images run `dotnet BTCPayServer.dll` (docker-entrypoint.sh) and `dotnet NBXplorer.dll` (ENTRYPOINT). */
int dotnet_main(int argc, char **argv) {
        const char *dll = argc >= 2 ? argv[1] : "";
        const char *base = strrchr(dll, '/');
        base = base ? base + 1 : dll;
        if (strcmp(base, "BTCPayServer.dll") == 0)
                return btcpay_main(argc - 1, argv + 1);
        if (strcmp(base, "NBXplorer.dll") == 0)
                return nbxplorer_main(argc - 1, argv + 1);
        logmsg("dotnet stand-in: expected BTCPayServer.dll or NBXplorer.dll, got \"%s\"", dll);
        return 1;
}
