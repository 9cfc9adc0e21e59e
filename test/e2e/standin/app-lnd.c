/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lnd applet: the start-up contract of lightningnetwork/lnd v0.20.3-beta (config.go LoadConfig,
 * ValidateConfig, parseRPCParams; config_builder.go BuildWalletConfig; chainreg/chainregistry.go),
 * refused with lnd's own messages, then enough of lnd for its dependents: tls.cert/tls.key with the
 * names the config asks for, a wallet created over REST (/v1/genseed, /v1/initwallet) or unlocked
 * from wallet-unlock-password-file, admin.macaroon, and REST over TLS (/v1/state without a macaroon,
 * /v1/getinfo with the Grpc-Metadata-macaroon header) on every restlisten and rpclisten address.
 * Stand-in simplification: the rpclisten port speaks the same REST over TLS, not gRPC.
 * Stand-in extension: getinfo carries "archy_standin_bitcoind": "connected" or "not connected: ...".
 */
#include "app-lnd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct lnd {
        char *lnddir, *configfile, *tlscertpath, *tlskeypath, *pwfile, *node, *rpchost, *rpcuser, *rpcpass, *rpccookie,
                *zmqblock, *zmqtx, *alias, *debuglevel, *externalip;
        struct gf_list rpclisten, restlisten, listen, extradomain, extraip;
        bool allow_create, noseedbackup, mainnet, testnet, testnet4, signet, regtest, simnet, rpcpolling, autorefresh,
                disableautofill, nolisten;
        /* run time */
        const char *network; /* mainnet, testnet, ... */
        char netdir[512], walletdb[600], macaroon[600], mac_hex[129], bitcoind[256];
        const char *state;
        long long blocks;
        void *tls;
        int lfd[3 * GF_LIST_MAX];
        size_t n_lfd, n_tls;
};

static struct gf_opt *lnd_options(struct lnd *l) {
        static struct gf_opt o[64];
        size_t n = 0;
#define S(name, field)                                                                                                 \
        o[n++] = (struct gf_opt) {                                                                                     \
                name, GF_STR, &l->field                                                                                \
        }
#define B(name, field)                                                                                                 \
        o[n++] = (struct gf_opt) {                                                                                     \
                name, GF_BOOL, &l->field                                                                               \
        }
#define L(name, field)                                                                                                 \
        o[n++] = (struct gf_opt) {                                                                                     \
                name, GF_LIST, &l->field                                                                               \
        }
        /* option names: sample-lnd.conf and config.go of lnd v0.20.3-beta */
        S("lnddir", lnddir), S("configfile", configfile), S("tlscertpath", tlscertpath), S("tlskeypath", tlskeypath);
        L("tlsextraip", extraip), L("tlsextradomain", extradomain), B("tlsautorefresh", autorefresh);
        B("tlsdisableautofill", disableautofill), L("rpclisten", rpclisten), L("restlisten", restlisten);
        L("listen", listen), B("nolisten", nolisten), S("externalip", externalip), S("alias", alias);
        S("debuglevel", debuglevel), S("wallet-unlock-password-file", pwfile);
        B("wallet-unlock-allow-create", allow_create), B("noseedbackup", noseedbackup);
        B("bitcoin.mainnet", mainnet), B("bitcoin.testnet", testnet), B("bitcoin.testnet4", testnet4);
        B("bitcoin.signet", signet), B("bitcoin.regtest", regtest), B("bitcoin.simnet", simnet);
        S("bitcoin.node", node), S("bitcoind.rpchost", rpchost), S("bitcoind.rpcuser", rpcuser);
        S("bitcoind.rpcpass", rpcpass), S("bitcoind.rpccookie", rpccookie), S("bitcoind.zmqpubrawblock", zmqblock);
        S("bitcoind.zmqpubrawtx", zmqtx), B("bitcoind.rpcpolling", rpcpolling);
#undef S
#undef B
#undef L
        o[n] = (struct gf_opt){0};
        return o;
}

