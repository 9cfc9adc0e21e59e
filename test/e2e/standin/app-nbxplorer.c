/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nbxplorer: stands in for NBXplorer (dgarage/NBXplorer v2.5.17 and v2.6.7; the manifest pins
 * docker.io/nicolasdorier/nbxplorer:2.6.8). Reads the NBXPLORER_* env as the real one, refuses where it
 * refuses, writes its cookie where it does, and keeps probing postgres (psql), bitcoind's RPC and P2P.
 * GET /v1/cryptos/btc/status (cookie auth) answers 200 with what it is connected to.
 */
#include "btcpay-lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

struct nbx {
        struct pgconn pg;
        char rpc_host[BP_FIELD], rpc_port[16], rpc_path[BP_FIELD], rpc_authz[BP_STATE];
        char p2p_host[BP_FIELD], p2p_port[16];
        char cookie_authz[512];
        char pg_state[BP_STATE], rpc_state[BP_STATE], p2p_state[BP_STATE];
        long long blocks;
        bool noauth;
};

static int refuse(const char *msg, const char *contract) {
        logmsg("%s (contract: dgarage/NBXplorer v2.5.17 %s)", msg, contract);
        return 1;
}

/* RPCArgs.ConfigureRPCClient (NBXplorer/Configuration/RPCArgs.cs v2.5.17): user+password, else a cookie file. */
static int nbx_rpc_config(struct nbx *x) {
        const char *url = env_or("NBXPLORER_BTCRPCURL", "http://localhost:8332/");
        const char *user = getenv("NBXPLORER_BTCRPCUSER"), *pass = getenv("NBXPLORER_BTCRPCPASSWORD");
        const char *cookie = getenv("NBXPLORER_BTCRPCCOOKIEFILE");
        bool https;
        if (parse_http_url(url, &https, x->rpc_host, sizeof x->rpc_host, x->rpc_port, sizeof x->rpc_port, x->rpc_path,
                           sizeof x->rpc_path) < 0 ||
            https)
                return refuse("BTC: invalid NBXPLORER_BTCRPCURL, expected http://host:port/",
                              "NBXplorer/Configuration/RPCArgs.cs");
        char creds[2 * BP_FIELD + 2], b64[BP_FIELD];
        if (user && pass)
                snprintf(creds, sizeof creds, "%s:%s", user, pass);
        else {
                char def[BP_FIELD];
                snprintf(def, sizeof def, "%s/.bitcoin/.cookie", env_or("HOME", "/root"));
                if (read_small_file(cookie ? cookie : def, creds, sizeof creds) <= 0)
                        return refuse("BTC: RPC connection settings not configured",
                                      "NBXplorer/Configuration/RPCArgs.cs");
                creds[strcspn(creds, "\r\n")] = '\0';
        }
        base64_encode(creds, strlen(creds), b64, sizeof b64);
        snprintf(x->rpc_authz, sizeof x->rpc_authz, "Basic %s", b64);
        if (strcmp(x->rpc_port, "8333") == 0)
                logmsg("BTC: It seems that the RPC port (8333) is equal to the default P2P port (8333), this is "
                       "probably a misconfiguration.");
        return 0;
}

/* CookieRepository.Initialize (NBXplorer/CookieRepository.cs v2.5.17): DataDir/.cookie, "__cookie__:<hex>". */
static int nbx_write_cookie(struct nbx *x, const char *datadir) {
        char path[BP_FIELD + 16], creds[128], b64[256];
        unsigned char rnd[32];
        if (x->noauth)
                return 0;
        if (RAND_bytes(rnd, sizeof rnd) != 1)
                return -1;
        int n = snprintf(creds, sizeof creds, "__cookie__:");
        for (size_t i = 0; i < sizeof rnd; i++)
                n += snprintf(creds + n, sizeof creds - (size_t)n, "%02x", rnd[i]);
        snprintf(path, sizeof path, "%s/.cookie", datadir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, creds, (size_t)n) != n) {
                logmsg("cannot write %s: %s", path, strerror(errno));
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        close(fd);
        base64_encode(creds, (size_t)n, b64, sizeof b64);
        snprintf(x->cookie_authz, sizeof x->cookie_authz, "Basic %s", b64);
        logmsg("cookie written to %s", path);
        return 0;
}

