/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* node: the bitcoind stand-in (rpcauth read once at startup, clean vs unclean shutdown markers). */
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct node {
        struct rpc_auth auth;
        const char *last_shutdown;
        int64_t started_ms;
};

static char *trim(char *s) {
        s += strspn(s, " \t\r\n");
        size_t len = strlen(s);
        while (len > 0 && strchr(" \t\r\n", s[len - 1]))
                s[--len] = '\0';
        return s;
}

static void free_node(struct node *n) {
        rpc_auth_free(&n->auth);
}

/* Returns the value if line is "rpcauth = value" in bitcoin.conf syntax, else NULL. */
static char *rpcauth_value(char *line) {
        line[strcspn(line, "#")] = '\0'; /* bitcoin.conf comments may also trail a value */
        line = trim(line);
        char *eq = strchr(line, '=');
        if (!eq)
                return NULL;
        *eq = '\0';
        if (strcmp(trim(line), "rpcauth") != 0)
                return NULL;
        return trim(eq + 1);
}

/* Read exactly once: bitcoind never re-reads rpcauth, which is what makes drifted passwords stick. */
static int load_conf(const char *path, struct node *n) {
        FILE *f = fopen(path, "re");
        if (!f) {
                logmsg("cannot read %s: %s", path, strerror(errno));
                return -1;
        }
        char *line = NULL;
        size_t cap = 0;
        int r = 0;
        for (unsigned lineno = 1; r == 0 && getline(&line, &cap, f) >= 0; lineno++) {
                char *value = rpcauth_value(line);
                if (value && rpc_auth_add(&n->auth, value) < 0) {
                        logmsg("%s:%u: invalid -rpcauth argument '%s'", path, lineno, value);
                        r = -1;
                }
        }
        if (r == 0 && ferror(f)) {
                logmsg("reading %s: %s", path, strerror(errno));
                r = -1;
        }
        free(line);
        fclose(f);
        return r;
}

static void serve_rpc(const struct node *n, int fd, const char *peer) {
        if (rpc_read_request(&n->auth, fd, peer, NULL, 0) < 0)
                return;
        char body[256];
        /* Bitcoin Core ends every JSON-RPC reply with a newline. */
        snprintf(body, sizeof body,
                 "{\"result\":{\"chain\":\"regtest\",\"blocks\":%lld,\"last_shutdown\":\"%s\"},"
                 "\"error\":null,\"id\":null}\n",
                 (long long)((now_ms() - n->started_ms) / 1000), n->last_shutdown);
        http_respond(fd, "200 OK", "Content-Type: application/json\r\n", body);
}

static void sleep_through_signals(unsigned seconds) {
        struct timespec left = {.tv_sec = seconds};
        while (nanosleep(&left, &left) < 0 && errno == EINTR)
                ;
}

static void node_loop(const struct node *n, int lfd) {
        while (!stop_signal) {
                if (hup_pending) {
                        hup_pending = 0;
                        logmsg("SIGHUP: reopening log, rpcauth not reloaded");
                }
                if (wait_readable(lfd, -1) <= 0)
                        continue;
                char peer[64];
                int fd = accept_client(lfd, 5, peer, sizeof peer);
                if (fd < 0)
                        continue;
                serve_rpc(n, fd, peer);
                close(fd);
        }
}

struct node_opts {
        const char *conf, *data;
        unsigned long port, stop_delay;
};

static int parse_node_opts(int argc, char **argv, struct node_opts *o) {
        static const struct option opts[] = {{"conf", required_argument, NULL, 'c'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"stop-delay", required_argument, NULL, 's'},
                                             {NULL, 0, NULL, 0}};
        *o = (struct node_opts){.stop_delay = 3};
        bool port_ok = false, delay_ok = true;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                switch (c) {
                case 'c': o->conf = optarg; break;
                case 'd': o->data = optarg; break;
                case 'p': port_ok = parse_ulong(optarg, 1, 65535, &o->port); break;
                case 's': delay_ok = parse_ulong(optarg, 0, 3600, &o->stop_delay); break;
                default: return -1;
                }
        }
        return optind == argc && o->conf && o->data && port_ok && delay_ok ? 0 : -1;
}

static int node_shutdown(const struct node_opts *o, int lfd) {
        /* Like bitcoind: stop serving RPC first, then take the (slow) flush. */
        close(lfd);
        logmsg("shutting down, flushing");
        sleep_through_signals((unsigned)o->stop_delay);
        if (write_marker(o->data, "clean-shutdown") < 0) {
                logmsg("cannot write %s/clean-shutdown: %s", o->data, strerror(errno));
                return 1;
        }
        logmsg("shutdown done");
        return 0;
}

int node_main(int argc, char **argv) {
        struct node_opts o;
        if (parse_node_opts(argc, argv, &o) < 0) {
                usage(stderr);
                return 2;
        }
        struct node n = {.started_ms = now_ms()};
        int r = 1;
        int lfd = -1;
        if (load_conf(o.conf, &n) < 0 || install_signals() < 0)
                goto out;
        lfd = listen_tcp((unsigned)o.port);
        if (lfd < 0) {
                logmsg("cannot listen on 0.0.0.0:%lu: %s", o.port, strerror(errno));
                goto out;
        }
        n.last_shutdown = take_shutdown_state(o.data);
        if (!n.last_shutdown) {
                logmsg("cannot record start in %s: %s", o.data, strerror(errno));
                close(lfd);
                goto out;
        }
        if (n.auth.n_auth == 0)
                logmsg("no rpcauth lines in %s: every request will be rejected", o.conf);
        logmsg("listening on 0.0.0.0:%lu, %zu rpcauth line(s), last shutdown %s", o.port, n.auth.n_auth,
               n.last_shutdown);
        node_loop(&n, lfd);
        r = node_shutdown(&o, lfd);
out:
        free_node(&n);
        return r;
}
