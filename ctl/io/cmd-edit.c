/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl install, uninstall, start, stop, restart: edits of the installed manifest carried out
 * by apply (archyctl(8)). The text splices are ctl/manifest-edit.c; the purge is edit-purge.c. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "commands.h"
#include "edit.h"
#include "log.h"
#include "macro.h"
#include "manifest-edit.h"
#include "manifest-source.h"
#include "suggest.h"

struct edit_args {
        const char *verb, *app, *from;
        struct apply_settings s;
        bool dry_run, purge, yes;
};

static void help(const char *verb) {
        const char *what = strcmp(verb, "install") == 0     ? "install APP --from FILE"
                           : strcmp(verb, "uninstall") == 0 ? "uninstall APP [--purge [--yes]]"
                                                            : verb;
        printf("Usage: archyctl %s%s [OPTIONS...]\n\n", what, strcmp(verb, what) == 0 ? " APP" : "");
        if (strcmp(verb, "install") == 0)
                printf("Copy APP's block (with the comment lines above it) from FILE, a manifest, into the installed\n"
                       "manifest (replacing APP's block there, or after the last app), with the secrets it names\n"
                       "that the installed manifest lacks, set its state to started, and apply that.\n");
        else if (strcmp(verb, "uninstall") == 0)
                printf("Set apps.APP.state to uninstalled in the installed manifest and apply that: APP's units stop\n"
                       "and go, its definition and data stay (install or start brings it back). With --purge, once\n"
                       "the units are gone, also remove its podman volumes and its derived files (secrets stay).\n");
        else if (strcmp(verb, "restart") == 0)
                printf("Restart APP's containers (the manifest is unchanged) and wait until it is running and\n"
                       "healthy; the started apps that require it are started again.\n");
        else
                printf("Set apps.APP.state to %s in the installed manifest and apply that.\n",
                       strcmp(verb, "start") == 0 ? "started" : "stopped");
        printf("The edit is a splice of the installed file: its comments and layout stay.\n"
               "\n"
               "Options:\n");
        if (strcmp(verb, "install") == 0)
                printf("      --from FILE          the manifest that holds APP (validated as apply validates)\n");
        if (strcmp(verb, "uninstall") == 0)
                printf("      --purge              also remove APP's volumes and derived files (asks on a terminal)\n"
                       "      --yes                purge without asking\n");
        printf("  -n, --dry-run            print the plan and stop; nothing is written\n"
               "      --json               JSON lines, as archyctl apply --json\n"
               "      --timeout SECONDS    how long to wait for each app (as archyctl apply)\n"
               "      --no-wait            do not wait for the apps after starting them\n"
               "      --manifest-path PATH the installed manifest (default $ARCHY_MANIFEST or " ARCHY_MANIFEST_PATH
               ")\n"
               "      --state-dir DIR      journal, lock and copies (default " APPLY_STATE_DIR ")\n"
               "  -h, --help               this text\n"
               "\n"
               "Exit status: 0 done (or already so); 1 error, unknown APP, or an edit refused; 2 usage; 3 the\n"
               "result (or FILE) has problems, nothing done; 4 carried out but not running and healthy in time;\n"
               "6 an image is missing and could not be pulled, nothing done; 7 an image update was rolled back.\n"
               "See archyctl(8).\n");
}

