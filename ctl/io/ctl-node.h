/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "node-user.h"
#include "podman.h"

/* Who runs the apps, as archyctl sees it (archy-manifest(5) NODE; lib/system/node-user.h is the
 * home of the concept): the node's mode and apps user, from the manifest in use, and the podman
 * and the manager its apps run under. Rootful: root's podman and the system manager. Rootless:
 * the apps user's podman (through setpriv when archyctl runs as root) and its user manager. */
struct ctl_node {
        struct node_user user;
        struct node_user_exec exec;
        bool as_user; /* podman runs through setpriv as the apps user (exec is filled) */
};

/* From node (NULL: rootful). 0, or negative errno (logged by node_user_lookup()). */
int ctl_node_init(const struct node_settings *node, struct ctl_node *ret);
/* From `m` when given (the manifest an apply installs), else from the manifest in use at
 * manifest_path (or its last good copy; else rootful), read quietly: its problems are its loader's
 * to report. */
int ctl_node_load(const char *manifest_path, const struct manifest *m, struct ctl_node *ret);
/* Whether a and b choose the same node (mode and apps user). */
bool ctl_node_same(const struct node_settings *a, const struct node_settings *b);

/* The apps' podman: $ARCHY_PODMAN or /usr/bin/podman, as the apps user when it must be. */
struct podman ctl_node_podman(const struct ctl_node *n, long timeout_ms);
/* podman ARGS (no "podman" first) as ctl_node_podman(): spawn_capture()'s result. */
int ctl_node_podman_run(const struct ctl_node *n, const char *const *args, long timeout_ms, struct spawn_result *ret);

/* The manager that runs the apps (node_units_open()), or the bus at address (a stand-in for
 * systemd: $ARCHY_SYSTEMD_BUS, tests). 0 or negative errno (logged). */
int ctl_node_apps_bus(const struct ctl_node *n, const char *address, sd_bus **ret);
/* Rootless, the system manager (archy's helpers: archy-derive, archy-verify-ota, archyctl's own
 * units): *ret set, or NULL when it is the apps' bus (rootful, or a stand-in at address: one bus
 * stands in for both). 0 or negative errno (logged). */
int ctl_node_system_bus(const struct ctl_node *n, const char *address, sd_bus **ret);
