/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mempool backend and frontend stand-ins (mempool/mempool v3.0.1 .. v3.3.1, docker/backend/start.sh,
 * docker/frontend/entrypoint.sh, nginx-mempool.conf). The backend takes start.sh's environment, sees
 * each value as start.sh's sed into mempool-config.json leaves it, refuses where the real backend
 * exits, then polls electrumx (Electrum JSON lines), bitcoind (JSON-RPC) and mariadb (the real client).
 */
#include "apps.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_SH "mempool/mempool v3.0.1 docker/backend/start.sh"
#define DB_TS "mempool/mempool v3.0.1 backend/src/database.ts checkDbConnection"

struct mcfg {
        char backend[32], rpc_host[256], rpc_port[16], rpc_user[256], rpc_pass[256];
        char el_host[256], el_port[16], el_tls[8];
        char db_enabled[8], db_host[256], db_port[16], db_name[256], db_user[256], db_pass[256];
        char http_port[16];
};

struct mstate {
        struct mcfg c;
        char electrum[400], core[400], db[600];
        long long height;
};

/*
 * start.sh runs `sed -i "s!__NAME__!${VALUE}!g" mempool-config.json` without set -e: a '!' ends the
 * s command early (sed fails, the placeholder stays), '&' inserts the placeholder, '\x' becomes x.
 * The result sits inside a JSON string, where '"' or '\' make the file unparsable.
 */
static int from_env(const char *var, const char *def, const char *ph, char *out, size_t cap) {
        const char *v = env_or(var, def);
        if (!*v)
                v = def; /* ${VAR:=default} also replaces an empty value */
        if (strchr(v, '!')) {
                logmsg("%s holds '!': start.sh's sed \"s!%s!...!g\" fails and the placeholder stays (contract: %s)",
                       var, ph, START_SH);
                snprintf(out, cap, "%s", ph);
                return 0;
        }
        size_t n = 0;
        for (const char *p = v; *p && n + 1 < cap; p++) {
                if (*p == '&') {
                        n += (size_t)snprintf(out + n, cap - n, "%s", ph);
                        if (n >= cap)
                                n = cap - 1;
                        continue;
                }
                if (*p == '\\' && p[1])
                        p++;
                out[n++] = *p;
        }
        out[n] = '\0';
        if (strpbrk(out, "\"\\"))
                return refuse(START_SH,
                              "%s: its value breaks the JSON string in mempool-config.json "
                              "(SyntaxError: Unexpected token in JSON), the backend exits",
                              var);
        if (strcmp(v, out) != 0)
                logmsg("%s: start.sh's sed changed the value ('&' or '\\') (contract: %s)", var, START_SH);
        return 0;
}