static int nbx_config(struct nbx *x, char *bind_host, char *bind_port, size_t cap) {
        const char *network = env_or("NBXPLORER_NETWORK", "mainnet");
        const char *folder = network_folder(network);
        if (!folder)
                return refuse("Invalid network, expected mainnet, testnet, regtest or signet",
                              "NBXplorer/Configuration/DefaultConfiguration.cs");
        const char *chains = env_or("NBXPLORER_CHAINS", "btc");
        if (strcasecmp(chains, "btc") != 0)
                return refuse("the stand-in supports NBXPLORER_CHAINS=btc only",
                              "NBXplorer/Configuration/ExplorerConfiguration.cs");
        /* DbConnectionFactory: configuration.GetRequired("POSTGRES") -> "POSTGRES is required" */
        const char *pg = getenv("NBXPLORER_POSTGRES");
        char err[BP_FIELD];
        if (!pg)
                return refuse("POSTGRES is required", "NBXplorer/Backend/DbConnectionFactory.cs");
        if (npgsql_parse(pg, &x->pg, err, sizeof err) < 0)
                return refuse(err, "NBXplorer/Backend/DbConnectionFactory.cs (Npgsql connection string)");
        if (nbx_rpc_config(x) != 0)
                return 1;
        /* ExplorerConfiguration: btc.node.endpoint, default 127.0.0.1 and the network's P2P port */
        if (split_hostport(env_or("NBXPLORER_BTCNODEENDPOINT", "127.0.0.1"), "8333", x->p2p_host, sizeof x->p2p_host,
                           x->p2p_port, sizeof x->p2p_port) < 0)
                return refuse("Invalid NBXPLORER_BTCNODEENDPOINT", "NBXplorer/Configuration/ExplorerConfiguration.cs");
        if (split_hostport(env_or("NBXPLORER_BIND", "127.0.0.1"), env_or("NBXPLORER_PORT", "24444"), bind_host, cap,
                           bind_port, 16) < 0)
                return refuse("Invalid NBXPLORER_BIND", "NBXplorer/Configuration/DefaultConfiguration.cs");
        x->noauth = env_true("NBXPLORER_NOAUTH");
        char dir[BP_FIELD];
        snprintf(dir, sizeof dir, "%s/%s", env_or("NBXPLORER_DATADIR", "/root/.nbxplorer"), folder);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return refuse("cannot create the data directory", "NBXplorer/Configuration/ExplorerConfiguration.cs");
        return nbx_write_cookie(x, dir) < 0 ? 1 : 0;
}

static void set_state(char *state, const char *what, const char *now) {
        if (strcmp(state, now) != 0)
                logmsg("%s: %s", what, now);
        snprintf(state, BP_STATE, "%s", now);
        for (char *c = state; *c; c++) /* it goes into a JSON string */
                if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
                        *c = '\'';
}