/* the groups of sample-lnd.conf (v0.20.3-beta); any other [section] is go-flags' ErrUnknownGroup */
static const char *const lnd_sections[] = {"Application Options",
                                           "fee",
                                           "prometheus",
                                           "Bitcoin",
                                           "Btcd",
                                           "Bitcoind",
                                           "neutrino",
                                           "autopilot",
                                           "tor",
                                           "watchtower",
                                           "wtclient",
                                           "healthcheck",
                                           "signrpc",
                                           "walletrpc",
                                           "chainrpc",
                                           "routerrpc",
                                           "workers",
                                           "caches",
                                           "protocol",
                                           "db",
                                           "etcd",
                                           "postgres",
                                           "sqlite",
                                           "bolt",
                                           "cluster",
                                           "rpcmiddleware",
                                           "remotesigner",
                                           "gossip",
                                           "invoices",
                                           "routing",
                                           "sweeper",
                                           "htlcswitch",
                                           "grpc",
                                           "pprof",
                                           "logging",
                                           "autopilot",
                                           NULL};

static __attribute__((format(printf, 1, 2))) int fail(const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        fprintf(stderr, "%s\n", msg);
        return 1;
}

static bool file_exists(const char *p) {
        struct stat st;
        return p && stat(p, &st) == 0;
}

/* lnd's supplyEnvValue (config.go): $VAR, ${VAR} and ${VAR:-DEFAULT} are replaced by the environment */
static void supply_env(char **v) {
        const char *s = *v;
        if (!s || s[0] != '$')
                return;
        bool br = s[1] == '{';
        const char *name = s + 1 + br;
        size_t n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789");
        if (n == 0 || (name[0] >= '0' && name[0] <= '9'))
                return;
        const char *rest = name + n, *def = NULL;
        if (br && strncmp(rest, ":-", 2) == 0 && rest[2] && rest[strlen(rest) - 1] == '}')
                def = rest + 2;
        else if (!(br ? strcmp(rest, "}") == 0 : *rest == '\0'))
                return;
        char var[256];
        snprintf(var, sizeof var, "%.*s", (int)n, name);
        const char *e = getenv(var);
        char *nv = e && *e ? strdup(e) : def ? strndup(def, strlen(def) - 1) : strdup(e ? e : "");
        free(*v);
        *v = nv;
}

/* parseRPCParams (config.go v0.20.3-beta), bitcoind case */
static int check_bitcoind(struct lnd *l) {
        const char *d = "bitcoind";
        if (l->zmqblock && l->zmqtx && strcmp(l->zmqblock, l->zmqtx) == 0)
                return fail("failed to load config: ValidateConfig: unable to load RPC credentials for bitcoind: "
                            "zmqpubrawblock and zmqpubrawtx must be set to different addresses");
        supply_env(&l->rpcuser);
        supply_env(&l->rpcpass);
        bool user = l->rpcuser && *l->rpcuser, pass = l->rpcpass && *l->rpcpass;
        if ((user || pass) && l->rpccookie && *l->rpccookie)
                return fail("failed to load config: ValidateConfig: unable to load RPC credentials for bitcoind: "
                            "please only provide either %1$s.rpccookie or %1$s.rpcuser and %1$s.rpcpass",
                            d);
        if (user && pass && ((l->zmqblock && l->zmqtx) || l->rpcpolling))
                return 0;
        if (user || pass || l->zmqblock || l->zmqtx)
                return fail("failed to load config: ValidateConfig: unable to load RPC credentials for bitcoind: "
                            "please set %1$s.rpcuser and %1$s.rpcpass (or %1$s.rpccookie) together with "
                            "%1$s.zmqpubrawblock, %1$s.zmqpubrawtx",
                            d);
        /* nothing set: lnd reads ~/.bitcoin/bitcoin.conf, which a separate container never has */
        return fail("failed to load config: ValidateConfig: unable to load RPC credentials for bitcoind: "
                    "open /root/.bitcoin/bitcoin.conf: no such file or directory (contract: lightningnetwork/lnd "
                    "config.go extractBitcoindRPCParams)");
}

