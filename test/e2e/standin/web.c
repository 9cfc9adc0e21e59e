/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* web: the node's web front end as an update changes it, for archy-verify-ota's end-to-end tests:
 * every GET is answered with one status and body, as a good (200) or broken (500) release would. */
#include "standin.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

struct web_opts {
        unsigned long port, status;
        const char *body;
};

static int parse_web_opts(int argc, char **argv, struct web_opts *o) {
        static const struct option opts[] = {{"port", required_argument, NULL, 'p'},
                                             {"status", required_argument, NULL, 's'},
                                             {"body", required_argument, NULL, 'b'},
                                             {NULL, 0, NULL, 0}};
        *o = (struct web_opts){.status = 200, .body = "archy stand-in web\n"};
        bool port_ok = false, status_ok = true;
        int c;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1)
                switch (c) {
                case 'p': port_ok = parse_ulong(optarg, 1, 65535, &o->port); break;
                case 's': status_ok = parse_ulong(optarg, 100, 599, &o->status); break;
                case 'b': o->body = optarg; break;
                default: return -1;
                }
        return optind == argc && port_ok && status_ok ? 0 : -1;
}

static void answer(int lfd, const struct web_opts *o) {
        char peer[64], head[HEAD_MAX], status[32];
        size_t head_len;
        int fd = accept_client(lfd, 1, peer, sizeof peer);
        if (fd < 0)
                return;
        if (read_head(fd, head, sizeof head, &head_len) >= 0) {
                snprintf(status, sizeof status, "%lu Stand-in", o->status);
                http_respond(fd, status, "Content-Type: text/plain\r\n", o->body);
        }
        close(fd);
}

int web_main(int argc, char **argv) {
        struct web_opts o;
        if (parse_web_opts(argc, argv, &o) < 0) {
                usage(stderr);
                return 2;
        }
        int lfd = listen_tcp((unsigned)o.port);
        if (lfd < 0 || install_signals() < 0)
                return 1;
        logmsg("answering every GET on 0.0.0.0:%lu with %lu", o.port, o.status);
        /* the listening socket is non-blocking: wait for a client, never spin on EAGAIN */
        while (!stop_signal)
                if (wait_readable(lfd, -1) > 0)
                        answer(lfd, &o);
        close(lfd);
        return 0;
}
