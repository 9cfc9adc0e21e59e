/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "podman.h"

/* A container podman forgot can leave crun's state directory behind: its database lost, or its
 * runtime directory removed under a running conmon, after which podman removes the container
 * without crun deleting it. The directory holds the container's config.json, the app's
 * environment and so its secrets, until the next boot (tmpfs). This removes the state of each
 * podman container (crun-status.h) that podman no longer knows and whose init process is gone,
 * as a reboot would; a live process, a container podman knows and anything not podman's are left
 * alone. podman is spawned (ps --all) only when crun's root holds such a candidate, so a healthy
 * run still spawns nothing but its probe. Returns how many were removed, or a negative errno
 * (logged). */
int runtime_state_sweep(const struct podman *p, const char *crun_root);

/* crun's root for this podman: /run/crun for root, $XDG_RUNTIME_DIR/crun for a rootless one
 * (crun's own default, which podman does not change). NULL on OOM. */
char *crun_root_path(bool user, const char *runtime_dir);
