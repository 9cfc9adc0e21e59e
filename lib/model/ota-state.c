/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ota-state.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "parse-number.h"
#include "strbuf.h"

static const char *const phase_names[_OTA_PHASE_MAX] = {
        [OTA_PENDING] = "pending",           [OTA_VERIFYING] = "verifying",     [OTA_COMMITTED] = "committed",
        [OTA_ROLLING_BACK] = "rolling-back", [OTA_ROLLED_BACK] = "rolled-back",
};

const char *ota_phase_to_string(enum ota_phase p) {
        return (unsigned)p < _OTA_PHASE_MAX ? phase_names[p] : NULL;
}

int ota_phase_from_string(const char *s, enum ota_phase *ret) {
        for (size_t i = 0; i < _OTA_PHASE_MAX; i++)
                if (strcmp(s, phase_names[i]) == 0) {
                        *ret = (enum ota_phase)i;
                        return 0;
                }
        return -EINVAL;
}

/* ---- the transition function ----
 *
 *   phase         event            -> phase          change              action
 *   pending       run              -> verifying      attempts+1          START_ATTEMPT
 *   verifying     run, attempts<max  -> verifying    attempts+1          START_ATTEMPT
 *   verifying     run, attempts>=max -> rolling-back reason ATTEMPTS     next rollback step (*)
 *   verifying     probe-ok         -> committed      reason PASSED       COMMIT
 *   verifying     probe-failed     -> rolling-back   reason DEADLINE     next rollback step (*)
 *   rolling-back  run              -> rolling-back   -                   next rollback step (*)
 *   rolling-back  swapped, swaps_done<n_swaps     -> swaps_done+1,    next rollback step (*)
 *                                                    swap identity cleared
 *   rolling-back  restarted, swaps_done>=n_swaps  -> restarted=true   FINISH_ROLLBACK
 *   committed     anything         -> unchanged                          NOTHING
 *   rolled-back   anything         -> unchanged                          NOTHING
 *   anything else (out of order)   -> unchanged                          NOTHING
 *
 *   (*) next rollback step: SWAP_NEXT while swaps_done < n_swaps, else RESTART_UNITS until
 *       restarted, else FINISH_ROLLBACK.
 *
 * "Out of order" includes a probe result during a rollback (a late success must never undo a
 * rollback that has started swapping), a swap reported when every pair is back (counting it
 * would push swaps_done past the pairs there are) and a restart reported before the last swap
 * (which would finish a rollback with half of each version in place). ACT_NOTHING there stops
 * the caller; the state is unchanged, and the next run resumes from it. */

/* Every reason the verifier records, in one place (the node's UI shows them). */
#define REASON_PASSED "every check passed"
#define REASON_DEADLINE "checks failed until the deadline"
#define REASON_ATTEMPTS_FORMAT "no successful verification in %u attempts"

enum reason {
        REASON_PASSED_ID,
        REASON_DEADLINE_ID,
        REASON_ATTEMPTS_ID,
};

/* The reason is for people, the phase decides: without memory for it the transition still
 * happens and the reason is left out rather than the decision. */
static void set_reason(struct ota_state *s, enum reason r) {
        char *text = NULL;
        switch (r) {
        case REASON_PASSED_ID: text = strdup(REASON_PASSED); break;
        case REASON_DEADLINE_ID: text = strdup(REASON_DEADLINE); break;
        case REASON_ATTEMPTS_ID:
                if (asprintf(&text, REASON_ATTEMPTS_FORMAT, s->attempts) < 0)
                        text = NULL;
                break;
        }
        free(s->reason);
        s->reason = text;
}

static enum ota_action rollback_next(const struct ota_state *s, size_t n_swaps) {
        if (s->swaps_done < n_swaps)
                return ACT_SWAP_NEXT;
        return s->restarted ? ACT_FINISH_ROLLBACK : ACT_RESTART_UNITS;
}

static enum ota_action start_rollback(struct ota_state *s, enum reason r, size_t n_swaps) {
        s->phase = OTA_ROLLING_BACK;
        set_reason(s, r);
        return rollback_next(s, n_swaps);
}

static enum ota_action step_verifying(struct ota_state *s, enum ota_event ev, unsigned max_attempts, size_t n_swaps) {
        switch (ev) {
        case EV_RUN:
                /* We are here again without a result: the attempt before was cut short by a crash
                 * or a power loss, and it counts. */
                if (s->attempts < max_attempts) {
                        s->attempts++;
                        return ACT_START_ATTEMPT;
                }
                return start_rollback(s, REASON_ATTEMPTS_ID, n_swaps);
        case EV_PROBE_OK:
                s->phase = OTA_COMMITTED;
                set_reason(s, REASON_PASSED_ID);
                return ACT_COMMIT;
        case EV_PROBE_FAILED: return start_rollback(s, REASON_DEADLINE_ID, n_swaps);
        default: return ACT_NOTHING;
        }
}

