/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl status [APP] [--json]: the node's state in one view (archyctl(8), STATUS). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "log.h"
#include "report-out.h"
#include "status-gather.h"
#include "status.h"

static void help(void) {
        printf("Usage: archyctl status [OPTIONS...] [APP]\n\n"
               "The node's state in one view: the manifest in use, per app its desired state and each unit's\n"
               "state, health, restarts and last failure, podman's health, the last OTA verification and\n"
               "archy-derive's last run, with a verdict (ok, degraded, attention). Starts no podman process.\n\n"
               "  APP         only this app (the node-wide parts are still reported)\n"
               "  --json      one JSON object (the fields: archyctl(8), STATUS)\n"
               "  -h, --help  this text\n\n"
               "Exit status: 0 ok or degraded, 5 attention (something needs a person), 1 error (systemd\n"
               "could not be asked), 2 bad command line or an APP the manifest does not have.\n");
}

static int parse_args(int argc, char **argv, bool *json, const char **app) {
        static const struct option options[] = {
                {"json", no_argument, NULL, 'j'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 'j': *json = true; break;
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

static int report(const struct status *s, bool json) {
        return report_out(json ? status_render_json(s) : status_render_text(s), "status");
}

int cmd_status(int argc, char **argv) {
        bool json = false;
        const char *app = NULL;
        int r = parse_args(argc, argv, &json, &app);
        if (r <= 0)
                return -r;
        struct status_paths paths;
        status_paths_default(&paths);
        struct status s = {0};
        int exit_status = CTL_EXIT_FAILED;
        r = status_gather_files(&s, &paths, app);
        if (r == -ENOENT)
                exit_status = CTL_EXIT_USAGE;
        if (r >= 0)
                r = status_gather_units(&s, &paths);
        if (r >= 0) {
                status_evaluate(&s);
                if (!s.oom && report(&s, json) >= 0)
                        exit_status = status_exit_status(&s);
                else if (s.oom)
                        log_error_errno(-ENOMEM, "status: out of memory");
        } else if (r == -ENOMEM)
                log_error_errno(r, "status: out of memory");
        status_free(&s);
        return exit_status;
}