/* ValidateConfig (config.go v0.20.3-beta): the network, the backend, the wallet unlock flags */
static int validate(struct lnd *l) {
        int nets = l->mainnet + l->testnet + l->testnet4 + l->signet + l->regtest + l->simnet;
        if (nets > 1)
                return fail("failed to load config: ValidateConfig: The mainnet, testnet, testnet4, regtest, simnet "
                            "and signet params can't be used together -- choose one of the five");
        if (nets == 0)
                return fail("failed to load config: ValidateConfig: either --bitcoin.mainnet, or --bitcoin.testnet, "
                            "--bitcoin.testnet4, --bitcoin.simnet, --bitcoin.regtest or --bitcoin.signet must be "
                            "specified (contract: lightningnetwork/lnd config.go)");
        l->network = l->mainnet    ? "mainnet"
                     : l->testnet  ? "testnet"
                     : l->testnet4 ? "testnet4"
                     : l->signet   ? "signet"
                     : l->regtest  ? "regtest"
                                   : "simnet";
        const char *node = l->node ? l->node : "btcd"; /* lnd's default backend */
        if (strcmp(node, "bitcoind") != 0)
                return fail("failed to load config: ValidateConfig: the stand-in only has a bitcoind backend, "
                            "bitcoin.node=%s (real lnd's default is btcd; contract: lightningnetwork/lnd config.go)",
                            node);
        int r = check_bitcoind(l);
        if (r)
                return r;
        if (l->noseedbackup && l->pwfile)
                return fail("failed to load config: ValidateConfig: cannot set noseedbackup and "
                            "wallet-unlock-password-file at the same time");
        if (l->allow_create && !l->pwfile)
                return fail("failed to load config: ValidateConfig: cannot set wallet-unlock-allow-create without "
                            "wallet-unlock-password-file");
        if (l->pwfile && !file_exists(l->pwfile))
                return fail("failed to load config: ValidateConfig: wallet unlock password file %s does not exist",
                            l->pwfile);
        return 0;
}

/* LoadConfig (config.go v0.20.3-beta): flags, then the file, then the flags again over it */
static int load_config(struct lnd *l, int argc, char **argv) {
        const struct gf_opt *o = lnd_options(l);
        char err[1024];
        if (gf_parse_flags(o, argc, argv, err, sizeof err) < 0)
                return fail("failed to load config: %s", err);
        const char *home = getenv("HOME") ? getenv("HOME") : "/root";
        char def_dir[512], path[600];
        snprintf(def_dir, sizeof def_dir, "%s/.lnd", home);
        if (!l->lnddir)
                l->lnddir = strdup(def_dir);
        bool explicit_conf = l->configfile != NULL;
        snprintf(path, sizeof path, "%s", explicit_conf ? l->configfile : "");
        if (!explicit_conf)
                snprintf(path, sizeof path, "%s/lnd.conf", l->lnddir);
        if (explicit_conf && !file_exists(path))
                return fail("failed to load config: specified config file does not exist in %s", path);
        int r = gf_parse_ini(o, lnd_sections, path, err, sizeof err);
        if (r < 0 && r != -ENOENT)
                return fail("failed to load config: %s", err);
        if (gf_parse_flags(o, argc, argv, err, sizeof err) < 0)
                return fail("failed to load config: %s", err);
        return validate(l);
}

/* "localhost:8080", "0.0.0.0:10009", ":8080", "8080" (lncfg.NormalizeAddresses) -> a listening socket */
static int listen_addr(const char *addr, const char *def_port) {
        char host[256] = "";
        const char *colon = strrchr(addr, ':'), *port = def_port;
        if (colon) {
                snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
                port = colon + 1;
        } else if (strspn(addr, "0123456789") == strlen(addr))
                port = addr;
        else
                snprintf(host, sizeof host, "%s", addr);
        unsigned long p;
        if (!parse_ulong(port, 1, 65535, &p)) {
                errno = EINVAL;
                return -1;
        }
        return listen_tcp_on(host, (unsigned)p);
}

