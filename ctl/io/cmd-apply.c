/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl apply FILE: make FILE the node's desired state, crash-safe (archyctl(8) apply). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "commands.h"
#include "ctl-node.h"
#include "edit.h"
#include "log.h"
#include "macro.h"
#include "manifest-source.h"
#include "strv.h"
#include "units.h"

struct apply_args {
        struct apply_settings s;
        const char *file;  /* FILE, or for an edit the installed manifest (messages) */
        const char *shown; /* what the plan names: FILE or the edit */
        const struct apply_edit *edit;
        char **skip;
        size_t n_skip;
        bool dry_run, resume_only;
};

static void help(void) {
        printf("Usage: archyctl apply [OPTIONS...] FILE\n"
               "       archyctl apply --resume [OPTIONS...]\n"
               "\n"
               "Make FILE the node's desired state: validate it (every problem, as archy-generator --check\n"
               "prints them), plan the change against the installed manifest, print the plan, make every\n"
               "image it starts present (podman pull), then stop what must stop, install FILE, daemon-reload,\n"
               "restart and start, and wait until every changed app is running and healthy; an app whose new\n"
               "image does not get there is rolled back to its previous image. Each step is journaled\n"
               "first: after a crash or power cut the next apply (or --resume) finishes the previous one.\n"
               "\n"
               "Options:\n"
               "  -n, --dry-run            print the plan and stop; nothing is written\n"
               "      --json               JSON lines: a plan event, step and app events, a result event\n"
               "      --skip APP           apply although APP has problems: it gets no units (stopped like\n"
               "                           an uninstall, data kept); repeat for each app with problems\n"
               "      --timeout SECONDS    how long to wait for each app (default: its health window,\n"
               "                           start_period + interval x retries, at least 120)\n"
               "      --no-wait            do not wait for the apps after starting them\n"
               "      --resume             only finish an interrupted apply, then an interrupted\n"
               "                           uninstall --purge (the boot runs this)\n"
               "      --manifest-path PATH the installed manifest (default $ARCHY_MANIFEST or " ARCHY_MANIFEST_PATH
               ")\n"
               "      --state-dir DIR      journal, lock and copies (default " APPLY_STATE_DIR ")\n"
               "  -h, --help               this text\n"
               "\n"
               "Exit status: 0 converged; 1 error (run again to continue); 2 usage; 3 FILE has problems,\n"
               "nothing done; 4 carried out but an app did not get running and healthy in time; 6 an image\n"
               "is missing and could not be pulled, nothing done; 7 an image update was rolled back.\n"
               "See archyctl(8).\n");
}

_printf_(1, 2) static int usage(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "archyctl apply: ");
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, " (see archyctl apply --help)\n");
        return CTL_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct apply_args *a) {
        enum { OPT_JSON = 0x100, OPT_SKIP, OPT_TIMEOUT, OPT_NO_WAIT, OPT_RESUME, OPT_MANIFEST, OPT_STATE };
        static const struct option options[] = {
                {"dry-run", no_argument, NULL, 'n'},
                {"json", no_argument, NULL, OPT_JSON},
                {"skip", required_argument, NULL, OPT_SKIP},
                {"timeout", required_argument, NULL, OPT_TIMEOUT},
                {"no-wait", no_argument, NULL, OPT_NO_WAIT},
                {"resume", no_argument, NULL, OPT_RESUME},
                {"manifest-path", required_argument, NULL, OPT_MANIFEST},
                {"state-dir", required_argument, NULL, OPT_STATE},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        optind = 0;
        for (int c; (c = getopt_long(argc, argv, "+nh", options, NULL)) >= 0;)
                switch (c) {
                case 'n': a->dry_run = true; break;
                case OPT_JSON: a->s.json = true; break;
                case OPT_NO_WAIT: a->s.no_wait = true; break;
                case OPT_RESUME: a->resume_only = true; break;
                case OPT_MANIFEST: a->s.manifest_path = optarg; break;
                case OPT_STATE: a->s.state_dir = optarg; break;
                case OPT_SKIP:
                        if (strv_add_unique(&a->skip, &a->n_skip, optarg) < 0)
                                return CTL_EXIT_FAILED;
                        break;
                case OPT_TIMEOUT: {
                        char *end;
                        errno = 0;
                        long t = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || t <= 0 || t > 86400)
                                return usage("--timeout: expected seconds from 1 to 86400, got \"%s\"", optarg);
                        a->s.timeout_sec = t;
                        break;
                }
                case 'h': help(); return -1;
                default: return CTL_EXIT_USAGE;
                }
        if (a->resume_only && optind < argc)
                return usage("--resume takes no FILE, got \"%s\"", argv[optind]);
        if (a->resume_only && a->dry_run)
                return usage("%s", "--resume and --dry-run exclude each other");
        if (!a->resume_only && optind + 1 != argc)
                return optind >= argc ? usage("expected one FILE")
                                      : usage("expected one FILE, got also \"%s\"", argv[optind + 1]);
        a->file = a->shown = a->resume_only ? NULL : argv[optind];
        return CTL_EXIT_OK;
}

