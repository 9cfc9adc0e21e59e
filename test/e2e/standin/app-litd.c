/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lncli and litd applets: the clients of lnd. Each trusts exactly lnd's tls.cert and checks the name
 * it dials against it, as Go's crypto/tls does for lncli (cmd/commands/main.go of lightningnetwork/lnd
 * v0.20.3-beta) and for litd's remote lnd connection (lightninglabs/lightning-terminal v0.16.1-alpha,
 * subservers/config.go RemoteDaemonConfig, via lndclient).
 */
#include "app-lnd.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int lnd_request(const char *hostport, const char *certfile, const char *req, char *buf, size_t cap, char *err,
                size_t errcap) {
        char host[256];
        snprintf(host, sizeof host, "%s", hostport);
        char *port = strrchr(host, ':');
        if (port)
                *port++ = '\0';
        void *ctx = tls_client_ctx(certfile);
        if (!ctx) {
                snprintf(err, errcap, "could not load TLS cert file %s: %s", certfile, strerror(ENOENT));
                return -1;
        }
        int fd = tcp_connect(host, port ? port : "10009", err, errcap);
        if (fd < 0)
                return -1;
        void *s = tls_connect(ctx, fd, host, err, errcap);
        int r = -1;
        if (s && tls_write_all(s, req, strlen(req)) == 0 && tls_read_all(s, buf, cap) > 0)
                r = 0;
        else if (s)
                snprintf(err, errcap, "no reply from %s", hostport);
        tls_free(s);
        close(fd);
        return r;
}

static const char *http_body(const char *reply) {
        const char *b = strstr(reply, "\r\n\r\n");
        return b ? b + 4 : "";
}

/* lncli [global options] state|getinfo (cmd/commands of lnd v0.20.3-beta): state needs no macaroon */
int lncli_main(int argc, char **argv) {
        char *lnddir = NULL, *network = NULL, *rpcserver = NULL, *tlscert = NULL, *macpath = NULL, *chain = NULL;
        bool nomac = false;
        const struct gf_opt o[] = {{"lnddir", GF_STR, &lnddir},        {"network", GF_STR, &network},
                                   {"rpcserver", GF_STR, &rpcserver},  {"tlscertpath", GF_STR, &tlscert},
                                   {"macaroonpath", GF_STR, &macpath}, {"chain", GF_STR, &chain},
                                   {"no-macaroons", GF_BOOL, &nomac},  {0}};
        char err[1024], cert[600], mac[700], req[1024], reply[16384];
        int cmd = 1;
        while (cmd < argc && strncmp(argv[cmd], "--", 2) == 0)
                cmd += strchr(argv[cmd], '=') || strcmp(argv[cmd], "--no-macaroons") == 0 ? 1 : 2;
        if (gf_parse_flags(o, cmd < argc ? cmd : argc, argv, err, sizeof err) < 0) {
                fprintf(stderr, "[lncli] %s\n", err);
                return 1;
        }
        if (cmd >= argc || (strcmp(argv[cmd], "state") != 0 && strcmp(argv[cmd], "getinfo") != 0)) {
                fprintf(stderr, "[lncli] stand-in knows the commands state and getinfo\n");
                return 1;
        }
        const char *dir = lnddir ? lnddir : "/root/.lnd", *net = network ? network : "mainnet";
        snprintf(cert, sizeof cert, "%s", tlscert ? tlscert : "");
        if (!*cert)
                snprintf(cert, sizeof cert, "%s/tls.cert", dir);
        snprintf(mac, sizeof mac, "%s", macpath ? macpath : "");
        if (!*mac)
                snprintf(mac, sizeof mac, "%s/data/chain/bitcoin/%s/admin.macaroon", dir, net);
        struct stat st;
        if (stat(cert, &st) < 0) {
                fprintf(stderr, "[lncli] could not load global options: unable to read TLS cert (%s): open %s: %s\n",
                        cert, cert, strerror(errno));
                return 1;
        }
        char machdr[300] = "";
        if (strcmp(argv[cmd], "getinfo") == 0 && !nomac) {
                unsigned char m[128];
                FILE *f = fopen(mac, "re");
                size_t n = f ? fread(m, 1, sizeof m, f) : 0;
                if (!f) {
                        fprintf(stderr, "[lncli] could not load macaroon %s: %s\n", mac, strerror(errno));
                        return 1;
                }
                fclose(f);
                int k = snprintf(machdr, sizeof machdr, "Grpc-Metadata-macaroon: ");
                for (size_t i = 0; i < n && k + 3 < (int)sizeof machdr; i++)
                        k += sprintf(machdr + k, "%02x", m[i]);
                snprintf(machdr + k, sizeof machdr - k, "\r\n");
        }
        const char *server = rpcserver ? rpcserver : "localhost:10009";
        snprintf(req, sizeof req, "GET /v1/%s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n", argv[cmd], server,
                 machdr);
        if (lnd_request(server, cert, req, reply, sizeof reply, err, sizeof err) < 0) {
                fprintf(stderr,
                        "[lncli] rpc error: code = Unavailable desc = connection error: desc = \"transport: %s\"\n",
                        err);
                return 1;
        }
        int code = 0;
        sscanf(reply, "HTTP/%*d.%*d %d", &code);
        printf("%s\n", http_body(reply));
        return code == 200 ? 0 : 1;
}

