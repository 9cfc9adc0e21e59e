/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "clock.h"
#include "commands.h"
#include "log.h"
#include "macro.h"
#include "message-ids.h"
#include "naming.h"
#include "process.h"
#include "strv.h"
#include "units.h"

#define NETWORK_SERVICE "archipelago-network.service"
#define STOP_TIMEOUT_MS (300L * 1000)
#define JOBS_TIMEOUT_MS (300L * 1000)
#define MIN_WAIT_SEC 120L

bool apply_unit_running(const char *service, void *ctx) {
        sd_bus *bus = ctx;
        bool active = false;
        char *units[] = {(char *)service};
        return bus && units_active(bus, units, 1, true, &active) >= 0 && active;
}

static int persist(const struct apply_settings *s, struct apply_journal *j, enum apply_phase phase) {
        j->phase = phase;
        print_step(s, phase, j->rollback[0] != '\0');
        return apply_journal_save(s->state_dir, j);
}

/* Every stop of the plan at once (systemd orders them), the network with the last app, then
 * until the stops a required app's ExecStopPost passed on have run too. */
static int step_stop(sd_bus *bus, const struct plan *p) {
        _cleanup_(strv_freep) char **stop = NULL;
        size_t n = 0;
        for (size_t i = 0; i < p->n_apps; i++)
                for (size_t k = 0; k < p->apps[i].n_stop; k++)
                        if (strv_add_unique(&stop, &n, p->apps[i].stop[k]) < 0)
                                return log_error_errno(-ENOMEM, "out of memory");
        if (p->network_stop && strv_add_unique(&stop, &n, NETWORK_SERVICE) < 0)
                return log_error_errno(-ENOMEM, "out of memory");
        size_t left = n > 0 ? units_stop(bus, stop, n, STOP_TIMEOUT_MS) : 0;
        if (left > 0)
                return log_error("%zu units did not stop in %ld s", left, STOP_TIMEOUT_MS / 1000), -ETIMEDOUT;
        for (size_t i = 0; i < p->n_apps; i++)
                for (size_t k = 0; k < p->apps[i].n_stop; k++)
                        (void)log_journal_record(LOG_LVL_NOTICE, ARCHY_MID_APPLY_UNIT_STOPPED, p->apps[i].name,
                                                 "apply: stopped %s (app %s, %s)", p->apps[i].stop[k], p->apps[i].name,
                                                 plan_action_to_string(p->apps[i].action));
        /* An uninstalled app's unit that failed would stay listed, failed, once its file is gone. */
        for (size_t i = 0; i < p->n_apps; i++)
                if (p->apps[i].action == PLAN_UNINSTALL)
                        (void)units_reset_failed(bus, p->apps[i].stop, p->apps[i].n_stop);
        /* Stop jobs only: at boot (archy-apply-resume.service) the boot's start jobs for archy
         * units wait for this run to end. */
        int jobs = units_wait_jobs(bus, "archy-", "stop", JOBS_TIMEOUT_MS);
        if (jobs < 0)
                return jobs;
        if (jobs > 0)
                return log_error("%d stop jobs of archy units still queued after %ld s", jobs, JOBS_TIMEOUT_MS / 1000),
                       -ETIMEDOUT;
        return 0;
}

/* Whether the plan starts or restarts anything. */
static bool plan_starts(const struct plan *p) {
        for (size_t i = 0; i < p->n_apps; i++)
                if (p->apps[i].n_start > 0 || p->apps[i].n_restart > 0)
                        return true;
        return false;
}

/* archy's own units (archy-derive) are the system manager's in both modes. */
static sd_bus *system_bus(const struct apply_settings *s, sd_bus *bus) {
        return s->system_bus ? s->system_bus : bus;
}

static int step_start(sd_bus *bus, const struct apply_settings *s, const struct plan *p) {
        size_t refused = 0;
        /* The configs first: an app installed (or reinstalled after a purge) or edited reads files
         * archy-derive writes. Every app unit is After= it, so their jobs wait for this one; a
         * node without archy-derive.service (or where systemd refuses it) starts the apps anyway. */
        if (plan_starts(p)) {
                char *derive[] = {(char *)"archy-derive.service"};
                (void)units_start(system_bus(s, bus), derive, 1);
        }
        for (size_t i = 0; i < p->n_apps; i++) {
                const struct plan_app *a = &p->apps[i];
                /* Restart jobs are queued, not waited for here: the wait step does. */
                if (a->n_restart > 0)
                        (void)units_restart(bus, a->restart, a->n_restart, 0);
                for (size_t k = 0; k < a->n_restart; k++)
                        (void)log_journal_record(LOG_LVL_NOTICE, ARCHY_MID_APPLY_UNIT_RESTARTED, a->name,
                                                 "apply: restarting %s (app %s, %s)", a->restart[k], a->name,
                                                 plan_action_to_string(a->action));
                size_t no = units_start(bus, a->start, a->n_start);
                for (size_t k = 0; k < a->n_start && no == 0; k++)
                        (void)log_journal_record(LOG_LVL_NOTICE, ARCHY_MID_APPLY_UNIT_STARTED, a->name,
                                                 "apply: starting %s (app %s, %s)", a->start[k], a->name,
                                                 plan_action_to_string(a->action));
                refused += no;
        }
        char *target[] = {(char *)"archy-apps.target"};
        refused += units_start(bus, target, 1);
        if (refused > 0)
                return log_error("systemd refused %zu start jobs", refused), -EIO;
        return 0;
}

