/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "repair-plan.h"

#include <string.h>

static const char *const step_names[] = {
        [STEP_STOP_APP_UNITS] = "stop-app-units",
        [STEP_KILL_STUCK_PODMAN] = "kill-stuck-podman",
        [STEP_MOVE_DATABASE_ASIDE] = "move-database-aside",
        [STEP_SYSTEM_MIGRATE] = "system-migrate",
        [STEP_REREGISTER_VOLUMES] = "reregister-volumes",
        [STEP_REMOVE_ORPHANS] = "remove-orphans",
        [STEP_CLEAR_NETWORK_STATE] = "clear-network-state",
        [STEP_START_APP_UNITS] = "start-app-units",
        [STEP_REPORT_ONLY] = "report-only",
};

const char *repair_step_to_string(enum repair_step s) {
        return s < _REPAIR_STEP_MAX ? step_names[s] : NULL;
}

static size_t copy(enum repair_step *out, const enum repair_step *steps, size_t n) {
        memcpy(out, steps, n * sizeof(*steps));
        return n;
}

size_t repair_plan(enum podman_state s, enum repair_step out[REPAIR_PLAN_MAX]) {
        /* The database is rebuilt from the units: apps stop first so that nothing writes meanwhile,
         * volumes come back before any app starts so that none starts on an empty volume, and the
         * forgotten containers' port forwards and DNS names go, or they would shadow the new ones. */
        static const enum repair_step corrupt[] = {STEP_STOP_APP_UNITS,      STEP_MOVE_DATABASE_ASIDE,
                                                   STEP_REREGISTER_VOLUMES,  STEP_REMOVE_ORPHANS,
                                                   STEP_CLEAR_NETWORK_STATE, STEP_START_APP_UNITS};
        static const enum repair_step missing[] = {STEP_STOP_APP_UNITS, STEP_REREGISTER_VOLUMES, STEP_REMOVE_ORPHANS,
                                                   STEP_CLEAR_NETWORK_STATE, STEP_START_APP_UNITS};
        static const enum repair_step pause[] = {STEP_STOP_APP_UNITS, STEP_SYSTEM_MIGRATE, STEP_START_APP_UNITS};
        static const enum repair_step hung[] = {STEP_KILL_STUCK_PODMAN};
        /* Every app leaves the broken namespace, which goes with what served it; the first app
         * started again makes a new one, and the others join it. */
        static const enum repair_step netns[] = {STEP_STOP_APP_UNITS, STEP_CLEAR_NETWORK_STATE, STEP_START_APP_UNITS};
        static const enum repair_step report[] = {STEP_REPORT_ONLY};
        switch (s) {
        case PODMAN_HEALTHY: return 0;
        case PODMAN_HUNG: return copy(out, hung, sizeof(hung) / sizeof(hung[0]));
        case PODMAN_DB_CORRUPT: return copy(out, corrupt, sizeof(corrupt) / sizeof(corrupt[0]));
        case PODMAN_DB_MISSING: return copy(out, missing, sizeof(missing) / sizeof(missing[0]));
        case PODMAN_PAUSE_PROCESS: return copy(out, pause, sizeof(pause) / sizeof(pause[0]));
        case PODMAN_NETNS_BROKEN: return copy(out, netns, sizeof(netns) / sizeof(netns[0]));
        /* A mismatch means the configuration moved: "repairing" it would destroy state. */
        default: return copy(out, report, 1);
        }
}