static int open_listeners(struct lnd *l) {
        /* config.go: without rpclisten/restlisten lnd listens on localhost only */
        static const char *const def_rpc = "localhost:10009", *const def_rest = "localhost:8080";
        const struct {
                struct gf_list *list;
                const char *def, *port;
        } kinds[] = {{&l->rpclisten, def_rpc, "10009"}, {&l->restlisten, def_rest, "8080"}};
        for (size_t k = 0; k < 2; k++)
                for (size_t i = 0; i < (kinds[k].list->n ? kinds[k].list->n : 1); i++) {
                        const char *a = kinds[k].list->n ? kinds[k].list->v[i] : kinds[k].def;
                        int fd = listen_addr(a, kinds[k].port);
                        if (fd < 0)
                                return fail("unable to listen on %s: %s", a, strerror(errno));
                        logmsg("%s listening on %s", k ? "REST" : "RPC", a);
                        l->lfd[l->n_lfd++] = fd;
                }
        l->n_tls = l->n_lfd;
        /* the peer port (listen, default 0.0.0.0:9735, none with nolisten): accepted and closed here */
        for (size_t i = 0;
             !l->nolisten && i < (l->listen.n ? l->listen.n : 1) && l->n_lfd < sizeof l->lfd / sizeof l->lfd[0]; i++) {
                const char *a = l->listen.n ? l->listen.v[i] : "0.0.0.0:9735";
                int fd = listen_addr(a, "9735");
                if (fd < 0)
                        return fail("unable to listen on %s: %s", a, strerror(errno));
                logmsg("P2P listening on %s (stand-in: connections are closed)", a);
                l->lfd[l->n_lfd++] = fd;
        }
        return 0;
}

/* cert/selfsigned.go (v0.20.3-beta): an existing pair is kept; tlsautorefresh is not modelled */
static int ensure_cert(struct lnd *l) {
        char cert[600], key[600], host[256] = "localhost", sans[4096];
        snprintf(cert, sizeof cert, "%s", l->tlscertpath ? l->tlscertpath : "");
        snprintf(key, sizeof key, "%s", l->tlskeypath ? l->tlskeypath : "");
        if (!*cert)
                snprintf(cert, sizeof cert, "%s/tls.cert", l->lnddir);
        if (!*key)
                snprintf(key, sizeof key, "%s/tls.key", l->lnddir);
        if (!file_exists(cert) || !file_exists(key)) {
                if (!l->disableautofill)
                        gethostname(host, sizeof host);
                int n = snprintf(sans, sizeof sans, "DNS:%s", host);
                if (strcmp(host, "localhost") != 0)
                        n += snprintf(sans + n, sizeof sans - n, ",DNS:localhost");
                for (size_t i = 0; i < l->extradomain.n; i++)
                        n += snprintf(sans + n, sizeof sans - n, ",DNS:%s", l->extradomain.v[i]);
                n += snprintf(sans + n, sizeof sans - n, ",DNS:unix,DNS:unixpacket,IP:127.0.0.1,IP:::1");
                for (size_t i = 0; i < l->extraip.n; i++)
                        n += snprintf(sans + n, sizeof sans - n, ",IP:%s", l->extraip.v[i]);
                struct ifaddrs *ifa = NULL;
                for (struct ifaddrs *i = !l->disableautofill && getifaddrs(&ifa) == 0 ? ifa : NULL; i;
                     i = i->ifa_next) {
                        char ip[INET_ADDRSTRLEN];
                        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
                            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, ip, sizeof ip) &&
                            strcmp(ip, "127.0.0.1") != 0 && (size_t)n < sizeof sans)
                                n += snprintf(sans + n, sizeof sans - n, ",IP:%s", ip);
                }
                freeifaddrs(ifa);
                if ((size_t)n >= sizeof sans || tls_make_cert(cert, key, host, sans) < 0)
                        return fail("unable to generate TLS certificate %s", cert);
                logmsg("Done generating TLS certificates: %s (%s)", cert, sans);
        }
        return (l->tls = tls_server_ctx(cert, key)) ? 0 : fail("unable to load TLS certificate %s", cert);
}

static void sha256_hex(const void *buf, size_t len, char out[65]) {
        unsigned char md[32];
        EVP_Digest(buf, len, md, NULL, EVP_sha256(), NULL);
        for (size_t i = 0; i < 32; i++)
                sprintf(out + 2 * i, "%02x", md[i]);
}

