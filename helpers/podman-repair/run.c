/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "facts.h"
#include "fileio.h"
#include "journal-field.h"
#include "manifest-source.h"
#include "log.h"
#include "message-ids.h"
#include "netstate.h"
#include "node-user.h"
#include "podman-info.h"
#include "repair-state.h"
#include "repair.h"
#include "runtime-state.h"

/* A repair that stops many apps waits for each to stop: bitcoind may flush for minutes. */
#define STOP_TIMEOUT_MS (10L * 60 * 1000)
#define MAX_REPAIRS_PER_HOUR 4

/* Everything one run holds; freed in one place. */
struct session {
        const struct run_options *o;
        struct podman podman;
        struct manifest *manifest;
        struct app_units au;
        struct repair_state state;
        char *state_text; /* as read, to write the file only when it changes */
        sd_bus *bus;
        struct spawn_result res;
        struct podman_info info;
        struct podman_knowledge knowledge;
        char *evidence;
        char *found_evidence; /* kept when a repair probes again */
        struct repair_report report;
        struct node_user user; /* --user on a rootless node: this user and its id ranges */
        bool have_user;
        bool manifest_ok;
};

static void session_done(struct session *s) {
        manifest_free(s->manifest);
        app_units_done(&s->au);
        repair_state_done(&s->state);
        free(s->state_text);
        units_close(s->bus);
        spawn_result_done(&s->res);
        podman_info_done(&s->info);
        podman_knowledge_done(&s->knowledge);
        free(s->evidence);
        free(s->found_evidence);
}

static int write_with_dir(const char *path, const char *text) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        int r = mkdir_p(dirname(copy), 0755);
        if (r >= 0)
                r = write_file_atomic(path, text, strlen(text), 0644);
        return r < 0 ? log_write_errno(r, NULL, "cannot write %s: %m", path) : 0;
}

static void save_state(struct session *s) {
        _cleanup_free_ char *text = repair_state_format(&s->state);
        if (text && (!s->state_text || strcmp(text, s->state_text) != 0))
                (void)write_with_dir(s->o->state_file, text);
}

static void load_state(struct session *s) {
        size_t len;
        mode_t type;
        int r = read_regular_file(s->o->state_file, 65536, true, &s->state_text, &len, &type);
        if (r == 0 && repair_state_parse(s->state_text, &s->state) < 0)
                r = -ENOMEM;
        if (r < 0 && r != -ENOENT)
                log_warning("cannot read %s: %s: starting from an empty state", s->o->state_file,
                            file_problem(r, type));
        if (r < 0)
                repair_state_done(&s->state);
        size_t n = repair_state_clamp_future(&s->state, s->report.when);
        if (n > 0)
                log_warning("%s: %zu repair%s recorded later than now (the clock was set back): counted as "
                            "repairs of now for the hourly limit",
                            s->o->state_file, n, n == 1 ? "" : "s");
        if (s->o->reset && !s->o->check) {
                s->state.failures = 0;
                s->state.n_repairs = 0;
                save_state(s); /* whatever this run finds: a person said podman is fixed */
        }
}

static int load_apps(struct session *s) {
        const struct run_options *o = s->o;
        int r;
        if (o->explicit_manifest)
                r = load_manifest_logged(o->manifest, &s->manifest);
        else
                r = load_manifest_with_fallback(o->manifest, manifest_last_good_path(), &s->manifest);
        if (r == -ENOENT && o->explicit_manifest)
                log_warning("%s: no such file: podman is checked, but no app unit is stopped or started", o->manifest);
        else if (r < 0 && r != -ENOENT)
                log_warning("no usable manifest: podman is checked, but no app unit is stopped or started");
        s->manifest_ok = r >= 0;
        return app_units_from_manifest(r < 0 ? NULL : s->manifest, &s->au);
}

/* Whose podman runs the apps (archy-manifest(5) NODE): the manifest says it, and a run for another
 * podman has nothing to do. Returns why, or NULL when this run is the one. */
