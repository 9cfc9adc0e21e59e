/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "podman-state.h"
#include "repair-plan.h"

/* Pure: what one run found and did, as the status file (JSON, for the node's /health), the
 * one-line summary on stdout, and the exit status. */

enum repair_result {
        RESULT_HEALTHY,   /* nothing to do */
        RESULT_UNHEALTHY, /* --check: found a problem, changed nothing */
        RESULT_REPAIRED,  /* was broken, is healthy after the repair */
        RESULT_FAILED,    /* a repair ran and podman is still not healthy */
        RESULT_REPORTED,  /* nothing safe to do for this state (a mismatch, no podman): needs a person */
        RESULT_GAVE_UP,   /* the rate limit stopped a repair */
        _RESULT_MAX,
};

struct repair_report {
        const char *mode; /* "system" or "user" */
        long long when;   /* wall clock, seconds */
        enum podman_state found;
        const char *evidence;
        size_t evidence_len;
        enum repair_step steps[REPAIR_PLAN_MAX]; /* the steps that ran, in order */
        bool step_ok[REPAIR_PLAN_MAX];
        size_t n_steps;
        enum podman_state after;    /* the probe after the repair; found when none ran */
        const char *evidence_after; /* what decided `after`, when a repair ran */
        size_t evidence_after_len;
        enum repair_result result;
        const char *podman_version; /* NULL when podman did not say */
        const char *moved_aside;    /* where a broken database went, or NULL */
        const char *gave_up_reason;
        size_t units_stopped, volumes_reregistered, orphans_removed, processes_killed;
        size_t runtime_states_removed; /* crun's state of forgotten containers (runtime-state.h) */
        unsigned failures;
        long probe_ms;
};

/* NULL on OOM. */
char *report_status_json(const struct repair_report *r);
char *report_summary(const struct repair_report *r);
const char *repair_result_to_string(enum repair_result r);

enum {
        EXIT_REPAIR_USAGE = 2,
        EXIT_REPAIR_UNHEALTHY = 3, /* --check */
        EXIT_REPAIR_REPAIRED = 4,
        EXIT_REPAIR_FAILED = 5, /* also RESULT_REPORTED */
        EXIT_REPAIR_GAVE_UP = 6,
};
int report_exit_status(enum repair_result r);
