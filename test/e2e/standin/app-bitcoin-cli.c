/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bitcoin-cli applet (bitcoin/bitcoin v28.1 src/bitcoin-cli.cpp): reads -datadir/-conf like
 * bitcoind (but without bitcoind's ignored-conf check: it calls ReadConfigFiles directly), takes
 * -rpcuser/-rpcpassword or else the cookie of the network datadir, calls one method on
 * -rpcconnect:-rpcport and exits like bitcoin-cli: 0 with the result on stdout, 1 when it cannot
 * connect, authenticate or find credentials, the RPC error's code when the call fails.
 * Also gosu (tianon/gosu 1.16, in both images): drop to a user and exec.
 */
#include "app-bitcoin.h"

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

static const char *const cli_options[] = {"?",
                                          "h",
                                          "help",
                                          "version",
                                          "datadir",
                                          "conf",
                                          "chain",
                                          "regtest",
                                          "signet",
                                          "testnet",
                                          "testnet4",
                                          "rpcconnect",
                                          "rpcport",
                                          "rpcuser",
                                          "rpcpassword",
                                          "rpccookiefile",
                                          "rpcwait",
                                          "rpcwaittimeout",
                                          "rpcclienttimeout",
                                          "rpcwallet",
                                          "named",
                                          "stdin",
                                          "stdinrpcpass",
                                          "stdinwalletpassphrase",
                                          "color",
                                          NULL};

static int cli_fail(const char *msg) {
        fprintf(stderr, "error: %s\n", msg);
        return 1;
}

/* Credentials: -rpcpassword, else the cookie (v28.1 src/bitcoin-cli.cpp CallRPC, GetAuthCookie). */
static int credentials(const struct btc_args *a, char *out, size_t cap) {
        const char *pass = btc_get(a, "rpcpassword");
        if (pass && *pass) {
                const char *user = btc_get(a, "rpcuser");
                snprintf(out, cap, "%s:%s", user ? user : "", pass);
                return 0;
        }
        const char *name = btc_get(a, "rpccookiefile");
        char path[8300];
        name = name && *name ? name : ".cookie";
        snprintf(path, sizeof path, "%s%s%s", name[0] == '/' ? "" : a->datadir_net, name[0] == '/' ? "" : "/", name);
        FILE *f = fopen(path, "re");
        bool ok = f && fgets(out, (int)cap, f);
        if (f)
                fclose(f);
        if (ok)
                out[strcspn(out, "\r\n")] = '\0';
        return ok ? 0 : -1;
}

static int connect_to(const char *host, unsigned port) {
        char ps[8];
        snprintf(ps, sizeof ps, "%u", port);
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        if (getaddrinfo(host, ps, &hints, &res) != 0)
                return -1;
        int fd = -1;
        for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
                fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
                if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                        close(fd);
                        fd = -1;
                }
        }
        freeaddrinfo(res);
        if (fd >= 0)
                set_timeouts(fd, 900);
        return fd;
}

/* One positional argument as a JSON value: numbers, true/false/null and JSON text as they are. */
static void append_params(char *out, size_t cap, int argc, char **argv, int from) {
        size_t used = strlen(out);
        for (int i = from; i < argc && used < cap; i++) {
                const char *v = argv[i];
                char *end;
                (void)strtod(v, &end);
                bool raw = (*v && !*end) || strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ||
                           strcmp(v, "null") == 0 || *v == '{' || *v == '[';
                used += (size_t)snprintf(out + used, cap - used, "%s%s%s%s", i > from ? "," : "", raw ? "" : "\"", v,
                                         raw ? "" : "\"");
        }
}

static ssize_t http_call(int fd, const char *host, const char *userpass, const char *json, char *resp, size_t cap) {
        unsigned char b64[1400];
        size_t len = strlen(userpass);
        if (len > 1000)
                return -1;
        EVP_EncodeBlock(b64, (const unsigned char *)userpass, (int)len);
        char req[16384];
        int n = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nAuthorization: Basic %s\r\n"
                         "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                         host, b64, strlen(json), json);
        if (n < 0 || (size_t)n >= sizeof req || send_all(fd, req, (size_t)n) < 0)
                return -1;
        size_t got = 0;
        for (ssize_t r; got + 1 < cap && (r = recv(fd, resp + got, cap - 1 - got, 0)) != 0;) {
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        break;
                got += (size_t)r;
        }
        resp[got] = '\0';
        return (ssize_t)got;
}

