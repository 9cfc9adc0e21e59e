/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl doctor [--json]: every check archy knows, a verdict and a suggested command each
 * (archyctl(8), DOCTOR). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "doctor-gather.h"
#include "doctor.h"
#include "log.h"
#include "report-out.h"

static void help(void) {
        printf("Usage: archyctl doctor [OPTIONS...]\n\n"
               "Every check archy knows, each with a verdict (ok, warning, attention, not-checked) and the\n"
               "command to run next: manifest, units, failed-units, drift (archy-derive --check), podman,\n"
               "orphans (archy-reconcile --dry-run), disk-root, disk-containers, disk-archipelago,\n"
               "time-sync, ota, limits (mem_limit and cpus against the cgroup controllers).\n\n"
               "  --json      one JSON object (the fields: archyctl(8), DOCTOR)\n"
               "  -h, --help  this text\n\n"
               "Exit status: 0 every check ok or warning, 5 attention (something needs a person), 1 error\n"
               "(out of memory, the report could not be written), 2 bad command line.\n");
}

static int parse_args(int argc, char **argv, bool *json) {
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
                default: fprintf(stderr, "archyctl doctor: see archyctl doctor --help\n"); return -CTL_EXIT_USAGE;
                }
        if (optind < argc) {
                fprintf(stderr, "archyctl doctor: no arguments are taken (see archyctl doctor --help)\n");
                return -CTL_EXIT_USAGE;
        }
        return 1;
}

static int report(const struct doctor_report *r, bool json) {
        return report_out(json ? doctor_render_json(r) : doctor_render_text(r), "doctor");
}

int cmd_doctor(int argc, char **argv) {
        bool json = false;
        int r = parse_args(argc, argv, &json);
        if (r <= 0)
                return -r;
        struct doctor_paths paths;
        doctor_paths_default(&paths);
        struct doctor_gathered g;
        struct doctor_report rep = {0};
        int exit_status = CTL_EXIT_FAILED;
        r = doctor_gather(&g, &paths);
        if (r >= 0)
                doctor_run_checks(&rep, &g.in);
        if (r < 0 || rep.oom)
                log_error_errno(-ENOMEM, "doctor: out of memory");
        else if (report(&rep, json) >= 0)
                exit_status = doctor_exit_status(&rep);
        doctor_report_free(&rep);
        doctor_gathered_done(&g);
        return exit_status;
}