struct litd {
        char *uipassword, *uipassword_file, *uipassword_env, *lnd_mode, *network, *httpslisten, *lit_dir, *rpcserver,
                *macaroonpath, *tlscertpath, *insecure_http, *lit_tlscert, *faraday, *loop, *pool, *tap;
        bool disableui, enablerest, autopilot_disable;
        char lnd[512];
        void *tls;
};

/* read the UI password as readUIPassword in config.go (v0.16.1-alpha): direct, file, env, trimmed */
static int ui_password(struct litd *c) {
        char buf[4096] = "";
        const char *pw = c->uipassword;
        if (!pw && c->uipassword_file) {
                FILE *f = fopen(c->uipassword_file, "re");
                if (!f) {
                        fprintf(stderr, "could not read UI password: could not read file %s: open %s: %s\n",
                                c->uipassword_file, c->uipassword_file, strerror(errno));
                        return 1;
                }
                size_t n = fread(buf, 1, sizeof buf - 1, f);
                fclose(f);
                buf[n] = '\0';
                pw = buf;
        } else if (!pw && c->uipassword_env)
                pw = getenv(c->uipassword_env);
        if (!pw) {
                fprintf(stderr, "could not read UI password: mandatory password for UI not configured. specify "
                                "either a password directly or a file or environment variable that contains the "
                                "password (contract: lightninglabs/lightning-terminal config.go)\n");
                return 1;
        }
        size_t len = strlen(pw);
        while (len > 0 && strchr(" \t\r\n", pw[len - 1]))
                len--;
        pw += strspn(pw, " \t\r\n");
        if (len < 8 + (size_t)(pw - (c->uipassword ? c->uipassword : pw))) {
                fprintf(stderr, "please set a strong password for the UI, at least 8 characters long (contract: "
                                "lightninglabs/lightning-terminal config.go)\n");
                return 1;
        }
        return 0;
}

static void litd_probe_lnd(struct litd *c) {
        char req[1024], reply[8192], err[700], mac[300];
        const char *server = c->rpcserver ? c->rpcserver : "localhost:10009";
        const char *net = c->network ? c->network : "mainnet";
        char defmac[300], defcert[300];
        snprintf(defmac, sizeof defmac, "/root/.lnd/data/chain/bitcoin/%s/admin.macaroon", net);
        snprintf(defcert, sizeof defcert, "/root/.lnd/tls.cert");
        const char *macpath = c->macaroonpath ? c->macaroonpath : defmac;
        const char *cert = c->tlscertpath ? c->tlscertpath : defcert;
        unsigned char m[128];
        FILE *f = fopen(macpath, "re");
        size_t n = f ? fread(m, 1, sizeof m, f) : 0;
        if (f)
                fclose(f);
        if (!f) {
                snprintf(c->lnd, sizeof c->lnd, "not connected: could not read macaroon file %s: %s", macpath,
                         strerror(errno));
                return;
        }
        int k = 0;
        for (size_t i = 0; i < n; i++)
                k += snprintf(mac + k, sizeof mac - k, "%02x", m[i]);
        snprintf(req, sizeof req,
                 "GET /v1/getinfo HTTP/1.1\r\nHost: %s\r\nGrpc-Metadata-macaroon: %s\r\nConnection: close\r\n\r\n",
                 server, mac);
        if (lnd_request(server, cert, req, reply, sizeof reply, err, sizeof err) < 0) {
                snprintf(c->lnd, sizeof c->lnd, "not connected: %.480s", err);
                return;
        }
        int code = 0;
        sscanf(reply, "HTTP/%*d.%*d %d", &code);
        if (code == 200)
                snprintf(c->lnd, sizeof c->lnd, "connected");
        else
                snprintf(c->lnd, sizeof c->lnd, "not connected: lnd answered %d: %.300s", code, http_body(reply));
}

static void litd_serve_one(struct litd *c, int fd) {
        void *s = tls_accept(c->tls, fd);
        char buf[8192], path[256] = "", out[8192];
        size_t head_len;
        if (s && tls_read_request(s, buf, sizeof buf, &head_len) >= 0 && sscanf(buf, "%*s %255s", path) == 1) {
                bool ok = strcmp(c->lnd, "connected") == 0;
                int n;
                if (strcmp(path, "/archy-standin/status") == 0)
                        n = snprintf(out, sizeof out,
                                     "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                                     "Connection: close\r\n\r\n%s",
                                     ok ? "200 OK" : "503 Service Unavailable", strlen(c->lnd), c->lnd);
                else {
                        /* the UI is a create-react-app build served at / with client-side routes
                         * (ClientRouteWrapper, terminal.go); litd sets no X-Frame-Options or CSP */
                        static struct ui_reply r;
                        path[strcspn(path, "?#")] = '\0';
                        ui_route("cra", "", path, &r);
                        n = ui_format_reply(&r, "", out, sizeof out);
                }
                if (n > 0 && (size_t)n < sizeof out)
                        (void)tls_write_all(s, out, (size_t)n);
        }
        tls_free(s);
        close(fd);
}