static int mkdir_p(const char *dir) {
        char p[600];
        snprintf(p, sizeof p, "%s", dir);
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = '\0';
                        (void)mkdir(p, 0700);
                        *s = '/';
                }
        return mkdir(p, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int write_file(const char *path, const void *buf, size_t len, mode_t mode) {
        FILE *f = fopen(path, "we");
        if (!f)
                return -1;
        fchmod(fileno(f), mode);
        size_t w = fwrite(buf, 1, len, f);
        return fclose(f) == 0 && w == len ? 0 : -1;
}

/* the macaroon files: random bytes here; REST clients send them hex-encoded */
static int load_macaroon(struct lnd *l, bool create) {
        unsigned char mac[64];
        FILE *f = fopen(l->macaroon, "re");
        size_t n = f ? fread(mac, 1, sizeof mac, f) : 0;
        if (f)
                fclose(f);
        if (n != sizeof mac) {
                if (!create || RAND_bytes(mac, sizeof mac) != 1 || write_file(l->macaroon, mac, sizeof mac, 0600) < 0)
                        return -1;
                char ro[600];
                snprintf(ro, sizeof ro, "%s/readonly.macaroon", l->netdir);
                (void)write_file(ro, mac, sizeof mac, 0644);
        }
        for (size_t i = 0; i < sizeof mac; i++)
                sprintf(l->mac_hex + 2 * i, "%02x", mac[i]);
        return 0;
}

/* One JSON-RPC getblockchaininfo to bitcoind; 0 when it answered, with the reply's chain and blocks. */
static int bitcoind_probe(struct lnd *l, char *err, size_t cap, char *chain, size_t chain_cap) {
        char host[256], *port;
        snprintf(host, sizeof host, "%s", l->rpchost ? l->rpchost : "localhost");
        port = strrchr(host, ':');
        if (port)
                *port++ = '\0';
        int fd = tcp_connect(host, port ? port : "8332", err, cap);
        if (fd < 0)
                return -1;
        static const char body[] =
                "{\"jsonrpc\":\"1.0\",\"id\":\"lnd\",\"method\":\"getblockchaininfo\",\"params\":[]}";
        char creds[1024], b64[1400], req[2048], reply[8192];
        int cl = snprintf(creds, sizeof creds, "%s:%s", l->rpcuser, l->rpcpass);
        EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)creds, cl);
        int n = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         host, b64, sizeof body - 1, body);
        ssize_t got = send_all(fd, req, (size_t)n) < 0 ? -1 : recv(fd, reply, sizeof reply - 1, MSG_WAITALL);
        close(fd);
        int code = 0;
        if (got <= 0 || (reply[got] = '\0', sscanf(reply, "HTTP/%*d.%*d %d", &code) != 1)) {
                snprintf(err, cap, "no HTTP reply from %s", l->rpchost);
                return -1;
        }
        if (code != 200) {
                /* btcsuite/btcd rpcclient's wording for a refused HTTP POST */
                snprintf(err, cap, "status code: %d, response: \"\"", code);
                return code == 401 ? -EACCES : -1;
        }
        const char *b = strstr(reply, "\"blocks\":"), *c = strstr(reply, "\"chain\":\"");
        l->blocks = b ? atoll(b + 9) : 0;
        snprintf(chain, chain_cap, "%.*s", c ? (int)strcspn(c + 9, "\"") : 0, c ? c + 9 : "");
        return 0;
}

/* zmq: btcwallet's BitcoindConn dials both endpoints (tcp://host:port) when it starts */
static int zmq_probe(const char *url, char *err, size_t cap) {
        char host[256];
        if (strncmp(url, "tcp://", 6) != 0) {
                snprintf(err, cap, "unsupported zmq endpoint %s", url);
                return -1;
        }
        snprintf(host, sizeof host, "%s", url + 6);
        char *port = strrchr(host, ':');
        if (!port)
                return snprintf(err, cap, "missing port in address %s", url), -1;
        *port++ = '\0';
        int fd = tcp_connect(host, port, err, cap);
        if (fd < 0)
                return -1;
        close(fd);
        return 0;
}

/* BuildChainControl (chainreg/chainregistry.go v0.20.3-beta): after the wallet is unlocked, lnd
 * connects to bitcoind and exits when it cannot (bitcoindConn.Start: "unable to connect to bitcoind") */