_printf_(2, 3) static int usage(const char *verb, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "archyctl %s: ", verb);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, " (see archyctl %s --help)\n", verb);
        return CTL_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct edit_args *a) {
        enum { OPT_JSON = 0x100, OPT_TIMEOUT, OPT_NO_WAIT, OPT_MANIFEST, OPT_STATE, OPT_FROM, OPT_PURGE, OPT_YES };
        static const struct option options[] = {
                {"dry-run", no_argument, NULL, 'n'},
                {"json", no_argument, NULL, OPT_JSON},
                {"timeout", required_argument, NULL, OPT_TIMEOUT},
                {"no-wait", no_argument, NULL, OPT_NO_WAIT},
                {"manifest-path", required_argument, NULL, OPT_MANIFEST},
                {"state-dir", required_argument, NULL, OPT_STATE},
                {"from", required_argument, NULL, OPT_FROM},
                {"purge", no_argument, NULL, OPT_PURGE},
                {"yes", no_argument, NULL, OPT_YES},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        bool install = strcmp(a->verb, "install") == 0, uninstall = strcmp(a->verb, "uninstall") == 0;
        optind = 0;
        for (int c; (c = getopt_long(argc, argv, "nh", options, NULL)) >= 0;)
                switch (c) {
                case 'n': a->dry_run = true; break;
                case OPT_JSON: a->s.json = true; break;
                case OPT_NO_WAIT: a->s.no_wait = true; break;
                case OPT_MANIFEST: a->s.manifest_path = optarg; break;
                case OPT_STATE: a->s.state_dir = optarg; break;
                case OPT_FROM:
                        if (!install)
                                return usage(a->verb, "--from is for install only");
                        a->from = optarg;
                        break;
                case OPT_PURGE:
                case OPT_YES:
                        if (!uninstall)
                                return usage(a->verb, "--%s is for uninstall only", c == OPT_PURGE ? "purge" : "yes");
                        *(c == OPT_PURGE ? &a->purge : &a->yes) = true;
                        break;
                case OPT_TIMEOUT: {
                        char *end;
                        errno = 0;
                        long t = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || t <= 0 || t > 86400)
                                return usage(a->verb, "--timeout: expected seconds from 1 to 86400, got \"%s\"",
                                             optarg);
                        a->s.timeout_sec = t;
                        break;
                }
                case 'h': help(a->verb); return -1;
                default: return CTL_EXIT_USAGE;
                }
        if (optind >= argc)
                return usage(a->verb, "expected one APP");
        if (optind + 1 != argc)
                return usage(a->verb, "expected one APP, got also \"%s\"", argv[optind + 1]);
        a->app = argv[optind];
        if (install && !a->from)
                return usage(a->verb, "expected --from FILE (a manifest that holds %s)", a->app);
        if (a->yes && !a->purge)
                return usage(a->verb, "--yes goes with --purge");
        return CTL_EXIT_OK;
}

/* ---- the edits ---- */

static int edit_failed(const struct apply_edit *e, int r, const char *error) {
        if (r == -ENOMEM)
                return log_error_errno(r, "out of memory"), CTL_EXIT_FAILED;
        fprintf(stderr, "archyctl %s: %s\n", e->what, error ? error : "the edit failed");
        return CTL_EXIT_FAILED;
}

static int compute_state(const struct apply_edit *e, const char *old_text, size_t old_len, char **ret_text,
                         size_t *ret_len) {
        const struct edit_args *a = e->ctx;
        enum app_state want = strcmp(a->verb, "start") == 0  ? APP_STATE_STARTED
                              : strcmp(a->verb, "stop") == 0 ? APP_STATE_STOPPED
                                                             : APP_STATE_UNINSTALLED;
        _cleanup_free_ char *error = NULL;
        int r = medit_set_state(old_text, old_len, e->app, want, ret_text, ret_len, &error);
        if (r == 1) {
                fprintf(a->s.json ? stderr : stdout, "%s is already %s: nothing to do\n", e->app,
                        app_state_to_string(want));
                return -1;
        }
        return r < 0 ? edit_failed(e, r, error) : CTL_EXIT_OK;
}

