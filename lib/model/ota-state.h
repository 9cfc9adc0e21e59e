/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* OTA_MAX_SWAPS: the most swap pairs a marker may have (marker.h's MARKER_MAX_SWAPS). */
#define OTA_MAX_SWAPS 32

/* Pure (in lib/model: archy-verify-ota writes it, archyctl status reads it): the verifier's state machine and its
 * persisted state
 * (/var/lib/archipelago/update-verify.state, key=value, written atomically before every action).
 *
 *   pending -> verifying -> committed
 *                        -> rolling-back -> rolled-back
 *
 * An attempt is counted (and persisted) before the checks run, so a crash or power loss during
 * verification counts against the update. */

enum ota_phase {
        OTA_PENDING,      /* marker seen, nothing done yet */
        OTA_VERIFYING,    /* an attempt is running (or was, when we crashed) */
        OTA_COMMITTED,    /* final: the new version is good */
        OTA_ROLLING_BACK, /* swaps in progress: swaps_done of n_swaps are back */
        OTA_ROLLED_BACK,  /* final: the previous version is fully in place */
        _OTA_PHASE_MAX,
};

struct ota_state {
        enum ota_phase phase;
        unsigned attempts;                    /* verification attempts started */
        size_t swaps_done;                    /* rollback: pairs already exchanged, in marker order */
        bool restarted;                       /* rollback: the units were restarted after the last swap */
        char *reason;                         /* why it committed or rolled back */
        int last_status;                      /* HTTP status of the last probe; 0 none; -1 no answer */
        char *last_error;                     /* the last probe's error text, or NULL */
        char *new_version, *previous_version; /* copied from the marker, for --status */
        long long applied_at;                 /* the marker's: with the versions, which update this state is for */
        long long decided_at;                 /* wall clock of the final decision, 0 until then */
        /* The backup path's identity before the swap in progress was made: after a crash, the
         * current path carrying this identity means that swap already happened. */
        unsigned long long swap_dev, swap_ino;
};

const char *ota_phase_to_string(enum ota_phase p);
int ota_phase_from_string(const char *s, enum ota_phase *ret);

/* Unknown keys and malformed lines make it fail (-EINVAL): the state decides a rollback, a
 * damaged one is reported, not guessed. -ENOMEM. */
int ota_state_parse(const char *text, struct ota_state *ret);
char *ota_state_format(const struct ota_state *s); /* NULL on OOM */
void ota_state_done(struct ota_state *s);

/* What the verifier must do next. */
enum ota_action {
        ACT_START_ATTEMPT,   /* count an attempt (persist), wait the grace period, probe */
        ACT_COMMIT,          /* persist committed, close the marker */
        ACT_SWAP_NEXT,       /* exchange pair swaps_done (persist before and after) */
        ACT_RESTART_UNITS,   /* after the last swap: restart the marker's units */
        ACT_FINISH_ROLLBACK, /* persist rolled-back, close the marker */
        ACT_NOTHING,         /* final state: report it */
};

/* Events that move it on. */
enum ota_event {
        EV_RUN,          /* a run starts (by the updater or at boot) */
        EV_PROBE_OK,     /* every check passed */
        EV_PROBE_FAILED, /* the deadline passed without every check passing */
        EV_SWAPPED,      /* pair swaps_done was exchanged */
        EV_RESTARTED,    /* the units were restarted */
};

/* Pure transition: the state after event ev and the action to take next. max_attempts and
 * n_swaps come from the marker. On EV_RUN in VERIFYING (a crash or reboot during an attempt)
 * the next attempt starts, or, with attempts == max_attempts, the rollback. */
enum ota_action ota_step(struct ota_state *s, enum ota_event ev, unsigned max_attempts, size_t n_swaps);
/* The caller's half of a final transition: sets phase (OTA_COMMITTED after ACT_COMMIT,
 * OTA_ROLLED_BACK after ACT_FINISH_ROLLBACK) and decided_at = now (wall clock, s). ota_step()
 * stays free of clocks. A phase that is not final, or does not follow from s->phase (committed
 * from verifying or committed, rolled-back from rolling-back), leaves s unchanged. */
void ota_finish(struct ota_state *s, enum ota_phase final, long long now);
