/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Pure: how long an attempt may still probe. Waiting uses CLOCK_MONOTONIC, so that a wall-clock
 * jump (NTP after boot, a dead RTC battery: ±30 min and more) neither ends an attempt early nor
 * stretches it. The whole verification is bounded by max_attempts windows, one per run, whatever
 * the wall clock says; the wall clock only appears in messages and the recorded decision time. */

struct attempt_clock {
        long long mono_start_ms; /* CLOCK_MONOTONIC when the attempt started */
        long long wall_start_s;  /* wall clock then (for messages) */
};

/* Milliseconds the attempt may still probe at mono_now_ms: deadline_seconds from the attempt's
 * start, measured on the monotonic clock. Never negative. */
long long attempt_remaining_ms(const struct attempt_clock *c, long long mono_now_ms, unsigned deadline_seconds);

/* Milliseconds to wait before the next probe: backoff doubling from 1 s to 10 s by probe number
 * (0-based), never beyond the remaining time. */
long long next_probe_delay_ms(unsigned probe_number, long long remaining_ms);

/* Whether the grace period (grace_seconds from the attempt's start) is still running. */
bool in_grace(const struct attempt_clock *c, long long mono_now_ms, unsigned grace_seconds);
