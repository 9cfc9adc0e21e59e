/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "reconcile-state.h"

/* Pure: when archy-reconcile may start again an app systemd gave up on. The first retry is
 * immediate; after the k-th restart in a row the next waits BACKOFF_FIRST_SEC * 2^(k-1), at most
 * BACKOFF_MAX_SEC; an app seen active for BACKOFF_RESET_SEC after a restart starts afresh. */

#define BACKOFF_FIRST_SEC 30LL
#define BACKOFF_MAX_SEC 3600LL
#define BACKOFF_RESET_SEC 600LL

/* The wait after the streak-th restart in a row (streak >= 1). */
long long backoff_delay(unsigned streak);

/* The app is failed at now: true when it may be restarted now; then the restart is recorded in e
 * (restarts, streak, last_restart, next_retry, healthy_since cleared). False: wait until
 * e->next_retry. */
bool backoff_try_restart(struct reconcile_app_state *e, long long now);

/* The app is active at now: start or continue its healthy period, and forget the streak once
 * that lasted BACKOFF_RESET_SEC. Returns true when e changed. */
bool backoff_healthy(struct reconcile_app_state *e, long long now);
