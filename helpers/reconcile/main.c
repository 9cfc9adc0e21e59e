/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-reconcile: compares the desired state (the manifest in use) with what runs, and acts
 * through systemd and podman: stops what should not run, removes orphaned containers, reports
 * orphaned volumes and networks, starts again what systemd gave up on, with a backoff. A run with
 * nothing to do asks systemd once and spawns no process. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "apply.h" /* APPLY_STATE_DIR: the lock archyctl apply takes */
#include "log.h"
#include "manifest.h"
#include "reconcile-io.h"

#define PODMAN_TIMEOUT_MS (60L * 1000)

static const char *env_or(const char *name, const char *fallback) {
        const char *v = getenv(name);
        return v && *v ? v : fallback;
}

static void help(void) {
        printf("Usage: archy-reconcile [--dry-run] [--json] [--user] [--manifest FILE]\n"
               "\n"
               "Compare the desired state (the manifest in use) with what runs, and act through systemd\n"
               "and podman: stop the units and containers of apps the manifest says are stopped or\n"
               "uninstalled, remove archy containers no app produces, report archy volumes and networks\n"
               "no app declares (their data goes only with a purge), and start again an app systemd\n"
               "gave up on, with a backoff (30 s doubling to 1 h; reset after 10 min healthy).\n"
               "Skips the run while archyctl apply holds its lock, or an interrupted apply is pending.\n"
               "On a rootless node it runs in the apps user's manager; as root there only --dry-run.\n"
               "\n"
               "  --dry-run        print what would be done; change nothing (exit 3 when there is work)\n"
               "  --json           one JSON object per line: {\"action\", \"target\", \"app\", \"reason\"} per\n"
               "                   action, then {\"result\", \"actions\"}\n"
               "  --user           run by a user manager (its archy-reconcile.service): reconcile only as\n"
               "                   the apps user of a rootless node (node.user), else exit 0 at once\n"
               "  --manifest FILE  reconcile against FILE (no fallback); default $ARCHY_MANIFEST or\n"
               "                   " ARCHY_MANIFEST_PATH ", falling back to its last good copy\n"
               "  -h, --help       this text      --version  the version\n"
               "\n"
               "Exit status: 0 nothing to do or all done, 1 an action failed or systemd or podman could\n"
               "not be asked, 2 usage, 3 --dry-run found work. See archy-reconcile(8).\n");
}

/* 1: run, 0: --help or --version done, -1: usage error (said). */
static int parse_args(int argc, char **argv, struct reconcile_options *o) {
        static const struct option opts[] = {{"dry-run", no_argument, NULL, 'n'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"user", no_argument, NULL, 'u'},
                                             {"manifest", required_argument, NULL, 'm'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'n': o->dry_run = true; break;
                case 'j': o->json = true; break;
                case 'u': o->user = true; break;
                case 'm':
                        o->manifest = optarg;
                        o->explicit_manifest = true;
                        break;
                case 'h': help(); return 0;
                case 'V': puts("archy-reconcile " ARCHY_VERSION); return 0;
                default: fprintf(stderr, "archy-reconcile: see --help\n"); return -1;
                }
        if (optind < argc) {
                fprintf(stderr, "archy-reconcile: unexpected argument \"%s\" (see --help)\n", argv[optind]);
                return -1;
        }
        if (o->manifest[0] != '/') {
                fprintf(stderr, "archy-reconcile: --manifest: expected an absolute path, got \"%s\"\n", o->manifest);
                return -1;
        }
        return 1;
}

int main(int argc, char **argv) {
        struct reconcile_options o = {.manifest = env_or("ARCHY_MANIFEST", ARCHY_MANIFEST_PATH),
                                      .podman = env_or("ARCHY_PODMAN", "/usr/bin/podman"),
                                      .state_file = env_or("ARCHY_RECONCILE_STATE", NULL),
                                      .lock_dir = env_or("ARCHY_APPLY_STATE_DIR", APPLY_STATE_DIR),
                                      .cid_dir = env_or("ARCHY_CID_DIR", NULL),
                                      .bus = getenv("ARCHY_SYSTEMD_BUS"),
                                      .timeout_ms = PODMAN_TIMEOUT_MS};
        int r = parse_args(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? RECONCILE_EXIT_USAGE : RECONCILE_EXIT_OK;
        log_setup("archy-reconcile", LOG_TARGET_STDERR);
        int status = reconcile_run(&o);
        log_close();
        return status;
}
