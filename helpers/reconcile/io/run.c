/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One run of archy-reconcile: the manifest in use, what systemd shows (and podman, when worth
 * asking), the decision, the actions, the state file. */
#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "manifest-source.h"
#include "message-ids.h"
#include "node-user.h"
#include "reconcile-io.h"
#include "strbuf.h"

struct session {
        const struct reconcile_options *o;
        struct manifest_source src;
        struct manifest *explicit_manifest;
        const struct manifest *m;
        struct reconcile_state old, new;
        char *state_text; /* as read: the file is written only when it changes */
        sd_bus *bus;
        struct observation ob;
        struct rc_plan plan;
        int lock;
        bool printed; /* the summary line */
        /* Who runs the apps (node-user.h), and what follows from it: */
        struct node_user user;
        struct node_user_exec exec;
        bool as_user; /* podman through setpriv as the apps user (root on a rootless node, --dry-run) */
        const char *state_file, *cid_dir;
        char state_buf[PATH_MAX], cid_buf[sizeof(((struct node_user *)0)->runtime_dir)];
};

static void session_done(struct session *s) {
        manifest_source_done(&s->src);
        manifest_free(s->explicit_manifest);
        reconcile_state_done(&s->old);
        reconcile_state_done(&s->new);
        free(s->state_text);
        units_close(s->bus);
        observation_done(&s->ob);
        rc_plan_done(&s->plan);
        if (s->lock >= 0)
                close(s->lock);
}

/* The manifest in use, chosen as archyctl status chooses it; --manifest never falls back. */
static int load_manifest(struct session *s) {
        if (s->o->explicit_manifest) {
                int r = load_manifest_logged(s->o->manifest, &s->explicit_manifest);
                s->m = s->explicit_manifest;
                return r;
        }
        int r = manifest_source_load(s->o->manifest, manifest_last_good_path(), &s->src);
        if (r < 0 && s->src.installed_r != -ENOENT) {
                log_diags(&s->src.problems, LOG_LVL_ERR);
                return log_struct_errno(LOG_LVL_ERR, r, ARCHY_MID_MANIFEST_REFUSED, NULL,
                                        "%s: unusable, and no usable last good copy: nothing is reconciled",
                                        s->o->manifest);
        }
        if (r == 1)
                log_struct(LOG_LVL_WARNING, ARCHY_MID_MANIFEST_LAST_GOOD, NULL,
                           "%s is unusable: reconciling against its last good copy %s", s->o->manifest,
                           manifest_last_good_path());
        s->m = s->src.manifest;
        return 0;
}

static void load_state(struct session *s) {
        size_t len = 0;
        mode_t type = 0;
        const char *why = NULL;
        int r = read_regular_file(s->state_file, RECONCILE_STATE_MAX, true, &s->state_text, &len, &type);
        if (r == -ENOENT)
                return;
        if (r < 0)
                log_warning("cannot read %s: %s: starting from an empty state", s->state_file, file_problem(r, type));
        else if (reconcile_state_parse(s->state_text, len, &s->old, &why) < 0) {
                log_warning("%s: %s: starting from an empty state", s->state_file, why ? why : "out of memory");
                reconcile_state_done(&s->old);
        }
}

static int save_state(struct session *s) {
        _cleanup_free_ char *text = reconcile_state_render(&s->new);
        if (!text)
                return log_error_errno(-ENOMEM, "out of memory");
        if (s->state_text && strcmp(text, s->state_text) == 0)
                return 0;
        _cleanup_free_ char *copy = strdup(s->state_file);
        if (!copy)
                return log_error_errno(-ENOMEM, "out of memory");
        int r = mkdir_p(dirname(copy), 0755);
        if (r >= 0)
                r = write_file_atomic(s->state_file, text, strlen(text), 0644);
        return r < 0 ? log_write_errno(r, NULL, "cannot write %s: %m", s->state_file) : 0;
}

/* The node's mode (archy-manifest(5) NODE): the manager and podman of the apps, and the files by
 * mode. Returns 0, 1 when this run is not the one to reconcile (said), 2 when it is not at all
 * (--user in a manager not the apps user's: nothing said), or negative errno (logged). */
static bool is_user(const char *name) {
        const struct passwd *pw = getpwuid(geteuid());
        return pw && strcmp(pw->pw_name, name) == 0;
}