/* ---- waiting ---- */

/* An app counts as up once it stayed up this long: a container that exits at once leaves its
 * unit active for a moment. */
#define SETTLE_MS 3000LL

struct waited {
        const struct app *app;
        long long deadline, up_since; /* up_since: 0 while not up */
        bool done, failed;
};

static long app_window_sec(const struct app *a, long timeout_sec) {
        if (timeout_sec > 0)
                return timeout_sec;
        long w = MIN_WAIT_SEC;
        for (size_t c = 0; c < a->n_containers; c++) {
                const struct health *h = &a->containers[c].health;
                if (a->containers[c].has_health) {
                        long x = (long)h->start_period_sec + (long)h->interval_sec * (long)h->retries;
                        if (x > w)
                                w = x;
                }
        }
        return w;
}

/* podman healthcheck run NAME: exit 0 when healthy. */
static bool podman_healthy(const struct apply_settings *s, const char *container) {
        const char *argv[] = {"healthcheck", "run", container, NULL};
        struct spawn_result res = {0};
        int r = apply_podman(s, argv, 30L * 1000, &res);
        bool ok = r >= 0 && res.end == SPAWN_EXITED && res.status == 0;
        if (r >= 0)
                spawn_result_done(&res);
        return ok;
}

/* One container: 1 ready, 0 not yet, -1 given up (failed for good). detail says why not. */
static int container_ready(sd_bus *bus, const struct apply_settings *s, const struct container *ct, char *detail,
                           size_t size) {
        _cleanup_free_ char *service = NULL, *active = NULL, *sub = NULL, *result = NULL;
        if (naming_service(ct->unit, &service) < 0)
                return 0;
        if (units_state(bus, service, &active, &sub, &result) < 0) {
                snprintf(detail, size, "%s: state unknown", service);
                return 0;
        }
        if (strcmp(active, "active") != 0) {
                snprintf(detail, size, "%s %s/%s%s%s", service, active, sub, *result ? " result " : "", result);
                return 0;
        }
        if (ct->has_health && !ct->notify_healthy && !podman_healthy(s, ct->unit)) {
                snprintf(detail, size, "%s active, container %s not healthy yet", service, ct->unit);
                return 0;
        }
        return 1;
}

static bool app_ready(sd_bus *bus, const struct apply_settings *s, const struct app *a, struct app_progress *pr) {
        for (size_t c = 0; c < a->n_containers; c++)
                if (container_ready(bus, s, &a->containers[c], pr->detail, sizeof pr->detail) <= 0)
                        return false;
        pr->detail[0] = '\0';
        return true;
}

static bool app_has_health(const struct app *a) {
        for (size_t c = 0; c < a->n_containers; c++)
                if (a->containers[c].has_health)
                        return true;
        return false;
}

/* One pass over the apps not done yet: whether any line changed, *pending the apps left. */
static bool wait_pass(sd_bus *bus, const struct apply_settings *s, struct waited *w, struct app_progress *pr, size_t n,
                      size_t *pending) {
        bool changed = false;
        long long now = now_monotonic_ms();
        *pending = 0;
        for (size_t i = 0; i < n; i++) {
                if (w[i].done)
                        continue;
                bool up = app_ready(bus, s, w[i].app, &pr[i]);
                if (!up)
                        w[i].up_since = 0;
                else if (w[i].up_since == 0)
                        w[i].up_since = now;
                if (up && now - w[i].up_since >= SETTLE_MS) {
                        w[i].done = changed = true;
                        pr[i].state = app_has_health(w[i].app) ? "healthy" : "running";
                } else if (now >= w[i].deadline) {
                        w[i].done = w[i].failed = changed = true;
                        pr[i].state = "timeout";
                } else
                        ++*pending;
        }
        return changed;
}

/* The apps the plan waits for, until each is up or its window passed: *ret_pr (calloc'ed, *ret_n
 * of them) says how each ended. CTL_EXIT_OK, CTL_EXIT_NOT_CONVERGED or CTL_EXIT_FAILED. */
