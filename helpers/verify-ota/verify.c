/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "fileio.h"
#include "clock.h"
#include "log.h"
#include "message-ids.h"
#include "manifest-source.h"
#include "marker.h"
#include "node-user.h"
#include "ota-state.h"
#include "http-get.h"
#include "journal-field.h"
#include "swap.h"
#include "units.h"

#define CONNECT_TIMEOUT_MS 3000L
#define REQUEST_TIMEOUT_MS 10000L
#define RESTART_TIMEOUT_MS (5L * 60 * 1000)

struct run {
        const struct verify_options *o;
        struct ota_marker marker;
        struct ota_state state;
};

/* Test hook (archy-verify-ota(8), TESTING): ARCHY_VERIFY_OTA_CRASH_AT=POINT kills this process
 * with SIGKILL at POINT, right after the state that precedes it was persisted, as a power cut
 * would. The crash-safety tests loop over every point. */
static void crash_point(const char *point) {
        const char *want = getenv("ARCHY_VERIFY_OTA_CRASH_AT");
        if (want && strcmp(want, point) == 0)
                raise(SIGKILL);
}

static int save(struct run *r, const char *point) {
        _cleanup_free_ char *text = ota_state_format(&r->state);
        if (!text)
                return log_error_errno(-ENOMEM, "out of memory");
        int k = write_file_atomic(r->o->state_file, text, strlen(text), 0644);
        if (k < 0)
                return log_write_errno(k, NULL, "cannot write %s: %m", r->o->state_file);
        crash_point(point);
        return 0;
}

/* The marker and the state file; *type says what a path that is not a regular file holds. */
static int read_text(const char *path, char **ret, size_t *len, mode_t *type) {
        return read_regular_file(path, 1 << 20, false, ret, len, type);
}

static int load_marker(struct run *r) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        mode_t type;
        int k = read_text(r->o->marker, &text, &len, &type);
        if (k == -ENOENT)
                return k;
        if (k < 0)
                return log_error_errno(k, "cannot read %s: %s", r->o->marker, file_problem(k, type));
        struct diag_list diags = {.file = r->o->marker};
        k = marker_parse(text, len, &diags, &r->marker);
        for (size_t i = 0; i < diags.n; i++)
                log_error("%s", diags.items[i].text);
        diag_list_free(&diags);
        if (k == -EINVAL) {
                log_error("%s is malformed: nothing verified, nothing rolled back", r->o->marker);
                return -EBADMSG; /* told apart from a read error: exit 3 */
        }
        return k;
}

/* The state file belongs to one update: a marker for another (versions or time differ) starts
 * afresh. A damaged state file is an error, never a guess. */
static int load_state(struct run *r, bool *fresh) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        mode_t type;
        int k = read_text(r->o->state_file, &text, &len, &type);
        *fresh = k == -ENOENT;
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return log_error_errno(k, "cannot read %s: %s", r->o->state_file, file_problem(k, type));
        k = ota_state_parse(text, &r->state);
        if (k < 0)
                return log_error_errno(k, "%s is damaged: a person must look (nothing done)", r->o->state_file);
        return 0;
}

static bool state_is_for(const struct ota_state *s, const struct ota_marker *m) {
        return s->new_version && s->previous_version && strcmp(s->new_version, m->new_version) == 0 &&
               strcmp(s->previous_version, m->previous_version) == 0 && s->applied_at == m->applied_at;
}

static int start_fresh(struct run *r) {
        ota_state_done(&r->state);
        r->state.phase = OTA_PENDING;
        r->state.new_version = strdup(r->marker.new_version);
        r->state.previous_version = strdup(r->marker.previous_version);
        r->state.applied_at = r->marker.applied_at;
        if (!r->state.new_version || !r->state.previous_version)
                return log_error_errno(-ENOMEM, "out of memory");
        log_info("update %s -> %s: verification pending", r->marker.previous_version, r->marker.new_version);
        return save(r, "pending");
}

/* Every check once; true when all answered with their expected status. */
static bool probe_all(struct run *r) {
        for (size_t i = 0; i < r->marker.n_checks; i++) {
                const struct ota_check *c = &r->marker.checks[i];
                struct http_get_result res;
                int k = http_get(c->url, CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS, &res);
                r->state.last_status = k < 0 ? -1 : (int)res.status;
                free(r->state.last_error);
                r->state.last_error = NULL;
                if (k < 0 || res.status != c->expect_status) {
                        char why[CURL_ERROR_SIZE + 160];
                        if (k < 0)
                                snprintf(why, sizeof(why), "%s: %s", c->url, res.error);
                        else
                                snprintf(why, sizeof(why), "%s: HTTP %ld, expected %d", c->url, res.status,
                                         c->expect_status);
                        r->state.last_error = strdup(why);
                        log_info("check failed: %s", why);
                        return false;
                }
        }
        return true;
}

