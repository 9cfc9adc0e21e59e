/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A hung podman is almost always one process holding one of podman's locks: a podman that got
 * stuck, or anything else that took the lock and never let go. This finds and kills the holders,
 * and only them: never a podman that merely waits (it finishes once the lock is free), never
 * conmon, never a container. Locks /proc/locks cannot show (podman's shared-memory container
 * locks) are out of its reach: such a hang is reported. */

struct proc_lock {
        pid_t pid;
        unsigned major, minor;
        unsigned long inode;
};

/* Pure: one line of /proc/locks ("1: POSIX  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"). Lines
 * with "->" (a waiter, not a holder) are not holders: returns false for them. */
bool proc_locks_parse_line(const char *line, struct proc_lock *ret);

/* Kill (SIGTERM, then SIGKILL after grace_ms) every process older than min_age_s that holds a
 * lock on a file up to two levels inside one of dirs (NULL-terminated), except conmon, catatonit,
 * PID 1, ourselves and spare (the rootless pause process). Returns how many. */
size_t stuck_kill(char *const *dirs, pid_t spare, long min_age_s, long grace_ms);
