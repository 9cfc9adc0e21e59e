/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "doctor.h"
#include "process.h"
#include "status-gather.h"

/* Where archyctl doctor reads from and what it runs (archyctl(8), DOCTOR, Environment): those of
 * archyctl status, and its own. */
struct doctor_paths {
        struct status_paths status;
        const char *derive;                  /* $ARCHY_DERIVE, SBINDIR/archy-derive */
        const char *reconcile;               /* $ARCHY_RECONCILE, SBINDIR/archy-reconcile */
        const char *disks[DOCTOR_MAX_DISKS]; /* $ARCHY_DISK_ROOT, $ARCHY_DISK_CONTAINERS, $ARCHY_DISK_ARCHIPELAGO */
        long run_timeout_ms;                 /* each helper run */
};
void doctor_paths_default(struct doctor_paths *p);

/* Everything the checks judge, and what owns it. */
struct doctor_gathered {
        struct status status;
        struct doctor_input in;
        struct spawn_result derive, reconcile;
        char controllers_path[128];
        char controllers[256];
};

/* Gather it all: nothing that fails here is an error of doctor's (it becomes a check's verdict),
 * but -ENOMEM. */
int doctor_gather(struct doctor_gathered *g, struct doctor_paths *p);
void doctor_gathered_done(struct doctor_gathered *g);
