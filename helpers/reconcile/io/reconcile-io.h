/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "decide.h"
#include "podman-list.h"
#include "podman.h"
#include "units.h"

/* archy-reconcile's I/O: systemd over D-Bus, podman spawned, the state file and the apply lock. */

enum {
        RECONCILE_EXIT_OK = 0,     /* nothing to do, or every action carried out */
        RECONCILE_EXIT_FAILED = 1, /* an action failed, or systemd or podman could not be asked */
        RECONCILE_EXIT_USAGE = 2,
        RECONCILE_EXIT_WORK = 3, /* --dry-run: there is something to do */
};

struct reconcile_options {
        bool dry_run, json, explicit_manifest;
        bool user;            /* --user: the user manager's unit; acts only as a rootless node's apps user */
        const char *manifest; /* $ARCHY_MANIFEST or ARCHY_MANIFEST_PATH; falls back to the last good copy */
        const char *podman;   /* $ARCHY_PODMAN or /usr/bin/podman */
        /* $ARCHY_RECONCILE_STATE; NULL: by mode, RECONCILE_STATE_PATH or ~/RECONCILE_USER_STATE */
        const char *state_file;
        const char *lock_dir; /* $ARCHY_APPLY_STATE_DIR or archyctl apply's state dir */
        /* $ARCHY_CID_DIR; NULL: by mode, /run or /run/user/UID: Quadlet's --cidfile=%t/%N.cid */
        const char *cid_dir;
        /* $ARCHY_SYSTEMD_BUS: a stand-in for systemd (tests); NULL: the apps' manager (node_units_open()) */
        const char *bus;
        long timeout_ms; /* each podman command, each stop */
};

/* One run; returns the exit status. */
int reconcile_run(const struct reconcile_options *o);

/* ---- observe.c ---------------------------------------------------------------------------- */

/* What one run saw; released with observation_done(). */
struct observation {
        struct unit_list_entry *list;
        size_t n_list;
        struct rc_unit *units;
        struct rc_objects containers, volumes, networks;
        char **results; /* Result of each failed unit, owned */
        size_t n_results;
        size_t unaccounted, leftovers; /* running libpod scopes no started app's unit accounts for; leftover units */
        unsigned podman_calls;
};
void observation_done(struct observation *ob);

/* One units_list for archy-*.service and libpod-*.scope, the Result of any failed one, and the
 * container ids of started apps' active units from their cid files. 0 or negative errno (logged). */
int observe_units(sd_bus *bus, const struct manifest *m, const char *cid_dir, struct observation *ob);
/* podman ps -a, volume ls, network ls with the label archy.managed=true. 0 or negative errno
 * (logged). */
int observe_podman(const struct podman *p, struct observation *ob);

/* ---- act.c -------------------------------------------------------------------------------- */

/* Carry out one action (the reports and backoff change nothing). 0 or negative errno (logged). */
int act(sd_bus *bus, const struct podman *p, const struct rc_action *a, long timeout_ms);

/* ---- lock.c ------------------------------------------------------------------------------- */

/* archyctl apply's lock in dir, held exclusively: its fd, -EBUSY (not logged) when an apply
 * still held it after a short wait, -ENOENT (not logged) when not root and no apply ever made
 * the lock, or another negative errno (logged). */
int reconcile_lock(const char *dir);
/* An interrupted apply left its journal in dir: the next apply (or the boot's
 * archy-apply-resume.service) finishes it; until then the desired state is half changed. */
bool reconcile_apply_pending(const char *dir);