/* ---- validation ---- */

static bool app_has_problem(const struct manifest *m, const struct diag_list *diags, const char *name) {
        const struct app *a = manifest_find_app(m, name);
        return (a && a->skip) || diag_has_app(diags, name);
}

/* Every app with a problem must be named by --skip, and no global problem. Returns 0 or
 * CTL_EXIT_INVALID after saying why. */
static int check_problems(const struct apply_args *a, const struct manifest *m, int r, const struct diag_list *diags) {
        if (!m || r < 0 || diag_has_global(diags)) {
                fprintf(stderr, "archyctl apply: %s is unusable as a whole: nothing was done\n", a->file);
                return CTL_EXIT_INVALID;
        }
        size_t unnamed = 0;
        for (size_t i = 0; i < diags->n; i++)
                if (diags->items[i].app && !strv_contains(a->skip, diags->items[i].app) &&
                    (i == 0 || !diags->items[i - 1].app || strcmp(diags->items[i - 1].app, diags->items[i].app) != 0))
                        fprintf(stderr, "archyctl apply: the app %s has problems (see above)\n", diags->items[i].app),
                                unnamed++;
        for (size_t i = 0; i < m->n_apps; i++)
                if (m->apps[i].skip && !strv_contains(a->skip, m->apps[i].name) &&
                    !diag_has_app(diags, m->apps[i].name))
                        fprintf(stderr, "archyctl apply: the app %s is skipped (it requires an app with problems)\n",
                                m->apps[i].name),
                                unnamed++;
        if (unnamed > 0) {
                if (a->edit) /* an edit has no --skip: the installed manifest is fixed by an apply */
                        fprintf(stderr,
                                "archyctl: refusing to edit %s: nothing was done (fix it, or apply a copy with "
                                "archyctl apply --skip APP)\n",
                                a->file);
                else
                        fprintf(stderr,
                                "archyctl apply: refusing %s: nothing was done (--skip APP applies it without "
                                "the apps named)\n",
                                a->file);
                return CTL_EXIT_INVALID;
        }
        for (size_t i = 0; i < a->n_skip; i++)
                if (!app_has_problem(m, diags, a->skip[i])) {
                        fprintf(stderr, "archyctl apply: --skip %s: that app has no problem in %s\n", a->skip[i],
                                a->file);
                        return CTL_EXIT_INVALID;
                }
        return 0; /* the plan takes a skipped app as uninstalled: the generator gives it no units */
}

/* m (parsed with r) has its problems printed as --check prints them and checked: *ret = m and 0,
 * or m freed and a CTL_EXIT_* status. diags is freed. */
static int take_checked(const struct apply_args *a, struct manifest *m, int r, struct diag_list *diags,
                        struct manifest **ret) {
        diag_sort(diags);
        manifest_print_problems(a->file, r, diags);
        int status = check_problems(a, m, r, diags);
        diag_list_free(diags);
        if (status != 0) {
                manifest_free(m);
                return status;
        }
        *ret = m;
        return 0;
}

/* FILE read once (the bytes installed are the bytes validated), with the installed manifest's
 * ownership checks, parsed and validated; every problem printed as --check prints them. */
static int load_new(const struct apply_args *a, char **ret_text, size_t *ret_len, struct manifest **ret) {
        struct diag_list diags = {0};
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct manifest *m = NULL;
        int r = manifest_read(a->file, true, &text, &len, &diags);
        if (r >= 0) {
                m = manifest_parse(text, len, a->file, &diags);
                r = m ? 0 : diags.oom ? -ENOMEM : -EINVAL;
        }
        int status = take_checked(a, m, r, &diags, ret);
        if (status != 0)
                return status;
        *ret_text = TAKE_PTR(text);
        *ret_len = len;
        return 0;
}

/* An edit's result, parsed and validated like FILE (every problem printed as --check prints them). */
static int load_edited(const struct apply_args *a, const char *text, size_t len, struct manifest **ret) {
        struct diag_list diags = {0};
        struct manifest *m = manifest_parse(text, len, a->file, &diags);
        return take_checked(a, m, m ? 0 : diags.oom ? -ENOMEM : -EINVAL, &diags, ret);
}

