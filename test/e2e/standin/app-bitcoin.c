/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bitcoind applet: the start-up contracts of bitcoind 29 (Core 29.2 and Knots 29.3, as in the
 * btcpayserver/bitcoin and btcpayserver/bitcoinknots images; read at v28.1, unchanged through the
 * 29.0-29.2 release notes, docs/contracts/bitcoin.md), its JSON-RPC with rpcauth, the
 * -rpcpassword or the cookie, rpcbind/rpcallowip, and listening sockets for ZMQ and P2P so that
 * the dependents' stand-ins can check them. Every refusal prints bitcoind's own text after
 * "Error: ", then "(contract: REPO PATH)", and exits 1 like bitcoind's InitError.
 */
#include "app-bitcoin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#define MAX_LISTEN 16
#define MAX_SUBS 32

static const char *const bitcoind_options[] = {"?",
                                               "h",
                                               "help",
                                               "version",
                                               "datadir",
                                               "conf",
                                               "allowignoredconf",
                                               "printtoconsole",
                                               "daemon",
                                               "daemonwait",
                                               "pid",
                                               "settings",
                                               "debuglogfile",
                                               "chain",
                                               "regtest",
                                               "signet",
                                               "testnet",
                                               "testnet4",
                                               "server",
                                               "rest",
                                               "rpcauth",
                                               "rpcuser",
                                               "rpcpassword",
                                               "rpccookiefile",
                                               "rpccookieperms",
                                               "rpcbind",
                                               "rpcallowip",
                                               "rpcport",
                                               "rpcthreads",
                                               "rpcworkqueue",
                                               "rpcwhitelist",
                                               "rpcwhitelistdefault",
                                               "rpcserialversion",
                                               "listen",
                                               "bind",
                                               "port",
                                               "connect",
                                               "addnode",
                                               "seednode",
                                               "maxconnections",
                                               "onlynet",
                                               "proxy",
                                               "onion",
                                               "listenonion",
                                               "externalip",
                                               "discover",
                                               "dnsseed",
                                               "upnp",
                                               "natpmp",
                                               "whitelist",
                                               "whitebind",
                                               "txindex",
                                               "prune",
                                               "dbcache",
                                               "blocksdir",
                                               "blockfilterindex",
                                               "coinstatsindex",
                                               "peerblockfilters",
                                               "disablewallet",
                                               "wallet",
                                               "walletdir",
                                               "zmqpubrawblock",
                                               "zmqpubrawtx",
                                               "zmqpubhashblock",
                                               "zmqpubhashtx",
                                               "zmqpubsequence",
                                               "zmqpubrawblockhwm",
                                               "zmqpubrawtxhwm",
                                               "debug",
                                               "logtimestamps",
                                               "logips",
                                               "shrinkdebugfile",
                                               "mempoolfullrbf",
                                               "maxmempool",
                                               "par",
                                               "assumevalid",
                                               "deprecatedrpc",
                                               "fallbackfee",
                                               "torcontrol",
                                               "blocknotify",
                                               "startupnotify",
                                               "reindex",
                                               "reindex-chainstate",
                                               "uacomment",
                                               "maxuploadtarget",
                                               NULL};

struct bitcoind {
        struct btc_args args;
        struct rpc_auth auth;
        uint32_t allow_net[32], allow_mask[32];
        size_t n_allow;
        char cookie_path[PATH_MAX];
        const char *last_shutdown;
        int64_t started_ms;
        int rpc_fd[MAX_LISTEN], zmq_fd[MAX_LISTEN], p2p_fd;
        size_t n_rpc, n_zmq;
        const char *zmq_names[MAX_LISTEN], *zmq_addrs[MAX_LISTEN];
        int subs[MAX_SUBS];
};

static int refuse(const char *path, const char *fmt, const char *a1, const char *a2, const char *a3) {
        char msg[16384];
        if (snprintf(msg, sizeof msg, fmt, a1, a2, a3) < 0)
                msg[0] = '\0';
        fprintf(stderr, "Error: %s (contract: bitcoin/bitcoin v28.1 %s)\n", msg, path);
        return -1;
}

/* v28.1 src/common/init.cpp InitConfig (PR #27302): a bitcoin.conf in the datadir that -conf
 * makes bitcoind ignore is an error unless -allowignoredconf; the btcpayserver images' entrypoint
 * always writes /data/bitcoin.conf (btcpayserver/dockerfile-deps
 * BitcoinKnots/29.3.knots20260508/docker-entrypoint.sh, as 28.1's). */
