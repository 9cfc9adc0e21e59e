/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fedimintd applet, run time: binds exactly the addresses fedimintd would (FM_BIND_P2P, FM_BIND_API,
 * FM_BIND_UI over TCP; with FM_ENABLE_IROH also UDP on the P2P and API ports, as iroh does), polls
 * bitcoind's JSON-RPC with FM_BITCOIND_USERNAME/FM_BITCOIND_PASSWORD as HTTP basic auth (fedimint
 * fedimint-server-bitcoin-rpc src/bitcoind.rs, bitcoincore-rpc Auth::UserPass), and serves the UI in
 * the shape of fedimintd's built-in guardian UI before setup (docs/contracts/fedimint.md).
 */
#include "app-fedimint.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#define FM_FIELD 256
#define FM_POLL_MS 2000

struct fm_node {
        char host[FM_FIELD], port[8], path[FM_FIELD], user[FM_FIELD], pass[FM_FIELD];
        const char *network;
        bool has_password_ui; /* FM_PASSWORD_UI set: the UI has a login */
};

struct fm_state {
        char outcome[512];
        long long blocks;
        bool connected;
};

static int fm_bind(const char *addr, int type) {
        struct sockaddr_in sa;
        if (fm_parse_sockaddr(addr, &sa) < 0)
                return -1;
        int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0)
                return -1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (type == SOCK_STREAM && listen(fd, 16) < 0)) {
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
        }
        return fd;
}

/* http://host[:port][/path]; userinfo in the URL is skipped: v0.8+ takes the credentials apart. */
static int fm_parse_node(const char *url, struct fm_node *n) {
        if (strncasecmp(url, "http://", 7) != 0)
                return -1;
        const char *h = url + 7;
        size_t hl = strcspn(h, "/?#");
        const char *at = memrchr(h, '@', hl);
        if (at) {
                hl -= (size_t)(at + 1 - h);
                h = at + 1;
        }
        const char *colon = memchr(h, ':', hl);
        size_t host_len = colon ? (size_t)(colon - h) : hl;
        size_t port_len = colon ? hl - host_len - 1 : 2;
        if (host_len == 0 || host_len >= sizeof n->host || port_len == 0 || port_len >= sizeof n->port)
                return -1;
        memcpy(n->host, h, host_len);
        n->host[host_len] = '\0';
        memcpy(n->port, colon ? colon + 1 : "80", port_len);
        n->port[port_len] = '\0';
        snprintf(n->path, sizeof n->path, "%s", h[hl] == '/' ? h + hl : "/");
        return 0;
}

static int fm_read_password_file(const char *path, char *out, size_t cap) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        size_t n = fread(out, 1, cap - 1, f);
        fclose(f);
        out[n] = '\0';
        while (n > 0 && strchr(" \t\r\n", out[n - 1]))
                out[--n] = '\0';
        return 0;
}

static int fm_connect(const struct fm_node *n, char *outcome, size_t cap) {
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        int g = getaddrinfo(n->host, n->port, &hints, &res);
        if (g != 0) {
                snprintf(outcome, cap, "unreachable: resolving %s: %s", n->host, gai_strerror(g));
                return -1;
        }
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
                set_timeouts(fd, 2);
                if (connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
                        snprintf(outcome, cap, "unreachable: connecting to %s:%s: %s", n->host, n->port,
                                 strerror(errno));
                        close(fd);
                        fd = -1;
                }
        }
        freeaddrinfo(res);
        return fd;
}

static int fm_send_rpc(int fd, const struct fm_node *n) {
        static const char body[] = "{\"jsonrpc\":\"1.0\",\"id\":\"fedimintd\",\"method\":\"getblockchaininfo\","
                                   "\"params\":[]}";
        char creds[2 * FM_FIELD + 2], b64[4 * ((sizeof creds + 2) / 3) + 1], req[2048];
        int cl = snprintf(creds, sizeof creds, "%s:%s", n->user, n->pass);
        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)creds, cl);
        int len = snprintf(req, sizeof req,
                           "POST %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Basic %s\r\n"
                           "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                           n->path, n->host, n->port, b64, sizeof body - 1, body);
        int r = len > 0 && (size_t)len < sizeof req ? send_all(fd, req, (size_t)len) : -1;
        OPENSSL_cleanse(creds, sizeof creds);
        OPENSSL_cleanse(req, sizeof req);
        return r;
}