static enum ota_action step_rolling_back(struct ota_state *s, enum ota_event ev, size_t n_swaps) {
        switch (ev) {
        case EV_RUN: return rollback_next(s, n_swaps);
        case EV_SWAPPED:
                if (s->swaps_done >= n_swaps)
                        return ACT_NOTHING;
                s->swaps_done++;
                /* The identity belonged to the swap just counted; the next one records its own. */
                s->swap_dev = s->swap_ino = 0;
                return rollback_next(s, n_swaps);
        case EV_RESTARTED:
                if (s->swaps_done < n_swaps)
                        return ACT_NOTHING;
                s->restarted = true;
                return ACT_FINISH_ROLLBACK;
        default: return ACT_NOTHING;
        }
}

enum ota_action ota_step(struct ota_state *s, enum ota_event ev, unsigned max_attempts, size_t n_swaps) {
        switch (s->phase) {
        case OTA_PENDING:
                if (ev != EV_RUN)
                        return ACT_NOTHING;
                s->phase = OTA_VERIFYING;
                s->attempts++;
                return ACT_START_ATTEMPT;
        case OTA_VERIFYING: return step_verifying(s, ev, max_attempts, n_swaps);
        case OTA_ROLLING_BACK: return step_rolling_back(s, ev, n_swaps);
        default: return ACT_NOTHING; /* committed, rolled back, or not a phase at all */
        }
}

void ota_finish(struct ota_state *s, enum ota_phase final, long long now) {
        bool follows = (final == OTA_COMMITTED && (s->phase == OTA_VERIFYING || s->phase == OTA_COMMITTED)) ||
                       (final == OTA_ROLLED_BACK && s->phase == OTA_ROLLING_BACK);
        if (!follows)
                return;
        s->phase = final;
        s->decided_at = now;
}

/* ---- the state file ---- */

enum state_key {
        KEY_PHASE,
        KEY_ATTEMPTS,
        KEY_SWAPS_DONE,
        KEY_RESTARTED,
        KEY_LAST_STATUS,
        KEY_DECIDED_AT,
        KEY_SWAP_DEV,
        KEY_SWAP_INO,
        KEY_APPLIED_AT,
        /* Text: absent means NULL. */
        KEY_REASON,
        KEY_LAST_ERROR,
        KEY_NEW_VERSION,
        KEY_PREVIOUS_VERSION,
        _KEY_MAX,
};

static const char *const key_names[_KEY_MAX] = {
        [KEY_PHASE] = "phase",
        [KEY_ATTEMPTS] = "attempts",
        [KEY_SWAPS_DONE] = "swaps_done",
        [KEY_RESTARTED] = "restarted",
        [KEY_LAST_STATUS] = "last_status",
        [KEY_DECIDED_AT] = "decided_at",
        [KEY_SWAP_DEV] = "swap_dev",
        [KEY_SWAP_INO] = "swap_ino",
        [KEY_APPLIED_AT] = "applied_at",
        [KEY_REASON] = "reason",
        [KEY_LAST_ERROR] = "last_error",
        [KEY_NEW_VERSION] = "new_version",
        [KEY_PREVIOUS_VERSION] = "previous_version",
};

/* Every number is always written. One missing means the file is not what we wrote, and a guess
 * would be dangerous: swaps_done defaulting to 0 would exchange the first pair back again,
 * reinstalling the new version under the old one's name. */
#define REQUIRED_KEYS ((1u << KEY_REASON) - 1)

