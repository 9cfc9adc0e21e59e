/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "reconcile-state.h"

/* Pure: archy-reconcile's whole decision. The manifest in use, what systemd and (when asked)
 * podman show, the persisted backoff state and the time in; the actions and the new state out.
 * Level-triggered: the same inputs give the same actions, and a run whose actions were all
 * carried out finds nothing to do the next time. */

/* A unit systemd listed (units_list()). result: its Result, read only for a failed one, or NULL. */
struct rc_unit {
        const char *name, *load_state, *active_state, *sub_state, *result;
};

/* A container, volume or network podman listed with the label archy.managed=true. */
struct rc_object {
        char *name;
        char *app; /* its archy.app label, NULL: none */
        bool running;
};

struct rc_observed {
        const struct rc_unit *units;
        size_t n_units;
        bool scanned; /* podman was asked: the three lists below are complete */
        const struct rc_object *containers, *volumes, *networks;
        size_t n_containers, n_volumes, n_networks;
};

enum rc_kind {
        RC_STOP_UNIT,        /* stop an active unit through systemd */
        RC_STOP_CONTAINER,   /* podman stop + rm: a container of a stopped app running outside systemd */
        RC_REMOVE_CONTAINER, /* podman rm -f: a container no app of the manifest produces */
        RC_ORPHAN_VOLUME,    /* reported only: its data goes with a purge */
        RC_ORPHAN_NETWORK,   /* reported only */
        RC_RESTART_APP,      /* reset-failed + start of the app's failed units */
        RC_BACKOFF,          /* an app systemd gave up on, waiting for its next retry */
        _RC_KIND_MAX,
};

struct rc_action {
        enum rc_kind kind;
        char *target; /* a unit, container, volume or network name */
        char *app;    /* NULL: no app (an unlabelled object) */
        char *reason;
        char **units; /* RC_RESTART_APP: the failed units, n_units of them */
        size_t n_units;
};

struct rc_plan {
        struct rc_action *actions;
        size_t n_actions;
};

/* "stop-unit", "stop-container", ... as in the --json lines. */
const char *rc_kind_to_string(enum rc_kind k);
/* Whether carrying out the action changes anything (the orphan reports and backoff do not). */
bool rc_kind_acts(enum rc_kind k);

/* m: the manifest in use (NULL: none, no app is desired). *new_state starts as a copy of old and
 * is what the run persists (last_full_scan set when o->scanned). 0 or -ENOMEM; *plan and
 * *new_state are to be released in every case. */
int reconcile_decide(const struct manifest *m, const struct rc_observed *o, const struct reconcile_state *old,
                     long long now, struct rc_plan *plan, struct reconcile_state *new_state);
void rc_plan_done(struct rc_plan *p);

/* ---- the idle path: is podman worth asking? ------------------------------------------------ */

#define RECONCILE_FULL_SCAN_SEC 600LL

/* The container id of a libpod-<id>.scope (a container podman runs outside a service's cgroup),
 * or NULL (conmon's libpod-conmon-<id>.scope, anything else); *len is its length. */
const char *rc_scope_container_id(const char *unit, size_t *len);
/* An active unit archy's generator no longer renders (an app left the manifest while it ran). */
bool rc_unit_is_leftover(const struct rc_unit *u);
/* Ask podman when: forced (--dry-run), a running container systemd does not account for
 * (unaccounted), a leftover unit, or the last full scan is RECONCILE_FULL_SCAN_SEC old (or in the
 * future: the clock went back). */
bool rc_scan_due(const struct reconcile_state *s, long long now, bool forced, size_t unaccounted, size_t leftovers);
