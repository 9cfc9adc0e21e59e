/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure: what archy-podman-repair remembers between runs (a small key=value file under
 * /var/lib/archipelago, so that it survives a reboot) and the rate limit that reads it. */

/* Enough for the hourly limit of every repairable state at once (4 states x 4 repairs). */
#define REPAIR_HISTORY 16
/* A state's name (podman_state_to_string()), with its NUL. */
#define REPAIR_KIND_MAX 32

struct repair_state {
        unsigned failures;                 /* repairs in a row after which podman was still broken */
        long long repairs[REPAIR_HISTORY]; /* when the latest repairs ran (wall clock, s), newest first */
        /* the state each of them repaired ("" unknown: a file from before, counted for every state) */
        char kinds[REPAIR_HISTORY][REPAIR_KIND_MAX];
        size_t n_repairs;
        unsigned long long repairs_total; /* repairs run, ever (archy_podman_repairs_total) */
        /* From the last healthy probe: where podman's files are when it cannot say itself. */
        char *graph_root, *db_backend, *volume_path;
        /* The database file whose volume records were last checked, and how many volume data
         * directories there were: a new file or a new count means checking again. */
        unsigned long long db_dev, db_ino, db_btime_ns; /* birth time: a new file may reuse the inode */
        long volume_dirs;
};

/* archyctl status reads the file too (the repairs total); in the unit tests and the fuzz target
 * with the helper's sources. */
#define REPAIR_STATE_PATH "/var/lib/archipelago/podman-repair.state"
/* --user (a rootless node's apps user): under its home (this, after HOME/), and its status file
 * under $XDG_RUNTIME_DIR (main.c default_paths(); archyctl status reads both by mode). */
#define REPAIR_USER_STATE ".local/state/archipelago/podman-repair.state"
#define REPAIR_USER_HEALTH "archipelago/podman-health.json"

/* Unknown keys and malformed lines are skipped (the file is ours, a damaged one must not stop a
 * repair); returns the number of lines skipped, or -ENOMEM. */
int repair_state_parse(const char *text, struct repair_state *ret);
/* NULL on OOM. */
char *repair_state_format(const struct repair_state *s);
void repair_state_done(struct repair_state *s);
/* Replace *field by a copy of value (NULL clears it). 0 or -ENOMEM. */
int repair_state_set(char **field, const char *value);

enum repair_verdict {
        REPAIR_ALLOWED,
        REPAIR_GIVE_UP_FAILED,    /* max_failures repairs in a row did not help */
        REPAIR_GIVE_UP_TOO_OFTEN, /* max_per_hour repairs of this state in the last hour: it keeps
                                   * breaking */
};

/* kind: the state about to be repaired. A loop is the same breakage coming back: only repairs of
 * kind (and those of unknown kind) count for the hourly limit; other faults' repairs spend none
 * of it. NULL counts every repair. */
enum repair_verdict repair_allowed(const struct repair_state *s, long long now, const char *kind, unsigned max_failures,
                                   unsigned max_per_hour);
/* A repair recorded later than `now` (the clock was set back since) is taken as one that ran at
 * `now`: it still counts for the hourly limit, for one hour from now, and not until the clock
 * reaches a time it may never reach soon (a clock set back by days). Returns how many changed. */
size_t repair_state_clamp_future(struct repair_state *s, long long now);
/* Record a repair of kind (NULL or longer than REPAIR_KIND_MAX - 1: unknown) that ran at `now`;
 * helped: podman was healthy afterwards. */
void repair_state_record(struct repair_state *s, long long now, const char *kind, bool helped);
