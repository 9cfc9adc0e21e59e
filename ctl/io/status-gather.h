/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "status.h"

/* Where archyctl status reads from (archyctl(8), ENVIRONMENT: each can be moved for tests). */
struct status_paths {
        const char *manifest;      /* $ARCHY_MANIFEST, ARCHY_MANIFEST_PATH */
        const char *last_good;     /* manifest_last_good_path() */
        const char *podman_health; /* $ARCHY_PODMAN_HEALTH, /run/archipelago/podman-health.json */
        const char *ota_state;     /* $ARCHY_OTA_STATE, /var/lib/archipelago/update-verify.state */
        const char *reconcile;     /* $ARCHY_RECONCILE_STATE, RECONCILE_STATE_PATH */
        const char *cid_dir;       /* $ARCHY_CID_DIR, /run: Quadlet's --cidfile=%t/%N.cid */
        const char *run_root;      /* $ARCHY_PODMAN_RUNROOT, /run/containers/storage */
        const char *bus;           /* $ARCHY_SYSTEMD_BUS: a bus whose org.freedesktop.systemd1 stands in (tests) */
        const char *apply_state;   /* $ARCHY_APPLY_STATE_DIR, APPLY_STATE_DIR: archyctl apply's rollback records */
        const char *probes;        /* $ARCHY_PROBES_FILE, PROBES_RECORD_PATH: the last probe results */
        const char *derive_state;  /* $ARCHY_DERIVE_STATE, DERIVE_STATE_PATH: archy-derive's drift counters */
        const char *repair_state;  /* $ARCHY_PODMAN_REPAIR_STATE, REPAIR_STATE_PATH: its repairs total */
        /* The filesystems archyctl doctor checks: $ARCHY_DISK_ROOT (/), $ARCHY_DISK_CONTAINERS
         * (/var/lib/containers), $ARCHY_DISK_ARCHIPELAGO (/var/lib/archipelago). */
        const char *disks[STATUS_MAX_DISKS];
};
void status_paths_default(struct status_paths *p);

/* The files: the manifest in use and its apps (only `app` when not NULL), podman's and the OTA
 * verifier's state. -ENOENT (logged) when app is not in the manifest in use, -ENOMEM. */
int status_gather_files(struct status *s, const struct status_paths *p, const char *app);
/* The helpers' counters (archy-derive's drift, archy-podman-repair's repairs) and the disks'
 * free space, for the metrics (archyctl status --prometheus, archyctl metrics). -ENOMEM. */
int status_gather_metrics(struct status *s, const struct status_paths *p);
/* systemd: every unit of the apps gathered, archy's helpers' .service units, and the health of the running
 * containers (podman's health log, no podman process). Negative errno (logged) when systemd
 * cannot be asked. */
int status_gather_units(struct status *s, const struct status_paths *p);

/* All of it, then status_evaluate(): the files, systemd, and with `metrics` the counters and
 * disks. 0 or negative errno, logged: *ret_no_app tells an app not in the manifest (-ENOENT)
 * from a bus that cannot be reached (which may be -ENOENT too). */
int status_gather(struct status *s, const struct status_paths *p, const char *app, bool metrics, bool *ret_no_app);
