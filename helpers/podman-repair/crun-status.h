/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure: crun's record of one container it runs, the file `status` in the container's state
 * directory (crun's root: /run/crun, rootless $XDG_RUNTIME_DIR/crun; crun src/libcrun/status.c
 * writes it): the container's init process and where its bundle is. Next to it crun keeps the
 * container's OCI config.json, its environment (secrets included) in it. */

struct crun_status {
        long long pid;                 /* the container's init process, 0 when unknown */
        unsigned long long start_time; /* its start time (/proc/PID/stat field 22), when has_start_time */
        bool has_start_time;
        char *bundle; /* NULL when absent */
};

/* 0, -EINVAL (not crun's status JSON: no positive pid) or -ENOMEM. */
int crun_status_parse(const char *text, size_t len, struct crun_status *ret);
void crun_status_done(struct crun_status *s);

/* Whether the state directory named id is a podman container's: podman's bundle is its storage
 * directory, GRAPHROOT/DRIVER-containers/ID/userdata (libpod's bundlePath(): the container's
 * StaticDir), and podman's ids are 64 hex digits. Anything else in crun's root is not archy's. */
bool crun_state_is_podmans(const char *id, const struct crun_status *s);
