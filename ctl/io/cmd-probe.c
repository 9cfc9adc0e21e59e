/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl probe [APP] [--json]: run the started apps' probes now, record and print the results
 * (archyctl(8), PROBE). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "log.h"
#include "manifest-source.h"
#include "probe-run.h"
#include "report-out.h"

static void help(void) {
        printf("Usage: archyctl probe [OPTIONS...] [APP]\n\n"
               "Runs the live probes the manifest declares (apps.APP.probes: a TCP port that must accept a\n"
               "connection, a URL that must answer an expected HTTP status) of every app desired started,\n"
               "all at once, records the results where archyctl status reads them (%s)\n"
               "and prints them.\n\n"
               "  APP         only this app's probes (the other apps' recorded results are kept)\n"
               "  --json      one JSON object (the fields: archyctl(8), PROBE)\n"
               "  -h, --help  this text\n\n"
               "Exit status: 0 every probe passed (or none to run), 8 a probe failed, 1 error (the\n"
               "results could not be recorded; they are still printed), 2 bad command line or an APP the\n"
               "manifest does not have.\n",
               PROBES_RECORD_PATH);
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
                default: fprintf(stderr, "archyctl probe: see archyctl probe --help\n"); return -CTL_EXIT_USAGE;
                }
        if (argc - optind > 1) {
                fprintf(stderr, "archyctl probe: at most one APP (see archyctl probe --help)\n");
                return -CTL_EXIT_USAGE;
        }
        *app = optind < argc ? argv[optind] : NULL;
        return 1;
}

static int run(const struct manifest *m, const char *app, bool json) {
        const struct app *a = app ? manifest_find_app(m, app) : NULL;
        if (app && !a) {
                log_error("probe: the manifest in use (%s) has no app \"%s\"", m->path, app);
                return CTL_EXIT_USAGE;
        }
        if (a && (a->state != APP_STATE_STARTED || a->skip))
                log_notice("probe: %s is %s: its probes run only while it is desired started", app,
                           a->skip ? "skipped (the manifest has problems in it)" : app_state_to_string(a->state));
        struct probe_record r;
        int failed = probes_run_app(m, app, probes_record_path(), &r);
        int printed = report_out(json ? probe_report_json(&r) : probe_report_text(&r), "probe");
        size_t n_failed = 0;
        for (size_t i = 0; i < r.n; i++)
                n_failed += !r.items[i].ok;
        probe_record_done(&r);
        if (failed < 0 || printed < 0)
                return CTL_EXIT_FAILED;
        return n_failed ? CTL_EXIT_PROBE_FAILED : CTL_EXIT_OK;
}

int cmd_probe(int argc, char **argv) {
        bool json = false;
        const char *app = NULL;
        int r = parse_args(argc, argv, &json, &app);
        if (r <= 0)
                return -r;
        const char *env = getenv("ARCHY_MANIFEST"), *path = env && *env ? env : ARCHY_MANIFEST_PATH;
        struct manifest_source src;
        int k = manifest_source_load(path, manifest_last_good_path(), &src);
        int exit_status = CTL_EXIT_FAILED;
        if (!src.manifest) {
                manifest_print_problems(path, k, &src.problems);
                log_error("probe: no usable manifest (archyctl status says why)");
        } else
                exit_status = run(src.manifest, app, json);
        manifest_source_done(&src);
        return exit_status;
}