/* getblockchaininfo's "chain" as fedimint names networks (bitcoin::Network::from_core_arg). */
static const char *fm_network_of_chain(const char *reply) {
        static const char *const map[][2] = {{"\"main\"", "bitcoin"},
                                             {"\"test\"", "testnet"},
                                             {"\"testnet4\"", "testnet4"},
                                             {"\"signet\"", "signet"},
                                             {"\"regtest\"", "regtest"}};
        const char *c = strstr(reply, "\"chain\":");
        if (!c)
                return NULL;
        c += 8;
        c += strspn(c, " ");
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
                if (strncmp(c, map[i][0], strlen(map[i][0])) == 0)
                        return map[i][1];
        return "unknown";
}

static void fm_classify(const struct fm_node *n, const char *reply, struct fm_state *st) {
        int code = 0;
        const char *b = strstr(reply, "\"blocks\":");
        const char *net = fm_network_of_chain(reply);
        st->connected = false;
        if (sscanf(reply, "HTTP/%*d.%*d %d", &code) != 1)
                snprintf(st->outcome, sizeof st->outcome, "malformed HTTP reply");
        else if (code == 401)
                snprintf(st->outcome, sizeof st->outcome,
                         "unauthorized (HTTP 401): FM_BITCOIND_USERNAME/FM_BITCOIND_PASSWORD rejected");
        else if (code != 200 || !b || sscanf(b + 9, "%lld", &st->blocks) != 1)
                snprintf(st->outcome, sizeof st->outcome, "HTTP %d without a getblockchaininfo result", code);
        else if (net && strcmp(net, n->network) != 0)
                /* The federation's chain is FM_BITCOIN_NETWORK (default regtest, fedimintd/src/lib.rs);
                 * a node on another chain cannot serve it. Upstream's own check is not located. */
                snprintf(st->outcome, sizeof st->outcome,
                         "network mismatch: bitcoind is on %s, FM_BITCOIN_NETWORK is %s", net, n->network);
        else {
                st->connected = true;
                snprintf(st->outcome, sizeof st->outcome, "connected");
        }
}

static void fm_probe(const struct fm_node *n, struct fm_state *st) {
        char reply[8192] = "", before[sizeof st->outcome];
        snprintf(before, sizeof before, "%s", st->outcome);
        int fd = fm_connect(n, st->outcome, sizeof st->outcome);
        if (fd >= 0) {
                size_t len = 0;
                ssize_t r = fm_send_rpc(fd, n) < 0 ? -1 : 0;
                while (r >= 0 && len + 1 < sizeof reply && (r = recv(fd, reply + len, sizeof reply - 1 - len, 0)) > 0)
                        len += (size_t)r;
                reply[len] = '\0';
                close(fd);
                if (len > 0)
                        fm_classify(n, reply, st);
                else
                        snprintf(st->outcome, sizeof st->outcome, "unreachable: no reply from %s:%s", n->host, n->port);
        }
        if (fd < 0)
                st->connected = false;
        if (strcmp(before, st->outcome) != 0)
                logmsg("bitcoind RPC %s:%s: %s", n->host, n->port, st->outcome);
}

/* The setup UI of a guardian not set up yet (fedimint-server-ui src/setup.rs router): / is the setup
 * page; /login exists only when FM_PASSWORD_UI gives the UI a password (requires_auth), and pages
 * behind UserAuth (/federation_setup) answer 303 to /login without the auth cookie, which the
 * stand-in never issues (fedimint-ui-common src/auth.rs, axum Redirect::to). The rest: ui_route's
 * guardian shape (the assets at /assets/..., 404 for any other path). */
