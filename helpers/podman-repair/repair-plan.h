/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "podman-state.h"

/* Pure: the least destructive steps that repair a state, in order. Never `podman system reset`,
 * never a deletion of volume data; a corrupt database is moved aside, not deleted. */

enum repair_step {
        STEP_STOP_APP_UNITS,      /* through systemd, before podman state is touched */
        STEP_KILL_STUCK_PODMAN,   /* the podman processes holding the lock, not conmon or containers */
        STEP_MOVE_DATABASE_ASIDE, /* renamed with a timestamp, kept for forensics */
        STEP_SYSTEM_MIGRATE,      /* podman system migrate: resets the rootless pause process */
        STEP_REREGISTER_VOLUMES,  /* podman volume create for data directories that survived */
        STEP_REMOVE_ORPHANS,      /* containers left in storage that no database knows */
        STEP_CLEAR_NETWORK_STATE, /* port forwards and DNS names of containers no database knows */
        STEP_START_APP_UNITS,     /* through systemd: every container is recreated from its unit */
        STEP_REPORT_ONLY,         /* nothing safe to do: say so loudly */
        _REPAIR_STEP_MAX,
};

#define REPAIR_PLAN_MAX 8

/* Writes the steps for state s into steps (at most REPAIR_PLAN_MAX), returns their number; 0 for
 * a healthy podman. */
size_t repair_plan(enum podman_state s, enum repair_step steps[REPAIR_PLAN_MAX]);

const char *repair_step_to_string(enum repair_step s);