static int check_ignored_conf(const struct btc_args *a) {
        char base_conf[PATH_MAX];
        struct stat b, c;
        int n = snprintf(base_conf, sizeof base_conf, "%s/bitcoin.conf", a->datadir);
        if (n < 0 || (size_t)n >= sizeof base_conf || stat(base_conf, &b) < 0)
                return 0;
        if (stat(a->conf_path, &c) == 0 && b.st_dev == c.st_dev && b.st_ino == c.st_ino)
                return 0;
        if (btc_get_bool(a, "allowignoredconf", false)) {
                logmsg("Warning: Data directory \"%s\" contains a \"bitcoin.conf\" file which is ignored", a->datadir);
                return 0;
        }
        const char *cli = btc_get(a, "conf");
        char source[PATH_MAX + 64];
        snprintf(source, sizeof source, "command line argument \"-conf=%s\"", cli ? cli : "");
        return refuse("src/common/init.cpp",
                      "Data directory \"%s\" contains a \"bitcoin.conf\" file which is ignored, because a different "
                      "configuration file \"%s\" from %s is being used instead. Possible ways to address this would be "
                      "to: delete or rename it; use one configuration file and includeconf=; set allowignoredconf=1 "
                      "option to treat this condition as a warning, not an error.",
                      a->datadir, a->conf_path, source);
}

