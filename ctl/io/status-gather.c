/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl status's I/O: the manifest, the helpers' state files, systemd over D-Bus, podman's
 * health logs. No podman process: a UI polls this every few seconds. */
#include "status-gather.h"

#include "apply.h"
#include "derive-state.h"
#include "repair-state.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manifest-source.h"
#include "naming.h"
#include "probe-run.h"
#include "reconcile-state.h"
#include "strbuf.h"
#include "units.h"

/* What one status run reads at most: the files are small, a bigger one is not theirs. */
#define STATE_FILE_MAX ((size_t)256 * 1024)

static const char *env_or(const char *name, const char *def) {
        const char *v = getenv(name);
        return v && *v ? v : def;
}

void status_paths_default(struct status_paths *p) {
        *p = (struct status_paths){
                .manifest = env_or("ARCHY_MANIFEST", ARCHY_MANIFEST_PATH),
                .last_good = manifest_last_good_path(),
                .ota_state = env_or("ARCHY_OTA_STATE", "/var/lib/archipelago/update-verify.state"),
                .bus = env_or("ARCHY_SYSTEMD_BUS", NULL),
                .apply_state = env_or("ARCHY_APPLY_STATE_DIR", APPLY_STATE_DIR),
                .probes = probes_record_path(),
                .derive_state = env_or("ARCHY_DERIVE_STATE", DERIVE_STATE_PATH),
                .disks = {env_or("ARCHY_DISK_ROOT", "/"), NULL /* by mode */,
                          env_or("ARCHY_DISK_ARCHIPELAGO", "/var/lib/archipelago")},
        };
        /* the paths by mode: rootful until the manifest in use says otherwise */
        (void)status_paths_set_node(p, NULL, NULL);
}

/* A path by mode: $env, else the rootful default, or rootless BASE/REL in buf. */
static const char *by_mode(const char *env, const char *rootful, bool rootless, char *buf, const char *base,
                           const char *rel) {
        const char *v = getenv(env);
        if (v && *v)
                return v;
        if (!rootless)
                return rootful;
        int n = snprintf(buf, PATH_MAX, "%s%s%s", base, *rel ? "/" : "", rel);
        return n > 0 && n < PATH_MAX ? buf : rootful; /* a home that long is not podman's either */
}

int status_paths_set_node(struct status_paths *p, const struct node_settings *node, struct status *s) {
        p->node_error = ctl_node_init(node, &p->node);
        const struct node_user *u = &p->node.user;
        bool rl = p->node_error == 0 && u->mode == NODE_ROOTLESS;
        p->podman_health = by_mode("ARCHY_PODMAN_HEALTH", "/run/archipelago/podman-health.json", rl, p->buf[0],
                                   u->runtime_dir, REPAIR_USER_HEALTH);
        p->reconcile =
                by_mode("ARCHY_RECONCILE_STATE", RECONCILE_STATE_PATH, rl, p->buf[1], u->home, RECONCILE_USER_STATE);
        p->cid_dir = by_mode("ARCHY_CID_DIR", "/run", rl, p->buf[2], u->runtime_dir, "");
        p->run_root =
                by_mode("ARCHY_PODMAN_RUNROOT", "/run/containers/storage", rl, p->buf[3], u->runtime_dir, "containers");
        p->repair_state =
                by_mode("ARCHY_PODMAN_REPAIR_STATE", REPAIR_STATE_PATH, rl, p->buf[4], u->home, REPAIR_USER_STATE);
        p->disks[1] = by_mode("ARCHY_DISK_CONTAINERS", "/var/lib/containers", rl, p->buf[5], u->home,
                              ".local/share/containers");
        if (s) {
                free(s->node.user);
                s->node.mode = node_mode_to_string(node ? node->mode : NODE_ROOTFUL);
                s->node.user = status_strdup(s, node && node->mode == NODE_ROOTLESS ? node->user : "root");
        }
        return p->node_error;
}

/* ---- the manifest ------------------------------------------------------------------------- */

static void add_diags(struct status *s, char ***list, size_t *n, const struct diag_list *d) {
        for (size_t i = 0; i < d->n; i++) {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "%s%s%s", d->items[i].text, d->items[i].app ? " -- skipping app " : "",
                             d->items[i].app ? d->items[i].app : "") < 0) {
                        line = NULL;
                        s->oom = true;
                        continue;
                }
                status_strv_add(s, list, n, line);
        }
}

