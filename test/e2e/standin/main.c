/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * archy-standin: a tiny stand-in for the real node apps in the end-to-end tests. "node" mimics the parts
 * of bitcoind that archy must get right (rpcauth read once at startup, clean vs unclean shutdown on a
 * persistent volume), "consumer" mimics ElectrumX/lnd (re-resolving the node on every attempt, reporting
 * whether its password still works), "resolve" shows what a container's resolver answers. Syncing a real
 * chain in every test run would be slow and flaky; these behaviours are what the failure modes hinge on.
 */
#include "standin.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *mode = "main";
volatile sig_atomic_t stop_signal;
volatile sig_atomic_t hup_pending;

void logmsg(const char *fmt, ...) {
        char line[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        /* One fprintf per line so lines from concurrent writers to the journal do not interleave. */
        fprintf(stderr, "archy-standin %s: %s\n", mode, line);
}

void usage(FILE *f) {
        fputs("usage: archy-standin node --conf FILE --port N --data DIR [--stop-delay SEC]\n"
              "       archy-standin consumer (--url-env VAR | --url URL) --port N [--interval SEC]\n"
              "       archy-standin resolve NAME\n"
              "       archy-standin web --port N [--status CODE] [--body TEXT]\n"
              "       archy-standin hog --mb N\n"
              "       archy-standin --help\n"
              "\n"
              "node      bitcoind stand-in: JSON-RPC with rpcauth on 0.0.0.0:N, shutdown state in DIR\n"
              "consumer  ElectrumX/lnd stand-in: polls the node at URL (http://user:pass@host:port/),\n"
              "          serves its last outcome on 0.0.0.0:N (200 when connected, else 503)\n"
              "resolve   prints the IPv4 addresses the resolver gives for NAME\n"
              "web       a web front end: every GET on 0.0.0.0:N gets CODE (default 200) and TEXT\n"
              "hog       allocates and touches N MiB, then holds them until stopped\n"
              "\n"
              "Applets (run archy-standin under the applet's name, e.g. through a symlink):\n",
              f);
        for (const struct applet *a = applets; a->name; a++)
                fprintf(f, "  %-12s %s\n", a->name, a->summary);
}

static void on_signal(int sig) {
        if (sig == SIGHUP)
                hup_pending = 1;
        else
                stop_signal = sig;
}

/* No SA_RESTART: blocking calls must return EINTR so the loops notice the flags. */
int install_signals(void) {
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        int sigs[] = {SIGTERM, SIGINT, SIGHUP};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
                if (sigaction(sigs[i], &sa, NULL) < 0)
                        return -1;
        struct sigaction ign = {.sa_handler = SIG_IGN};
        return sigaction(SIGPIPE, &ign, NULL);
}

int main(int argc, char **argv) {
        const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
        base = base ? base + 1 : argv[0];
        const struct applet *a = base ? find_applet(base) : NULL;
        if (a) {
                mode = a->name;
                return a->main(argc, argv);
        }
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                usage(stdout);
                return 0;
        }
        static const struct {
                const char *name;
                int (*run)(int, char **);
        } modes[] = {{"node", node_main},
                     {"consumer", consumer_main},
                     {"resolve", resolve_main},
                     {"web", web_main},
                     {"hog", hog_main}};
        for (size_t i = 0; argc >= 2 && i < sizeof modes / sizeof modes[0]; i++)
                if (strcmp(argv[1], modes[i].name) == 0) {
                        mode = modes[i].name;
                        return modes[i].run(argc - 1, argv + 1);
                }
        usage(stderr);
        return 2;
}