/* v28.1 src/httpserver.cpp InitHTTPAllowList: a single IP, IP/netmask or IP/CIDR; IPv4 here. */
static bool parse_subnet(const char *s, uint32_t *net, uint32_t *mask) {
        char ip[64];
        const char *slash = strchr(s, '/');
        snprintf(ip, sizeof ip, "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
        struct in_addr in, m;
        unsigned long bits;
        if (strcmp(ip, "::") == 0 && slash && strcmp(slash, "/0") == 0) {
                /* ::/0 is every IPv6 peer and no IPv4 one (CSubNet::Match compares networks first):
                 * a subnet no IPv4 peer is in */
                *mask = UINT32_MAX;
                *net = UINT32_MAX;
                return true;
        }
        if (inet_pton(AF_INET, ip, &in) != 1)
                return false;
        if (!slash)
                *mask = UINT32_MAX;
        else if (parse_ulong(slash + 1, 0, 32, &bits))
                *mask = bits == 0 ? 0 : UINT32_MAX << (32 - bits);
        else if (inet_pton(AF_INET, slash + 1, &m) == 1)
                *mask = ntohl(m.s_addr);
        else
                return false;
        *net = ntohl(in.s_addr) & *mask;
        return true;
}

static int load_allowlist(struct bitcoind *d) {
        const char *v[32];
        size_t n = btc_get_all(&d->args, "rpcallowip", v, 32);
        for (size_t i = 0; i < n; i++) {
                if (!parse_subnet(v[i], &d->allow_net[d->n_allow], &d->allow_mask[d->n_allow]))
                        return refuse(
                                "src/httpserver.cpp",
                                "Invalid -rpcallowip subnet specification: %s. Valid values are a single IP (e.g. "
                                "1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0), a network/CIDR (e.g. "
                                "1.2.3.4/24), all ipv4 (0.0.0.0/0), or all ipv6 (::/0).%s%s",
                                v[i], "", "");
                d->n_allow++;
        }
        return 0;
}

/* ClientAllowed: loopback always, then each -rpcallowip. */
static bool client_allowed(const struct bitcoind *d, const char *peer) {
        char ip[64];
        snprintf(ip, sizeof ip, "%.*s", (int)strcspn(peer, ":"), peer);
        struct in_addr in;
        if (inet_pton(AF_INET, ip, &in) != 1)
                return false;
        uint32_t a = ntohl(in.s_addr);
        if ((a >> 24) == 127)
                return true;
        for (size_t i = 0; i < d->n_allow; i++)
                if ((a & d->allow_mask[i]) == d->allow_net[i])
                        return true;
        return false;
}

static int hex_random(char *out, size_t bytes) {
        unsigned char raw[64];
        if (bytes > sizeof raw || RAND_bytes(raw, (int)bytes) != 1)
                return -1;
        for (size_t i = 0; i < bytes; i++)
                sprintf(out + 2 * i, "%02x", raw[i]);
        return 0;
}

/* v28.1 src/httprpc.cpp InitRPCAuthentication: without -rpcpassword bitcoind writes a cookie,
 * also when rpcauth lines are set (src/rpc/request.cpp GenerateAuthCookie: "__cookie__:" + 32
 * random bytes in hex, in the network datadir, via a temporary file, owner-only by default). */
static int write_cookie(struct bitcoind *d) {
        const char *name = btc_get(&d->args, "rpccookiefile");
        name = name && *name ? name : ".cookie";
        int n = name[0] == '/' ? snprintf(d->cookie_path, sizeof d->cookie_path, "%s", name)
                               : snprintf(d->cookie_path, sizeof d->cookie_path, "%s/%s", d->args.datadir_net, name);
        if (n < 0 || (size_t)n >= sizeof d->cookie_path)
                return -1;
        char pass[65], tmp[PATH_MAX + 8];
        if (hex_random(pass, 32) < 0 || asprintf(&d->auth.userpass, "__cookie__:%s", pass) < 0) {
                d->auth.userpass = NULL;
                return -1;
        }
        mkdir(d->args.datadir_net, 0700);
        snprintf(tmp, sizeof tmp, "%s.tmp", d->cookie_path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        bool ok = write(fd, d->auth.userpass, strlen(d->auth.userpass)) == (ssize_t)strlen(d->auth.userpass);
        if (close(fd) < 0 || !ok || rename(tmp, d->cookie_path) < 0)
                return -1;
        logmsg("Generated RPC authentication cookie %s", d->cookie_path);
        return 0;
}

static int load_auth(struct bitcoind *d) {
        const char *v[64];
        size_t n = btc_get_all(&d->args, "rpcauth", v, 64);
        for (size_t i = 0; i < n; i++)
                if (rpc_auth_add(&d->auth, v[i]) < 0) {
                        logmsg("Invalid -rpcauth argument.");
                        return refuse("src/httprpc.cpp",
                                      "Unable to start HTTP server. See debug log for details.%s%s%s", "", "", "");
                }
        const char *pass = btc_get(&d->args, "rpcpassword");
        if (pass && *pass) {
                const char *user = btc_get(&d->args, "rpcuser");
                if (asprintf(&d->auth.userpass, "%s:%s", user ? user : "", pass) < 0)
                        d->auth.userpass = NULL;
                return d->auth.userpass ? 0 : -1;
        }
        logmsg("Using random cookie authentication.");
        if (write_cookie(d) < 0) {
                logmsg("Unable to open cookie authentication file %s for writing", d->cookie_path);
                return refuse("src/httprpc.cpp", "Unable to start HTTP server. See debug log for details.%s%s%s", "",
                              "", "");
        }
        return 0;
}

/* "host[:port]" or "[v6]:port": the IPv4 address in network order, or -1 (IPv6 is not served). */
static int split_host_port(const char *s, unsigned def_port, uint32_t *addr, unsigned *port) {
        char host[128];
        const char *colon = strrchr(s, ':');
        unsigned long p = def_port;
        if (colon && strchr(s, ':') == colon) {
                if (!parse_ulong(colon + 1, 1, 65535, &p))
                        return -1;
                snprintf(host, sizeof host, "%.*s", (int)(colon - s), s);
        } else if (strchr(s, ':'))
                return -1; /* IPv6 */
        else
                snprintf(host, sizeof host, "%s", s);
        struct in_addr in;
        if (inet_pton(AF_INET, host, &in) != 1)
                return -1;
        *addr = in.s_addr;
        *port = (unsigned)p;
        return 0;
}

static int add_listener(int *fds, size_t *n, uint32_t addr, unsigned port, const char *what) {
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &addr, ip, sizeof ip);
        int fd = *n < MAX_LISTEN ? listen_tcp_at(addr, port) : -1;
        if (fd < 0) {
                logmsg("Binding %s on address %s port %u failed.", what, ip, port);
                return -1;
        }
        logmsg("Binding %s on address %s port %u", what, ip, port);
        fds[(*n)++] = fd;
        return 0;
}

/* v28.1 src/httpserver.cpp HTTPBindAddresses: -rpcbind only counts together with -rpcallowip;
 * either alone means loopback, with a warning. */
static int bind_rpc(struct bitcoind *d) {
        const struct btc_args *a = &d->args;
        const char *port_s = btc_get(a, "rpcport");
        unsigned long port = btc_default_rpc_port(a->chain);
        if (port_s && !parse_ulong(port_s, 1, 65535, &port))
                return refuse("src/httpserver.cpp", "Invalid port specified in -rpcport: '%s'%s%s", port_s, "", "");
        const char *binds[MAX_LISTEN];
        size_t n_bind = btc_get_all(a, "rpcbind", binds, MAX_LISTEN);
        if (d->n_allow == 0 || n_bind == 0) {
                if (d->n_allow)
                        logmsg("Warning: Option -rpcallowip was specified without -rpcbind; this doesn't usually make "
                               "sense");
                if (n_bind)
                        logmsg("Warning: Option -rpcbind was ignored because -rpcallowip was not specified, refusing "
                               "to allow everyone to connect");
                add_listener(d->rpc_fd, &d->n_rpc, htonl(INADDR_LOOPBACK), (unsigned)port, "RPC");
        }
        for (size_t i = 0; d->n_allow && i < n_bind; i++) {
                uint32_t addr;
                unsigned p;
                if (split_host_port(binds[i], (unsigned)port, &addr, &p) < 0) {
                        logmsg("Binding RPC on address %s failed (IPv4 only in the stand-in).", binds[i]);
                        continue;
                }
                add_listener(d->rpc_fd, &d->n_rpc, addr, p, "RPC");
        }
        if (d->n_rpc == 0)
                return refuse("src/httpserver.cpp", "Unable to start HTTP server. See debug log for details.%s%s%s", "",
                              "", "");
        return 0;
}

/* v28.1 src/zmq/zmqnotificationinterface.cpp: one publisher per -zmqpub<type>=tcp://host:port. */
static int bind_zmq(struct bitcoind *d) {
        static const char *const types[] = {"zmqpubhashblock", "zmqpubhashtx",   "zmqpubrawblock",
                                            "zmqpubrawtx",     "zmqpubsequence", NULL};
        for (const char *const *t = types; *t; t++) {
                const char *v[4];
                size_t n = btc_get_all(&d->args, *t, v, 4);
                for (size_t i = 0; i < n && d->n_zmq < MAX_LISTEN; i++) {
                        uint32_t addr;
                        unsigned port;
                        const char *hp = strncmp(v[i], "tcp://", 6) == 0 ? v[i] + 6 : NULL;
                        if (!hp || split_host_port(hp, 0, &addr, &port) < 0 || port == 0) {
                                logmsg("zmq: Failed to bind address %s (the stand-in serves tcp://IPv4:PORT)", v[i]);
                                return refuse("src/zmq/zmqnotificationinterface.cpp",
                                              "Unable to bind ZMQ publisher %s=%s%s", *t, v[i], "");
                        }
                        d->zmq_names[d->n_zmq] = *t + 3;
                        d->zmq_addrs[d->n_zmq] = v[i];
                        if (add_listener(d->zmq_fd, &d->n_zmq, addr, port, "zmq") < 0)
                                return -1;
                }
        }
        return 0;
}

/* v28.1 src/init.cpp: -listen defaults to 1 unless -connect is set; -bind or every address. */
static int bind_p2p(struct bitcoind *d) {
        const struct btc_args *a = &d->args;
        d->p2p_fd = -1;
        if (!btc_get_bool(a, "listen", !btc_get(a, "connect")))
                return 0;
        const char *port_s = btc_get(a, "port");
        unsigned long port = btc_default_p2p_port(a->chain);
        if (port_s && !parse_ulong(port_s, 1, 65535, &port))
                return refuse("src/init.cpp", "Invalid port specified in -port: '%s'%s%s", port_s, "", "");
        const char *bind = btc_get(a, "bind");
        uint32_t addr = htonl(INADDR_ANY);
        unsigned p = (unsigned)port;
        if (bind && split_host_port(bind, (unsigned)port, &addr, &p) < 0)
                return refuse("src/init.cpp", "Cannot resolve -bind address: '%s'%s%s", bind, "", "");
        size_t n = 0;
        return add_listener(&d->p2p_fd, &n, addr, p, "P2P");
}

/* The "id" member of the request, as JSON text, or null. */
static void json_member(const char *body, const char *name, char *out, size_t cap) {
        char key[32];
        snprintf(key, sizeof key, "\"%s\"", name);
        const char *p = strstr(body, key);
        snprintf(out, cap, "null");
        if (!p)
                return;
        p += strlen(key);
        p += strspn(p, " \t\r\n");
        if (*p != ':')
                return;
        p++;
        p += strspn(p, " \t\r\n");
        size_t len = *p == '"' ? strcspn(p + 1, "\"") + 2 : strcspn(p, ",} \t\r\n");
        if (len > 0 && len < cap)
                snprintf(out, cap, "%.*s", (int)len, p);
}

static void zmq_notifications(const struct bitcoind *d, char *out, size_t cap) {
        size_t used = (size_t)snprintf(out, cap, "[");
        for (size_t i = 0; i < d->n_zmq && used < cap; i++)
                used += (size_t)snprintf(out + used, cap - used, "%s{\"type\":\"%s\",\"address\":\"%s\",\"hwm\":1000}",
                                         i ? "," : "", d->zmq_names[i], d->zmq_addrs[i]);
        if (used < cap)
                snprintf(out + used, cap - used, "]");
}

/* The subversion getnetworkinfo reports: the image's (ARCHY_STANDIN_BITCOIN_SUBVERSION), else Core 29.2's. */
static const char *subversion(void) {
        const char *sub = getenv("ARCHY_STANDIN_BITCOIN_SUBVERSION");
        return sub && *sub ? sub : "/Satoshi:29.2.0/";
}

/* CLIENT_VERSION as getnetworkinfo's "version": 10000 * major + 100 * minor + build, from the
 * "/Satoshi:X.Y.Z/" user agent (bitcoin/bitcoin src/clientversion.cpp FormatSubVersion). */
static int client_version(void) {
        unsigned major = 0, minor = 0, build = 0;
        if (sscanf(subversion(), "/Satoshi:%u.%u.%u", &major, &minor, &build) != 3)
                return 0;
        return (int)(major * 10000 + minor * 100 + build);
}

/* Default -minrelaytxfee in BTC/kvB: 100 sat/kvB from 29.1 (bitcoin/bitcoin PR #33106,
 * doc/release-notes/release-notes-29.1.md), 1000 before. */
static const char *default_relayfee(void) {
        return client_version() >= 290100 ? "0.00000100" : "0.00001000";
}

/* The answer to one method; NULL for "Method not found". */
static const char *rpc_result(const struct bitcoind *d, const char *method, char *out, size_t cap) {
        long long secs = (long long)((now_ms() - d->started_ms) / 1000);
        const char *zero = "0000000000000000000000000000000000000000000000000000000000000000";
        if (strcmp(method, "\"getblockchaininfo\"") == 0)
                snprintf(out, cap,
                         "{\"chain\":\"%s\",\"blocks\":%lld,\"headers\":%lld,\"bestblockhash\":\"%s\","
                         "\"verificationprogress\":1,\"initialblockdownload\":false,\"pruned\":false,"
                         "\"warnings\":[],\"last_shutdown\":\"%s\"}",
                         d->args.chain, secs, secs, zero, d->last_shutdown);
        else if (strcmp(method, "\"getblockcount\"") == 0 || strcmp(method, "\"uptime\"") == 0)
                snprintf(out, cap, "%lld", secs);
        else if (strcmp(method, "\"getbestblockhash\"") == 0 || strcmp(method, "\"getblockhash\"") == 0)
                snprintf(out, cap, "\"%s\"", zero);
        else if (strcmp(method, "\"getnetworkinfo\"") == 0)
                snprintf(out, cap,
                         "{\"version\":%d,\"subversion\":\"%s\",\"protocolversion\":70016,\"connections\":0,"
                         "\"networkactive\":true,\"relayfee\":%s,\"warnings\":[]}",
                         client_version(), subversion(), default_relayfee());
        else if (strcmp(method, "\"getzmqnotifications\"") == 0)
                zmq_notifications(d, out, cap);
        else if (strcmp(method, "\"stop\"") == 0) {
                stop_signal = SIGTERM;
                snprintf(out, cap, "\"Bitcoin Core stopping\"");
        } else
                return NULL;
        return out;
}

static void serve_rpc(const struct bitcoind *d, int fd, const char *peer) {
        /* v28.1 src/httpserver.cpp http_request_cb: peers outside -rpcallowip get 403 */
        if (!client_allowed(d, peer)) {
                logmsg("HTTP request from %s rejected: Client network is not allowed RPC access", peer);
                http_respond(fd, "403 Forbidden", "", "");
                return;
        }
        char body[8192], method[128], id[128], result[4096], reply[4608];
        if (rpc_read_request(&d->auth, fd, peer, body, sizeof body) < 0)
                return;
        json_member(body, "method", method, sizeof method);
        json_member(body, "id", id, sizeof id);
        /* JSON-RPC 1.0 replies (src/rpc/request.cpp JSONRPCReplyObj): a newline at the end, 404 for
         * an unknown method (src/httprpc.cpp JSONErrorReply) */
        if (rpc_result(d, method, result, sizeof result)) {
                snprintf(reply, sizeof reply, "{\"result\":%s,\"error\":null,\"id\":%s}\n", result, id);
                http_respond(fd, "200 OK", "Content-Type: application/json\r\n", reply);
        } else {
                snprintf(reply, sizeof reply,
                         "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":%s}\n",
                         id);
                http_respond(fd, "404 Not Found", "Content-Type: application/json\r\n", reply);
        }
}

