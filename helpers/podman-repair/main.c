/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-podman-repair: probes podman, classifies what is wrong, and repairs it with the least
 * destructive step that works, without losing data (FM6). A healthy run spawns one process,
 * the probe. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-journal.h>

#include "fileio.h"
#include "parse-number.h"
#include "manifest.h"
#include "log.h"
#include "repair-state.h"
#include "run.h"

static const char *env_or(const char *name, const char *fallback) {
        const char *v = getenv(name);
        return v && *v ? v : fallback;
}

static void help(void) {
        printf("Usage: archy-podman-repair [--check] [--user] [--reset] [--manifest FILE] [--timeout SEC]\n"
               "                           [--max-failures N] [--status-file FILE] [--state-file FILE]\n"
               "\n"
               "Probe podman (podman info, with a hard timeout), classify its state, and repair a broken\n"
               "one without losing data: stop the app units through systemd, move a corrupt database\n"
               "aside, re-register volumes whose data survived, remove orphaned containers, start the\n"
               "app units again. Never runs podman system reset, never deletes volume data.\n"
               "On a rootless node (manifest node.mode: rootless) root's podman runs no app: without --user\n"
               "it says so and exits 0; the apps user's manager runs it with --user.\n"
               "\n"
               "  --check             probe and classify only; change nothing (exit 3 when not healthy)\n"
               "  --user              the calling user's rootless podman and user manager (the manifest's\n"
               "                      node.user only; anyone else has nothing to do)\n"
               "  --reset             forget earlier failed repairs (after fixing podman by hand)\n"
               "  --manifest FILE     default $ARCHY_MANIFEST or /etc/archipelago/manifest.yaml; that one falls\n"
               "                      back to $ARCHY_LAST_GOOD or " ARCHY_MANIFEST_LAST_GOOD_PATH " when unusable\n"
               "  --timeout SEC       how long a podman command may take (default 30)\n"
               "  --max-failures N    repairs in a row that did not help before giving up (default 3)\n"
               "  --status-file FILE  default /run/archipelago/podman-health.json\n"
               "                      (--user: $XDG_RUNTIME_DIR/archipelago/podman-health.json)\n"
               "  --state-file FILE   default /var/lib/archipelago/podman-repair.state\n"
               "                      (--user: ~/.local/state/archipelago/podman-repair.state)\n"
               "  -h, --help          this text      --version  the version\n"
               "\n"
               "Exit status: 0 healthy, 1 error, 2 usage, 3 not healthy (--check), 4 repaired,\n"
               "5 not repaired (the repair failed or needs a person), 6 gave up (too many repairs).\n"
               "See archy-podman-repair(8).\n");
}

static int parse_number(const char *opt, const char *v, long min, long max, long *ret) {
        unsigned long long n;
        if (parse_unsigned(v, (unsigned long long)max, &n) < 0 || (long)n < min) {
                fprintf(stderr, "archy-podman-repair: %s: expected a number from %ld to %ld, got \"%s\"\n", opt, min,
                        max, v);
                return -EINVAL;
        }
        *ret = (long)n;
        return 0;
}

static int parse_args(int argc, char **argv, struct run_options *o) {
        static const struct option opts[] = {{"check", no_argument, NULL, 'c'},
                                             {"user", no_argument, NULL, 'u'},
                                             {"reset", no_argument, NULL, 'R'},
                                             {"manifest", required_argument, NULL, 'm'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"max-failures", required_argument, NULL, 'f'},
                                             {"status-file", required_argument, NULL, 's'},
                                             {"state-file", required_argument, NULL, 'S'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
        *o = (struct run_options){.manifest = env_or("ARCHY_MANIFEST", "/etc/archipelago/manifest.yaml"),
                                  .podman = env_or("ARCHY_PODMAN", "/usr/bin/podman"),
                                  .timeout_s = 30,
                                  .max_failures = 3};
        long n;
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': o->check = true; break;
                case 'u': o->user = true; break;
                case 'R': o->reset = true; break;
                case 'm':
                        o->manifest = optarg;
                        o->explicit_manifest = true;
                        break;
                case 't':
                        if (parse_number("--timeout", optarg, 1, 3600, &n) < 0)
                                return -EINVAL;
                        o->timeout_s = n;
                        break;
                case 'f':
                        if (parse_number("--max-failures", optarg, 1, 1000, &n) < 0)
                                return -EINVAL;
                        o->max_failures = (unsigned)n;
                        break;
                case 's': o->status_file = optarg; break;
                case 'S': o->state_file = optarg; break;
                case 'h': help(); return 0;
                case 'V': puts("archy-podman-repair " ARCHY_VERSION); return 0;
                default: fprintf(stderr, "archy-podman-repair: see --help\n"); return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "archy-podman-repair: unexpected argument \"%s\" (see --help)\n", argv[optind]);
                return -EINVAL;
        }
        if (o->manifest[0] != '/') {
                fprintf(stderr, "archy-podman-repair: --manifest: expected an absolute path, got \"%s\"\n",
                        o->manifest);
                return -EINVAL;
        }
        return 1;
}

/* Rootless podman finds its runtime directory through XDG_RUNTIME_DIR, which a timer-started
 * user service has, and a shell reached through su may not. */
static int default_paths(struct run_options *o, char **status, char **state) {
        if (!o->user) {
                *status = strdup(o->status_file ? o->status_file : "/run/archipelago/podman-health.json");
                *state = strdup(o->state_file ? o->state_file : REPAIR_STATE_PATH);
                return *status && *state ? 0 : -ENOMEM;
        }
        char runtime[64];
        snprintf(runtime, sizeof(runtime), "/run/user/%u", (unsigned)getuid());
        if (setenv("XDG_RUNTIME_DIR", env_or("XDG_RUNTIME_DIR", runtime), 1) < 0)
                return -errno;
        const char *home = getenv("HOME");
        if (!o->state_file && (!home || home[0] != '/')) {
                fprintf(stderr, "archy-podman-repair: --user needs $HOME or --state-file\n");
                return -EINVAL;
        }
        if (o->status_file ? !(*status = strdup(o->status_file))
                           : asprintf(status, "%s/" REPAIR_USER_HEALTH, getenv("XDG_RUNTIME_DIR")) < 0)
                return -ENOMEM;
        if (o->state_file ? !(*state = strdup(o->state_file)) : asprintf(state, "%s/" REPAIR_USER_STATE, home) < 0)
                return -ENOMEM;
        return 0;
}

int main(int argc, char **argv) {
        struct run_options o;
        int r = parse_args(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? EXIT_REPAIR_USAGE : EXIT_SUCCESS;
        log_setup("archy-podman-repair", LOG_TARGET_STDERR);
        _cleanup_free_ char *status = NULL, *state = NULL;
        r = default_paths(&o, &status, &state);
        if (r < 0)
                return r == -EINVAL ? EXIT_REPAIR_USAGE : EXIT_FAILURE;
        o.status_file = status;
        o.state_file = state;
        int code = run(&o);
        log_close();
        return code;
}
