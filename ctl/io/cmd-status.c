/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl status [APP] [--json | --prometheus]: the node's state in one view (archyctl(8),
 * STATUS, METRICS). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "log.h"
#include "metrics-render.h"
#include "report-out.h"
#include "status-gather.h"
#include "status.h"

static void help(void) {
        printf("Usage: archyctl status [OPTIONS...] [APP]\n\n"
               "The node's state in one view: the manifest in use, per app its desired state and each unit's\n"
               "state, health, restarts and last failure, podman's health, the last OTA verification and\n"
               "archy-derive's last run, with a verdict (ok, degraded, attention). Starts no podman process.\n\n"
               "  APP         only this app (the node-wide parts are still reported)\n"
               "  --json        one JSON object (the fields: archyctl(8), STATUS)\n"
               "  --prometheus  the node's metrics in Prometheus's text format, as archyctl metrics writes\n"
               "                them (archyctl(8), METRICS); it runs no probe\n"
               "  -h, --help    this text\n\n"
               "Exit status: 0 ok or degraded, 5 attention (something needs a person), 1 error (systemd\n"
               "could not be asked), 2 bad command line or an APP the manifest does not have.\n");
}

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_PROMETHEUS };

static int parse_args(int argc, char **argv, enum format *format, const char **app) {
        static const struct option options[] = {
                {"json", no_argument, NULL, 'j'},
                {"prometheus", no_argument, NULL, 'p'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 'j':
                case 'p':
                        if (*format != FORMAT_TEXT) {
                                fprintf(stderr, "archyctl status: --json and --prometheus go alone\n");
                                return -CTL_EXIT_USAGE;
                        }
                        *format = c == 'j' ? FORMAT_JSON : FORMAT_PROMETHEUS;
                        break;
                case 'h': help(); return 0;
                default: fprintf(stderr, "archyctl status: see archyctl status --help\n"); return -CTL_EXIT_USAGE;
                }
        if (argc - optind > 1) {
                fprintf(stderr, "archyctl status: at most one APP (see archyctl status --help)\n");
                return -CTL_EXIT_USAGE;
        }
        *app = optind < argc ? argv[optind] : NULL;
        return 1;
}

static int report(const struct status *s, enum format format) {
        return report_out(format == FORMAT_JSON         ? status_render_json(s)
                          : format == FORMAT_PROMETHEUS ? metrics_render(s)
                                                        : status_render_text(s),
                          "status");
}

int cmd_status(int argc, char **argv) {
        enum format format = FORMAT_TEXT;
        const char *app = NULL;
        int r = parse_args(argc, argv, &format, &app);
        if (r <= 0)
                return -r;
        struct status_paths paths;
        status_paths_default(&paths);
        struct status s = {0};
        bool no_app = false;
        r = status_gather(&s, &paths, app, format == FORMAT_PROMETHEUS, &no_app);
        int exit_status = no_app ? CTL_EXIT_USAGE : CTL_EXIT_FAILED;
        if (r >= 0 && report(&s, format) >= 0)
                exit_status = status_exit_status(&s);
        status_free(&s);
        return exit_status;
}