/* The manifest in use (the installed one, or its last good copy), and its bytes. */
static int load_old(const struct apply_args *a, char **ret_text, size_t *ret_len, struct manifest **ret) {
        struct manifest *m = NULL;
        int r = load_manifest_with_fallback(a->s.manifest_path, manifest_last_good_path(), &m);
        *ret = NULL;
        *ret_text = NULL;
        *ret_len = 0;
        if (r < 0 || !m)
                return 0; /* no usable manifest: no apps */
        struct diag_list diags = {0};
        r = manifest_read(m->path, true, ret_text, ret_len, &diags);
        diag_list_free(&diags);
        if (r < 0) {
                log_error_errno(r, "cannot read %s again: %m", m->path);
                manifest_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

/* ---- running a plan ---- */

/* The apps' manager (rootless: the apps user's), and rootless the system's in a->s.system_bus.
 * $ARCHY_SYSTEMD_BUS: one stand-in for both (tests). */
static sd_bus *open_bus(struct apply_args *a, bool quiet_failure) {
        const char *address = getenv("ARCHY_SYSTEMD_BUS");
        sd_bus *bus = NULL;
        if (ctl_node_apps_bus(a->s.node, address && *address ? address : NULL, &bus) < 0 ||
            ctl_node_system_bus(a->s.node, address && *address ? address : NULL, &a->s.system_bus) < 0) {
                if (quiet_failure)
                        fprintf(stderr, "archyctl apply: systemd is not reachable: planning as if no unit ran\n");
                units_close(bus);
                return NULL;
        }
        return bus;
}

/* Plan from old to new (old may be NULL), print it, and carry it out under j. */
static int run_plan(sd_bus *bus, const struct apply_args *a, const char *shown, const struct manifest *old,
                    const struct manifest *new, const char *new_text, size_t new_len, struct apply_journal *j) {
        struct plan p = {0};
        if (plan_compute(old, new, bus ? apply_unit_running : NULL, bus, &p) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        print_plan(&a->s, shown, &p);
        int status = CTL_EXIT_OK;
        if (!a->dry_run)
                status = apply_execute(bus, &a->s, old, new, &p, new_text, new_len, j);
        plan_free(&p);
        return status;
}

static int load_copy(const struct apply_args *a, const char *name, char **text, size_t *len, struct manifest **m) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", a->s.state_dir, name);
        struct diag_list diags = {0};
        int r = apply_read_copy(a->s.state_dir, name, text, len);
        if (r >= 0)
                r = manifest_load(path, true, m, &diags);
        manifest_print_problems(path, r, &diags);
        diag_list_free(&diags);
        return r;
}

/* An interrupted apply: carried on from its journal with its own old.yaml and new.yaml. */
static int resume(sd_bus *bus, const struct apply_args *a, struct apply_journal *j) {
        _cleanup_free_ char *new_text = NULL, *old_text = NULL;
        size_t new_len = 0, old_len = 0;
        _cleanup_manifest_ struct manifest *new = NULL, *old = NULL;
        fprintf(stderr, "archyctl apply: resuming the apply of pid %lld interrupted after \"%s\"\n", j->pid,
                apply_phase_to_string(j->phase));
        /* A rollback's journal is the apply from new.yaml to rollback.yaml. */
        bool rb = j->rollback[0] != '\0';
        const char *new_name, *old_name;
        journal_copies(j, &old_name, &new_name);
        if (rb)
                fprintf(stderr, "archyctl apply: it is the rollback of %s: finishing it\n", j->rollback);
        if (load_copy(a, new_name, &new_text, &new_len, &new) < 0)
                return log_error("cannot resume: %s/%s is unusable", a->s.state_dir, new_name), CTL_EXIT_FAILED;
        char hash[JOURNAL_HASH_HEX + 1];
        journal_hash(new_text, new_len, hash);
        if (strcmp(hash, j->new_hash) != 0)
                return log_error("cannot resume: %s/%s is not the one the journal names (hash %s, journal %s)",
                                 a->s.state_dir, new_name, hash, j->new_hash),
                       CTL_EXIT_FAILED;
        if (old_name && load_copy(a, old_name, &old_text, &old_len, &old) < 0)
                return log_error("cannot resume: %s/%s is unusable", a->s.state_dir, old_name), CTL_EXIT_FAILED;
        struct apply_args ra = *a;
        ra.dry_run = false;
        return run_plan(bus, &ra, rb ? "(resumed) " APPLY_ROLLBACK_COPY : "(resumed) new.yaml", old, new, new_text,
                        new_len, j);
}

/* The copies, then the journal (planned), then the steps. */
static int start_apply(sd_bus *bus, const struct apply_args *a, const struct plan *p, const struct manifest *old,
                       const char *old_text, size_t old_len, const struct manifest *new, const char *new_text,
                       size_t new_len) {
        struct apply_journal j = {.phase = APPLY_PLANNED,
                                  .had_old = old != NULL,
                                  .started_at = (long long)time(NULL),
                                  .pid = (long long)getpid()};
        journal_hash(new_text, new_len, j.new_hash);
        /* The images first, before anything is written or stopped: a missing one that cannot be
         * pulled leaves every app running as it does. */
        struct plan_images im = {0};
        if (plan_images_compute(p, old, new, &im) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        int pulled = apply_pull(&a->s, &im);
        plan_images_free(&im);
        if (pulled != CTL_EXIT_OK) {
                if (a->s.json)
                        print_result(&a->s, pulled, NULL, 0);
                return pulled;
        }
        /* Nothing has changed until the journal is saved: a copy or a journal that cannot be
         * written (a full disk) leaves no copy behind either, as if the apply had not begun. */
        if (apply_save_copy(a->s.state_dir, "new.yaml", new_text, new_len) < 0 ||
            (old && apply_save_copy(a->s.state_dir, "old.yaml", old_text, old_len) < 0)) {
                (void)apply_journal_clear(a->s.state_dir);
                return CTL_EXIT_FAILED;
        }
        print_step(&a->s, APPLY_PLANNED, false);
        if (apply_journal_save(a->s.state_dir, &j) < 0) {
                (void)apply_journal_clear(a->s.state_dir);
                return CTL_EXIT_FAILED;
        }
        return apply_execute(bus, &a->s, old, new, p, new_text, new_len, &j);
}

/* An app installed under one manager cannot be carried to another by an apply: the mode (or the
 * apps user) changes only with no app installed. 0, or CTL_EXIT_INVALID after saying why. */
static int check_node_change(const struct apply_args *a, const struct manifest *old, const struct manifest *new) {
        if (!old || ctl_node_same(&old->node, &new->node))
                return 0;
        for (size_t i = 0; i < old->n_apps; i++)
                if (old->apps[i].state != APP_STATE_UNINSTALLED) {
                        fprintf(stderr,
                                "archyctl apply: %s changes node: (from %s, apps run as %s, to %s, as %s) while the "
                                "app %s is installed: uninstall every app first (apply a manifest with each app's "
                                "state: uninstalled), then apply it; nothing was done\n",
                                a->shown, node_mode_to_string(old->node.mode),
                                old->node.mode == NODE_ROOTLESS ? old->node.user : "root",
                                node_mode_to_string(new->node.mode),
                                new->node.mode == NODE_ROOTLESS ? new->node.user : "root", old->apps[i].name);
                        return CTL_EXIT_INVALID;
                }
        return 0;
}

static int apply_new(sd_bus *bus, const struct apply_args *a, const struct manifest *old, const char *old_text,
                     size_t old_len, const struct manifest *new, const char *new_text, size_t new_len) {
        if (!new || !new_text)
                return log_error_errno(-EINVAL, "apply: no manifest to apply"), CTL_EXIT_FAILED;
        int invalid = check_node_change(a, old, new);
        if (invalid)
                return invalid;
        struct plan p = {0};
        if (plan_compute(old, new, bus ? apply_unit_running : NULL, bus, &p) < 0)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        if (a->edit && a->edit->restart) {
                int r = plan_force_restart(&p, new, a->edit->app);
                if (r < 0) {
                        plan_free(&p);
                        if (r == -ENOMEM)
                                return log_error_errno(r, "out of memory"), CTL_EXIT_FAILED;
                        fprintf(stderr, "archyctl restart: %s is not started: nothing to restart (archyctl start %s)\n",
                                a->edit->app, a->edit->app);
                        return CTL_EXIT_FAILED;
                }
        }
        print_plan(&a->s, a->shown, &p);
        /* Nothing to change and the same bytes installed: nothing to write or reload. */
        bool same = old && old_len == new_len && memcmp(old_text, new_text, new_len) == 0 &&
                    strcmp(old->path, a->s.manifest_path) == 0;
        int status = CTL_EXIT_OK;
        if (!a->dry_run && plan_is_noop(&p) && same)
                print_result(&a->s, status, NULL, 0);
        else if (!a->dry_run)
                status = start_apply(bus, a, &p, old, old_text, old_len, new, new_text, new_len);
        plan_free(&p);
        return status;
}

/* An edit: the installed manifest (not a last good copy standing in) through the edit's compute(). */
static int edit_installed(const struct apply_args *a, const struct manifest *old, const char *old_text, size_t old_len,
                          char **ret_text, size_t *ret_len, struct manifest **ret) {
        if (!old || strcmp(old->path, a->s.manifest_path) != 0) {
                fprintf(stderr, "archyctl %s: %s is %s: nothing to edit (archyctl apply FILE installs a manifest)\n",
                        a->edit->what, a->s.manifest_path,
                        old ? "unusable (a last good copy stands in)" : "missing or unusable");
                return CTL_EXIT_FAILED;
        }
        int status = a->edit->compute(a->edit, old_text, old_len, ret_text, ret_len);
        if (status != CTL_EXIT_OK)
                return status;
        return load_edited(a, *ret_text, *ret_len, ret);
}

static int run(struct apply_args *a) {
        _cleanup_free_ char *new_text = NULL, *old_text = NULL;
        size_t new_len = 0, old_len = 0;
        _cleanup_manifest_ struct manifest *new = NULL, *old = NULL;
        if (!a->resume_only && !a->edit) {
                int status = load_new(a, &new_text, &new_len, &new);
                if (status != 0)
                        return status;
        }
        /* The lock and the journal come first: a damaged journal is reported before anything. */
        int status = CTL_EXIT_OK, lock = -1, pending = 0;
        struct apply_journal j;
        if (!a->dry_run) {
                lock = apply_lock(a->s.state_dir);
                pending = lock < 0 ? lock : apply_journal_load(a->s.state_dir, &j);
                if (pending < 0) {
                        if (lock >= 0)
                                close(lock);
                        return CTL_EXIT_FAILED;
                }
        }
        /* The node's mode: FILE's, else (an edit, a resume) the manifest in use's. */
        struct ctl_node node;
        if (ctl_node_load(a->s.manifest_path, new, &node) < 0) {
                if (lock >= 0)
                        close(lock);
                return CTL_EXIT_FAILED;
        }
        a->s.node = &node;
        sd_bus *bus = open_bus(a, a->dry_run);
        /* --resume alone exits with the resumed apply's status; before an apply of its own, a
         * resumed one that did not converge is reported and the new one carried out. */
        int resumed = !bus && !a->dry_run ? CTL_EXIT_FAILED : pending > 0 ? resume(bus, a, &j) : CTL_EXIT_OK;
        if (resumed == CTL_EXIT_FAILED || a->resume_only)
                status = resumed;
        if (a->resume_only && resumed != CTL_EXIT_FAILED) {
                int purged = edit_finish_purges(&a->s); /* a crashed uninstall --purge's data */
                if (purged != CTL_EXIT_OK)
                        status = purged;
        }
        if (status == CTL_EXIT_OK && !a->resume_only) {
                if (load_old(a, &old_text, &old_len, &old) < 0)
                        status = CTL_EXIT_FAILED;
                else if (a->edit)
                        status = edit_installed(a, old, old_text, old_len, &new_text, &new_len, &new);
                if (status == CTL_EXIT_OK)
                        status = apply_new(bus, a, old, old_text, old_len, new, new_text, new_len);
                else if (status < 0) { /* the edit changes nothing: said so */
                        status = CTL_EXIT_OK;
                        if (a->s.json)
                                print_result(&a->s, status, NULL, 0);
                }
        }
        if (status == CTL_EXIT_FAILED && a->s.json)
                print_result(&a->s, status, NULL, 0);
        if (lock >= 0)
                close(lock);
        units_close(bus);
        units_close(a->s.system_bus);
        a->s.system_bus = NULL;
        a->s.node = NULL; /* this frame's */
        return status;
}

int cmd_apply(int argc, char **argv) {
        const char *env = getenv("ARCHY_MANIFEST");
        struct apply_args a = {.s = {.manifest_path = env && *env ? env : ARCHY_MANIFEST_PATH,
                                     .state_dir = APPLY_STATE_DIR,
                                     .tty = isatty(STDOUT_FILENO) == 1}};
        int status = parse_args(argc, argv, &a);
        if (status == CTL_EXIT_OK)
                status = run(&a);
        else if (status < 0)
                status = CTL_EXIT_OK; /* --help */
        strv_free(a.skip);
        return status;
}

int apply_run_edit(const struct apply_settings *s, bool dry_run, const struct apply_edit *e) {
        struct apply_args a = {.s = *s, .file = s->manifest_path, .shown = e->what, .edit = e, .dry_run = dry_run};
        return run(&a);
}