/* ZMQ subscribers are held open (a ZMTP peer waits for messages); P2P peers are closed at once. */
static void accept_other(struct bitcoind *d, int lfd, bool hold) {
        char peer[64];
        int fd = accept_client(lfd, 5, peer, sizeof peer);
        if (fd < 0)
                return;
        for (size_t i = 0; hold && i < MAX_SUBS; i++)
                if (d->subs[i] < 0) {
                        d->subs[i] = fd;
                        return;
                }
        close(fd);
}

static size_t gather_fds(const struct bitcoind *d, struct pollfd *p) {
        size_t n = 0;
        for (size_t i = 0; i < d->n_rpc; i++)
                p[n++] = (struct pollfd){.fd = d->rpc_fd[i], .events = POLLIN};
        for (size_t i = 0; i < d->n_zmq; i++)
                p[n++] = (struct pollfd){.fd = d->zmq_fd[i], .events = POLLIN};
        p[n++] = (struct pollfd){.fd = d->p2p_fd, .events = POLLIN}; /* -1 is skipped by poll */
        for (size_t i = 0; i < MAX_SUBS; i++)
                p[n++] = (struct pollfd){.fd = d->subs[i], .events = POLLIN};
        return n;
}

static void handle_ready(struct bitcoind *d, const struct pollfd *p) {
        size_t k = 0;
        for (size_t i = 0; i < d->n_rpc; i++, k++)
                if (p[k].revents & POLLIN) {
                        char peer[64];
                        int fd = accept_client(d->rpc_fd[i], 5, peer, sizeof peer);
                        if (fd >= 0) {
                                serve_rpc(d, fd, peer);
                                close(fd);
                        }
                }
        for (size_t i = 0; i < d->n_zmq; i++, k++)
                if (p[k].revents & POLLIN)
                        accept_other(d, d->zmq_fd[i], true);
        if (p[k++].revents & POLLIN)
                accept_other(d, d->p2p_fd, false);
        for (size_t i = 0; i < MAX_SUBS; i++, k++)
                if (p[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                        char buf[512];
                        if (recv(d->subs[i], buf, sizeof buf, MSG_DONTWAIT) <= 0) {
                                close(d->subs[i]);
                                d->subs[i] = -1;
                        }
                }
}

static void bitcoind_loop(struct bitcoind *d) {
        struct pollfd p[2 * MAX_LISTEN + 1 + MAX_SUBS];
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGHUP);
        while (!stop_signal) {
                size_t n = gather_fds(d, p);
                /* signals unblocked only inside ppoll(), as wait_readable() does */
                sigprocmask(SIG_BLOCK, &block, &old);
                int r = stop_signal ? -1 : ppoll(p, n, NULL, &old);
                sigprocmask(SIG_SETMASK, &old, NULL);
                if (hup_pending) {
                        hup_pending = 0;
                        logmsg("SIGHUP: reopening log, rpcauth not reloaded");
                }
                if (r > 0)
                        handle_ready(d, p);
        }
}

