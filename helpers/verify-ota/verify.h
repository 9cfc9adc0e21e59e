/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* One run of archy-verify-ota: the side-effect layer around the pure state machine
 * (ota-state.h). Every state change is persisted (temp file, fsync, rename, fsync dir) before
 * the action it announces. */

struct verify_options {
        const char *marker, *state_file;
        bool status_only;
};

enum {
        EXIT_VERIFY_ERROR = 1, /* a step failed (rollback incomplete: run again) */
        EXIT_VERIFY_USAGE = 2,
        EXIT_VERIFY_MARKER = 3, /* malformed marker: nothing was done */
        EXIT_VERIFY_ROLLED_BACK = 4,
        EXIT_VERIFY_PENDING = 5, /* --status: a verification is pending or running */
};

/* Returns the exit status: 0 committed, or nothing to verify. */
int verify_run(const struct verify_options *o);