static void fm_guardian_route(const char *path, bool has_password, struct ui_reply *r) {
        ui_route("guardian", "", path, r);
        if (strcmp(path, "/login") == 0 && has_password)
                ui_guardian_page(r);
        else if (strcmp(path, "/federation_setup") == 0 && has_password) {
                r->status = 303;
                r->location = "/login";
                r->len = 0;
        }
}

static void fm_send_ui(int fd, const char *path, bool has_password) {
        static char out[8192];
        struct ui_reply r;
        fm_guardian_route(path, has_password, &r);
        int n = ui_format_reply(&r, "", out, sizeof out);
        if (n > 0)
                (void)send_all(fd, out, (size_t)n);
        shutdown(fd, SHUT_WR);
}

static void fm_serve_ui_path(int fd, const char *path, const struct fm_node *n, const struct fm_state *st) {
        char body[1024];
        if (strcmp(path, "/status") != 0) {
                fm_send_ui(fd, path, n->has_password_ui);
                return;
        }
        snprintf(body, sizeof body, "bitcoind %s%s%s:%s blocks=%lld\n",
                 st->connected ? "connected to " : "not connected: ", st->connected ? "" : st->outcome,
                 st->connected ? n->host : " at ", n->port, st->blocks);
        http_respond(fd, st->connected ? "200 OK" : "503 Service Unavailable", "Content-Type: text/plain\r\n", body);
}

static int fm_request(int lfd, char *head, size_t cap, char *path, size_t path_cap) {
        char peer[64];
        size_t head_len;
        int fd = accept_client(lfd, 2, peer, sizeof peer);
        if (fd < 0)
                return -1;
        if (read_head(fd, head, cap, &head_len) < 0 || sscanf(head, "%*s %255s", path) != 1 || path_cap < 256) {
                close(fd);
                return -1;
        }
        path[strcspn(path, "?#")] = '\0';
        return fd;
}

static void fm_serve_ui(int lfd, const struct fm_node *n, const struct fm_state *st) {
        char head[HEAD_MAX], path[256];
        int fd = fm_request(lfd, head, sizeof head, path, sizeof path);
        if (fd < 0)
                return;
        if (strncmp(head, "GET ", 4) != 0 && strncmp(head, "HEAD ", 5) != 0)
                http_respond(fd, "405 Method Not Allowed", "Allow: GET\r\n", "");
        else
                fm_serve_ui_path(fd, path, n, st);
        close(fd);
}

/* RFC 6455 4.2.2: Sec-WebSocket-Accept = base64(SHA-1(key + GUID)). The API is jsonrpsee over
 * websocket (fedimint-server src/net/api.rs); the stand-in completes the handshake, then closes. */
