/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "deadline.h"

#include <limits.h>

#define PROBE_DELAY_FIRST_MS 1000LL
#define PROBE_DELAY_MAX_MS 10000LL

/* Time since the attempt started on the monotonic clock, never negative: a reading before the
 * start (a start carried over from another boot, a caller's mistake) counts as no time at all,
 * so the attempt gets its whole window, never more. No pair of readings can overflow. */
static long long elapsed_ms(const struct attempt_clock *c, long long mono_now_ms) {
        long long elapsed;
        if (mono_now_ms <= c->mono_start_ms)
                return 0;
        if (__builtin_sub_overflow(mono_now_ms, c->mono_start_ms, &elapsed))
                return LLONG_MAX;
        return elapsed;
}

long long attempt_remaining_ms(const struct attempt_clock *c, long long mono_now_ms, unsigned deadline_seconds) {
        long long window = (long long)deadline_seconds * 1000;
        long long elapsed = elapsed_ms(c, mono_now_ms);
        return elapsed >= window ? 0 : window - elapsed;
}

long long next_probe_delay_ms(unsigned probe_number, long long remaining_ms) {
        if (remaining_ms <= 0)
                return 0;
        /* 1, 2, 4, 8 s, then 10 s; the doubling stops at the cap, so no probe number overflows. */
        long long delay = PROBE_DELAY_FIRST_MS;
        for (unsigned i = 0; i < probe_number && delay < PROBE_DELAY_MAX_MS; i++)
                delay *= 2;
        if (delay > PROBE_DELAY_MAX_MS)
                delay = PROBE_DELAY_MAX_MS;
        return delay < remaining_ms ? delay : remaining_ms;
}

bool in_grace(const struct attempt_clock *c, long long mono_now_ms, unsigned grace_seconds) {
        return elapsed_ms(c, mono_now_ms) < (long long)grace_seconds * 1000;
}