static void sleep_ms(long long ms) {
        struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Grace, then probes with backoff until all pass or the window closes, on the monotonic clock. */
static enum ota_event attempt(struct run *r) {
        struct attempt_clock clock = {.mono_start_ms = now_monotonic_ms(), .wall_start_s = (long long)time(NULL)};
        log_info("attempt %u of %u: waiting %u s for start-up, then checking for up to %u s", r->state.attempts,
                 r->marker.max_attempts, r->marker.grace_seconds, r->marker.deadline_seconds);
        while (in_grace(&clock, now_monotonic_ms(), r->marker.grace_seconds))
                sleep_ms(200);
        for (unsigned n = 0;; n++) {
                if (probe_all(r))
                        return EV_PROBE_OK;
                long long left = attempt_remaining_ms(&clock, now_monotonic_ms(), r->marker.deadline_seconds);
                if (left <= 0)
                        return log_struct(LOG_LVL_WARNING, ARCHY_MID_OTA_VERIFY_FAILED, NULL,
                                          "attempt %u of %u: verification failed: %s", r->state.attempts,
                                          r->marker.max_attempts, r->state.last_error ? r->state.last_error : "?"),
                               EV_PROBE_FAILED;
                sleep_ms(next_probe_delay_ms(n, left));
        }
}

/* Put pair swaps_done back. The backup's identity is persisted before the exchange; after a
 * crash, the live path carrying it means the exchange already happened, so it is never undone
 * by a second one. */
static int swap_next(struct run *r) {
        size_t i = r->state.swaps_done;
        const struct ota_swap *p = &r->marker.swaps[i];
        char point[64];
        if (r->state.swap_ino == 0) {
                struct file_identity id;
                int k = path_identity(p->backup, &id);
                if (k < 0)
                        return log_error_errno(k, "rollback: cannot find the previous version %s: %m", p->backup);
                r->state.swap_dev = id.dev;
                r->state.swap_ino = id.ino;
                snprintf(point, sizeof(point), "swap-%zu-before", i + 1);
                if ((k = save(r, point)) < 0)
                        return k;
        }
        struct file_identity live = {0};
        bool done =
                path_identity(p->current, &live) == 0 && live.dev == r->state.swap_dev && live.ino == r->state.swap_ino;
        if (!done) {
                int k = swap_exchange(p->current, p->backup);
                if (k < 0)
                        return log_error_errno(k, "rollback: cannot put %s back in place of %s: %m", p->backup,
                                               p->current);
                snprintf(point, sizeof(point), "swap-%zu-after", i + 1);
                crash_point(point);
        }
        log_notice("rollback: %s is the previous version again (the new one is kept as %s)", p->current, p->backup);
        r->state.swap_dev = r->state.swap_ino = 0;
        return 0;
}

/* A rootless node (the manifest in use says so, archy-manifest(5) NODE): the apps user's manager,
 * where the app units are; NULL on a rootful node, or when it cannot be reached (logged). */
static sd_bus *apps_manager(void) {
        const char *path = getenv("ARCHY_MANIFEST");
        _cleanup_manifest_ struct manifest *m = NULL;
        struct node_user u;
        sd_bus *bus = NULL;
        if (load_manifest_with_fallback(path && *path ? path : ARCHY_MANIFEST_PATH, manifest_last_good_path(), &m) <
                    0 ||
            !m || m->node.mode != NODE_ROOTLESS || node_user_lookup(&m->node, &u) < 0 || node_units_open(&u, &bus) < 0)
                return NULL;
        return bus;
}

/* The units the marker names, each restarted by the manager that has it: rootless, the apps
 * user's for the app units it has loaded, the system's for the rest (the node's own services). */
static size_t restart_all(sd_bus *system, char **units, size_t n) {
        sd_bus *apps = apps_manager();
        _cleanup_free_ char **theirs = calloc(n + 1, sizeof *theirs), **ours = calloc(n + 1, sizeof *ours);
        size_t n_theirs = 0, n_ours = 0, failed = 0;
        if (!theirs || !ours) {
                units_close(apps);
                return units_restart(system, units, n, RESTART_TIMEOUT_MS);
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *load = NULL;
                bool in_apps = apps && units_load_state(apps, units[i], &load) >= 0 && strcmp(load, "loaded") == 0;
                if (in_apps)
                        theirs[n_theirs++] = units[i];
                else
                        ours[n_ours++] = units[i];
        }
        if (n_ours)
                failed += units_restart(system, ours, n_ours, RESTART_TIMEOUT_MS);
        if (n_theirs)
                failed += units_restart(apps, theirs, n_theirs, RESTART_TIMEOUT_MS);
        units_close(apps);
        return failed;
}

static int restart_units(struct run *r) {
        if (r->marker.n_restarts == 0)
                return 0;
        crash_point("restart-before");
        sd_bus *bus = NULL;
        int k = units_open_system(&bus);
        if (k < 0)
                return k;
        size_t failed = restart_all(bus, r->marker.restarts, r->marker.n_restarts);
        units_close(bus);
        if (failed > 0)
                log_error("rollback: %zu unit(s) are not active after their restart", failed);
        return 0;
}

/* The marker is closed once the outcome is persisted: a crash in between leaves a final state
 * and the marker, and the next run only removes the marker. */
static int close_marker(struct run *r) {
        if (unlink(r->o->marker) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "cannot remove %s: %m", r->o->marker);
        (void)fsync_parent_dir(r->o->marker);
        return 0;
}

/* One structured entry per outcome, for the node's UI and for journalctl field matches: true when
 * journald took it. */
static bool journal_outcome(const struct run *r) {
        const struct ota_state *s = &r->state;
        bool committed = s->phase == OTA_COMMITTED;
        const char *reason = s->reason ? s->reason : "";
        char attempts[16], last_status[16];
        snprintf(attempts, sizeof(attempts), "%u", s->attempts);
        snprintf(last_status, sizeof(last_status), "%d", s->last_status);
        const struct journal_field fields[] = {
                {"ARCHY_OTA_RESULT", ota_phase_to_string(s->phase)},
                {"ARCHY_OTA_NEW_VERSION", r->marker.new_version},
                {"ARCHY_OTA_PREVIOUS_VERSION", r->marker.previous_version},
                {"ARCHY_OTA_ATTEMPTS", attempts},
                {"ARCHY_OTA_REASON", reason},
                {"ARCHY_OTA_LAST_STATUS", last_status},
                {"ARCHY_OTA_LAST_ERROR", s->last_error},
        };
        return log_journal_fields(committed ? LOG_LVL_NOTICE : LOG_LVL_ERR,
                                  committed ? ARCHY_MID_OTA_COMMITTED : ARCHY_MID_OTA_ROLLED_BACK, fields,
                                  ELEMENTSOF(fields), "update %s -> %s %s: %s", r->marker.previous_version,
                                  r->marker.new_version, committed ? "committed" : "rolled back", reason);
}

static int finish(struct run *r, enum ota_phase final) {
        ota_finish(&r->state, final, (long long)time(NULL));
        int k = save(r, "final");
        if (k < 0)
                return k;
        /* Under systemd stderr is the journal too: the structured entry says it once, unless
         * journald did not take it. */
        if (journal_outcome(r) && getenv("JOURNAL_STREAM"))
                return close_marker(r);
        if (final == OTA_COMMITTED)
                log_notice("update %s -> %s committed: %s", r->marker.previous_version, r->marker.new_version,
                           r->state.reason);
        else
                log_error("update %s -> %s rolled back: %s (last check: %s)", r->marker.previous_version,
                          r->marker.new_version, r->state.reason, r->state.last_error ? r->state.last_error : "none");
        return close_marker(r);
}

/* Drive the state machine until a final state; every transition is persisted before its action. */
static int drive(struct run *r) {
        size_t n_swaps = r->marker.n_swaps;
        unsigned max = r->marker.max_attempts;
        enum ota_action act = ota_step(&r->state, EV_RUN, max, n_swaps);
        for (;;) {
                int k = 0;
                switch (act) {
                case ACT_START_ATTEMPT:
                        if ((k = save(r, "verifying")) < 0)
                                return k;
                        act = ota_step(&r->state, attempt(r), max, n_swaps);
                        break;
                case ACT_SWAP_NEXT:
                        if ((k = save(r, "rolling-back")) < 0 || (k = swap_next(r)) < 0)
                                return k;
                        act = ota_step(&r->state, EV_SWAPPED, max, n_swaps);
                        break;
                case ACT_RESTART_UNITS:
                        if ((k = save(r, "swaps-done")) < 0 || (k = restart_units(r)) < 0)
                                return k;
                        act = ota_step(&r->state, EV_RESTARTED, max, n_swaps);
                        break;
                case ACT_COMMIT: return finish(r, OTA_COMMITTED);
                case ACT_FINISH_ROLLBACK: return finish(r, OTA_ROLLED_BACK);
                default: return close_marker(r);
                }
        }
}

static int exit_for(const struct ota_state *s) {
        switch (s->phase) {
        case OTA_COMMITTED: return 0;
        case OTA_ROLLED_BACK: return EXIT_VERIFY_ROLLED_BACK;
        default: return EXIT_VERIFY_PENDING;
        }
}

static void print_status(const struct ota_state *s) {
        printf("update: %s -> %s\nstate: %s\nattempts: %u\n", s->previous_version ? s->previous_version : "?",
               s->new_version ? s->new_version : "?", ota_phase_to_string(s->phase), s->attempts);
        if (s->phase == OTA_ROLLING_BACK || s->phase == OTA_ROLLED_BACK)
                printf("swaps back: %zu\n", s->swaps_done);
        if (s->reason)
                printf("reason: %s\n", s->reason);
        if (s->last_status)
                printf("last check: %s%s%d%s\n", s->last_error ? s->last_error : "", s->last_error ? " (" : "HTTP ",
                       s->last_status, s->last_error ? ")" : "");
        if (s->decided_at) {
                char when[32];
                time_t t = (time_t)s->decided_at;
                struct tm tm;
                if (gmtime_r(&t, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
                        printf("decided: %s\n", when);
        }
}

static int status(struct run *r) {
        bool fresh;
        if (load_state(r, &fresh) < 0)
                return EXIT_VERIFY_ERROR;
        int m = load_marker(r);
        if (m == -EBADMSG)
                return EXIT_VERIFY_MARKER;
        bool pending = m == 0;
        /* A marker for another update than the state's has not been started yet. */
        if (!fresh && pending && !state_is_for(&r->state, &r->marker)) {
                printf("update: %s -> %s\nstate: pending (not started)\n", r->marker.previous_version,
                       r->marker.new_version);
                return EXIT_VERIFY_PENDING;
        }
        if (fresh) {
                puts(pending ? "state: pending (not started)" : "state: no update to verify");
                return pending ? EXIT_VERIFY_PENDING : 0;
        }
        print_status(&r->state);
        return exit_for(&r->state);
}

/* No marker: either nothing was ever pending, or another run (the boot unit, the updater) has
 * just decided; then that outcome is this run's too, so the updater learns of a rollback. */
static int outcome_without_marker(struct run *r) {
        bool fresh;
        if (load_state(r, &fresh) < 0)
                return EXIT_VERIFY_ERROR;
        if (fresh || (r->state.phase != OTA_COMMITTED && r->state.phase != OTA_ROLLED_BACK)) {
                log_info("%s does not exist: no update to verify", r->o->marker);
                return 0;
        }
        log_info("no marker: update %s was %s: %s", r->state.new_version ? r->state.new_version : "?",
                 ota_phase_to_string(r->state.phase), r->state.reason ? r->state.reason : "");
        return exit_for(&r->state);
}

/* The updater runs the verifier, and so does the boot unit when a marker exists: one at a time.
 * The second waits, then finds the outcome and only reports it. */
static int lock_state(const char *state_file) {
        char path[4200];
        snprintf(path, sizeof(path), "%s.lock", state_file);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s: %m", path);
        if (flock(fd, LOCK_EX) < 0) {
                int k = -errno;
                close(fd);
                return log_error_errno(k, "cannot lock %s: %m", path);
        }
        return fd;
}

int verify_run(const struct verify_options *o) {
        struct run r = {.o = o};
        int code;
        _cleanup_close_ int lock = o->status_only ? -1 : lock_state(o->state_file);
        if (!o->status_only && lock < 0)
                return EXIT_VERIFY_ERROR;
        if (o->status_only)
                code = status(&r);
        else {
                bool fresh;
                int k = load_marker(&r);
                if (k == -ENOENT) {
                        code = outcome_without_marker(&r);
                        ota_state_done(&r.state);
                        return code;
                }
                if (k < 0)
                        return k == -EBADMSG ? EXIT_VERIFY_MARKER : EXIT_VERIFY_ERROR;
                k = load_state(&r, &fresh);
                if (k >= 0 && !fresh && !state_is_for(&r.state, &r.marker) && r.state.phase == OTA_ROLLING_BACK)
                        k = log_error_errno(-EBUSY,
                                            "%s: the rollback of update %s is unfinished; a new marker does not "
                                            "replace it (a person must look)",
                                            o->state_file, r.state.new_version ? r.state.new_version : "?");
                else if (k >= 0 && (fresh || !state_is_for(&r.state, &r.marker)))
                        k = start_fresh(&r);
                if (k >= 0)
                        k = drive(&r);
                code = k < 0 ? EXIT_VERIFY_ERROR : exit_for(&r.state);
        }
        marker_done(&r.marker);
        ota_state_done(&r.state);
        return code;
}
