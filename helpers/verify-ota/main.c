/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-verify-ota: after an update, verify it and commit it, or roll it back; crash-safe at
 * every step (FM5). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <curl/curl.h>

#include "log.h"
#include "verify.h"

static void help(void) {
        printf("Usage: archy-verify-ota [--marker FILE] [--state-file FILE] [--status]\n"
               "\n"
               "Verify an update the updater marked as pending: wait for start-up, probe the marker's\n"
               "health checks until they pass or the deadline passes, then commit the update, or roll it\n"
               "back (swap every path back, restart the units). Every step is persisted first: after a\n"
               "crash or power cut, the next run continues where this one stopped.\n"
               "\n"
               "  --marker FILE      default /var/lib/archipelago/update-pending-verify.json\n"
               "  --state-file FILE  default /var/lib/archipelago/update-verify.state\n"
               "  --status           print the state of the last or current verification, change nothing\n"
               "  -h, --help         this text      --version  the version\n"
               "\n"
               "Exit status: 0 committed (or nothing to verify), 1 error (run again), 2 usage,\n"
               "3 malformed marker (nothing done), 4 rolled back, 5 pending (--status).\n"
               "See archy-verify-ota(8).\n");
}

static int parse_args(int argc, char **argv, struct verify_options *o) {
        static const struct option opts[] = {
                {"marker", required_argument, NULL, 'm'}, {"state-file", required_argument, NULL, 's'},
                {"status", no_argument, NULL, 'S'},       {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0}};
        *o = (struct verify_options){.marker = "/var/lib/archipelago/update-pending-verify.json",
                                     .state_file = "/var/lib/archipelago/update-verify.state"};
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'm': o->marker = optarg; break;
                case 's': o->state_file = optarg; break;
                case 'S': o->status_only = true; break;
                case 'h': help(); return 0;
                case 'V': puts("archy-verify-ota " ARCHY_VERSION); return 0;
                default: fprintf(stderr, "archy-verify-ota: see --help\n"); return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "archy-verify-ota: unexpected argument \"%s\" (see --help)\n", argv[optind]);
                return -EINVAL;
        }
        if (o->marker[0] != '/' || o->state_file[0] != '/') {
                fprintf(stderr, "archy-verify-ota: --marker and --state-file: expected absolute paths\n");
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char **argv) {
        struct verify_options o;
        int r = parse_args(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? EXIT_VERIFY_USAGE : EXIT_SUCCESS;
        log_setup("archy-verify-ota", LOG_TARGET_STDERR);
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
                log_error("cannot initialise libcurl");
                return EXIT_VERIFY_ERROR;
        }
        int code = verify_run(&o);
        curl_global_cleanup();
        log_close();
        return code;
}