static const char *not_this_podman(struct session *s, char *buf, size_t size) {
        const struct node_settings *node = &s->manifest->node;
        if (!s->o->user && node->mode == NODE_ROOTLESS) {
                snprintf(buf, size,
                         "a rootless node (node.mode: rootless): root's podman runs no app; archy-podman-repair "
                         "--user repairs the podman of %s in its user manager",
                         node->user);
                return buf;
        }
        if (!s->o->user)
                return NULL;
        if (node->mode != NODE_ROOTLESS)
                return "a rootful node: the apps run in root's podman, which the system's "
                       "archy-podman-repair.service repairs; --user has nothing to do";
        struct passwd *pw = getpwnam(node->user);
        if (!pw || pw->pw_uid != geteuid()) {
                snprintf(buf, size, "the apps run in the podman of %s (node.user), not of this user: nothing to do",
                         node->user);
                return buf;
        }
        /* Its ranges map the volumes' owners; without them rootless podman cannot run a container. */
        s->have_user = node_user_lookup(node, &s->user) >= 0;
        return NULL;
}

/* Said once per boot under systemd (the timer comes by every 3 minutes), every time to a person. */
static int idle(const struct session *s, const char *why) {
        _cleanup_free_ char *copy = strdup(s->o->status_file), *marker = NULL;
        if (!copy || asprintf(&marker, "%s/podman-repair.idle", dirname(copy)) < 0)
                return EXIT_FAILURE;
        if (!getenv("JOURNAL_STREAM")) {
                printf("nothing to do: %s\n", why);
                return EXIT_SUCCESS;
        }
        char said[1024];
        ssize_t n = read_small_file(marker, said, sizeof(said));
        if (n > 0 && strcmp(said, why) == 0)
                return EXIT_SUCCESS;
        log_notice("nothing to do: %s", why);
        (void)write_with_dir(marker, why);
        return EXIT_SUCCESS;
}

static int ensure_bus(struct session *s) {
        return s->bus || s->au.n == 0 ? 0 : units_open(s->o->user, &s->bus);
}

/* Rootless: podman's network namespace, looked at twice 3 s apart when the first look finds it
 * broken: while the last app stops, podman removes the namespace a moment before aardvark-dns
 * exits, and while the first starts, pasta comes before the names. */
static enum netns_health netns_look_once(const struct session *s) {
        struct netns_look look;
        netns_look_read(getenv("XDG_RUNTIME_DIR"), &look);
        for (size_t i = 0; i < s->au.n; i++)
                look.apps_running |= s->au.active[i];
        return netns_classify(&look);
}

static enum netns_health netns_health(const struct session *s) {
        enum netns_health h = netns_look_once(s);
        if (h == NETNS_OK)
                return h;
        struct timespec pause = {3, 0};
        nanosleep(&pause, NULL);
        return netns_look_once(s);
}

/* Probe, and when podman answers, compare what it knows with what systemd runs. */
static enum podman_state probe(struct session *s) {
        spawn_result_done(&s->res);
        podman_info_done(&s->info);
        podman_knowledge_done(&s->knowledge);
        struct podman_probe p;
        podman_probe(&s->podman, &s->res, &p);
        const char *ev;
        size_t ev_len;
        enum podman_state st = podman_classify(&p, NULL, &ev, &ev_len);
        if (st == PODMAN_HEALTHY) {
                if (podman_info_parse(s->res.out, strlen(s->res.out), &s->info) < 0)
                        st = PODMAN_UNKNOWN_ERROR, ev = "podman info printed no usable JSON", ev_len = strlen(ev);
                else if (ensure_bus(s) < 0 ||
                         facts_gather(&s->podman, s->bus, &s->info, &s->au, &s->state, &s->knowledge) < 0)
                        log_warning("cannot compare podman's containers and volumes with the apps': probe only");
                else {
                        if (s->o->user)
                                s->knowledge.facts.netns = netns_health(s);
                        st = podman_classify(&p, &s->knowledge.facts, &ev, &ev_len);
                }
        }
        free(s->evidence);
        s->evidence = ev ? strndup(ev, ev_len) : NULL;
        s->report.probe_ms = s->res.elapsed_ms;
        if (s->info.version)
                s->report.podman_version = s->info.version;
        return st;
}

/* Where podman's files are: what it said now, else what it said when last healthy, else its
 * defaults. */
