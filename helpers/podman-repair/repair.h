/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "facts.h"
#include "node-user.h"
#include "podman.h"
#include "repair-plan.h"
#include "units.h"

/* The side effects of each repair step. */
struct repair_ctx {
        const struct podman *podman;
        sd_bus *bus;
        struct app_units *au;
        const char *graph_root, *db_backend, *volume_path;
        const char *runtime_dir; /* --user: $XDG_RUNTIME_DIR */
        char **lock_dirs;        /* where podman's lock files are, for a hung podman */
        pid_t pause_pid;         /* rootless: podman's pause process, never killed */
        bool user;               /* rootless podman */
        /* --user: the apps user and its id ranges (NULL when unknown): a volume's owner is put back
         * through its user namespace */
        const struct node_user *node_user;
        long long now;
        long stop_timeout_ms;
        /* Filled while running: */
        char **stopped; /* the app units stopped, started again at the end */
        char *moved_aside;
        size_t units_stopped, volumes_reregistered, orphans_removed, processes_killed;
};

/* 0 when the step did what it is for, negative errno otherwise (logged). */
int repair_step_run(struct repair_ctx *c, enum repair_step step);
void repair_ctx_done(struct repair_ctx *c);

/* Pure: the name a broken database gets beside itself, e.g. db.sql.archy-broken-20261127T120000Z. */
char *aside_name(const char *path, long long now);
