/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "backoff.h"

#include <limits.h>

long long backoff_delay(unsigned streak) {
        long long d = BACKOFF_FIRST_SEC;
        for (unsigned i = 1; i < streak && d < BACKOFF_MAX_SEC; i++)
                d *= 2;
        return d < BACKOFF_MAX_SEC ? d : BACKOFF_MAX_SEC;
}

/* A wait that cannot be right at now: the clock was set back past the last restart (the wait
 * would be unbounded), or the retry time lies beyond the cap from now (a damaged or hand-edited
 * state file, or a clock that ran ahead when it was written). Compared without overflow. */
static bool wait_implausible(const struct reconcile_app_state *e, long long now) {
        return e->last_restart > now || (now < LLONG_MAX - BACKOFF_MAX_SEC && e->next_retry > now + BACKOFF_MAX_SEC);
}

bool backoff_try_restart(struct reconcile_app_state *e, long long now) {
        /* Wait one delay from now instead. */
        if (e->streak > 0 && wait_implausible(e, now)) {
                e->last_restart = now;
                e->next_retry = now + backoff_delay(e->streak);
        }
        if (e->streak > 0 && now < e->next_retry)
                return false;
        e->restarts++;
        e->streak++;
        e->last_restart = now;
        e->next_retry = now + backoff_delay(e->streak);
        e->healthy_since = 0;
        return true;
}

bool backoff_healthy(struct reconcile_app_state *e, long long now) {
        if (e->streak == 0)
                return false;
        if (e->healthy_since == 0 || e->healthy_since > now) {
                e->healthy_since = now;
                return true;
        }
        if (now - e->healthy_since < BACKOFF_RESET_SEC)
                return false;
        e->streak = 0;
        e->next_retry = 0;
        e->healthy_since = 0;
        return true;
}