static const char *default_graph_root(const struct run_options *o, char *buf, size_t size) {
        if (!o->user)
                return "/var/lib/containers/storage";
        const char *data = getenv("XDG_DATA_HOME");
        if (data && data[0] == '/')
                snprintf(buf, size, "%s/containers/storage", data);
        else
                snprintf(buf, size, "%s/.local/share/containers/storage", getenv("HOME") ? getenv("HOME") : "");
        return buf;
}

static const char *guess_backend(const struct session *s) {
        if (s->info.db_backend)
                return s->info.db_backend;
        if (s->state.db_backend)
                return s->state.db_backend;
        /* BoltDB's own words; anything else is podman 5's default, SQLite. */
        bool bolt = s->evidence && (strstr(s->evidence, "bolt") || strstr(s->evidence, "invalid page type"));
        return bolt ? "boltdb" : "sqlite";
}

static void remember_paths(struct session *s) {
        if (!s->info.graph_root)
                return;
        (void)repair_state_set(&s->state.graph_root, s->info.graph_root);
        (void)repair_state_set(&s->state.db_backend, s->info.db_backend);
        (void)repair_state_set(&s->state.volume_path, s->info.volume_path);
}

static pid_t read_pause_pid(void) {
        char path[4096], text[32];
        int pid = 0;
        snprintf(path, sizeof(path), "%s/libpod/tmp/pause.pid", getenv("XDG_RUNTIME_DIR"));
        return read_small_file(path, text, sizeof(text)) > 0 && sscanf(text, "%d", &pid) == 1 ? (pid_t)pid : 0;
}

static int setup_ctx(struct session *s, struct repair_ctx *c, char *graph_buf, size_t size, char **volume_path) {
        const char *graph = s->info.graph_root    ? s->info.graph_root
                            : s->state.graph_root ? s->state.graph_root
                                                  : default_graph_root(s->o, graph_buf, size);
        const char *vp = s->info.volume_path ? s->info.volume_path : s->state.volume_path;
        if (vp ? !(*volume_path = strdup(vp)) : asprintf(volume_path, "%s/volumes", graph) < 0)
                return -ENOMEM;
        *c = (struct repair_ctx){.podman = &s->podman,
                                 .bus = s->bus,
                                 .au = &s->au,
                                 .graph_root = graph,
                                 .db_backend = guess_backend(s),
                                 .volume_path = *volume_path,
                                 .now = s->report.when,
                                 .user = s->o->user,
                                 .node_user = s->have_user ? &s->user : NULL,
                                 .runtime_dir = getenv("XDG_RUNTIME_DIR"),
                                 .stop_timeout_ms = STOP_TIMEOUT_MS};
        const char *runtime = getenv("XDG_RUNTIME_DIR");
        char *dirs[3] = {strdup(graph), NULL, NULL};
        if (s->o->user) {
                if (asprintf(&dirs[1], "%s/containers", runtime) < 0 || asprintf(&dirs[2], "%s/libpod", runtime) < 0)
                        dirs[1] = dirs[2] = NULL;
                c->pause_pid = read_pause_pid();
        } else {
                dirs[1] = strdup("/run/containers/storage");
                dirs[2] = strdup("/run/libpod");
        }
        c->lock_dirs = calloc(4, sizeof(char *));
        if (!c->lock_dirs || !dirs[0] || !dirs[1] || !dirs[2]) {
                free(dirs[0]), free(dirs[1]), free(dirs[2]);
                return -ENOMEM;
        }
        memcpy(c->lock_dirs, dirs, sizeof(dirs));
        return 0;
}

/* Steps run in order; when the apps cannot be stopped, podman's state is not touched, and what
 * was stopped is started again. */
