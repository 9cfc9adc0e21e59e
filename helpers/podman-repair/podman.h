/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "podman-state.h"
#include "process.h"
#include "strv.h"

/* Running podman: every call has a hard timeout, and a hung podman is killed with everything it
 * started. stdout is parsed, stderr kept for the report. */

struct node_user_exec;
struct podman {
        const char *path; /* $ARCHY_PODMAN or /usr/bin/podman */
        long timeout_ms;
        /* Rootless node, run as root: podman runs as the apps user through setpriv with this
         * environment (node_user_exec_prepare()); NULL: as this process, with its environment. */
        const struct node_user_exec *as_user;
};

/* podman ARGS...; ret holds the outcome. 0, or negative errno when it could not start. */
int podman_run(const struct podman *p, const char *const *args, struct spawn_result *ret);
/* The probe: podman info --format json. Fills probe from res (which owns the texts). */
void podman_probe(const struct podman *p, struct spawn_result *res, struct podman_probe *probe);
/* Each non-empty stdout line of a successful podman ARGS... as a NULL-terminated array. */
int podman_lines(const struct podman *p, const char *const *args, char ***ret);
