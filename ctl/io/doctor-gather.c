/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl doctor's I/O: what archyctl status gathers (status-gather.c), then what status does not
 * read: the failed archy units and the load state of the units systemd let go, archy-derive
 * --check, archy-reconcile --dry-run --json, free disk space, timedated's NTPSynchronized, and the
 * containers' limits against the cgroup controllers where the apps run.
 * Unlike status, doctor is not polled: it may start processes. */
#include "doctor-gather.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "manifest-source.h"
#include "strv.h"
#include "units.h"

static const char *env_or(const char *name, const char *def) {
        const char *v = getenv(name);
        return v && *v ? v : def;
}

void doctor_paths_default(struct doctor_paths *p) {
        *p = (struct doctor_paths){
                .derive = env_or("ARCHY_DERIVE", ARCHY_SBINDIR "/archy-derive"),
                .reconcile = env_or("ARCHY_RECONCILE", ARCHY_SBINDIR "/archy-reconcile"),
                .run_timeout_ms = 120L * 1000,
        };
        status_paths_default(&p->status);
        /* one home for the disks' paths and their overrides: status's (its metrics report them too) */
        _Static_assert(DOCTOR_MAX_DISKS == STATUS_MAX_DISKS, "doctor and status check the same disks");
        for (size_t i = 0; i < DOCTOR_MAX_DISKS; i++)
                p->disks[i] = p->status.disks[i];
}

/* ---- systemd: failed units, and the load state of the units not in memory ------------------ */

/* The apps' manager (rootless: the apps user's); rootless, the helpers' failures are the system's. */
static int open_bus(const struct doctor_paths *p, sd_bus **bus) {
        return ctl_node_apps_bus(&p->status.node, p->status.bus, bus);
}

static int gather_failed(struct doctor_gathered *g, sd_bus *bus) {
        char *patterns[] = {(char *)"archy-*", NULL};
        struct unit_list_entry *list = NULL;
        size_t n = 0;
        int r = units_list(bus, patterns, &list, &n);
        if (r < 0)
                return log_error_errno(r, "doctor: cannot list systemd's units: %m");
        for (size_t i = 0; i < n && r >= 0; i++)
                if (strcmp(list[i].active_state, "failed") == 0)
                        r = strv_push(&g->in.failed_units, &g->in.n_failed_units, strdup(list[i].name));
        units_list_free(list, n);
        return r;
}

/* status calls a unit systemd does not list "not loaded"; systemd may just have let an inactive
 * one go. Ask for its LoadState, which loads it when its file exists. */
static void recheck_not_loaded(struct status *s, sd_bus *bus) {
        for (size_t i = 0; i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++) {
                        struct status_unit *u = &s->apps[i].units[j];
                        _cleanup_free_ char *load = NULL;
                        if (!u->loaded && units_load_state(bus, u->unit, &load) >= 0)
                                u->loaded = strcmp(load, "loaded") == 0;
                }
}

static int gather_systemd(struct doctor_gathered *g, const struct doctor_paths *p) {
        int r = status_gather_units(&g->status, &p->status);
        if (r == -ENOMEM)
                return r;
        g->in.systemd_error = r < 0 ? r : 0;
        sd_bus *bus = NULL;
        if (r < 0 || open_bus(p, &bus) < 0) {
                if (r >= 0)
                        g->in.systemd_error = -ECONNREFUSED;
                return 0;
        }
        recheck_not_loaded(&g->status, bus);
        r = gather_failed(g, bus);
        units_close(bus);
        bus = NULL;
        size_t from_apps_manager = g->in.n_failed_units;
        if (r >= 0 && ctl_node_system_bus(&p->status.node, p->status.bus, &bus) >= 0 && bus) {
                g->in.n_failed_user_units = from_apps_manager; /* rootless: those were the user's */
                r = gather_failed(g, bus);                     /* rootless: archy-derive and the other system helpers */
        }
        units_close(bus);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                g->in.systemd_error = r;
        return 0;
}

/* ---- the helpers' check runs -------------------------------------------------------------- */

static void run_helper(const char *path, char *const *argv, long timeout_ms, struct spawn_result *res,
                       struct doctor_run *run) {
        if (access(path, X_OK) < 0) {
                run->error = errno == ENOENT ? -ENOENT : -errno;
                return;
        }
        int r = spawn_capture(path, argv, environ, timeout_ms, res);
        if (r < 0) {
                run->error = r;
                return;
        }
        run->timed_out = res->end == SPAWN_TIMED_OUT;
        run->signaled = res->end == SPAWN_SIGNALED;
        run->exit_status = res->status;
        run->out = res->out;
        run->err = res->err;
}

/* ---- disks and the clock ------------------------------------------------------------------ */

