/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <time.h>

/* CLOCK_MONOTONIC in milliseconds: every timeout and wait in archy, so that a wall-clock jump
 * neither cuts one short nor stretches it. */
static inline long long now_monotonic_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