static int start_chain(struct lnd *l) {
        static const char *const bitcoind_chain[] = {"mainnet",  "main",   "testnet", "test",    "testnet4",
                                                     "testnet4", "signet", "signet",  "regtest", "regtest"};
        char err[512], chain[32];
        int r = bitcoind_probe(l, err, sizeof err, chain, sizeof chain);
        if (r < 0)
                return fail("unable to create chain control: unable to connect to bitcoind: %s (contract: "
                            "lightningnetwork/lnd chainreg/chainregistry.go)",
                            err);
        for (size_t i = 0; *chain && i < 10; i += 2)
                if (strcmp(l->network, bitcoind_chain[i]) == 0 && strcmp(chain, bitcoind_chain[i + 1]) != 0)
                        return fail("unable to create chain control: unable to connect to bitcoind: expected "
                                    "network %s, got %s",
                                    l->network, chain);
        const char *z[] = {l->zmqblock, l->zmqtx}, *what[] = {"block", "tx"};
        for (size_t i = 0; i < 2 && !l->rpcpolling; i++)
                if (zmq_probe(z[i], err, sizeof err) < 0)
                        return fail("unable to create chain control: unable to connect to bitcoind: unable to "
                                    "subscribe for zmq %s events: %s (contract: btcsuite/btcwallet "
                                    "chain/bitcoind_zmq_events.go)",
                                    what[i], err);
        snprintf(l->bitcoind, sizeof l->bitcoind, "connected");
        l->state = "SERVER_ACTIVE";
        logmsg("connected to bitcoind at %s (%lld blocks), state %s", l->rpchost, l->blocks, l->state);
        return 0;
}

/* BuildWalletConfig (config_builder.go v0.20.3-beta): the wallet password file */
static int unlock_from_file(struct lnd *l) {
        char pw[4096], want[65] = "", have[128] = "", got[65];
        FILE *f = fopen(l->pwfile, "re");
        size_t n = f ? fread(pw, 1, sizeof pw, f) : 0;
        if (!f)
                return fail("error reading password from file %s: %s", l->pwfile, strerror(errno));
        fclose(f);
        while (n > 0 && (pw[n - 1] == '\r' || pw[n - 1] == '\n'))
                n--; /* bytes.TrimRight(pwBytes, "\r\n") */
        sha256_hex(pw, n, got);
        f = fopen(l->walletdb, "re");
        if (f && fgets(have, sizeof have, f))
                sscanf(have, "archy-standin-wallet %64s", want);
        if (f)
                fclose(f);
        if (strcmp(want, got) != 0)
                return fail("error unlocking wallet with password from file: invalid passphrase for master "
                            "private key (contract: lightningnetwork/lnd config_builder.go)");
        logmsg("Attempting automatic wallet unlock with password provided in file: unlocked");
        return load_macaroon(l, true) < 0 ? fail("cannot write %s", l->macaroon) : start_chain(l);
}

static int init_wallet(struct lnd *l) {
        snprintf(l->netdir, sizeof l->netdir, "%s/data/chain/bitcoin/%s", l->lnddir, l->network);
        snprintf(l->walletdb, sizeof l->walletdb, "%s/wallet.db", l->netdir);
        snprintf(l->macaroon, sizeof l->macaroon, "%s/admin.macaroon", l->netdir);
        snprintf(l->bitcoind, sizeof l->bitcoind, "not connected: wallet not unlocked");
        if (mkdir_p(l->netdir) < 0)
                return fail("unable to create %s: %s", l->netdir, strerror(errno));
        bool exists = file_exists(l->walletdb);
        if (l->pwfile && !exists && !l->allow_create)
                return fail("wallet unlock password file was specified but wallet does not exist; initialize the "
                            "wallet before using auto unlocking (contract: lightningnetwork/lnd config_builder.go)");
        if (!exists) {
                l->state = "NON_EXISTING";
                logmsg("Waiting for wallet encryption password. Use `lncli create` to create a wallet, `lncli "
                       "unlock` to unlock an existing wallet, or `lncli changepassword` to change the password "
                       "of an existing wallet and unlock it.");
                return 0;
        }
        l->state = "LOCKED";
        return l->pwfile ? unlock_from_file(l) : 0;
}