/* archyctl apply's record of the app's last rollback, when there is one it can read. */
static void read_rolled_back(struct status *s, const struct status_paths *p, struct status_app *sa) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len = 0;
        mode_t type = 0;
        if (asprintf(&path, "%s/" APPLY_ROLLED_BACK_DIR "/%s", p->apply_state, sa->name) < 0) {
                s->oom = true;
                return;
        }
        if (read_regular_file(path, STATE_FILE_MAX, true, &text, &len, &type) < 0 || strlen(text) != len)
                return;
        struct rollback_record *r = calloc(1, sizeof *r);
        int k = r ? rollback_record_parse(text, r, NULL) : -ENOMEM;
        if (k == 0 && strcmp(r->app, sa->name) == 0) {
                sa->rolled_back = r;
                return;
        }
        if (k == 0)
                rollback_record_done(r);
        s->oom |= k == -ENOMEM;
        free(r);
}

/* archyctl apply's note of a pull under way, shown while the apply that wrote it lives (a note a
 * crash left behind is not shown). */
static void read_pull(struct status *s, const char *dir, const char *app) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len = 0;
        mode_t type = 0;
        long long pid = 0;
        if (asprintf(&path, "%s/%s", dir, app) < 0) {
                s->oom = true;
                return;
        }
        if (read_regular_file(path, STATE_FILE_MAX, true, &text, &len, &type) < 0 || strlen(text) != len)
                return;
        struct status_pull pull = {0};
        int k = status_parse_pulling(s, text, &pull, &pid);
        if (k == 0 && pid <= INT_MAX && !(kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
                pull.app = status_strdup(s, app);
                status_add_pull(s, &pull);
        }
        free(pull.app);
        free(pull.part);
        free(pull.image);
}

/* The pulls under way (of APP only, when given). */
static void read_pulls(struct status *s, const struct status_paths *p, const char *app) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/" APPLY_PULLING_DIR, p->apply_state) < 0) {
                s->oom = true;
                return;
        }
        DIR *d = opendir(dir);
        if (!d)
                return; /* no pull has run, or the state dir is not readable: nothing to show */
        for (struct dirent *de; (de = readdir(d));)
                if (de->d_name[0] != '.' && !strchr(de->d_name, '.') && (!app || strcmp(app, de->d_name) == 0))
                        read_pull(s, dir, de->d_name);
        closedir(d);
}

static void add_app(struct status *s, const struct status_paths *p, const struct app *a) {
        struct status_app *sa = status_add_app(s, a->name, app_state_to_string(a->state));
        if (!sa)
                return;
        read_rolled_back(s, p, sa);
        sa->skipped = a->skip;
        if (a->skip)
                return; /* its units were not generated, and its parts may lack their names */
        for (size_t i = 0; a->state == APP_STATE_STARTED && i < a->n_probes; i++)
                if (!status_add_probe(s, sa, a->probes[i].name, probe_kind_to_string(a->probes[i].kind),
                                      a->probes[i].target))
                        return;
        for (size_t i = 0; i < a->n_containers; i++) {
                const struct container *c = &a->containers[i];
                _cleanup_free_ char *service = NULL;
                if (naming_service(c->unit, &service) < 0) {
                        s->oom = true;
                        return;
                }
                struct status_unit *u = status_add_unit(s, sa, service, c->part);
                if (!u)
                        return;
                u->oneshot = c->oneshot;
                u->has_health = c->has_health;
                u->notify_healthy = c->notify_healthy;
        }
}

static int gather_manifest(struct status *s, struct status_paths *p, const char *app) {
        struct manifest_source src;
        (void)manifest_source_load(p->manifest, p->last_good, &src);
        (void)status_paths_set_node(p, src.manifest ? &src.manifest->node : NULL, s);
        struct status_manifest *m = &s->manifest;
        m->path = status_strdup(s, p->manifest);
        m->last_good = status_strdup(s, p->last_good);
        m->present = src.installed_r != -ENOENT;
        m->fallback = src.fallback;
        m->in_use = src.manifest ? status_strdup(s, src.fallback ? p->last_good : p->manifest) : NULL;
        add_diags(s, &m->problems, &m->n_problems, &src.problems);
        add_diags(s, &m->last_good_problems, &m->n_last_good_problems, &src.last_good_problems);
        int r = 0;
        const struct app *only = app && src.manifest ? manifest_find_app(src.manifest, app) : NULL;
        if (app && !only)
                r = log_error_errno(-ENOENT, "status: the manifest in use (%s) has no app \"%s\"",
                                    m->in_use ? m->in_use : "none", app);
        else if (only)
                add_app(s, p, only);
        else
                for (size_t i = 0; src.manifest && i < src.manifest->n_apps; i++)
                        add_app(s, p, &src.manifest->apps[i]);
        read_pulls(s, p, app);
        manifest_source_done(&src);
        return r;
}

