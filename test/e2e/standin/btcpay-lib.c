/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the btcpay-server group's applets (app-btcpay.c, app-nbxplorer.c). */
#include "btcpay-lib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

bool env_true(const char *name) {
        const char *v = getenv(name);
        return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* NBXplorerDefaultSettings.GetFolderName (dgarage/NBXplorer v2.5.17 NBXplorer.Client/NBXplorerDefaultSettings.cs) */
const char *network_folder(const char *network) {
        if (strcasecmp(network, "mainnet") == 0)
                return "Main";
        if (strcasecmp(network, "testnet") == 0)
                return "TestNet";
        if (strcasecmp(network, "regtest") == 0)
                return "RegTest";
        if (strcasecmp(network, "signet") == 0)
                return "Signet";
        return NULL;
}

/* One value of a .NET connection string: '...' or "..." (the quote doubled inside), or bare up to ';'. */
static const char *parse_value(const char *p, char *out, size_t cap) {
        size_t n = 0;
        char q = (*p == '\'' || *p == '"') ? *p++ : 0;
        for (;; p++) {
                out[n] = '\0';
                if (q && *p == q && p[1] == q)
                        p++;
                else if (q && *p == q) {
                        p++;
                        p += strspn(p, " ");
                        return (*p == ';' || !*p) ? p : NULL;
                } else if (!*p || (!q && *p == ';')) {
                        while (!q && n > 0 && out[n - 1] == ' ') /* trailing blanks of a bare value */
                                out[--n] = '\0';
                        return q ? NULL : p;
                } else if (!q && (*p == '\'' || *p == '"'))
                        return NULL;
                if (n + 1 >= cap)
                        return NULL;
                out[n++] = *p;
        }
}

static char *pg_field(struct pgconn *pc, const char *key) {
        static const struct {
                const char *key;
                size_t off;
        } keys[] = {{"host", offsetof(struct pgconn, host)},         {"server", offsetof(struct pgconn, host)},
                    {"port", offsetof(struct pgconn, port)},         {"userid", offsetof(struct pgconn, user)},
                    {"username", offsetof(struct pgconn, user)},     {"user", offsetof(struct pgconn, user)},
                    {"password", offsetof(struct pgconn, password)}, {"pwd", offsetof(struct pgconn, password)},
                    {"database", offsetof(struct pgconn, database)}, {"db", offsetof(struct pgconn, database)}};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
                if (strcasecmp(key, keys[i].key) == 0)
                        return (char *)pc + keys[i].off;
        return NULL;
}

/*
 * Npgsql reads its connection string with .NET's DbConnectionStringBuilder rules: key=value pairs
 * split at ';', a value holding ';' or '=' or a quote must be quoted (npgsql/npgsql
 * src/Npgsql/NpgsqlConnectionStringBuilder.cs, System.Data.Common DbConnectionOptions).
 */
int npgsql_parse(const char *cs, struct pgconn *pc, char *err, size_t cap) {
        memset(pc, 0, sizeof *pc);
        strcpy(pc->port, "5432");
        for (const char *p = cs; *p;) {
                p += strspn(p, " ;");
                if (!*p)
                        break;
                const char *eq = strchr(p, '=');
                char key[64] = "", raw[BP_FIELD];
                size_t kn = 0;
                if (!eq || eq == p)
                        goto bad;
                for (const char *k = p; k < eq && kn + 1 < sizeof key; k++)
                        if (*k != ' ')
                                key[kn++] = *k;
                const char *end = parse_value(eq + 1 + strspn(eq + 1, " "), raw, sizeof raw);
                if (!end)
                        goto bad;
                char *f = pg_field(pc, key);
                if (f)
                        snprintf(f, BP_FIELD, "%s", raw);
                p = end;
                continue;
        bad:
                /* the text of .NET's ArgumentException for a malformed connection string */
                snprintf(err, cap,
                         "Format of the initialization string does not conform to specification starting at index %zu.",
                         (size_t)(p - cs));
                return -1;
        }
        if (!*pc->host)
                strcpy(pc->host, "localhost");
        return 0;
}

static const char *psql_path(void) {
        const char *e = getenv("ARCHY_PSQL");
        if (e)
                return e;
        return access("/usr/lib/postgresql/15/bin/psql", X_OK) == 0 ? "/usr/lib/postgresql/15/bin/psql" : "psql";
}

/* Runs psql with the credentials in its environment (never in argv); returns its exit status. */
static int run_psql(const struct pgconn *pc, const char *db, const char *sql, char *out, size_t cap) {
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                dup2(pfd[1], 1);
                dup2(pfd[1], 2);
                setenv("PGHOST", pc->host, 1);
                setenv("PGPORT", pc->port, 1);
                setenv("PGUSER", *pc->user ? pc->user : "postgres", 1);
                setenv("PGPASSWORD", pc->password, 1);
                setenv("PGDATABASE", db, 1);
                setenv("PGCONNECT_TIMEOUT", "5", 1);
                /* argv[0] is the path: psql finds its own executable from it (find_my_exec), and
                 * PATH in the images does not name /usr/lib/postgresql/15/bin */
                execlp(psql_path(), psql_path(), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql,
                       (char *)NULL);
                _exit(127);
        }
        close(pfd[1]);
        size_t n = 0;
        ssize_t r;
        while ((r = read(pfd[0], out + n, cap - 1 - n)) > 0 && n + 1 < cap)
                n += (size_t)r;
        out[n] = '\0';
        close(pfd[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* NBXplorer and BTCPay both create their database when it is missing (they connect to "postgres" first). */
int pg_ensure_database(const struct pgconn *pc, char *err, size_t cap) {
        const char *db = *pc->database ? pc->database : (*pc->user ? pc->user : "postgres");
        if (strspn(db, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(db)) {
                snprintf(err, cap, "database name %s not supported by the stand-in", db);
                return -1;
        }
        char sql[256], out[1024];
        snprintf(sql, sizeof sql, "SELECT 1 FROM pg_database WHERE datname = '%s'", db);
        int r = run_psql(pc, "postgres", sql, out, sizeof out);
        if (r == 0 && strncmp(out, "1", 1) != 0) {
                snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", db);
                r = run_psql(pc, "postgres", sql, out, sizeof out);
        }
        if (r == 0)
                r = run_psql(pc, db, "SELECT 1", out, sizeof out);
        if (r != 0) {
                out[strcspn(out, "\n")] = '\0';
                snprintf(err, cap, "psql exit %d: %s", r, out);
                return -1;
        }
        return 0;
}

int split_hostport(const char *s, const char *defport, char *host, size_t hcap, char *port, size_t pcap) {
        const char *colon = strrchr(s, ':');
        size_t hl = colon ? (size_t)(colon - s) : strlen(s);
        unsigned long pn;
        if (hl == 0 || hl >= hcap)
                return -1;
        if (colon && !parse_ulong(colon + 1, 1, 65535, &pn))
                return -1;
        memcpy(host, s, hl);
        host[hl] = '\0';
        snprintf(port, pcap, "%s", colon ? colon + 1 : defport);
        return 0;
}

int listen_bind(const char *host, const char *port) {
        struct sockaddr_in sa = {.sin_family = AF_INET};
        unsigned long pn;
        if (!parse_ulong(port, 1, 65535, &pn) || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
                errno = EINVAL;
                return -1;
        }
        sa.sin_port = htons((uint16_t)pn);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
        if (fd < 0)
                return -1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
        }
        return fd;
}

/* GET with an optional Authorization value; returns the status code, the body in body. */
int http_get(const char *host, const char *port, const char *path, const char *authz, char *body, size_t cap) {
        char dial_err[160];
        int fd = tcp_connect(host, port, dial_err, sizeof dial_err);
        if (fd < 0)
                return -1;
        char req[2048];
        int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s:%s\r\n%s%s%sConnection: close\r\n\r\n", path,
                         host, port, authz ? "Authorization: " : "", authz ? authz : "", authz ? "\r\n" : "");
        size_t got = 0;
        ssize_t r;
        char resp[8192];
        if (n < 0 || (size_t)n >= sizeof req || send_all(fd, req, (size_t)n) < 0) {
                close(fd);
                return -1;
        }
        while ((r = read(fd, resp + got, sizeof resp - 1 - got)) > 0 && got + 1 < sizeof resp)
                got += (size_t)r;
        close(fd);
        resp[got] = '\0';
        int code;
        if (sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
                return -1;
        const char *b = strstr(resp, "\r\n\r\n");
        snprintf(body, cap, "%s", b ? b + 4 : "");
        return code;
}

int parse_http_url(const char *url, bool *https, char *host, size_t hcap, char *port, size_t pcap, char *path,
                   size_t pathcap) {
        const char *p;
        if (strncasecmp(url, "http://", 7) == 0)
                *https = false, p = url + 7;
        else if (strncasecmp(url, "https://", 8) == 0)
                *https = true, p = url + 8;
        else
                return -1;
        size_t al = strcspn(p, "/?#");
        char auth[BP_FIELD];
        if (al == 0 || al >= sizeof auth || memchr(p, '@', al))
                return -1;
        memcpy(auth, p, al);
        auth[al] = '\0';
        if (split_hostport(auth, *https ? "443" : "80", host, hcap, port, pcap) < 0)
                return -1;
        snprintf(path, pathcap, "%s", p[al] == '/' ? p + al : "/");
        return 0;
}

int read_small_file(const char *path, char *buf, size_t cap) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, cap - 1);
        close(fd);
        if (n < 0)
                return -1;
        buf[n] = '\0';
        return (int)n;
}

void base64_encode(const char *in, size_t len, char *out, size_t cap) {
        if (4 * ((len + 2) / 3) + 1 > cap) {
                *out = '\0';
                return;
        }
        EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)len);
}
