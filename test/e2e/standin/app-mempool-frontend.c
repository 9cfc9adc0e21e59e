/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mempool frontend stand-in (mempool/mempool v3.0.1 docker/frontend: entrypoint.sh, nginx.conf and
 * nginx-mempool.conf as docker/init.sh rewrites them). Like the real page it has <base href="/"> and
 * loads its assets from the root; /api/v1/ and /api/ go to BACKEND_MAINNET_HTTP_HOST:PORT. nginx
 * resolves that host when it starts and exits when it cannot; the real image sets no framing header.
 */
#include "apps.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NGINX_CONF "mempool/mempool v3.0.1 nginx-mempool.conf + docker/init.sh"

struct fcfg {
        const char *host, *port;
};

static void relay(int cfd, const struct fcfg *c, const char *path) {
        char err[300], req[1200], buf[4096];
        int bfd = tcp_connect_timeout(c->host, c->port, 3000, err, sizeof err);
        if (bfd < 0) {
                http_respond(cfd, "502 Bad Gateway", "Content-Type: text/plain\r\n", "502 Bad Gateway\n");
                logmsg("upstream %s:%s: %s", c->host, c->port, err);
                return;
        }
        int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", path, c->host);
        if (n > 0 && (size_t)n < sizeof req && send_all(bfd, req, (size_t)n) == 0) {
                ssize_t got;
                while ((got = recv(bfd, buf, sizeof buf, 0)) > 0)
                        if (send_all(cfd, buf, (size_t)got) < 0)
                                break;
        }
        close(bfd);
        shutdown(cfd, SHUT_WR);
}

static void serve(int lfd, const struct fcfg *c) {
        char peer[64], head[HEAD_MAX], path[1024], api[1100];
        size_t hl;
        int fd = accept_client(lfd, 3, peer, sizeof peer);
        if (fd < 0)
                return;
        if (read_head(fd, head, sizeof head, &hl) < 0 || sscanf(head, "GET %1023s", path) != 1) {
                http_respond(fd, "405 Not Allowed", "", "");
                close(fd);
                return;
        }
        if (strncmp(path, "/api/v1/", 8) == 0)
                relay(fd, c, path); /* location /api/v1 { proxy_pass http://HOST:PORT/api/v1; } */
        else if (strncmp(path, "/api/", 5) == 0) {
                snprintf(api, sizeof api, "/api/v1/%s", path + 5); /* location /api/ -> /api/v1/ */
                relay(fd, c, api);
        } else if (strcmp(path, "/resources/config.js") == 0)
                http_respond(fd, "200 OK", "Content-Type: application/javascript\r\n",
                             "window.__env = {\"MAINNET_ENABLED\": true, \"BASE_MODULE\": \"mempool\"};\n");
        else /* <base href="/">, assets under /resources/, try_files ... /index.html for app routes
              * (mempool/mempool v3.3.1 frontend/src/index.mempool.html, nginx-mempool.conf) */
                ui_respond(fd, "base-root", "", path, "");
        close(fd);
}

int mempool_frontend_main(int argc, char **argv) {
        (void)argc;
        (void)argv;
        /* docker/frontend/entrypoint.sh defaults */
        struct fcfg c = {env_or("BACKEND_MAINNET_HTTP_HOST", "127.0.0.1"), env_or("BACKEND_MAINNET_HTTP_PORT", "8999")};
        const char *fport = env_or("FRONTEND_HTTP_PORT", "8080");
        unsigned long port;
        if (!*c.host)
                c.host = "127.0.0.1";
        if (!parse_ulong(fport, 1, 65535, &port))
                return refuse(NGINX_CONF, "[emerg] invalid port in \"0.0.0.0:%s\" of the \"listen\" directive", fport);
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
        /* nginx resolves a proxy_pass host once, at start, and refuses to start without it */
        if (getaddrinfo(c.host, c.port, &hints, &res) != 0)
                return refuse(NGINX_CONF, "[emerg] host not found in upstream \"%s:%s\"", c.host, c.port);
        freeaddrinfo(res);
        if (install_signals() < 0)
                return 1;
        int lfd = listen_tcp((unsigned)port);
        if (lfd < 0) {
                logmsg("[emerg] bind() to 0.0.0.0:%lu failed: %s", port, strerror(errno));
                return 1;
        }
        logmsg("serving the UI on 0.0.0.0:%lu, /api -> %s:%s", port, c.host, c.port);
        while (!stop_signal) {
                hup_pending = 0;
                if (wait_readable(lfd, -1) > 0)
                        serve(lfd, &c);
        }
        close(lfd);
        return 0;
}