static int step_wait(sd_bus *bus, const struct apply_settings *s, const struct manifest *new, const struct plan *p,
                     struct apply_journal *j, struct app_progress **ret_pr, size_t *ret_n) {
        _cleanup_free_ struct waited *w = calloc_items(p->n_apps + 1, sizeof *w);
        _cleanup_free_ struct app_progress *pr = calloc_items(p->n_apps + 1, sizeof *pr);
        if (!w || !pr)
                return log_error_errno(-ENOMEM, "out of memory"), CTL_EXIT_FAILED;
        size_t n = 0;
        long long t0 = now_monotonic_ms();
        for (size_t i = 0; i < p->n_apps; i++) {
                const struct app *a = p->apps[i].wait ? manifest_find_app(new, p->apps[i].name) : NULL;
                if (!a)
                        continue;
                w[n] = (struct waited){.app = a, .deadline = t0 + app_window_sec(a, s->timeout_sec) * 1000};
                pr[n] = (struct app_progress){.name = a->name, .state = "waiting"};
                n++;
        }
        print_progress(s, pr, n, false, true);
        for (size_t pending = n; pending > 0;) {
                bool changed = wait_pass(bus, s, w, pr, n, &pending);
                print_progress(s, pr, n, true, changed);
                if (pending > 0) {
                        struct timespec pause = {0, 500L * 1000 * 1000};
                        nanosleep(&pause, NULL);
                }
        }
        bool failed = false;
        for (size_t i = 0; i < n; i++)
                failed |= w[i].failed;
        if (persist(s, j, APPLY_WAITED) < 0)
                return CTL_EXIT_FAILED;
        *ret_pr = TAKE_PTR(pr);
        *ret_n = n;
        return failed ? CTL_EXIT_NOT_CONVERGED : CTL_EXIT_OK;
}

/* archy-reconcile runs once after every apply that converged (archy-reconcile(8)): a start job
 * queued, not waited for; where it is not installed, nothing. It waits for the apply's lock,
 * which this process lets go of as it exits. */
static void start_reconcile(sd_bus *bus) {
        char *unit[] = {(char *)"archy-reconcile.service"};
        _cleanup_free_ char *load = NULL;
        if (units_load_state(bus, unit[0], &load) < 0 || strcmp(load, "loaded") != 0)
                log_debug("%s is not installed: not started", unit[0]);
        else if (units_start(bus, unit, 1) > 0)
                log_debug("%s: the start was refused; its timer runs it", unit[0]);
}

/* A rollback carried out without waiting (--no-wait, the boot's resume): its apps, rolled back. */
static int rolled_back_unwaited(const struct plan *p, const struct apply_journal *j, struct app_progress **ret_pr,
                                size_t *ret_n) {
        struct app_progress *pr = calloc_items(p->n_apps + 1, sizeof *pr);
        if (!pr)
                return log_error_errno(-ENOMEM, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < p->n_apps; i++)
                if (journal_rolls_back(j, p->apps[i].name))
                        pr[n++] = (struct app_progress){.name = p->apps[i].name, .state = "rolled-back"};
        *ret_pr = pr;
        *ret_n = n;
        return 0;
}

/* daemon-reload: rootless, the system manager's first (its generator wires archy-derive and the
 * user manager's drop-in), then the apps user's (its generator renders the app units). */
static int reload(sd_bus *bus, const struct apply_settings *s) {
        if (s->system_bus && units_reload(s->system_bus) < 0)
                return -EIO;
        return units_reload(bus);
}

int apply_execute(sd_bus *bus, const struct apply_settings *s, const struct manifest *old, const struct manifest *new,
                  const struct plan *p, const char *new_text, size_t new_len, struct apply_journal *j) {
        /* Before installed, the stop is taken again: the boot may have started what a crashed
         * apply had stopped, and stopping twice is harmless. */
        if (j->phase < APPLY_INSTALLED) {
                if (step_stop(bus, p) < 0 || persist(s, j, APPLY_STOPPED) < 0)
                        return CTL_EXIT_FAILED;
                if (apply_install_manifest(s->manifest_path, new_text, new_len) < 0 ||
                    persist(s, j, APPLY_INSTALLED) < 0)
                        return CTL_EXIT_FAILED;
        }
        if (j->phase < APPLY_RELOADED && (reload(bus, s) < 0 || persist(s, j, APPLY_RELOADED) < 0))
                return CTL_EXIT_FAILED;
        if (j->phase < APPLY_STARTED && (step_start(bus, s, p) < 0 || persist(s, j, APPLY_STARTED) < 0))
                return CTL_EXIT_FAILED;
        _cleanup_free_ struct app_progress *pr = NULL;
        size_t n = 0;
        int status = CTL_EXIT_OK;
        if (!s->no_wait)
                status = step_wait(bus, s, new, p, j, &pr, &n);
        else if (persist(s, j, APPLY_WAITED) < 0 || (j->rollback[0] && rolled_back_unwaited(p, j, &pr, &n) < 0))
                status = CTL_EXIT_FAILED;
        if (status == CTL_EXIT_FAILED)
                return status;
        if (status == CTL_EXIT_NOT_CONVERGED && !j->rollback[0]) {
                int rolled = apply_rollback(bus, s, old, new, p, new_text, new_len, pr, n);
                if (rolled >= 0)
                        return rolled; /* the rollback's apply reported and cleared */
        }
        status = apply_images_finish(s, old, new, p, j, pr, n, status);
        print_result(s, status, pr, n);
        if (status == CTL_EXIT_FAILED || apply_journal_clear(s->state_dir) < 0)
                return CTL_EXIT_FAILED;
        if (status == CTL_EXIT_OK)
                start_reconcile(bus);
        return status;
}