static void gather_disks(struct doctor_input *in, const struct doctor_paths *p) {
        static const char *const names[DOCTOR_MAX_DISKS] = {"disk-root", "disk-containers", "disk-archipelago"};
        for (size_t i = 0; i < DOCTOR_MAX_DISKS; i++) {
                struct doctor_disk *d = &in->disks[in->n_disks++];
                struct statvfs st;
                *d = (struct doctor_disk){.name = names[i], .path = p->disks[i]};
                if (statvfs(d->path, &st) < 0) {
                        d->error = -errno;
                        continue;
                }
                d->avail_bytes = (uint64_t)st.f_bavail * st.f_frsize;
                d->total_bytes = (uint64_t)st.f_blocks * st.f_frsize;
                d->root_free_bytes = (uint64_t)st.f_bfree * st.f_frsize;
        }
}

/* timedated on the system bus (bus-activated), or on $ARCHY_SYSTEMD_BUS's stand-in bus. */
static int gather_ntp(const struct doctor_paths *p) {
        sd_bus *bus = NULL;
        int r = p->status.bus ? units_open_address(p->status.bus, &bus) : sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        bool synced = false;
        r = units_get_bool_property(bus, "org.freedesktop.timedate1", "/org/freedesktop/timedate1",
                                    "org.freedesktop.timedate1", "NTPSynchronized", &synced);
        units_close(bus);
        return r < 0 ? r : synced;
}

/* ---- limits and controllers --------------------------------------------------------------- */

static int add_limit(struct doctor_input *in, const struct container *c) {
        struct doctor_limit *n = realloc(in->limits, (in->n_limits + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        in->limits = n;
        n[in->n_limits] = (struct doctor_limit){.memory = c->mem_limit > 0, .cpu = c->cpus_milli > 0};
        if (asprintf(&n[in->n_limits].unit, "%s.service", c->unit) < 0)
                return -ENOMEM;
        in->n_limits++;
        return 0;
}

/* The installed apps' containers with a limit (the manifest in use, read quietly: its problems
 * are the manifest check's), then, when there is one, the controllers of the cgroup the apps'
 * manager runs in: the root's (rootful), user@UID.service's (rootless). */
static int gather_limits(struct doctor_gathered *g, const struct doctor_paths *p) {
        struct manifest_source src;
        (void)manifest_source_load(p->status.manifest, p->status.last_good, &src);
        int r = 0;
        for (size_t i = 0; src.manifest && i < src.manifest->n_apps && r >= 0; i++) {
                const struct app *a = &src.manifest->apps[i];
                for (size_t j = 0; !a->skip && a->state != APP_STATE_UNINSTALLED && j < a->n_containers && r >= 0; j++)
                        if (a->containers[j].mem_limit || a->containers[j].cpus_milli)
                                r = add_limit(&g->in, &a->containers[j]);
        }
        manifest_source_done(&src);
        if (r < 0 || !g->in.n_limits)
                return r;
        const struct node_user *u = &p->status.node.user;
        g->in.rootless = u->mode == NODE_ROOTLESS;
        const char *root = env_or("ARCHY_CGROUP_ROOT", "/sys/fs/cgroup");
        if (g->in.rootless)
                snprintf(g->controllers_path, sizeof(g->controllers_path),
                         "%s/user.slice/user-%u.slice/user@%u.service/cgroup.controllers", root, (unsigned)u->uid,
                         (unsigned)u->uid);
        else
                snprintf(g->controllers_path, sizeof(g->controllers_path), "%s/cgroup.controllers", root);
        g->in.controllers_path = g->controllers_path;
        ssize_t n = read_small_file(g->controllers_path, g->controllers, sizeof(g->controllers));
        if (n < 0) {
                g->in.controllers_error = (int)n;
                return 0;
        }
        while (n > 0 && (g->controllers[n - 1] == '\n' || g->controllers[n - 1] == ' '))
                g->controllers[--n] = 0;
        g->in.controllers = g->controllers;
        return 0;
}

int doctor_gather(struct doctor_gathered *g, struct doctor_paths *p) {
        *g = (struct doctor_gathered){.in = {.status = &g->status, .manifest_path = p->status.manifest}};
        int r = status_gather_files(&g->status, &p->status, NULL);
        /* the disks by mode: rootless, the containers' storage is the apps user's */
        p->disks[1] = p->status.disks[1];
        if (r >= 0)
                r = gather_systemd(g, p);
        if (r < 0)
                return r;
        char *derive_argv[] = {(char *)"archy-derive", (char *)"--check", NULL};
        run_helper(p->derive, derive_argv, p->run_timeout_ms, &g->derive, &g->in.derive);
        char *reconcile_argv[] = {(char *)"archy-reconcile", (char *)"--dry-run", (char *)"--json", NULL};
        run_helper(p->reconcile, reconcile_argv, p->run_timeout_ms, &g->reconcile, &g->in.reconcile);
        gather_disks(&g->in, p);
        g->in.ntp_synchronized = gather_ntp(p);
        if (gather_limits(g, p) < 0)
                return -ENOMEM;
        return g->status.oom ? -ENOMEM : 0;
}

void doctor_gathered_done(struct doctor_gathered *g) {
        status_free(&g->status);
        strv_free(g->in.failed_units);
        for (size_t i = 0; i < g->in.n_limits; i++)
                free(g->in.limits[i].unit);
        free(g->in.limits);
        spawn_result_done(&g->derive);
        spawn_result_done(&g->reconcile);
        *g = (struct doctor_gathered){0};
}