static int load_cfg(struct mcfg *c) {
        struct {
                const char *var, *def, *ph;
                char *out;
                size_t cap;
        } t[] = {
                {"MEMPOOL_BACKEND", "electrum", "__MEMPOOL_BACKEND__", c->backend, sizeof c->backend},
                {"CORE_RPC_HOST", "127.0.0.1", "__CORE_RPC_HOST__", c->rpc_host, sizeof c->rpc_host},
                {"CORE_RPC_PORT", "8332", "__CORE_RPC_PORT__", c->rpc_port, sizeof c->rpc_port},
                {"CORE_RPC_USERNAME", "mempool", "__CORE_RPC_USERNAME__", c->rpc_user, sizeof c->rpc_user},
                {"CORE_RPC_PASSWORD", "mempool", "__CORE_RPC_PASSWORD__", c->rpc_pass, sizeof c->rpc_pass},
                {"ELECTRUM_HOST", "127.0.0.1", "__ELECTRUM_HOST__", c->el_host, sizeof c->el_host},
                {"ELECTRUM_PORT", "50002", "__ELECTRUM_PORT__", c->el_port, sizeof c->el_port},
                {"ELECTRUM_TLS_ENABLED", "false", "__ELECTRUM_TLS_ENABLED__", c->el_tls, sizeof c->el_tls},
                {"DATABASE_ENABLED", "true", "__DATABASE_ENABLED__", c->db_enabled, sizeof c->db_enabled},
                {"DATABASE_HOST", "127.0.0.1", "__DATABASE_HOST__", c->db_host, sizeof c->db_host},
                {"DATABASE_PORT", "3306", "__DATABASE_PORT__", c->db_port, sizeof c->db_port},
                {"DATABASE_DATABASE", "mempool", "__DATABASE_DATABASE__", c->db_name, sizeof c->db_name},
                {"DATABASE_USERNAME", "mempool", "__DATABASE_USERNAME__", c->db_user, sizeof c->db_user},
                {"DATABASE_PASSWORD", "mempool", "__DATABASE_PASSWORD__", c->db_pass, sizeof c->db_pass},
                {"BACKEND_HTTP_PORT", "8999", "__MEMPOOL_HTTP_PORT__", c->http_port, sizeof c->http_port},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
                if (from_env(t[i].var, t[i].def, t[i].ph, t[i].out, t[i].cap) != 0)
                        return 1;
        /* mempool-config.json has the ports and booleans unquoted: anything else is not JSON */
        const char *nums[][2] = {{"CORE_RPC_PORT", c->rpc_port},
                                 {"ELECTRUM_PORT", c->el_port},
                                 {"DATABASE_PORT", c->db_port},
                                 {"BACKEND_HTTP_PORT", c->http_port}};
        unsigned long u;
        for (size_t i = 0; i < 4; i++)
                if (!parse_ulong(nums[i][1], 1, 65535, &u))
                        return refuse(START_SH,
                                      "%s: expected a port number, got \"%s\" (unquoted in mempool-config.json)",
                                      nums[i][0], nums[i][1]);
        const char *bools[][2] = {{"ELECTRUM_TLS_ENABLED", c->el_tls}, {"DATABASE_ENABLED", c->db_enabled}};
        for (size_t i = 0; i < 2; i++)
                if (strcmp(bools[i][1], "true") != 0 && strcmp(bools[i][1], "false") != 0)
                        return refuse(START_SH, "%s: expected true or false, got \"%s\"", bools[i][0], bools[i][1]);
        if (strcmp(c->backend, "electrum") == 0 && strcmp(c->el_tls, "true") == 0)
                return refuse("archy stand-in", "ELECTRUM_TLS_ENABLED=true: the stand-in speaks plain TCP only");
        return 0;
}

/* The real mariadb client, copied into the image: SELECT 1 in the database, the password in MYSQL_PWD. */
static int db_probe(const struct mcfg *c, char *outcome, size_t cap) {
        int pfd[2];
        if (pipe(pfd) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                dup2(pfd[1], 1);
                dup2(pfd[1], 2);
                close(pfd[0]);
                setenv("MYSQL_PWD", c->db_pass, 1);
                char h[300], p[32], u[300], d[300];
                snprintf(h, sizeof h, "--host=%s", c->db_host);
                snprintf(p, sizeof p, "--port=%s", c->db_port);
                snprintf(u, sizeof u, "--user=%s", c->db_user);
                snprintf(d, sizeof d, "--database=%s", c->db_name);
                char *args[] = {"mariadb", h, p, u, d, "--connect-timeout=5", "-N", "-B", "-e", "SELECT 1", NULL};
                execvp("mariadb", args);
                args[0] = "mysql";
                execvp("mysql", args);
                printf("no mariadb or mysql client in the image: %s\n", strerror(errno));
                _exit(127);
        }
        close(pfd[1]);
        char out[512] = "";
        ssize_t n = pid > 0 ? read(pfd[0], out, sizeof out - 1) : -1;
        out[n > 0 ? n : 0] = '\0';
        out[strcspn(out, "\n")] = '\0';
        close(pfd[0]);
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) < 0)
                return -1;
        bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, "1") == 0;
        snprintf(outcome, cap, "%s", ok ? "connected" : *out ? out : "mariadb client failed");
        return ok ? 0 : -1;
}

static void electrum_probe(struct mstate *s) {
        char err[300], buf[4096] = "";
        int fd = tcp_connect_timeout(s->c.el_host, s->c.el_port, 2000, err, sizeof err);
        if (fd < 0) {
                snprintf(s->electrum, sizeof s->electrum, "unreachable: %s", err);
                return;
        }
        static const char req[] = "{\"id\":0,\"method\":\"server.version\",\"params\":[\"mempool\",\"1.4\"]}\n"
                                  "{\"id\":1,\"method\":\"blockchain.headers.subscribe\",\"params\":[]}\n";
        size_t len = 0;
        const char *h = NULL;
        if (send_all(fd, req, sizeof req - 1) == 0)
                while (!(h = strstr(buf, "\"height\":")) && len + 1 < sizeof buf) {
                        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
                        if (n <= 0)
                                break;
                        len += (size_t)n;
                        buf[len] = '\0';
                }
        close(fd);
        if (h && sscanf(h + 9, "%lld", &s->height) == 1)
                snprintf(s->electrum, sizeof s->electrum, "connected");
        else
                snprintf(s->electrum, sizeof s->electrum, "no blockchain.headers.subscribe answer from %s:%s",
                         s->c.el_host, s->c.el_port);
}