static void run_steps(struct session *s, const enum repair_step *plan, size_t n) {
        char graph_buf[4096];
        _cleanup_free_ char *volume_path = NULL;
        struct repair_ctx c;
        struct repair_report *rep = &s->report;
        if (setup_ctx(s, &c, graph_buf, sizeof(graph_buf), &volume_path) < 0) {
                log_error("out of memory");
                return;
        }
        bool skip_to_start = false;
        for (size_t i = 0; i < n; i++) {
                if (skip_to_start && plan[i] != STEP_START_APP_UNITS)
                        continue;
                log_notice("repair step %s", repair_step_to_string(plan[i]));
                int r = repair_step_run(&c, plan[i]);
                rep->steps[rep->n_steps] = plan[i];
                rep->step_ok[rep->n_steps++] = r >= 0;
                skip_to_start |= r < 0 && plan[i] == STEP_STOP_APP_UNITS;
        }
        rep->units_stopped = c.units_stopped;
        rep->volumes_reregistered = c.volumes_reregistered;
        rep->orphans_removed = c.orphans_removed;
        rep->processes_killed = c.processes_killed;
        s->report.moved_aside = c.moved_aside ? strdup(c.moved_aside) : NULL;
        strv_free(c.lock_dirs);
        repair_ctx_done(&c);
}

/* The entry for the journal and the node's UI; under systemd the only place the summary goes. */
static bool journal(const struct session *s, const char *summary) {
        const struct repair_report *r = &s->report;
        int priority = r->result == RESULT_REPAIRED ? LOG_LVL_WARNING : LOG_LVL_ERR;
        char steps[256] = "";
        for (size_t i = 0; i < r->n_steps; i++)
                snprintf(steps + strlen(steps), sizeof(steps) - strlen(steps), "%s%s", i ? "," : "",
                         repair_step_to_string(r->steps[i]));
        const char *id = r->result == RESULT_REPAIRED  ? ARCHY_MID_PODMAN_REPAIRED
                         : r->result == RESULT_GAVE_UP ? ARCHY_MID_PODMAN_GAVE_UP
                                                       : ARCHY_MID_PODMAN_BROKEN;
        _cleanup_free_ char *evidence = strndup(r->evidence ? r->evidence : "", r->evidence_len);
        const struct journal_field fields[] = {
                {"ARCHY_PODMAN_STATE", podman_state_to_string(r->found)},
                {"ARCHY_PODMAN_STATE_AFTER", podman_state_to_string(r->after)},
                {"ARCHY_REPAIR_RESULT", repair_result_to_string(r->result)},
                {"ARCHY_REPAIR_STEPS", steps},
                {"ARCHY_PODMAN_VERSION", r->podman_version},
                {"ARCHY_DB_MOVED_ASIDE", r->moved_aside},
                {"ARCHY_PODMAN_EVIDENCE", evidence},
        };
        return log_journal_fields(priority, id, fields, ELEMENTSOF(fields), "%s", summary);
}

/* stdout for a person; under systemd (stdout is the journal) the structured entry says it. A
 * healthy podman is not news: the status file has it. */
static int finish(struct session *s, bool write_status) {
        struct repair_report *r = &s->report;
        r->evidence = s->found_evidence ? s->found_evidence : s->evidence;
        r->evidence_len = r->evidence ? strlen(r->evidence) : 0;
        r->evidence_after = s->found_evidence ? s->evidence : NULL;
        r->evidence_after_len = r->evidence_after ? strlen(r->evidence_after) : 0;
        r->failures = s->state.failures;
        _cleanup_free_ char *summary = report_summary(r);
        _cleanup_free_ char *json = report_status_json(r);
        if (!summary || !json)
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_FAILURE;
        /* A --check is an inspection, a healthy run is no news: neither goes to the journal. Under
         * systemd stdout is the journal: the entry says it, unless journald did not take it. */
        bool news = r->result != RESULT_HEALTHY && r->result != RESULT_UNHEALTHY;
        bool journaled = news && journal(s, summary);
        if (!getenv("JOURNAL_STREAM") || (news && !journaled))
                puts(summary);
        if (write_status && write_with_dir(s->o->status_file, json) < 0)
                return EXIT_FAILURE;
        return report_exit_status(r->result);
}

/* With podman healthy: crun's state of containers it forgot goes (runtime-state.h). */
static void sweep_runtime_state(struct session *s) {
        _cleanup_free_ char *root = crun_root_path(s->o->user, getenv("XDG_RUNTIME_DIR"));
        int r = root ? runtime_state_sweep(&s->podman, root) : log_error_errno(-ENOMEM, "out of memory");
        if (r > 0)
                s->report.runtime_states_removed = (size_t)r;
}