static int setup_node(struct session *s) {
        bool rootless = s->m && s->m->node.mode == NODE_ROOTLESS;
        if (s->o->user && !(rootless && is_user(s->m->node.user)))
                return 2;
        int r = node_user_lookup(s->m ? &s->m->node : NULL, &s->user);
        if (r < 0)
                return r;
        if (rootless && !node_user_is_self(&s->user) && !s->o->dry_run) {
                log_full_errno(
                        isatty(STDERR_FILENO) ? LOG_LVL_INFO : LOG_LVL_DEBUG, 0,
                        "rootless node: the apps are reconciled in the user manager of %s (its archy-reconcile.timer; "
                        "systemctl --user -M %s@ start archy-reconcile.service); as another user only --dry-run "
                        "runs here",
                        s->user.name, s->user.name);
                return 1;
        }
        s->as_user = node_user_exec_prepare(&s->user, &s->exec);
        s->state_file = s->o->state_file;
        if (!s->state_file && rootless) {
                if (snprintf(s->state_buf, sizeof s->state_buf, "%s/" RECONCILE_USER_STATE, s->user.home) >=
                    (int)sizeof s->state_buf)
                        return log_error_errno(-ENAMETOOLONG, "%s: home directory path too long", s->user.name);
                s->state_file = s->state_buf;
        } else if (!s->state_file)
                s->state_file = RECONCILE_STATE_PATH;
        s->cid_dir = s->o->cid_dir ? s->o->cid_dir : rootless ? s->user.runtime_dir : "/run";
        return 0;
}

/* ---- output ------------------------------------------------------------------------------- */

static void put_member(struct strbuf *b, const char *key, const char *value) {
        strbuf_printf(b, ", \"%s\": ", key);
        if (value)
                strbuf_json_string(b, value, strlen(value));
        else
                strbuf_puts(b, "null");
}

/* The journal's id of each action (message-ids.h). */
static const char *const action_ids[_RC_KIND_MAX] = {
        [RC_STOP_UNIT] = ARCHY_MID_RECONCILE_STOP_UNIT,
        [RC_STOP_CONTAINER] = ARCHY_MID_RECONCILE_STOP_CONTAINER,
        [RC_REMOVE_CONTAINER] = ARCHY_MID_RECONCILE_REMOVE_CONTAINER,
        [RC_ORPHAN_VOLUME] = ARCHY_MID_RECONCILE_ORPHAN_VOLUME,
        [RC_ORPHAN_NETWORK] = ARCHY_MID_RECONCILE_ORPHAN_NETWORK,
        [RC_RESTART_APP] = ARCHY_MID_RECONCILE_RESTART_APP,
        [RC_BACKOFF] = ARCHY_MID_RECONCILE_BACKOFF,
};

/* An action run for real is a journal entry of its own (its id, ARCHY_APP=); the text line is
 * printed as well unless stdout is the journal that already has it. */
static void print_action(const struct session *s, const struct rc_action *a) {
        bool journaled = !s->o->dry_run &&
                         log_journal_record(rc_kind_acts(a->kind) ? LOG_LVL_NOTICE : LOG_LVL_INFO, action_ids[a->kind],
                                            a->app, "%s %s%s%s%s: %s", rc_kind_to_string(a->kind), a->target,
                                            a->app ? " (app " : "", a->app ? a->app : "", a->app ? ")" : "", a->reason);
        if (!s->o->json) {
                if (journaled && log_fd_is_journal(STDOUT_FILENO))
                        return;
                printf("%s %s%s%s%s: %s\n", rc_kind_to_string(a->kind), a->target, a->app ? " (app " : "",
                       a->app ? a->app : "", a->app ? ")" : "", a->reason);
                return;
        }
        _cleanup_strbuf_ struct strbuf b = STRBUF_INIT;
        strbuf_printf(&b, "{\"action\": \"%s\"", rc_kind_to_string(a->kind));
        put_member(&b, "target", a->target);
        put_member(&b, "app", a->app);
        put_member(&b, "reason", a->reason);
        strbuf_puts(&b, "}\n");
        fputs(strbuf_str(&b), stdout);
}

static void print_result(struct session *s, const char *result, size_t n) {
        s->printed = true;
        if (s->o->json)
                printf("{\"result\": \"%s\", \"actions\": %zu}\n", result, n);
        else if (n > 0 || strcmp(result, "nothing-to-do") != 0)
                printf("archy-reconcile: %s, %zu action%s\n", result, n, n == 1 ? "" : "s");
        fflush(stdout);
}