static void nbx_probe(struct nbx *x) {
        char dial_err[160];
        char err[BP_FIELD], body[4096], st[BP_STATE];
        set_state(x->pg_state, "postgres",
                  pg_ensure_database(&x->pg, err, sizeof err) == 0
                          ? "connected"
                          : (snprintf(st, sizeof st, "not connected (%s)", err), st));
        /* NBXplorer's RPC test: getblockchaininfo (RPCArgs.TestRPCAsync) */
        int fd = tcp_connect(x->rpc_host, x->rpc_port, dial_err, sizeof dial_err), code = -1;
        if (fd >= 0) {
                static const char rq[] =
                        "{\"jsonrpc\":\"1.0\",\"id\":\"nbx\",\"method\":\"getblockchaininfo\",\"params\":[]}";
                char req[2048], resp[8192];
                int n = snprintf(
                        req, sizeof req,
                        "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
                        "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                        x->rpc_path, x->rpc_host, x->rpc_authz, strlen(rq), rq);
                size_t got = 0;
                ssize_t r;
                if (send_all(fd, req, (size_t)n) == 0)
                        while ((r = read(fd, resp + got, sizeof resp - 1 - got)) > 0 && got + 1 < sizeof resp)
                                got += (size_t)r;
                resp[got] = '\0';
                close(fd);
                if (sscanf(resp, "HTTP/1.%*d %d", &code) == 1 && code == 200) {
                        const char *b = strstr(resp, "\"blocks\":");
                        x->blocks = b ? atoll(b + 9) : 0;
                }
                snprintf(body, sizeof body, "HTTP %d", code);
        } else
                snprintf(body, sizeof body, "%s", strerror(errno));
        set_state(x->rpc_state, "rpc",
                  code == 200 ? "connected" : (snprintf(st, sizeof st, "not connected (%.200s)", body), st));
        fd = tcp_connect(x->p2p_host, x->p2p_port, dial_err, sizeof dial_err);
        set_state(x->p2p_state, "p2p",
                  fd >= 0 ? "connected" : (snprintf(st, sizeof st, "not connected (%s)", strerror(errno)), st));
        if (fd >= 0)
                close(fd);
}

static void nbx_serve(int cfd, const struct nbx *x) {
        char head[HEAD_MAX], authz[512] = "", body[2048];
        size_t hl;
        if (read_head(cfd, head, sizeof head, &hl) <= 0)
                return;
        if (strncmp(head, "GET /v1/cryptos/btc/status ", 27) != 0 &&
            strncmp(head, "GET /v1/cryptos/BTC/status ", 27) != 0) {
                http_respond(cfd, "404 Not Found", "", "");
                return;
        }
        find_header(head, "Authorization", authz, sizeof authz);
        if (!x->noauth && strcmp(authz, x->cookie_authz) != 0) {
                http_respond(cfd, "401 Unauthorized", "WWW-Authenticate: Basic\r\n", "");
                return;
        }
        bool synched = strcmp(x->rpc_state, "connected") == 0 && strcmp(x->pg_state, "connected") == 0;
        snprintf(body, sizeof body,
                 "{\"bitcoinStatus\":{\"blocks\":%lld,\"isSynched\":%s},\"isFullySynched\":%s,\"cryptoCode\":\"BTC\","
                 "\"archy\":{\"postgres\":\"%.300s\",\"rpc\":\"%.300s\",\"p2p\":\"%.300s\"}}\n",
                 x->blocks, synched ? "true" : "false", synched ? "true" : "false", x->pg_state, x->rpc_state,
                 x->p2p_state);
        http_respond(cfd, "200 OK", "Content-Type: application/json\r\n", body);
}

static void nbx_probe_cb(void *ctx) {
        nbx_probe(ctx);
}
static void nbx_serve_serve_cb(int fd, void *ctx) {
        nbx_serve(fd, ctx);
}

int nbxplorer_main(int argc, char **argv) {
        (void)argc, (void)argv;
        static struct nbx x;
        char bh[BP_FIELD], bp[16];
        int r = nbx_config(&x, bh, bp, sizeof bh);
        if (r != 0)
                return r;
        int lfd = listen_bind(bh, bp);
        if (lfd < 0 || install_signals() < 0) {
                logmsg("cannot listen on %s:%s: %s", bh, bp, strerror(errno));
                return 1;
        }
        logmsg("Listening on %s:%s", bh, bp);
        serve_forever(lfd, 5000, nbx_probe_cb, nbx_serve_serve_cb, &x);
        close(lfd);
        return 0;
}