static int litd_run(struct litd *c) {
        char dir[512], cert[600], key[600];
        snprintf(dir, sizeof dir, "%s", c->lit_dir ? c->lit_dir : "/root/.lit");
        (void)mkdir(dir, 0700);
        snprintf(cert, sizeof cert, "%s/tls.cert", dir);
        snprintf(key, sizeof key, "%s/tls.key", dir);
        struct stat st;
        if ((stat(cert, &st) < 0 || stat(key, &st) < 0) &&
            tls_make_cert(cert, key, "localhost", "DNS:localhost,IP:127.0.0.1") < 0) {
                fprintf(stderr, "could not create litd TLS certificate %s\n", cert);
                return 1;
        }
        if (!(c->tls = tls_server_ctx(cert, key)))
                return 1;
        /* defaultHTTPSListen = "127.0.0.1:8443" (config.go v0.16.1-alpha) */
        const char *listen = c->httpslisten ? c->httpslisten : "127.0.0.1:8443";
        char host[256];
        snprintf(host, sizeof host, "%s", listen);
        char *port = strrchr(host, ':');
        if (!port)
                return fprintf(stderr, "invalid httpslisten %s\n", listen), 1;
        *port++ = '\0';
        unsigned long p;
        int lfd = parse_ulong(port, 1, 65535, &p) ? listen_tcp_on(host, (unsigned)p) : -1;
        if (lfd < 0)
                return fprintf(stderr, "unable to listen on %s: %s\n", listen, strerror(errno)), 1;
        logmsg("Listening for HTTPS (UI) on %s", listen);
        int64_t next = 0;
        snprintf(c->lnd, sizeof c->lnd, "not connected: not tried yet");
        while (!stop_signal) {
                if (now_ms() >= next) {
                        char was[512];
                        snprintf(was, sizeof was, "%s", c->lnd);
                        litd_probe_lnd(c);
                        if (strcmp(was, c->lnd) != 0)
                                logmsg("lnd %s", c->lnd);
                        next = now_ms() + 5000;
                }
                struct pollfd pf = {.fd = lfd, .events = POLLIN};
                if (poll(&pf, 1, 1000) > 0) {
                        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                        if (fd >= 0) {
                                set_timeouts(fd, 5);
                                litd_serve_one(c, fd);
                        }
                }
        }
        return 0;
}

/* litd's flags (config.go, subservers/config.go of lightning-terminal v0.16.1-alpha) */
int litd_main(int argc, char **argv) {
        static struct litd c;
        const struct gf_opt o[] = {{"uipassword", GF_STR, &c.uipassword},
                                   {"uipassword_file", GF_STR, &c.uipassword_file},
                                   {"uipassword_env", GF_STR, &c.uipassword_env},
                                   {"disableui", GF_BOOL, &c.disableui},
                                   {"lnd-mode", GF_STR, &c.lnd_mode},
                                   {"network", GF_STR, &c.network},
                                   {"httpslisten", GF_STR, &c.httpslisten},
                                   {"insecure-httplisten", GF_STR, &c.insecure_http},
                                   {"enablerest", GF_BOOL, &c.enablerest},
                                   {"lit-dir", GF_STR, &c.lit_dir},
                                   {"tlscertpath", GF_STR, &c.lit_tlscert},
                                   {"remote.lnd.rpcserver", GF_STR, &c.rpcserver},
                                   {"remote.lnd.macaroonpath", GF_STR, &c.macaroonpath},
                                   {"remote.lnd.tlscertpath", GF_STR, &c.tlscertpath},
                                   {"faraday-mode", GF_STR, &c.faraday},
                                   {"loop-mode", GF_STR, &c.loop},
                                   {"pool-mode", GF_STR, &c.pool},
                                   {"taproot-assets-mode", GF_STR, &c.tap},
                                   {"autopilot.disable", GF_BOOL, &c.autopilot_disable},
                                   {0}};
        char err[1024];
        if (install_signals() < 0)
                return 1;
        if (gf_parse_flags(o, argc, argv, err, sizeof err) < 0) {
                fprintf(stderr, "%s (contract: lightninglabs/lightning-terminal config.go)\n", err);
                return 1;
        }
        static const char *const nets[] = {"regtest", "testnet", "testnet4", "mainnet", "simnet", "signet"};
        bool net_ok = !c.network;
        for (size_t i = 0; !net_ok && i < 6; i++)
                net_ok = strcmp(c.network, nets[i]) == 0;
        if (!net_ok) {
                fprintf(stderr, "Invalid value `%s' for option `--network'\n", c.network);
                return 1;
        }
        if (c.lnd_mode && strcmp(c.lnd_mode, "remote") != 0) {
                fprintf(stderr, "the stand-in models --lnd-mode=remote only, not %s\n", c.lnd_mode);
                return 1;
        }
        if (!c.disableui && ui_password(&c))
                return 1;
        int r = litd_run(&c);
        gf_free(o);
        return r;
}
