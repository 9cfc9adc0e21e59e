/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>

#include "ctl-node.h"
#include "status.h"

/* Where archyctl status reads from (archyctl(8), ENVIRONMENT: each can be moved for tests). Those
 * marked "by mode" are the system's on a rootful node and, on a rootless one, where the helpers in
 * the apps user's manager keep them (archyctl(8), ROOTLESS NODE); status_paths_set_node() fills
 * them once the manifest in use said which. */
struct status_paths {
        const char *manifest;      /* $ARCHY_MANIFEST, ARCHY_MANIFEST_PATH */
        const char *last_good;     /* manifest_last_good_path() */
        const char *podman_health; /* $ARCHY_PODMAN_HEALTH, by mode: /run/archipelago/podman-health.json,
                                      $XDG_RUNTIME_DIR/archipelago/podman-health.json */
        const char *ota_state;     /* $ARCHY_OTA_STATE, /var/lib/archipelago/update-verify.state */
        const char *reconcile;     /* $ARCHY_RECONCILE_STATE, by mode: RECONCILE_STATE_PATH, ~/RECONCILE_USER_STATE */
        const char *cid_dir;       /* $ARCHY_CID_DIR, by mode: /run, /run/user/UID: Quadlet's --cidfile=%t/%N.cid */
        const char *run_root;    /* $ARCHY_PODMAN_RUNROOT, by mode: /run/containers/storage, /run/user/UID/containers */
        const char *bus;         /* $ARCHY_SYSTEMD_BUS: a bus whose org.freedesktop.systemd1 stands in (tests) */
        const char *apply_state; /* $ARCHY_APPLY_STATE_DIR, APPLY_STATE_DIR: archyctl apply's rollback records */
        const char *probes;      /* $ARCHY_PROBES_FILE, PROBES_RECORD_PATH: the last probe results */
        const char *derive_state; /* $ARCHY_DERIVE_STATE, DERIVE_STATE_PATH: archy-derive's drift counters */
        const char *repair_state; /* $ARCHY_PODMAN_REPAIR_STATE, by mode: REPAIR_STATE_PATH,
                                     ~/.local/state/archipelago/podman-repair.state: its repairs total */
        /* The filesystems archyctl doctor checks: $ARCHY_DISK_ROOT (/), $ARCHY_DISK_CONTAINERS
         * (by mode: /var/lib/containers, ~/.local/share/containers), $ARCHY_DISK_ARCHIPELAGO
         * (/var/lib/archipelago). */
        const char *disks[STATUS_MAX_DISKS];
        /* Who runs the apps (status_paths_set_node()), and the rootless paths' storage. */
        struct ctl_node node;
        int node_error; /* node_user_lookup()'s, when the apps user could not be found */
        char buf[6][PATH_MAX];
};
void status_paths_default(struct status_paths *p);
/* The paths by mode for node (NULL: rootful) where no variable gave them; the node's mode and
 * user in s. 0, or negative errno when the apps user is missing (logged; the rootful paths stay,
 * systemd is not asked). */
int status_paths_set_node(struct status_paths *p, const struct node_settings *node, struct status *s);

/* The files: the manifest in use and its apps (only `app` when not NULL), podman's and the OTA
 * verifier's state. -ENOENT (logged) when app is not in the manifest in use, -ENOMEM. */
int status_gather_files(struct status *s, struct status_paths *p, const char *app);
/* The helpers' counters (archy-derive's drift, archy-podman-repair's repairs) and the disks'
 * free space, for the metrics (archyctl status --prometheus, archyctl metrics). -ENOMEM. */
int status_gather_metrics(struct status *s, const struct status_paths *p);
/* systemd: every unit of the apps gathered, archy's helpers' .service units, and the health of the running
 * containers (podman's health log, no podman process). Rootless: the apps and the helpers that run
 * in the apps user's manager (archy-podman-repair, archy-reconcile) from that manager, the other
 * helpers from the system's. Negative errno (logged) when systemd cannot be asked. */
int status_gather_units(struct status *s, const struct status_paths *p);

/* All of it, then status_evaluate(): the files, systemd, and with `metrics` the counters and
 * disks. 0 or negative errno, logged: *ret_no_app tells an app not in the manifest (-ENOENT)
 * from a bus that cannot be reached (which may be -ENOENT too). */
int status_gather(struct status *s, struct status_paths *p, const char *app, bool metrics, bool *ret_no_app);
