/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "repair.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "log.h"
#include "naming.h"
#include "netstate.h"
#include "macro.h"
#include "stuck.h"
#include "subid.h"

char *aside_name(const char *path, long long now) {
        time_t t = (time_t)now;
        struct tm tm;
        char stamp[32];
        char *name;
        if (!gmtime_r(&t, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
                return NULL;
        return asprintf(&name, "%s.archy-broken-%s", path, stamp) < 0 ? NULL : name;
}

static int stop_apps(struct repair_ctx *c) {
        int r = c->au->n > 0 ? units_active(c->bus, c->au->units, c->au->n, true, c->au->active) : 0;
        if (r < 0)
                return r;
        size_t n = 0;
        c->stopped = calloc(c->au->n + 1, sizeof(char *));
        if (!c->stopped)
                return -ENOMEM;
        for (size_t i = 0; i < c->au->n; i++)
                if (c->au->active[i] && !(c->stopped[n++] = strdup(c->au->units[i])))
                        return -ENOMEM;
        c->units_stopped = n;
        size_t left = units_stop(c->bus, c->stopped, n, c->stop_timeout_ms);
        if (left > 0)
                return log_error_errno(-ETIMEDOUT, "%zu app unit(s) did not stop: podman's state is left alone", left);
        return 0;
}

static int start_apps(struct repair_ctx *c) {
        size_t n = strv_length(c->stopped);
        size_t refused = n > 0 ? units_start(c->bus, c->stopped, n) : 0;
        if (refused > 0)
                return log_error_errno(-EIO, "systemd refused to start %zu app unit(s) again", refused);
        return 0;
}

/* The database and its SQLite companions go aside under one name; nothing is deleted. */
static int move_database_aside(struct repair_ctx *c) {
        _cleanup_free_ char *db = podman_db_path(c->db_backend, c->graph_root);
        _cleanup_free_ char *aside = db ? aside_name(db, c->now) : NULL;
        if (!aside)
                return -ENOMEM;
        if (access(db, F_OK) < 0) {
                log_notice("%s does not exist: nothing to move aside", db);
                return 0;
        }
        /* Never over an earlier one: two repairs within a second get -1, -2, ... */
        for (int i = 1; access(aside, F_OK) == 0 && i < 100; i++) {
                free(aside);
                aside = NULL;
                _cleanup_free_ char *base = aside_name(db, c->now);
                if (!base || asprintf(&aside, "%s-%d", base, i) < 0)
                        return -ENOMEM;
        }
        static const char *const companions[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < ELEMENTSOF(companions); i++) {
                _cleanup_free_ char *from = NULL, *to = NULL;
                if (asprintf(&from, "%s%s", db, companions[i]) < 0 || asprintf(&to, "%s%s", aside, companions[i]) < 0)
                        return -ENOMEM;
                if (rename(from, to) < 0 && (errno != ENOENT || i == 0))
                        return log_error_errno(-errno, "cannot move %s aside to %s: %m", from, to);
        }
        int r = fsync_parent_dir(db);
        if (r < 0)
                log_warning_errno(r, "cannot sync the directory of %s: %m", db);
        log_warning("moved podman's broken database %s aside to %s", db, aside);
        c->moved_aside = TAKE_PTR(aside);
        return 0;
}

/* podman 5.4's migrate can panic after it has reset the pause process (seen in the lab: exit 2,
 * state fixed): its status is reported, the probe afterwards decides. */
static int system_migrate(struct repair_ctx *c) {
        static const char *const args[] = {"system", "migrate", NULL};
        struct spawn_result res;
        int r = podman_run(c->podman, args, &res);
        if (r < 0)
                return log_error_errno(r, "cannot run podman system migrate: %m");
        bool ok = res.end == SPAWN_EXITED && res.status == 0;
        if (!ok)
                log_warning("podman system migrate failed: %.*s", (int)strcspn(res.err, "\n"), res.err);
        spawn_result_done(&res);
        return ok ? 0 : -EIO;
}

static const char *volume_app(const struct app_units *au, const char *volume) {
        for (size_t i = 0; i < au->n_volumes; i++)
                if (strcmp(au->volumes[i], volume) == 0)
                        return au->volume_apps[i];
        return NULL;
}

/* podman volume create on an existing data directory keeps its content: the record comes back,
 * with archy's labels for the manifest's volumes, so that no app starts on an empty volume. */
/* `podman volume create` on a surviving data directory chowns it to the volume's owner, 0:0 by
 * default (libpod/runtime_volume_common.go, newVolume: SafeChown(fullVolPath, UID, GID)), and the
 * mount-time fix-up leaves a non-empty volume alone (libpod/container_internal_common.go,
 * fixVolumePermissionsUnlocked): a database image's data directory, owned by its own user (mariadb
 * 999), would stay root's and the app refuse to start. So the owner and mode the data directory
 * had before are put back after. */
static void restore_mode(const char *data, const struct stat *before, const struct stat *now) {
        if ((now->st_mode & 07777) != (before->st_mode & 07777) && chmod(data, before->st_mode & 07777) < 0)
                log_warning_errno(-errno, "cannot give %s its mode %04o back: %m", data,
                                  (unsigned)(before->st_mode & 07777));
}

/* Rootless: the owner was one of the user's subordinate ids, which only a process inside podman's
 * user namespace may give (podman unshare); there the ids are the containers' own. */
static void restore_owner_userns(const struct repair_ctx *c, const char *data, const struct stat *before) {
        const struct node_user *u = c->node_user;
        unsigned long uid, gid;
        if (!u || !subid_unmap(u->uid, &u->subuid, before->st_uid, &uid) ||
            !subid_unmap(u->gid, &u->subgid, before->st_gid, &gid)) {
                log_warning("cannot give %s its owner %u:%u back: no id of the user namespace maps to it", data,
                            (unsigned)before->st_uid, (unsigned)before->st_gid);
                return;
        }
        char owner[48];
        snprintf(owner, sizeof(owner), "%lu:%lu", uid, gid);
        const char *args[] = {"unshare", "chown", "-h", owner, "--", data, NULL};
        _cleanup_strv_ char **out = NULL;
        if (podman_lines(c->podman, args, &out) < 0)
                log_warning("cannot give %s its owner %u:%u (%s in the user namespace) back", data,
                            (unsigned)before->st_uid, (unsigned)before->st_gid, owner);
}

static void restore_owner(const struct repair_ctx *c, const char *data, const struct stat *before) {
        struct stat now;
        if (lstat(data, &now) < 0 || !S_ISDIR(now.st_mode))
                return;
        /* The mode first: after volume create the directory is this process's own, in both modes. */
        restore_mode(data, before, &now);
        if (now.st_uid == before->st_uid && now.st_gid == before->st_gid)
                return;
        if (c->user) {
                restore_owner_userns(c, data, before);
                return;
        }
        if (lchown(data, before->st_uid, before->st_gid) < 0)
                log_warning_errno(-errno, "cannot give %s its owner %u:%u back: %m", data, (unsigned)before->st_uid,
                                  (unsigned)before->st_gid);
}

static int reregister_volume(struct repair_ctx *c, const char *name) {
        _cleanup_free_ char *data = NULL;
        if (asprintf(&data, "%s/%s/_data", c->volume_path, name) < 0)
                return -ENOMEM;
        struct stat before;
        bool known_owner = lstat(data, &before) == 0 && S_ISDIR(before.st_mode);
        _cleanup_free_ char *app_label = NULL;
        const char *app = volume_app(c->au, name);
        if (app && naming_label_app(app, &app_label) < 0)
                return -ENOMEM;
        const char *args[] = {"volume", "create", "--ignore", name, NULL, NULL, NULL, NULL, NULL};
        if (app) {
                args[3] = "--label";
                args[4] = ARCHY_LABEL_MANAGED;
                args[5] = "--label";
                args[6] = app_label;
                args[7] = name;
        }
        _cleanup_strv_ char **out = NULL;
        int r = podman_lines(c->podman, args, &out);
        if (r == 0 && known_owner)
                restore_owner(c, data, &before);
        if (r == 0) {
                log_notice("re-registered volume %s on its surviving data", name);
                c->volumes_reregistered++;
        }
        return r;
}

static int reregister_volumes(struct repair_ctx *c) {
        static const char *const args[] = {"volume", "ls", "--format", "{{.Name}}", NULL};
        _cleanup_strv_ char **dirs = NULL, **records = NULL, **missing = NULL;
        int r = volume_dirs_list(c->volume_path, &dirs);
        if (r < 0)
                return log_error_errno(r, "cannot list %s: %m", c->volume_path);
        r = podman_lines(c->podman, args, &records);
        if (r == 0)
                r = names_missing(dirs, records, &missing);
        for (char **v = missing; r >= 0 && v && *v; v++) {
                int k = reregister_volume(c, *v);
                if (k < 0)
                        r = k;
        }
        return r;
}

/* A container in storage that no database knows keeps its name taken: the app's next
 * `podman run --name` would fail. Only the manifest's containers are removed; anything else in
 * storage is not archy's to judge. */
static int remove_orphans(struct repair_ctx *c) {
        static const char *const all_args[] = {
                "ps", "--all", "--external", "--no-trunc", "--format", "{{.ID}} {{.Names}}", NULL};
        static const char *const known_args[] = {"ps", "--all", "--no-trunc", "--format", "{{.ID}}", NULL};
        _cleanup_strv_ char **all = NULL, **known = NULL;
        int r = podman_lines(c->podman, all_args, &all);
        if (r == 0)
                r = podman_lines(c->podman, known_args, &known);
        for (char **line = all; r >= 0 && line && *line; line++) {
                char *name = strchr(*line, ' ');
                if (!name)
                        continue;
                *name++ = '\0';
                if (strv_contains(known, *line) || !strv_contains(c->au->containers, name))
                        continue;
                const char *rm_args[] = {"rm", "--force", *line, NULL};
                _cleanup_strv_ char **out = NULL;
                int k = podman_lines(c->podman, rm_args, &out);
                if (k < 0)
                        r = k;
                else {
                        log_notice("removed container %s (%s), left in storage without a database record", name, *line);
                        c->orphans_removed++;
                }
        }
        return r;
}

static int clear_network_state(struct repair_ctx *c) {
        if (c->au->n == 0)
                return 0; /* no app of ours to start again on a clean network */
        int r = c->user ? netstate_clear_rootless(c->podman, c->runtime_dir)
                        : netstate_clear(c->podman, "/run/containers/networks");
        return r == -EBUSY ? 0 : r;
}

int repair_step_run(struct repair_ctx *c, enum repair_step step) {
        switch (step) {
        case STEP_STOP_APP_UNITS: return stop_apps(c);
        case STEP_KILL_STUCK_PODMAN:
                c->processes_killed = stuck_kill(c->lock_dirs, c->pause_pid, c->podman->timeout_ms / 2000, 3000);
                return c->processes_killed > 0 ? 0 : log_error_errno(-ESRCH, "found no process holding podman's locks");
        case STEP_MOVE_DATABASE_ASIDE: return move_database_aside(c);
        case STEP_SYSTEM_MIGRATE: return system_migrate(c);
        case STEP_REREGISTER_VOLUMES: return reregister_volumes(c);
        case STEP_REMOVE_ORPHANS: return remove_orphans(c);
        case STEP_CLEAR_NETWORK_STATE: return clear_network_state(c);
        case STEP_START_APP_UNITS: return start_apps(c);
        default: return 0;
        }
}

void repair_ctx_done(struct repair_ctx *c) {
        strv_free(c->stopped);
        free(c->moved_aside);
        c->stopped = NULL;
        c->moved_aside = NULL;
}