static void probe_all(struct mstate *s, bool with_db) {
        char old_e[sizeof s->electrum], old_c[sizeof s->core], old_d[sizeof s->db];
        memcpy(old_e, s->electrum, sizeof old_e);
        memcpy(old_c, s->core, sizeof old_c);
        memcpy(old_d, s->db, sizeof old_d);
        if (strcmp(s->c.backend, "electrum") == 0)
                electrum_probe(s);
        long long blocks = 0;
        btc_rpc_blocks(s->c.rpc_host, s->c.rpc_port, s->c.rpc_user, s->c.rpc_pass, &blocks, s->core, sizeof s->core);
        if (with_db && strcmp(s->c.db_enabled, "true") == 0)
                db_probe(&s->c, s->db, sizeof s->db);
        if (strcmp(old_e, s->electrum) != 0)
                logmsg("electrum %s:%s: %s", s->c.el_host, s->c.el_port, s->electrum);
        if (strcmp(old_c, s->core) != 0)
                logmsg("bitcoind %s:%s: %s", s->c.rpc_host, s->c.rpc_port, s->core);
        if (strcmp(old_d, s->db) != 0)
                logmsg("database %s:%s: %s", s->c.db_host, s->c.db_port, s->db);
}

static void backend_http(int lfd, const struct mstate *s) {
        char peer[64], head[HEAD_MAX], body[2048];
        size_t hl;
        int fd = accept_client(lfd, 2, peer, sizeof peer);
        if (fd < 0)
                return;
        if (read_head(fd, head, sizeof head, &hl) < 0) {
                close(fd);
                return;
        }
        if (strncmp(head, "GET /api/v1/backend-info ", 25) == 0) {
                snprintf(body, sizeof body,
                         "{\"hostname\":\"archy-standin\",\"version\":\"3.0.1\",\"gitCommit\":\"standin\","
                         "\"lightning\":false,\"backend\":\"%s\",\"electrum\":\"%s\",\"core_rpc\":\"%s\","
                         "\"database\":\"%s\"}\n",
                         s->c.backend, s->electrum, s->core, s->db);
                http_respond(fd, "200 OK", "Content-Type: application/json\r\n", body);
        } else if (strncmp(head, "GET /api/v1/blocks/tip/height ", 30) == 0) {
                bool ok = strcmp(s->electrum, "connected") == 0;
                if (ok)
                        snprintf(body, sizeof body, "%lld", s->height);
                else
                        snprintf(body, sizeof body, "electrum not connected: %s", s->electrum);
                http_respond(fd, ok ? "200 OK" : "503 Service Unavailable", "Content-Type: text/plain\r\n", body);
        } else
                http_respond(fd, "404 Not Found", "Content-Type: text/plain\r\n", "Not found\n");
        close(fd);
}

int mempool_backend_main(int argc, char **argv) {
        (void)argc;
        (void)argv;
        static struct mstate s = {.electrum = "starting", .core = "starting", .db = "disabled"};
        if (load_cfg(&s.c) != 0 || install_signals() < 0)
                return 1;
        if (strcmp(s.c.db_enabled, "true") == 0 && db_probe(&s.c, s.db, sizeof s.db) < 0)
                /* database.ts: one attempt at start, then process.exit(1) */
                return refuse(DB_TS, "Could not connect to database: %s", s.db);
        unsigned long port;
        parse_ulong(s.c.http_port, 1, 65535, &port);
        int lfd = listen_tcp((unsigned)port);
        if (lfd < 0) {
                logmsg("cannot listen on 0.0.0.0:%lu: %s", port, strerror(errno));
                return 1;
        }
        logmsg("Mempool Server is running on port %lu (backend %s, database %s)", port, s.c.backend, s.db);
        int64_t next = 0;
        for (unsigned round = 0; !stop_signal;) {
                if (now_ms() >= next) {
                        probe_all(&s, round++ % 5 == 0);
                        next = now_ms() + 2000;
                }
                hup_pending = 0;
                if (wait_readable(lfd, next - now_ms()) > 0)
                        backend_http(lfd, &s);
        }
        close(lfd);
        return 0;
}