/* ---- the helpers' files ------------------------------------------------------------------- */

/* 1 read, 0 no such file, negative errno with *why set. */
static int read_state_file(struct status *s, const char *path, char **text, size_t *len, char **why) {
        mode_t type = 0;
        int r = read_regular_file(path, STATE_FILE_MAX, true, text, len, &type);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                if (asprintf(why, "cannot read %s: %s", path, file_problem(r, type)) < 0) {
                        *why = NULL;
                        s->oom = true;
                }
                return r;
        }
        return 1;
}

static void gather_podman(struct status *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (read_state_file(s, path, &text, &len, &s->podman.error) > 0 &&
            status_parse_podman(s, text, len) == -EINVAL) {
                free(s->podman.error);
                if (asprintf(&s->podman.error, "%s is not archy-podman-repair's status JSON", path) < 0) {
                        s->podman.error = NULL;
                        s->oom = true;
                }
        }
}

static void gather_ota(struct status *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (read_state_file(s, path, &text, &len, &s->ota.error) > 0 && status_parse_ota(s, text) == -EINVAL) {
                free(s->ota.error);
                if (asprintf(&s->ota.error, "%s is damaged: archy-verify-ota refuses it too", path) < 0) {
                        s->ota.error = NULL;
                        s->oom = true;
                }
        }
}

/* After the apps: each gets what the file says of it. */
static void gather_reconcile(struct status *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (read_state_file(s, path, &text, &len, &s->reconcile.error) > 0 &&
            status_parse_reconcile(s, text, len) == -EINVAL) {
                free(s->reconcile.error);
                if (asprintf(&s->reconcile.error, "%s is not archy-reconcile's state JSON", path) < 0) {
                        s->reconcile.error = NULL;
                        s->oom = true;
                }
        }
}

/* After the apps: each probe gets its last recorded result. */
static void gather_probes(struct status *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (read_state_file(s, path, &text, &len, &s->probes_error) > 0)
                (void)status_parse_probes(s, text, len);
}

int status_gather_files(struct status *s, struct status_paths *p, const char *app) {
        s->now = (long long)time(NULL);
        int r = gather_manifest(s, p, app);
        gather_podman(s, p->podman_health);
        gather_ota(s, p->ota_state);
        gather_reconcile(s, p->reconcile);
        gather_probes(s, p->probes);
        return r < 0 ? r : s->oom ? -ENOMEM : 0;
}

/* ---- the metrics' extra facts ------------------------------------------------------------- */

/* A counter file that is missing or unreadable leaves its metrics out (never an error: status
 * reports the helpers' health from their status files). */
static void gather_counters(struct status *s, const struct status_paths *p) {
        _cleanup_free_ char *drift = NULL, *repairs = NULL;
        _cleanup_free_ char *why1 = NULL, *why2 = NULL;
        size_t len = 0;
        if (read_state_file(s, p->derive_state, &drift, &len, &why1) > 0)
                (void)status_parse_derive_state(s, drift, len);
        if (read_state_file(s, p->repair_state, &repairs, &len, &why2) > 0 && strlen(repairs) == len)
                (void)status_parse_repair_state(s, repairs);
}

static void gather_disks(struct status *s, const struct status_paths *p) {
        for (size_t i = 0; i < STATUS_MAX_DISKS; i++) {
                struct status_disk *d = &s->disks[s->n_disks++];
                struct statvfs st;
                *d = (struct status_disk){.path = status_strdup(s, p->disks[i])};
                if (statvfs(p->disks[i], &st) < 0) {
                        d->error = -errno;
                        continue;
                }
                d->free_bytes = (uint64_t)st.f_bavail * st.f_frsize;
                d->size_bytes = (uint64_t)st.f_blocks * st.f_frsize;
        }
}

int status_gather_metrics(struct status *s, const struct status_paths *p) {
        gather_counters(s, p);
        gather_disks(s, p);
        return s->oom ? -ENOMEM : 0;
}

/* ---- systemd ------------------------------------------------------------------------------ */

static const char *exec_main_code_name(int code) {
        switch (code) {
        case CLD_EXITED: return "exited";
        case CLD_KILLED: return "killed";
        case CLD_DUMPED: return "dumped";
        default: return NULL;
        }
}