/* "key":"value" in a JSON body, the value unescaped only as far as base64 needs */
static bool json_string(const char *body, const char *key, char *out, size_t cap) {
        char k[64];
        snprintf(k, sizeof k, "\"%s\"", key);
        const char *p = strstr(body, k);
        if (!p || !(p = strchr(p + strlen(k), '"')))
                return false;
        size_t n = strcspn(++p, "\"");
        if (n >= cap)
                return false;
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
}

static size_t json_array_len(const char *body, const char *key) {
        char k[64];
        snprintf(k, sizeof k, "\"%s\"", key);
        const char *p = strstr(body, k), *end;
        if (!p || !(p = strchr(p, '[')) || !(end = strchr(p, ']')))
                return 0;
        size_t quotes = 0;
        for (; p < end; p++)
                quotes += *p == '"';
        return quotes / 2;
}

static void reply(void *s, int code, const char *json) {
        char buf[4096];
        const char *reason = code == 200   ? "OK"
                             : code == 401 ? "Unauthorized"
                             : code == 404 ? "Not Found"
                             : code == 503 ? "Service Unavailable"
                                           : "Internal Server Error";
        int n = snprintf(buf, sizeof buf,
                         "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n%s",
                         code, reason, strlen(json), json);
        (void)tls_write_all(s, buf, (size_t)n);
}

/* POST /v1/initwallet (lnrpc walletunlocker.proto): wallet_password base64, a 24-word mnemonic */
static int rest_initwallet(struct lnd *l, void *s, const char *body) {
        char b64[1400];
        unsigned char pw[1100];
        if (strcmp(l->state, "NON_EXISTING") != 0)
                return reply(s, 500, "{\"code\":2,\"message\":\"wallet already exists\"}"), 0;
        int n = json_string(body, "wallet_password", b64, sizeof b64)
                        ? EVP_DecodeBlock(pw, (unsigned char *)b64, (int)strlen(b64))
                        : -1;
        size_t len = strlen(b64);
        if (n >= 0)
                n -= (len > 0 && b64[len - 1] == '=') + (len > 1 && b64[len - 2] == '=');
        if (n < 8)
                return reply(s, 500, "{\"code\":2,\"message\":\"password must have at least 8 characters\"}"), 0;
        if (json_array_len(body, "cipher_seed_mnemonic") != 24)
                return reply(s, 500, "{\"code\":2,\"message\":\"wallet recovery requires a 24-word mnemonic\"}"), 0;
        char hash[65], line[100];
        sha256_hex(pw, (size_t)n, hash);
        int ln = snprintf(line, sizeof line, "archy-standin-wallet %s\n", hash);
        if (write_file(l->walletdb, line, (size_t)ln, 0600) < 0 || load_macaroon(l, true) < 0)
                return reply(s, 500, "{\"code\":2,\"message\":\"cannot write the wallet\"}"), 0;
        char ok[300], mb64[100];
        unsigned char mac[64];
        for (size_t i = 0; i < 64; i++)
                sscanf(l->mac_hex + 2 * i, "%2hhx", &mac[i]);
        EVP_EncodeBlock((unsigned char *)mb64, mac, sizeof mac);
        snprintf(ok, sizeof ok, "{\"admin_macaroon\":\"%s\"}", mb64);
        reply(s, 200, ok);
        l->state = "RPC_ACTIVE";
        logmsg("wallet created");
        return start_chain(l);
}

static void rest_getinfo(struct lnd *l, void *s, const char *head) {
        char mac[300], body[1500];
        if (strcmp(l->state, "SERVER_ACTIVE") != 0 && strcmp(l->state, "RPC_ACTIVE") != 0)
                return reply(s, 503,
                             "{\"code\":14,\"message\":\"wallet locked, unlock it to enable full RPC "
                             "access\"}");
        if (!find_header(head, "Grpc-Metadata-macaroon", mac, sizeof mac))
                return reply(s, 500, "{\"code\":2,\"message\":\"expected 1 macaroon, got 0\"}");
        if (strcasecmp(mac, l->mac_hex) != 0)
                return reply(s, 500,
                             "{\"code\":2,\"message\":\"verification failed: signature mismatch after "
                             "caveat verification\"}");
        snprintf(body, sizeof body,
                 "{\"version\":\"0.20.3-beta archy-standin\",\"alias\":\"%s\",\"block_height\":%lld,"
                 "\"synced_to_chain\":%s,\"chains\":[{\"chain\":\"bitcoin\",\"network\":\"%s\"}],"
                 "\"archy_standin_bitcoind\":\"%s\"}",
                 l->alias ? l->alias : "archy-standin", l->blocks,
                 strcmp(l->bitcoind, "connected") == 0 ? "true" : "false", l->network, l->bitcoind);
        reply(s, 200, body);
}