static void fm_serve_api(int lfd) {
        char head[HEAD_MAX], path[256], key[128], upgrade[64], buf[300], accept_b64[64];
        unsigned char digest[SHA_DIGEST_LENGTH];
        int fd = fm_request(lfd, head, sizeof head, path, sizeof path);
        if (fd < 0)
                return;
        if (!find_header(head, "Upgrade", upgrade, sizeof upgrade) || strcasecmp(upgrade, "websocket") != 0 ||
            !find_header(head, "Sec-WebSocket-Key", key, sizeof key)) {
                http_respond(fd, "400 Bad Request", "Content-Type: text/plain\r\n", "websocket upgrade expected\n");
                close(fd);
                return;
        }
        snprintf(buf, sizeof buf, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
        SHA1((const unsigned char *)buf, strlen(buf), digest);
        EVP_EncodeBlock((unsigned char *)accept_b64, digest, SHA_DIGEST_LENGTH);
        int len = snprintf(buf, sizeof buf,
                           "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: %s\r\n\r\n\x88\x02\x03\xe8",
                           accept_b64);
        (void)send_all(fd, buf, (size_t)len);
        close(fd);
}

static void fm_drop_peer(int lfd) {
        char peer[64];
        int fd = accept_client(lfd, 1, peer, sizeof peer);
        if (fd >= 0)
                close(fd);
}

static void fm_loop(const int fds[3], const struct fm_node *n) {
        struct fm_state st = {.outcome = "starting"};
        struct pollfd p[3];
        for (int i = 0; i < 3; i++)
                p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        int64_t next = now_ms();
        while (!stop_signal) {
                hup_pending = 0;
                int64_t now = now_ms();
                if (now >= next) {
                        fm_probe(n, &st);
                        next = now_ms() + FM_POLL_MS;
                        continue;
                }
                if (wait_any(p, 3, next - now) <= 0)
                        continue;
                if (p[0].revents & POLLIN)
                        fm_drop_peer(fds[0]);
                if (p[1].revents & POLLIN)
                        fm_serve_api(fds[1]);
                if (p[2].revents & POLLIN)
                        fm_serve_ui(fds[2], n, &st);
        }
}

static int fm_node_from_opts(const struct fm_opts *o, struct fm_node *n) {
        *n = (struct fm_node){.network = o->network, .has_password_ui = o->password_ui && *o->password_ui};
        if (!o->url) {
                logmsg("esplora backend (%s): not stood in, only bitcoind", o->esplora);
                return -1;
        }
        if (fm_parse_node(o->url, n) < 0) {
                logmsg("cannot parse FM_BITCOIND_URL as http://host[:port][/path]");
                return -1;
        }
        snprintf(n->user, sizeof n->user, "%s", o->user);
        if (o->pass_file)
                return fm_read_password_file(o->pass_file, n->pass, sizeof n->pass) < 0
                               ? (logmsg("Failed to read the password: %s: %s", o->pass_file, strerror(errno)), -1)
                               : 0;
        snprintf(n->pass, sizeof n->pass, "%s", o->pass);
        return 0;
}

static int fm_bind_all(const struct fm_opts *o, int tcp[3], int udp[2]) {
        const char *addr[3] = {o->bind_p2p, o->bind_api, o->bind_ui};
        const char *what[3] = {"p2p", "api", "ui"};
        for (int i = 0; i < 3; i++)
                if ((tcp[i] = fm_bind(addr[i], SOCK_STREAM)) < 0) {
                        logmsg("Error: failed to bind %s on %s: %s", what[i], addr[i], strerror(errno));
                        return -1;
                }
        for (int i = 0; o->iroh && i < 2; i++)
                if ((udp[i] = fm_bind(addr[i], SOCK_DGRAM)) < 0) {
                        logmsg("Error: failed to bind iroh %s on %s/udp: %s", what[i], addr[i], strerror(errno));
                        return -1;
                }
        logmsg("listening p2p on %s, api (websocket) on %s, ui on %s%s", o->bind_p2p, o->bind_api, o->bind_ui,
               o->iroh ? ", iroh on the p2p and api ports (udp)" : "");
        return 0;
}

int fm_run(const struct fm_opts *o) {
        struct fm_node n;
        int tcp[3] = {-1, -1, -1}, udp[2] = {-1, -1}, r = 1;
        logmsg("Starting fedimintd (version: 0.13.0, stand-in) network %s, data dir %s", o->network, o->data_dir);
        if (fm_node_from_opts(o, &n) == 0 && install_signals() == 0 && fm_bind_all(o, tcp, udp) == 0) {
                fm_loop(tcp, &n);
                logmsg("exiting on signal %d", (int)stop_signal);
                r = 0;
        }
        for (int i = 0; i < 3; i++)
                if (tcp[i] >= 0)
                        close(tcp[i]);
        for (int i = 0; i < 2; i++)
                if (udp[i] >= 0)
                        close(udp[i]);
        OPENSSL_cleanse(n.pass, sizeof n.pass);
        return r;
}