static const struct unit_list_entry *find_listed(const struct unit_list_entry *l, size_t n, const char *unit) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(l[i].name, unit) == 0)
                        return &l[i];
        return NULL;
}

/* Not in systemd's memory (garbage-collected when inactive and unreferenced, or never generated):
 * systemd itself calls such a unit inactive (dead). */
static void set_listed(struct status *s, struct status_unit *u, const struct unit_list_entry *e) {
        u->loaded = e && strcmp(e->load_state, "loaded") == 0;
        u->active_state = status_strdup(s, e ? e->active_state : "inactive");
        u->sub_state = status_strdup(s, e ? e->sub_state : "dead");
}

static void set_props(struct status *s, struct status_unit *u, const struct unit_service_props *p) {
        if (!p->read)
                return;
        u->n_restarts = p->n_restarts;
        u->result = status_strdup(s, p->result);
        u->exec_main_code = status_strdup(s, exec_main_code_name(p->exec_main_code));
        u->exec_main_status = p->exec_main_status;
        u->state_since_usec = p->state_change_usec;
        /* The main process's end when it ran; else when the unit left its active states. */
        u->failed_at_usec = p->exec_main_exit_usec ? p->exec_main_exit_usec : p->inactive_enter_usec;
}

/* The health log of podman v5.4 (libpod/healthcheck.go, getHealthCheckLogDestination(): the
 * default "local" destination is filepath.Dir(c.state.RunDir)/healthcheck.log, RunDir being
 * <runroot>/overlay-containers/<id>/userdata), the id from Quadlet's --cidfile=%t/%N.cid. */
static void read_health_log(const struct status_paths *p, struct status_unit *u) {
        char cid[80], path[512], head[96];
        size_t base = strlen(u->unit) - strlen(".service");
        if (snprintf(path, sizeof path, "%s/%.*s.cid", p->cid_dir, (int)base, u->unit) >= (int)sizeof path)
                return;
        ssize_t n = read_small_file(path, cid, sizeof cid);
        if (n <= 0 || (size_t)n != strspn(cid, "0123456789abcdef"))
                return;
        if (snprintf(path, sizeof path, "%s/overlay-containers/%s/healthcheck.log", p->run_root, cid) >=
            (int)sizeof path)
                return;
        n = read_small_file(path, head, sizeof head);
        if (n > 0 && status_parse_health_log(head, (size_t)n, &u->health, &u->failing_streak) == 0)
                u->health_source = "healthcheck-log";
}

static void set_health(const struct status_paths *p, struct status_unit *u) {
        bool active = u->loaded && strcmp(u->active_state, "active") == 0;
        /* activating with the main process started (not auto-restart, its container gone) */
        bool activating = u->loaded && strcmp(u->active_state, "activating") == 0 &&
                          (strcmp(u->sub_state, "start") == 0 || strcmp(u->sub_state, "start-post") == 0);
        u->health = HEALTH_NA;
        if (!active && !activating)
                return;
        if (!u->has_health) {
                u->health = HEALTH_NONE;
                u->health_source = "manifest";
                return;
        }
        if (u->notify_healthy) {
                /* Notify=healthy: the unit is active only once the check passed (podman-systemd.unit(5)) */
                u->health = active ? HEALTH_HEALTHY : HEALTH_STARTING;
                u->health_source = "notify";
                return;
        }
        u->health = HEALTH_UNKNOWN;
        read_health_log(p, u);
}

static void set_helper(struct status *s, struct status_helper *h, const struct unit_service_props *p) {
        h->found = true;
        if (p->read && p->exec_main_exit_usec) {
                h->result = status_strdup(s, p->result);
                h->exec_main_status = p->exec_main_status;
                h->started_usec = p->exec_main_start_usec;
                h->last_run_usec = p->exec_main_exit_usec;
        }
}

