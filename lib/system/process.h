/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "macro.h"

/* Run path with argv and envp, wait for it: its exit status, 128 + the signal that ended it, or
 * negative errno when it could not be started. */
int spawn_and_wait(const char *path, char *const argv[], char *const envp[]);

enum spawn_end {
        SPAWN_EXITED,    /* status is the exit status */
        SPAWN_SIGNALED,  /* status is the signal */
        SPAWN_TIMED_OUT, /* killed after timeout_ms, with every process it started */
};

/* Output beyond this is read and dropped, so a chatty child can never block on a full pipe. */
#define SPAWN_CAPTURE_MAX (1U << 20)

struct spawn_result {
        enum spawn_end end;
        int status;
        char *out, *err; /* what it wrote, NUL-terminated; never NULL after success */
        long elapsed_ms;
};

/* Run path with stdin from /dev/null, collect stdout and stderr, and wait at most timeout_ms.
 * The child leads its own process group and the caller becomes a child subreaper, so on timeout
 * the whole tree is killed and reaped: the group, and any descendant that left it (daemonized
 * helpers). Returns 0 or negative errno when it could not be started (-ENOENT: no such
 * program). */
int spawn_capture(const char *path, char *const argv[], char *const envp[], long timeout_ms, struct spawn_result *ret);
void spawn_result_done(struct spawn_result *r);
