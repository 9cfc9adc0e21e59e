/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "rootless-netns.h"

/* Pure: what state podman is in, from one probe (`podman info --format json` under a hard
 * timeout) and what archy sees around it. The error texts podman prints for each broken state are
 * data, in one table (podman-state.c), each with a test. */

enum podman_state {
        PODMAN_HEALTHY,
        PODMAN_HUNG,            /* the probe did not finish in time: a stuck lock */
        PODMAN_DB_CORRUPT,      /* BoltDB panic, SQLite scan or corruption errors */
        PODMAN_DB_MISSING,      /* podman answers, but forgot containers or volumes it had */
        PODMAN_CONFIG_MISMATCH, /* paths in the database differ from the configuration */
        PODMAN_PAUSE_PROCESS,   /* rootless: "invalid internal status" of the pause process */
        PODMAN_BROKEN,          /* podman missing, not executable, or killed by a signal */
        PODMAN_UNKNOWN_ERROR,   /* it failed in a way not recognised: reported, not repaired */
        PODMAN_DISK_FULL,       /* its storage is out of space (SQLITE_FULL, ENOSPC): reported, never
                                 * repaired (nothing is broken; it recovers once there is space) */
        PODMAN_NETNS_BROKEN,    /* rootless: its network namespace lost pasta, or went, or split */
        _PODMAN_STATE_MAX,
};

enum probe_end {
        PROBE_EXITED,    /* exit_status is set */
        PROBE_SIGNALED,  /* signal is set */
        PROBE_TIMED_OUT, /* killed by archy after the timeout, with its process tree */
        PROBE_NOT_FOUND, /* no podman binary */
        PROBE_SPAWN_FAILED,
};

struct podman_probe {
        enum probe_end end;
        int exit_status;
        int signal;
        const char *out; /* stdout: JSON when healthy */
        const char *err; /* stderr: warnings, errors, panics */
};

/* What archy knows besides the probe: app units that are active while podman has never heard of
 * their container, named volumes whose data directory exists without a podman record, and
 * (rootless) the state of podman's network namespace. */
struct podman_facts {
        size_t units_without_container;
        size_t volume_dirs_without_record;
        enum netns_health netns; /* rootless (rootless-netns.h); NETNS_OK when rootful */
};

/* *evidence points at the line or fact that decided it (for the report), or is NULL. */
enum podman_state podman_classify(const struct podman_probe *p, const struct podman_facts *f, const char **evidence,
                                  size_t *evidence_len);

const char *podman_state_to_string(enum podman_state s);