static int repair(struct session *s) {
        struct repair_report *r = &s->report;
        enum repair_step plan[REPAIR_PLAN_MAX];
        size_t n = repair_plan(r->found, plan);
        if (n == 1 && plan[0] == STEP_REPORT_ONLY && r->found == PODMAN_DISK_FULL) {
                char buf[4096];
                const char *graph =
                        s->state.graph_root ? s->state.graph_root : default_graph_root(s->o, buf, sizeof(buf));
                log_error("podman cannot write: the disk of %s is full (%s); nothing is repaired, podman works again "
                          "once there is space (archy-manifest(5), FULL DISK)",
                          graph, s->evidence ? s->evidence : "no details");
                r->result = RESULT_REPORTED;
                return finish(s, true);
        }
        if (n == 1 && plan[0] == STEP_REPORT_ONLY) {
                log_error("podman is %s: nothing archy can do safely; a person must look (%s)",
                          podman_state_to_string(r->found), s->evidence ? s->evidence : "no details");
                r->result = RESULT_REPORTED;
                return finish(s, true);
        }
        enum repair_verdict v = repair_allowed(&s->state, r->when, podman_state_to_string(r->found), s->o->max_failures,
                                               MAX_REPAIRS_PER_HOUR);
        if (v != REPAIR_ALLOWED) {
                r->gave_up_reason = v == REPAIR_GIVE_UP_FAILED
                                            ? "the last repairs did not help"
                                            : "it keeps breaking the same way: too many repairs in the last hour";
                log_error("GIVING UP on podman (%s): %s. Fix it by hand, then run archy-podman-repair --reset",
                          podman_state_to_string(r->found), r->gave_up_reason);
                r->result = RESULT_GAVE_UP;
                save_state(s); /* with any repair time the clock made future brought back to now */
                return finish(s, true);
        }
        if (ensure_bus(s) < 0) {
                /* Counted like a repair that did not help, so that the rate limit ends it too. */
                repair_state_record(&s->state, r->when, podman_state_to_string(r->found), false);
                save_state(s);
                r->result = RESULT_FAILED;
                return finish(s, true);
        }
        run_steps(s, plan, n);
        s->found_evidence = s->evidence;
        s->evidence = NULL;
        r->after = probe(s);
        /* Healthy again with every app back; a failed migrate is forgiven when the probe is happy. */
        bool helped = r->after == PODMAN_HEALTHY;
        for (size_t i = 0; i < r->n_steps; i++)
                helped &= r->step_ok[i] || r->steps[i] == STEP_SYSTEM_MIGRATE;
        repair_state_record(&s->state, r->when, podman_state_to_string(r->found), helped);
        if (r->after == PODMAN_HEALTHY) {
                remember_paths(s);
                sweep_runtime_state(s);
        }
        save_state(s);
        r->result = helped ? RESULT_REPAIRED : RESULT_FAILED;
        return finish(s, true);
}

int run(const struct run_options *o) {
        struct session s = {.o = o, .podman = {.path = o->podman, .timeout_ms = o->timeout_s * 1000}};
        s.report = (struct repair_report){.mode = o->user ? "user" : "system", .when = (long long)time(NULL)};
        if (load_apps(&s) < 0) {
                session_done(&s);
                return log_error_errno(-ENOMEM, "out of memory"), EXIT_FAILURE;
        }
        char buf[512];
        const char *why = s.manifest_ok ? not_this_podman(&s, buf, sizeof(buf)) : NULL;
        if (why) {
                int code = idle(&s, why);
                session_done(&s);
                return code;
        }
        load_state(&s);
        s.report.found = s.report.after = probe(&s);
        int code;
        if (s.report.found == PODMAN_HEALTHY) {
                s.state.failures = 0;
                remember_paths(&s);
                if (!o->check) {
                        sweep_runtime_state(&s);
                        save_state(&s);
                }
                s.report.result = RESULT_HEALTHY;
                code = finish(&s, !o->check);
        } else if (o->check) {
                s.report.result = RESULT_UNHEALTHY;
                code = finish(&s, false);
        } else
                code = repair(&s);
        free((char *)s.report.moved_aside);
        session_done(&s);
        return code;
}