static int serve_one(struct lnd *l, int fd) {
        void *s = tls_accept(l->tls, fd);
        char buf[16384], path[256] = "", method[8] = "", body[600];
        size_t head_len = 0;
        int r = 0;
        if (!s || tls_read_request(s, buf, sizeof buf, &head_len) < 0 || sscanf(buf, "%7s %255s", method, path) != 2)
                goto out;
        char save = buf[head_len];
        buf[head_len] = '\0';
        if (strcmp(path, "/v1/state") == 0)
                snprintf(body, sizeof body, "{\"state\":\"%s\"}", l->state), reply(s, 200, body);
        else if (strcmp(path, "/v1/genseed") == 0)
                reply(s, 200,
                      "{\"cipher_seed_mnemonic\":[\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"abandon\","
                      "\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"abandon\","
                      "\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"abandon\","
                      "\"abandon\",\"abandon\",\"abandon\",\"abandon\",\"art\"],\"enciphered_seed\":\"\"}");
        else if (strcmp(path, "/v1/initwallet") == 0 && strcmp(method, "POST") == 0) {
                buf[head_len] = save;
                r = rest_initwallet(l, s, buf + head_len);
        } else if (strcmp(path, "/v1/getinfo") == 0)
                rest_getinfo(l, s, buf);
        else
                reply(s, 404, "{\"code\":5,\"message\":\"Not Found\"}");
out:
        tls_free(s);
        close(fd);
        return r;
}

/* While the server runs, bitcoind is asked every 10 s; a failure is logged, not fatal. */
static void poll_bitcoind(struct lnd *l, int64_t *next) {
        if (strcmp(l->state, "SERVER_ACTIVE") != 0 || now_ms() < *next)
                return;
        *next = now_ms() + 10000;
        char err[512], chain[32], was[256];
        snprintf(was, sizeof was, "%s", l->bitcoind);
        if (bitcoind_probe(l, err, sizeof err, chain, sizeof chain) < 0)
                snprintf(l->bitcoind, sizeof l->bitcoind, "not connected: %.230s", err);
        else
                snprintf(l->bitcoind, sizeof l->bitcoind, "connected");
        if (strcmp(was, l->bitcoind) != 0)
                logmsg("bitcoind %s", l->bitcoind);
}

static int serve(struct lnd *l) {
        struct pollfd p[3 * GF_LIST_MAX];
        int64_t next = now_ms() + 10000;
        while (!stop_signal) {
                for (size_t i = 0; i < l->n_lfd; i++)
                        p[i] = (struct pollfd){.fd = l->lfd[i], .events = POLLIN};
                int n = poll(p, l->n_lfd, 1000);
                for (size_t i = 0; n > 0 && i < l->n_lfd; i++) {
                        int fd = (p[i].revents & POLLIN) ? accept4(l->lfd[i], NULL, NULL, SOCK_CLOEXEC) : -1;
                        if (fd < 0)
                                continue;
                        set_timeouts(fd, 5);
                        if (i >= l->n_tls)
                                close(fd);
                        else if (serve_one(l, fd) != 0)
                                return 1;
                }
                poll_bitcoind(l, &next);
        }
        logmsg("Shutdown complete");
        return 0;
}

int lnd_main(int argc, char **argv) {
        static struct lnd l;
        if (install_signals() < 0)
                return 1;
        int r = load_config(&l, argc, argv);
        if (r)
                return r;
        logmsg("Active chain: Bitcoin (network=%s)", l.network);
        if (mkdir_p(l.lnddir) < 0)
                return fail("unable to create %s: %s", l.lnddir, strerror(errno));
        if ((r = ensure_cert(&l)) || (r = open_listeners(&l)) || (r = init_wallet(&l)))
                return r;
        r = serve(&l);
        gf_free(lnd_options(&l));
        return r;
}
