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

/* Pure: the start time (clock ticks after boot, field 22) from the text of /proc/PID/stat. */
bool proc_stat_start_ticks(const char *stat_text, unsigned long long *ret);
/* Pure: the file name of an exe link's target, without its directory and without the
 * " (deleted)" the kernel adds once the binary was replaced or removed (a package upgrade). */
const char *exe_name(const char *exe, char *buf, size_t size);

enum proc_kind { PROC_OTHER, PROC_CONMON, PROC_CATATONIT, PROC_PODMAN, PROC_PASTA, PROC_AARDVARK };
/* Pure: what a process is, by its comm (/proc/PID/comm) or its exe name (exe_name()): either
 * naming conmon, catatonit or podman is enough. */
enum proc_kind proc_kind_of(const char *comm, const char *exe);

/* What identifies a process across two looks at /proc: a reused pid has a later start time. */
struct proc_identity {
        unsigned long long start_ticks;
        char comm[32];
        char exe[512];
};
/* Pure: both looks saw the same process. */
bool proc_identity_same(const struct proc_identity *recorded, const struct proc_identity *now);

/* Reads pid's identity from /proc (stat, comm, exe); negative errno when it is gone or has no
 * exe (a kernel thread). */
int proc_identity_read(pid_t pid, struct proc_identity *ret);
/* A pidfd for pid (pidfd_open), returned only once the process it pins is identified again as
 * `recorded` (and is not one stuck_kill() spares): the pid may have been reused between
 * reading /proc and opening it. Signals sent through it then reach that process or none.
 * -ESRCH when it is another process or gone, -ENOSYS before Linux 5.3. */
int process_pin(pid_t pid, const struct proc_identity *recorded);

/* The processes stuck_kill() signals, each pinned by a pidfd. */
struct stuck_victims {
        int pidfd[256];
        size_t n;
};

/* Kill (SIGTERM, then SIGKILL after grace_ms) every process older than min_age_s that holds a
 * lock on a file up to two levels inside one of dirs (NULL-terminated), except conmon, catatonit,
 * PID 1, ourselves and spare (the rootless pause process). Each process is pinned with a pidfd
 * and identified again after that (its start time must be the one first read), so that a pid
 * reused meanwhile is never signalled; signals go through the pidfd (pidfd_send_signal). A
 * kernel without pidfds (before 5.3) gets no signal at all, with a warning. Returns how many. */
size_t stuck_kill(char *const *dirs, pid_t spare, long min_age_s, long grace_ms);