/* ---- the run ------------------------------------------------------------------------------ */

static int observe(struct session *s, long long now) {
        int r = s->o->bus ? units_open_address(s->o->bus, &s->bus) : node_units_open(&s->user, &s->bus);
        if (r < 0)
                return r; /* logged */
        r = observe_units(s->bus, s->m, s->cid_dir, &s->ob);
        if (r < 0)
                return r;
        if (!rc_scan_due(&s->old, now, s->o->dry_run, s->ob.unaccounted, s->ob.leftovers))
                return 0;
        struct podman p = {
                .path = s->o->podman, .timeout_ms = s->o->timeout_ms, .as_user = s->as_user ? &s->exec : NULL};
        return observe_podman(&p, &s->ob);
}

static int carry_out(struct session *s, bool scanned_failed) {
        struct podman p = {
                .path = s->o->podman, .timeout_ms = s->o->timeout_ms, .as_user = s->as_user ? &s->exec : NULL};
        size_t failed = 0;
        for (size_t i = 0; i < s->plan.n_actions; i++) {
                const struct rc_action *a = &s->plan.actions[i];
                print_action(s, a);
                if (!s->o->dry_run && rc_kind_acts(a->kind) && act(s->bus, &p, a, s->o->timeout_ms) < 0)
                        failed++;
        }
        size_t n = s->plan.n_actions;
        if (s->o->dry_run) {
                print_result(s, scanned_failed ? "failed" : n ? "work-found" : "nothing-to-do", n);
                return scanned_failed ? RECONCILE_EXIT_FAILED : n ? RECONCILE_EXIT_WORK : RECONCILE_EXIT_OK;
        }
        if (save_state(s) < 0)
                failed++;
        print_result(s, failed || scanned_failed ? "failed" : n ? "done" : "nothing-to-do", n);
        return failed || scanned_failed ? RECONCILE_EXIT_FAILED : RECONCILE_EXIT_OK;
}

int reconcile_run(const struct reconcile_options *o) {
        struct session s = {.o = o, .lock = -1};
        int status = RECONCILE_EXIT_FAILED;
        if (!o->dry_run) {
                s.lock = reconcile_lock(o->lock_dir);
                if (s.lock == -ENOENT)
                        log_debug("%s/lock: no archyctl apply has run here: nothing to wait for", o->lock_dir);
                if (s.lock == -EBUSY) {
                        log_info("archyctl apply holds %s/lock: this run is skipped", o->lock_dir);
                        print_result(&s, "skipped", 0);
                        status = RECONCILE_EXIT_OK;
                        goto done;
                }
                if (s.lock < 0 && s.lock != -ENOENT)
                        goto done;
                if (reconcile_apply_pending(o->lock_dir)) {
                        log_info("an interrupted archyctl apply is pending (%s/journal): this run is skipped",
                                 o->lock_dir);
                        print_result(&s, "skipped", 0);
                        status = RECONCILE_EXIT_OK;
                        goto done;
                }
        }
        if (load_manifest(&s) < 0)
                goto done;
        int k = setup_node(&s);
        if (k > 0) {
                s.printed = k == 2 && !o->json; /* --user elsewhere: silent */
                if (!s.printed)
                        print_result(&s, "skipped", 0);
                status = RECONCILE_EXIT_OK;
        }
        if (k != 0)
                goto done;
        load_state(&s);
        long long now = (long long)time(NULL);
        int r = observe(&s, now);
        if (r < 0 && !s.ob.units)
                goto done; /* systemd could not be asked */
        /* podman could not be asked: what systemd showed is still acted on */
        struct rc_observed in = {.units = s.ob.units,
                                 .n_units = s.ob.n_list,
                                 .scanned = r >= 0 && s.ob.podman_calls > 0,
                                 .containers = s.ob.containers.items,
                                 .n_containers = s.ob.containers.n,
                                 .volumes = s.ob.volumes.items,
                                 .n_volumes = s.ob.volumes.n,
                                 .networks = s.ob.networks.items,
                                 .n_networks = s.ob.networks.n};
        if (reconcile_decide(s.m, &in, &s.old, now, &s.plan, &s.new) < 0) {
                log_error_errno(-ENOMEM, "out of memory");
                goto done;
        }
        status = carry_out(&s, r < 0);
done:
        if (status == RECONCILE_EXIT_FAILED && !s.printed)
                print_result(&s, "failed", 0);
        session_done(&s);
        return status;
}
