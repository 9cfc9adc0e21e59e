/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "generate.h"
#include "log.h"
#include "manifest-source.h"
#include "scope.h"
#include "verify-units.h"
#include "values.h"

#define DEFAULT_QUADLET "/usr/libexec/podman/quadlet"
#define DEFAULT_STAGING "/run/archy/quadlet"

enum { EXIT_PROBLEMS = 1, EXIT_USAGE = 2 };

struct settings {
        const char *manifest, *last_good, *quadlet, *staging;
};

static const char *env_or(const char *name, const char *fallback) {
        const char *v = getenv(name);
        return v && *v ? v : fallback;
}

static void help(void) {
        printf("Usage:\n"
               "  archy-generator NORMAL-DIR [EARLY-DIR LATE-DIR]   (run by systemd at boot and daemon-reload)\n"
               "  archy-generator --check [FILE]                    validate a manifest, list every problem\n"
               "  archy-generator --dry-run [--manifest FILE] [--output DIR]\n"
               "                                                    render units into DIR without touching the system\n"
               "  archy-generator --save-last-good                  keep a validated copy for fallback\n"
               "\n"
               "Turns the apps of the archy manifest into podman Quadlet units (archy-<app>.service).\n"
               "\n"
               "Options:\n"
               "  -c, --check           validate FILE (default: the installed manifest), print every problem in\n"
               "                        line order and \"N apps, M with problems, U uninstalled\", and exit\n"
               "  -n, --dry-run         render Quadlet files into DIR/quadlet and, where podman's Quadlet\n"
               "                        is installed, the final units into DIR/units\n"
               "  -m, --manifest FILE   manifest for --dry-run (default: the installed manifest)\n"
               "  -o, --output DIR      output directory for --dry-run (default: ./archy-dry-run)\n"
               "      --save-last-good  copy the installed manifest to the last good copy if it is valid\n"
               "  -h, --help            show this help\n"
               "      --version         show the version\n"
               "\n"
               "Environment:\n"
               "  ARCHY_MANIFEST     installed manifest   (default " ARCHY_MANIFEST_PATH ")\n"
               "  ARCHY_LAST_GOOD    last good copy       (default " ARCHY_MANIFEST_LAST_GOOD_PATH ")\n"
               "  ARCHY_QUADLET      podman's Quadlet     (default " DEFAULT_QUADLET ")\n"
               "  ARCHY_STAGING_DIR  Quadlet input dir    (default " DEFAULT_STAGING ", as a user generator\n"
               "                     $XDG_RUNTIME_DIR/archy/quadlet)\n"
               "  SYSTEMD_SCOPE      \"user\" when systemd runs it as a user generator: it renders the apps\n"
               "                     only for a rootless node's apps user (archy-manifest(5) NODE)\n"
               "  ARCHY_LOG_LEVEL    err, warning, notice, info, debug (default info)\n"
               "  ARCHY_TEST_TRUSTED_DIR  tests only: directories at and above it skip the manifest's\n"
               "                     ownership check (default: every directory up to / is checked)\n"
               "\n"
               "Exit status: 0 success; 1 problems found (details on stderr or in the journal), among them, for\n"
               "--dry-run, an app skipped because its files could not be written; 2 usage error (also a path\n"
               "above or an argument with a control character: it cannot be written into a unit safely).\n"
               "See archy-generator(8) and archy-manifest(5).\n");
}

/* The system generator's staging dir is under /run; a user generator's under the user's runtime
 * directory (only /run and /tmp are writable at generator time, and /run/archy is root's). */
static const char *default_staging(char **buf) {
        if (gen_scope_from_env() == GEN_SCOPE_SYSTEM)
                return DEFAULT_STAGING;
        const char *rt = getenv("XDG_RUNTIME_DIR");
        if (!rt || rt[0] != '/' || asprintf(buf, "%s/archy/quadlet", rt) < 0)
                return NULL;
        return *buf;
}

/* Hand modes: load a manifest and print every problem on stderr. The installed manifest gets
 * the ownership checks the generator applies; a draft file named on the command line is the
 * user's own. Returns what manifest_load() returned; *ret may be NULL, diags holds the problems. */