static void close_all(struct bitcoind *d) {
        for (size_t i = 0; i < d->n_rpc; i++)
                close(d->rpc_fd[i]);
        for (size_t i = 0; i < d->n_zmq; i++)
                close(d->zmq_fd[i]);
        if (d->p2p_fd >= 0)
                close(d->p2p_fd);
        for (size_t i = 0; i < MAX_SUBS; i++)
                if (d->subs[i] >= 0)
                        close(d->subs[i]);
        d->n_rpc = d->n_zmq = 0;
        d->p2p_fd = -1;
}

/* Like bitcoind: stop serving RPC, delete the cookie (src/httprpc.cpp StopHTTPRPC), flush. */
static int bitcoind_shutdown(struct bitcoind *d) {
        close_all(d);
        if (d->cookie_path[0])
                unlink(d->cookie_path);
        logmsg("Shutdown: In progress...");
        struct timespec left = {.tv_sec = 1};
        while (nanosleep(&left, &left) < 0 && errno == EINTR)
                ;
        if (write_marker(d->args.datadir_net, "clean-shutdown") < 0) {
                logmsg("cannot write %s/clean-shutdown: %s", d->args.datadir_net, strerror(errno));
                return 1;
        }
        logmsg("Shutdown: done");
        return 0;
}

static int bitcoind_args(struct bitcoind *d, int argc, char **argv) {
        char err[BTC_ERR_MAX];
        int pos;
        if (btc_parse_cmdline(&d->args, argc, argv, bitcoind_options, &pos, err, sizeof err) < 0) {
                /* v28.1 src/bitcoind.cpp AppInit */
                fprintf(stderr,
                        "Error: Error parsing command line arguments: %s (contract: bitcoin/bitcoin v28.1 "
                        "src/bitcoind.cpp)\n",
                        err);
                return -1;
        }
        if (pos < argc) {
                fprintf(stderr,
                        "Error: Command line contains unexpected token '%s', see bitcoind -h for a list of "
                        "options. (contract: bitcoin/bitcoin v28.1 src/bitcoind.cpp)\n",
                        argv[pos]);
                return -1;
        }
        if (btc_load(&d->args, err, sizeof err) < 0)
                return refuse(d->args.err_where, "%s%s%s", err, "", "");
        for (size_t i = 0; i < d->args.n; i++)
                if (d->args.v[i].origin != BTC_CMDLINE && !strchr("?h", d->args.v[i].name[0])) {
                        bool known = false;
                        for (const char *const *o = bitcoind_options; *o && !known; o++)
                                known = strcmp(*o, d->args.v[i].name) == 0;
                        if (!known) /* v28.1 src/common/config.cpp: ignore_invalid_keys for bitcoind */
                                logmsg("Ignoring unknown configuration value %s", d->args.v[i].name);
                }
        return check_ignored_conf(&d->args);
}