static int compute_restart(const struct apply_edit *e, const char *old_text, size_t old_len, char **ret_text,
                           size_t *ret_len) {
        struct diag_list diags = {0};
        _cleanup_manifest_ struct manifest *m = manifest_parse(old_text, old_len, "installed", &diags);
        diag_list_free(&diags);
        if (!m)
                return edit_failed(e, -EINVAL, "the installed manifest does not load");
        if (!manifest_find_app(m, e->app)) {
                _cleanup_free_ const char **names = calloc(m->n_apps + 1, sizeof *names);
                if (!names)
                        return edit_failed(e, -ENOMEM, NULL);
                for (size_t i = 0; i < m->n_apps; i++)
                        names[i] = m->apps[i].name;
                const char *near = suggest_closest(e->app, names);
                fprintf(stderr, "archyctl %s: the manifest has no app \"%s\"%s%s%s\n", e->what, e->app,
                        near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
                return CTL_EXIT_FAILED;
        }
        *ret_text = malloc(old_len + 1);
        if (!*ret_text)
                return edit_failed(e, -ENOMEM, NULL);
        memcpy(*ret_text, old_text, old_len);
        (*ret_text)[old_len] = '\0';
        *ret_len = old_len;
        return CTL_EXIT_OK; /* the plan restarts it (plan_force_restart(), which refuses a stopped app) */
}

/* FILE validated as apply validates it: a problem of the whole or of APP refuses (exit 3). */
static int read_from(const struct edit_args *a, char **ret, size_t *ret_len) {
        struct diag_list diags = {0};
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        _cleanup_manifest_ struct manifest *m = NULL;
        int r = manifest_read(a->from, true, &text, &len, &diags);
        if (r >= 0) {
                m = manifest_parse(text, len, a->from, &diags);
                r = m ? 0 : diags.oom ? -ENOMEM : -EINVAL;
        }
        diag_sort(&diags);
        manifest_print_problems(a->from, r, &diags);
        const struct app *app = m ? manifest_find_app(m, a->app) : NULL;
        int status = CTL_EXIT_OK;
        if (!m || r < 0 || diag_has_global(&diags)) {
                fprintf(stderr, "archyctl install: %s is unusable as a whole: nothing was done\n", a->from);
                status = CTL_EXIT_INVALID;
        } else if (app && (app->skip || diag_has_app(&diags, a->app))) {
                fprintf(stderr, "archyctl install: the app %s has problems in %s (see above): nothing was done\n",
                        a->app, a->from);
                status = CTL_EXIT_INVALID;
        }
        diag_list_free(&diags);
        if (status == CTL_EXIT_OK) {
                *ret = TAKE_PTR(text);
                *ret_len = len;
        }
        return status;
}

static int compute_install(const struct apply_edit *e, const char *old_text, size_t old_len, char **ret_text,
                           size_t *ret_len) {
        const struct edit_args *a = e->ctx;
        _cleanup_free_ char *file = NULL, *error = NULL;
        size_t file_len = 0;
        int status = read_from(a, &file, &file_len);
        if (status != CTL_EXIT_OK)
                return status;
        int r = medit_install(old_text, old_len, file, file_len, e->app, ret_text, ret_len, &error);
        if (r == 1) {
                fprintf(a->s.json ? stderr : stdout, "%s is installed as %s has it, and started: nothing to do\n",
                        e->app, a->from);
                return -1;
        }
        return r < 0 ? edit_failed(e, r, error) : CTL_EXIT_OK;
}

/* ---- the subcommands ---- */

static int run_verb(int argc, char **argv, const char *verb) {
        const char *env = getenv("ARCHY_MANIFEST");
        struct edit_args a = {.verb = verb,
                              .s = {.manifest_path = env && *env ? env : ARCHY_MANIFEST_PATH,
                                    .state_dir = APPLY_STATE_DIR,
                                    .tty = isatty(STDOUT_FILENO) == 1}};
        int status = parse_args(argc, argv, &a);
        if (status != CTL_EXIT_OK)
                return status < 0 ? CTL_EXIT_OK : status;
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "%s %s", verb, a.app) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        struct apply_edit e = {.what = what,
                               .app = a.app,
                               .restart = strcmp(verb, "restart") == 0,
                               .compute = strcmp(verb, "install") == 0   ? compute_install
                                          : strcmp(verb, "restart") == 0 ? compute_restart
                                                                         : compute_state,
                               .ctx = &a};
        if (a.purge)
                return edit_uninstall_purge(&a.s, a.dry_run, a.yes, &e);
        return apply_run_edit(&a.s, a.dry_run, &e);
}

int cmd_install(int argc, char **argv) {
        return run_verb(argc, argv, "install");
}
int cmd_uninstall(int argc, char **argv) {
        return run_verb(argc, argv, "uninstall");
}
int cmd_start(int argc, char **argv) {
        return run_verb(argc, argv, "start");
}
int cmd_stop(int argc, char **argv) {
        return run_verb(argc, argv, "stop");
}
int cmd_restart(int argc, char **argv) {
        return run_verb(argc, argv, "restart");
}