static int load_reporting(const struct settings *s, const char *file, struct manifest **ret, struct diag_list *diags) {
        *ret = NULL;
        int r = manifest_load(file ? file : s->manifest, !file, ret, diags);
        manifest_print_problems(file ? file : s->manifest, r, diags);
        return r;
}

static int cmd_check(const struct settings *s, const char *file) {
        struct manifest *m;
        struct diag_list diags = {0};
        int r = load_reporting(s, file, &m, &diags);
        manifest_print_check_summary(file ? file : s->manifest, m, r, &diags);
        bool problems = r < 0 || diags.n > 0;
        diag_list_free(&diags);
        manifest_free(m);
        return problems ? EXIT_PROBLEMS : EXIT_SUCCESS;
}

static int cmd_dry_run(const struct settings *s, const char *file, const char *outdir) {
        _cleanup_free_ char *qdir = NULL, *udir = NULL, *abs = NULL;
        /* Quadlet takes absolute directories only. */
        int q = mkdir_p(outdir, 0755);
        if (q < 0 || !(abs = realpath(outdir, NULL)))
                return log_error_errno(q < 0 ? q : -errno, "cannot create %s: %m", outdir), EXIT_PROBLEMS;
        if (asprintf(&qdir, "%s/quadlet", abs) < 0 || asprintf(&udir, "%s/units", abs) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_PROBLEMS;
        _cleanup_manifest_ struct manifest *m = NULL;
        struct diag_list diags = {0};
        int r = load_reporting(s, file, &m, &diags);
        bool problems = r < 0 || diags.n > 0;
        diag_list_free(&diags);

        struct generate_stats st;
        q = generate_quadlet_files(m, qdir, &st);
        if (q < 0)
                return EXIT_PROBLEMS;
        printf("%zu apps, %zu containers, %zu volumes rendered into %s (%zu apps skipped)\n", st.apps, st.containers,
               st.volumes, qdir, st.skipped);
        /* An app skipped for a file that could not be written is a problem too (it has no
         * diagnostic of the manifest's own). */
        if (st.skipped > 0)
                problems = true;
        if ((q = mkdir_p(udir, 0755)) < 0 || (q = clear_output_tree(udir)) < 0)
                return log_error_errno(q, "cannot prepare %s: %m", udir), EXIT_PROBLEMS;
        char *outdirs[3] = {udir, udir, udir};
        q = run_quadlet(s->quadlet, qdir, outdirs, m && m->node.mode == NODE_ROOTLESS, true);
        if (q == -ENOENT || q == -EACCES) {
                printf("podman's Quadlet is not installed here (%s; it needs podman >= 4.4, e.g. Debian 13).\n"
                       "The Quadlet files above are final; on a node, systemctl daemon-reload turns them into\n"
                       "archy-<app>.service units, and `%s -dryrun` with QUADLET_UNIT_DIRS=%s shows them.\n",
                       s->quadlet, DEFAULT_QUADLET, qdir);
        } else if (q != 0) {
                fprintf(stderr, "podman's Quadlet (%s) failed with status %d on %s\n", s->quadlet, q, qdir);
                (void)verify_quadlet_units(m, udir); /* remove what it left broken */
                problems = true;
        } else if (verify_quadlet_units(m, udir) > 0)
                problems = true;
        else
                printf("systemd units made by Quadlet in %s\n", udir);
        return problems ? EXIT_PROBLEMS : EXIT_SUCCESS;
}

/* The apps user's name, for the user generator. */
static bool self_user_name(char *buf, size_t size) {
        struct passwd *pw = getpwuid(getuid());
        return pw && snprintf(buf, size, "%s", pw->pw_name) < (int)size;
}

/* A user generator runs in every user's manager: only the apps user's, the one whose units the
 * manifest makes, reports the manifest's problems and the fallback to the last good copy (as the
 * system generator does on a rootful node); in every other user's it says nothing. The manifest
 * (or, when it is unusable, the last good copy) says who the apps user is: with neither, the
 * system generator, which runs at the same reloads, has said why. */
static int load_for_scope(const struct settings *s, enum gen_scope scope, struct manifest **ret, bool *ret_apps) {
        struct manifest_source src;
        int r = manifest_source_load(s->manifest, s->last_good, &src);
        char self[NODE_USER_MAX + 1];
        const char *why;
        *ret_apps = gen_scope_renders_apps(src.manifest, scope, self_user_name(self, sizeof(self)) ? self : NULL, &why);
        if (scope == GEN_SCOPE_SYSTEM || (src.manifest && *ret_apps))
                manifest_source_report(&src, r, s->manifest, s->last_good);
        if (!*ret_apps)
                log_debug("no app units here: %s", why);
        *ret = src.manifest;
        src.manifest = NULL;
        manifest_source_done(&src);
        return r;
}

static int cmd_generate(const struct settings *s, char *const outdirs[3]) {
        enum gen_scope scope = gen_scope_from_env();
        struct manifest *m = NULL;
        bool apps;
        int r = load_for_scope(s, scope, &m, &apps);
        if (!apps) {
                int k = 0;
                if (scope == GEN_SCOPE_SYSTEM && m && m->node.mode == NODE_ROOTLESS) {
                        k = gen_scope_write_user_manager_dropin(m, outdirs[0]);
                        k = gen_scope_mask_system_timers(outdirs[1]) < 0 ? -EIO : k;
                }
                /* The staging dir of an earlier run in the other mode must not keep old files. */
                (void)(scope == GEN_SCOPE_SYSTEM ? clear_dir_files(s->staging) : 0);
                manifest_free(m);
                return r < 0 || k < 0 ? EXIT_PROBLEMS : EXIT_SUCCESS;
        }
        struct generate_stats st = {0};
        int q = generate_quadlet_files(m, s->staging, &st);
        const char *used = m ? m->path : "(none)";
        if (q >= 0)
                log_info("%zu apps, %zu containers, %zu volumes from %s; %zu apps skipped", st.apps, st.containers,
                         st.volumes, used, st.skipped);
        if (q < 0) {
                manifest_free(m);
                return EXIT_PROBLEMS;
        }
        if (scope == GEN_SCOPE_USER && gen_scope_write_user_links(outdirs[0]) < 0)
                r = -EIO;
        q = run_quadlet(s->quadlet, s->staging, outdirs, scope == GEN_SCOPE_USER, false);
        /* Also after a failed run: what it left half-written must not be loaded. */
        size_t missing = q >= 0 ? verify_quadlet_units(m, outdirs[0]) : 0;
        manifest_free(m);
        if (q == -ENOENT)
                return log_error("podman's Quadlet was not found at %s: archy needs podman >= 4.4 with Quadlet; "
                                 "no app units were made",
                                 s->quadlet),
                       EXIT_PROBLEMS;
        if (q < 0)
                return log_error_errno(q, "cannot run podman's Quadlet %s: %m", s->quadlet), EXIT_PROBLEMS;
        if (q != 0)
                return log_error("podman's Quadlet %s failed with status %d", s->quadlet, q), EXIT_PROBLEMS;
        return r < 0 || st.skipped > 0 || missing > 0 ? EXIT_PROBLEMS : EXIT_SUCCESS;
}

static int usage_error(const char *what) {
        fprintf(stderr, "archy-generator: %s; see --help\n", what);
        return EXIT_USAGE;
}

/* Every path below ends up in unit files (the manifest's in the header comment, the staging
 * and output dirs in Quadlet's SourcePath=, Quadlet's own name in its header): a control
 * character there would start a new line, a new directive. Such a path cannot be written
 * safely, so it is refused; '%' and '$' are harmless in a comment and Quadlet escapes its
 * SourcePath=. Returns false after saying which one. */
static bool path_writable_in_units(const char *what, const char *path) {
        if (!path || text_valid(path, strlen(path)))
                return true;
        char shown[96];
        log_error("%s: the path \"%s\" has a control character or invalid UTF-8 and cannot be written into a "
                  "unit file safely; refusing it, no units were made",
                  what, value_for_message(path, strlen(path), shown, sizeof(shown)));
        return false;
}

static bool paths_writable_in_units(const struct settings *s, const char *file, const char *outdir) {
        return path_writable_in_units("ARCHY_MANIFEST", s->manifest) &&
               path_writable_in_units("ARCHY_LAST_GOOD", s->last_good) &&
               path_writable_in_units("ARCHY_QUADLET", s->quadlet) &&
               path_writable_in_units("ARCHY_STAGING_DIR", s->staging) &&
               path_writable_in_units("the manifest", file) && path_writable_in_units("--output", outdir);
}

static void setup_logging(bool by_systemd) {
        log_setup("archy-generator", by_systemd ? LOG_TARGET_SYSTEM : LOG_TARGET_STDERR);
        static const char *const levels[] = {[LOG_LVL_ERR] = "err",
                                             [LOG_LVL_WARNING] = "warning",
                                             [LOG_LVL_NOTICE] = "notice",
                                             [LOG_LVL_INFO] = "info",
                                             [LOG_LVL_DEBUG] = "debug"};
        const char *want = getenv("ARCHY_LOG_LEVEL");
        for (int l = LOG_LVL_ERR; want && l <= LOG_LVL_DEBUG; l++)
                if (strcmp(want, levels[l]) == 0)
                        log_set_max_level((enum log_level)l);
}

int main(int argc, char *argv[]) {
        enum { OPT_SAVE = 0x100, OPT_VERSION };
        static const struct option options[] = {
                {"check", no_argument, NULL, 'c'},
                {"dry-run", no_argument, NULL, 'n'},
                {"manifest", required_argument, NULL, 'm'},
                {"output", required_argument, NULL, 'o'},
                {"save-last-good", no_argument, NULL, OPT_SAVE},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, OPT_VERSION},
                {0},
        };
        struct settings s = {
                .manifest = env_or("ARCHY_MANIFEST", ARCHY_MANIFEST_PATH),
                .last_good = manifest_last_good_path(),
                .quadlet = env_or("ARCHY_QUADLET", DEFAULT_QUADLET),
                .staging = env_or("ARCHY_STAGING_DIR", NULL),
        };
        bool check = false, dry_run = false, save = false;
        const char *file = NULL, *outdir = NULL;

        for (int c; (c = getopt_long(argc, argv, "cnm:o:h", options, NULL)) >= 0;)
                switch (c) {
                case 'c': check = true; break;
                case 'n': dry_run = true; break;
                case 'm': file = optarg; break;
                case 'o': outdir = optarg; break;
                case OPT_SAVE: save = true; break;
                case 'h': help(); return EXIT_SUCCESS;
                case OPT_VERSION: printf("archy-generator %s\n", ARCHY_VERSION); return EXIT_SUCCESS;
                default: return EXIT_USAGE;
                }
        int positional = argc - optind;
        for (int i = optind; i < argc; i++)
                if (!*argv[i])
                        return usage_error(check ? "--check: the manifest path is empty, expected a file name"
                                                 : "an output directory is empty, expected a directory name");
        if ((file && !*file) || (outdir && !*outdir))
                return usage_error(file && !*file ? "--manifest: the path is empty, expected a file name"
                                                  : "--output: the path is empty, expected a directory name");
        if (check + dry_run + save > 1 || (check && positional > 1) || (dry_run && positional > 0) ||
            (save && positional > 0) || (!check && !dry_run && !save && positional != 1 && positional != 3) ||
            ((file || outdir) && !dry_run)) {
                return usage_error("invalid arguments");
        }
        setup_logging(!check && !dry_run && !save && getenv("SYSTEMD_SCOPE"));
        _cleanup_free_ char *user_staging = NULL;
        if (!s.staging && !(s.staging = default_staging(&user_staging)))
                return usage_error(
                        "a user generator needs $XDG_RUNTIME_DIR (or $ARCHY_STAGING_DIR) for its staging dir");
        if (!paths_writable_in_units(&s, check && positional ? argv[optind] : file, outdir))
                return EXIT_USAGE;
        if (check)
                return cmd_check(&s, positional ? argv[optind] : NULL);
        if (dry_run)
                return cmd_dry_run(&s, file, outdir ? outdir : "archy-dry-run");
        if (save)
                return save_last_good(s.manifest, s.last_good) < 0 ? EXIT_PROBLEMS : EXIT_SUCCESS;
        char *outdirs[3] = {argv[optind], argv[optind + (positional == 3)], argv[optind + 2 * (positional == 3)]};
        return cmd_generate(&s, outdirs);
}