int bitcoind_main(int argc, char **argv) {
        struct bitcoind d = {.started_ms = now_ms(), .p2p_fd = -1};
        for (size_t i = 0; i < MAX_SUBS; i++)
                d.subs[i] = -1;
        int r = 1;
        if (bitcoind_args(&d, argc, argv) < 0 || install_signals() < 0)
                goto out;
        logmsg("Bitcoin Core version %s (stand-in), chain %s, datadir %s, config %s", subversion(), d.args.chain,
               d.args.datadir, d.args.conf_path);
        if (load_allowlist(&d) < 0 || bind_rpc(&d) < 0 || load_auth(&d) < 0 || bind_zmq(&d) < 0 || bind_p2p(&d) < 0)
                goto out;
        mkdir(d.args.datadir_net, 0700);
        if (!(d.last_shutdown = take_shutdown_state(d.args.datadir_net))) {
                logmsg("cannot record start in %s: %s", d.args.datadir_net, strerror(errno));
                goto out;
        }
        logmsg("%zu rpcauth line(s), %zu rpcallowip, %zu zmq publisher(s), P2P %s, last shutdown %s", d.auth.n_auth,
               d.n_allow, d.n_zmq, d.p2p_fd >= 0 ? "listening" : "off", d.last_shutdown);
        logmsg("init message: Done loading");
        bitcoind_loop(&d);
        r = bitcoind_shutdown(&d);
out:
        close_all(&d);
        if (r != 0 && d.cookie_path[0])
                unlink(d.cookie_path);
        rpc_auth_free(&d.auth);
        btc_args_free(&d.args);
        return r;
}