/* The loaded units of every app (with apps) and of the helpers found loaded, in one pipelined batch. */
static int unit_props(struct status *s, sd_bus *bus, bool apps, char *const *helper_units) {
        size_t n = 0, k = 0;
        for (size_t h = 0; h < _HELPER_MAX; h++)
                n += helper_units[h] != NULL;
        for (size_t i = 0; apps && i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        n += s->apps[i].units[j].loaded;
        _cleanup_free_ char **names = calloc(n + 1, sizeof *names);
        _cleanup_free_ struct unit_service_props *props = calloc(n + 1, sizeof *props);
        if (!names || !props)
                return -ENOMEM;
        for (size_t i = 0; apps && i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        if (s->apps[i].units[j].loaded)
                                names[k++] = s->apps[i].units[j].unit;
        for (size_t h = 0; h < _HELPER_MAX; h++)
                if (helper_units[h])
                        names[k++] = helper_units[h];
        int r = units_service_props(bus, names, n, props);
        k = 0;
        for (size_t i = 0; apps && i < s->n_apps && r >= 0; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        if (s->apps[i].units[j].loaded)
                                set_props(s, &s->apps[i].units[j], &props[k++]);
        for (size_t h = 0; h < _HELPER_MAX && r >= 0; h++)
                if (helper_units[h])
                        set_helper(s, &s->helpers[h], &props[k++]);
        for (size_t i = 0; i < n; i++)
                unit_service_props_done(&props[i]);
        return r;
}

/* Rootless, the helpers that run in the apps user's manager: archy-podman-repair --user and
 * archy-reconcile (archy-reconcile(8), ROOTLESS NODE); the others are the system's. */
static bool helper_is_apps_users(enum status_helper_id h) {
        return h == HELPER_PODMAN_REPAIR || h == HELPER_RECONCILE;
}

/* Each helper's archy-NAME.service when systemd has it loaded, else NULL; with `only`, just the
 * helpers for which only() is `want`. */
static int loaded_helpers(const struct unit_list_entry *list, size_t n, bool (*only)(enum status_helper_id), bool want,
                          char *ret[static _HELPER_MAX]) {
        for (size_t h = 0; h < _HELPER_MAX; h++) {
                _cleanup_free_ char *unit = NULL;
                ret[h] = NULL;
                if (only && only(h) != want)
                        continue;
                if (asprintf(&unit, "archy-%s.service", status_helper_to_string(h)) < 0)
                        return -ENOMEM;
                const struct unit_list_entry *e = find_listed(list, n, unit);
                if (e && strcmp(e->load_state, "loaded") == 0)
                        ret[h] = TAKE_PTR(unit);
        }
        return 0;
}

/* One manager's archy-* units: with apps, the apps' units; the helpers `only` picks (NULL: all). */
static int gather_manager(struct status *s, sd_bus *bus, bool apps, bool (*only)(enum status_helper_id), bool want) {
        char *patterns[] = {(char *)"archy-*", NULL};
        struct unit_list_entry *list = NULL;
        size_t n = 0;
        int r = units_list(bus, patterns, &list, &n);
        for (size_t i = 0; apps && i < s->n_apps && r >= 0; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        set_listed(s, &s->apps[i].units[j], find_listed(list, n, s->apps[i].units[j].unit));
        char *helpers[_HELPER_MAX] = {0};
        if (r >= 0)
                r = loaded_helpers(list, n, only, want, helpers);
        if (r >= 0)
                r = unit_props(s, bus, apps, helpers);
        for (size_t h = 0; h < _HELPER_MAX; h++)
                free(helpers[h]);
        units_list_free(list, n);
        return r;
}

int status_gather_units(struct status *s, const struct status_paths *p) {
        if (p->node_error < 0)
                return p->node_error; /* the apps user is missing: said */
        sd_bus *bus = NULL, *system = NULL;
        int r = ctl_node_apps_bus(&p->node, p->bus, &bus);
        if (r < 0)
                return r;
        r = ctl_node_system_bus(&p->node, p->bus, &system);
        if (r >= 0)
                r = gather_manager(s, bus, true, system ? helper_is_apps_users : NULL, true);
        if (r >= 0 && system)
                r = gather_manager(s, system, false, helper_is_apps_users, false);
        for (size_t i = 0; i < s->n_apps && r >= 0; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        set_health(p, &s->apps[i].units[j]);
        units_close(system);
        units_close(bus);
        return r < 0 ? r : s->oom ? -ENOMEM : 0;
}

int status_gather(struct status *s, struct status_paths *p, const char *app, bool metrics, bool *ret_no_app) {
        int r = status_gather_files(s, p, app);
        *ret_no_app = r == -ENOENT;
        if (r >= 0 && metrics)
                r = status_gather_metrics(s, p);
        if (r >= 0)
                r = status_gather_units(s, p);
        if (r >= 0)
                status_evaluate(s);
        if (r == -ENOMEM || (r >= 0 && s->oom))
                return log_error_errno(-ENOMEM, "status: out of memory");
        return r;
}