/* bitcoin-cli's handling of the reply: 401 and other HTTP errors, then result or error. */
static int report_reply(const char *resp) {
        int status = 0;
        if (sscanf(resp, "HTTP/%*s %d", &status) != 1)
                return cli_fail("no response from server");
        if (status == 401)
                return cli_fail("Authorization failed: Incorrect rpcuser or rpcpassword");
        if (status == 403)
                return cli_fail("server returned HTTP error 403");
        const char *body = strstr(resp, "\r\n\r\n");
        body = body ? body + 4 : "";
        if (status >= 400 && status != 400 && status != 404 && status != 500) {
                fprintf(stderr, "error: server returned HTTP error %d\n", status);
                return 1;
        }
        const char *err = strstr(body, "\"error\":{");
        if (err) {
                int code = 0;
                const char *c = strstr(err, "\"code\":");
                if (c)
                        code = atoi(c + 7);
                const char *m = strstr(err, "\"message\":\"");
                fprintf(stderr, "error code: %d\nerror message:\n%.*s\n", code, m ? (int)strcspn(m + 11, "\"") : 0,
                        m ? m + 11 : "");
                return code < 0 ? -code : code ? code : 1;
        }
        const char *res = strstr(body, "\"result\":");
        if (!res)
                return cli_fail("couldn't parse reply from server");
        res += 9;
        const char *end = strstr(res, ",\"error\":");
        printf("%.*s\n", end ? (int)(end - res) : (int)strcspn(res, "\n"), res);
        return 0;
}

static int cli_call(const struct btc_args *a, int argc, char **argv, int pos) {
        char host[256], userpass[1100];
        const char *connect_s = btc_get(a, "rpcconnect");
        const char *port_s = btc_get(a, "rpcport");
        unsigned long port = btc_default_rpc_port(a->chain);
        snprintf(host, sizeof host, "%s", connect_s && *connect_s ? connect_s : "127.0.0.1");
        char *colon = strchr(host, ':');
        if (colon && !strchr(colon + 1, ':')) {
                *colon = '\0';
                parse_ulong(colon + 1, 1, 65535, &port);
        }
        if (port_s && !parse_ulong(port_s, 1, 65535, &port)) {
                fprintf(stderr, "error: Invalid port provided in -rpcport: %s\n", port_s);
                return 1;
        }
        if (credentials(a, userpass, sizeof userpass) < 0) {
                fprintf(stderr,
                        "error: Could not locate RPC credentials. No authentication cookie could be found, and RPC "
                        "password is not set.  See -rpcpassword and -stdinrpcpass.  Configuration file: (%s)\n",
                        a->conf_path);
                return 1;
        }
        int fd = connect_to(host, (unsigned)port);
        if (fd < 0) {
                fprintf(stderr,
                        "error: Could not connect to the server %s:%lu\n\nMake sure the bitcoind server is running "
                        "and that you are connecting to the correct RPC port.\nUse \"bitcoin-cli -help\" for more "
                        "info.\n",
                        host, port);
                return 1;
        }
        char json[8192], resp[65536];
        snprintf(json, sizeof json, "{\"version\":\"1.1\",\"id\":1,\"method\":\"%s\",\"params\":[", argv[pos]);
        append_params(json, sizeof json - 2, argc, argv, pos + 1);
        size_t used = strlen(json);
        snprintf(json + used, sizeof json - used, "]}");
        ssize_t got = http_call(fd, host, userpass, json, resp, sizeof resp);
        close(fd);
        return got <= 0 ? cli_fail("no response from server") : report_reply(resp);
}

int bitcoin_cli_main(int argc, char **argv) {
        struct btc_args a = {0};
        char err[BTC_ERR_MAX];
        int pos, r = 1;
        if (btc_parse_cmdline(&a, argc, argv, cli_options, &pos, err, sizeof err) < 0)
                fprintf(stderr, "Error parsing command line arguments: %s\n", err);
        else if (btc_load(&a, err, sizeof err) < 0)
                fprintf(stderr, "Error: %s\n", err);
        else if (pos >= argc)
                r = cli_fail("too few parameters (need at least command)");
        else
                r = cli_call(&a, argc, argv, pos);
        btc_args_free(&a);
        return r;
}

/* gosu USER[:GROUP] COMMAND [ARGS...] (tianon/gosu): the entrypoint's "exec gosu bitcoin "$@"". */
int gosu_main(int argc, char **argv) {
        if (argc < 3) {
                fprintf(stderr, "Usage: gosu user-spec command [args]\n");
                return 1;
        }
        char spec[256];
        snprintf(spec, sizeof spec, "%s", argv[1]);
        char *group = strchr(spec, ':');
        if (group)
                *group++ = '\0';
        struct passwd *pw = getpwnam(spec);
        if (!pw) {
                fprintf(stderr,
                        "error: failed switching to \"%s\": unable to find user %s: no matching entries in passwd "
                        "file\n",
                        argv[1], spec);
                return 1;
        }
        gid_t gid = pw->pw_gid;
        struct group *gr = group ? getgrnam(group) : NULL;
        if (group && !gr) {
                fprintf(stderr, "error: failed switching to \"%s\": unable to find group %s\n", argv[1], group);
                return 1;
        }
        if (gr)
                gid = gr->gr_gid;
        if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(pw->pw_uid) < 0) {
                fprintf(stderr, "error: failed switching to \"%s\": %s\n", argv[1], strerror(errno));
                return 1;
        }
        setenv("HOME", pw->pw_dir, 1);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "error: exec: \"%s\": %s\n", argv[2], strerror(errno));
        return 1;
}