static void put_text(struct strbuf *sb, const char *key, const char *value) {
        if (!value)
                return;
        strbuf_printf(sb, "%s=", key);
        /* One value per line: a newline in a probe's error text must not start a new key. */
        for (const char *p = value; *p; p++)
                strbuf_putc(sb, (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
        strbuf_putc(sb, '\n');
}

char *ota_state_format(const struct ota_state *s) {
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        const char *phase = ota_phase_to_string(s->phase);
        strbuf_puts(&sb, "# archy-verify-ota state: see archy-verify-ota(8)\n");
        /* A phase we do not know is written as such: reading it back fails, as it should. */
        strbuf_printf(&sb, "%s=%s\n", key_names[KEY_PHASE], phase ? phase : "invalid");
        strbuf_printf(&sb, "%s=%u\n", key_names[KEY_ATTEMPTS], s->attempts);
        strbuf_printf(&sb, "%s=%zu\n", key_names[KEY_SWAPS_DONE], s->swaps_done);
        strbuf_printf(&sb, "%s=%d\n", key_names[KEY_RESTARTED], s->restarted ? 1 : 0);
        strbuf_printf(&sb, "%s=%d\n", key_names[KEY_LAST_STATUS], s->last_status);
        strbuf_printf(&sb, "%s=%lld\n", key_names[KEY_DECIDED_AT], s->decided_at);
        strbuf_printf(&sb, "%s=%llu\n", key_names[KEY_SWAP_DEV], s->swap_dev);
        strbuf_printf(&sb, "%s=%llu\n", key_names[KEY_SWAP_INO], s->swap_ino);
        strbuf_printf(&sb, "%s=%lld\n", key_names[KEY_APPLIED_AT], s->applied_at);
        put_text(&sb, key_names[KEY_REASON], s->reason);
        put_text(&sb, key_names[KEY_LAST_ERROR], s->last_error);
        put_text(&sb, key_names[KEY_NEW_VERSION], s->new_version);
        put_text(&sb, key_names[KEY_PREVIOUS_VERSION], s->previous_version);
        if (strbuf_failed(&sb))
                return NULL;
        return strbuf_steal(&sb);
}

static int parse_signed(const char *v, long long min, long long max, long long *ret) {
        unsigned long long magnitude;
        bool negative = v[0] == '-';
        if (parse_unsigned(v + negative, (unsigned long long)LLONG_MAX + negative, &magnitude) < 0)
                return -EINVAL;
        /* Built from the magnitude so that LLONG_MIN itself cannot overflow. */
        long long n;
        if (!negative)
                n = (long long)magnitude;
        else if (magnitude == 0)
                n = 0;
        else
                n = -(long long)(magnitude - 1) - 1;
        if (n < min || n > max)
                return -EINVAL;
        *ret = n;
        return 0;
}

static int set_text(char **field, const char *value) {
        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

static int parse_number(enum state_key k, const char *v, struct ota_state *s) {
        unsigned long long u = 0;
        long long n = 0;
        int r;
        switch (k) {
        case KEY_PHASE: return ota_phase_from_string(v, &s->phase);
        case KEY_ATTEMPTS:
                r = parse_unsigned(v, UINT_MAX, &u);
                s->attempts = (unsigned)u;
                return r;
        case KEY_SWAPS_DONE:
                r = parse_unsigned(v, OTA_MAX_SWAPS, &u);
                s->swaps_done = (size_t)u;
                return r;
        case KEY_RESTARTED:
                r = parse_unsigned(v, 1, &u);
                s->restarted = u == 1;
                return r;
        case KEY_LAST_STATUS:
                r = parse_signed(v, -1, 999, &n);
                s->last_status = (int)n;
                return r;
        case KEY_DECIDED_AT: return parse_signed(v, LLONG_MIN, LLONG_MAX, &s->decided_at);
        case KEY_SWAP_DEV: return parse_unsigned(v, ULLONG_MAX, &s->swap_dev);
        case KEY_SWAP_INO: return parse_unsigned(v, ULLONG_MAX, &s->swap_ino);
        case KEY_APPLIED_AT: return parse_signed(v, 0, LLONG_MAX, &s->applied_at);
        default: return -EINVAL;
        }
}

static int parse_value(enum state_key k, const char *v, struct ota_state *s) {
        switch (k) {
        case KEY_REASON: return set_text(&s->reason, v);
        case KEY_LAST_ERROR: return set_text(&s->last_error, v);
        case KEY_NEW_VERSION: return set_text(&s->new_version, v);
        case KEY_PREVIOUS_VERSION: return set_text(&s->previous_version, v);
        default: return parse_number(k, v, s);
        }
}

static bool has_control_char(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

/* One "key=value" line; *seen collects the keys, each allowed once. */
static int parse_line(char *line, struct ota_state *s, unsigned *seen) {
        char *eq = strchr(line, '=');
        if (!eq || has_control_char(line))
                return -EINVAL;
        *eq = '\0';
        for (size_t k = 0; k < _KEY_MAX; k++) {
                if (strcmp(line, key_names[k]) != 0)
                        continue;
                if (*seen & (1u << k))
                        return -EINVAL;
                *seen |= 1u << k;
                return parse_value((enum state_key)k, eq + 1, s);
        }
        return -EINVAL;
}

int ota_state_parse(const char *text, struct ota_state *ret) {
        *ret = (struct ota_state){0};
        /* We always end the file with a newline: without one, the last line may have been cut
         * (a digit short of the inode it names). */
        size_t len = strlen(text);
        if (len == 0 || text[len - 1] != '\n')
                return -EINVAL;
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        unsigned seen = 0;
        int r = 0;
        for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line && r == 0; line = strtok_r(NULL, "\n", &save))
                if (line[0] != '#')
                        r = parse_line(line, ret, &seen);
        if (r == 0 && (seen & REQUIRED_KEYS) != REQUIRED_KEYS)
                r = -EINVAL;
        if (r < 0)
                ota_state_done(ret);
        return r;
}

void ota_state_done(struct ota_state *s) {
        free(s->reason);
        free(s->last_error);
        free(s->new_version);
        free(s->previous_version);
        *s = (struct ota_state){0};
}
