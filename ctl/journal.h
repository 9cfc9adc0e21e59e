/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pure: the journal of `archyctl apply` (STATE-DIR/journal, key=value lines, written atomically
 * before every step), archyctl(8) FILES.
 *
 *   planned -> stopped -> installed -> reloaded -> started -> waited -> (journal removed)
 *
 * or, when an image update did not get healthy, after waited the same again for its rollback
 * (the keys rollback and rollback-reason), then the journal removed.
 *
 * The phase is the last step completed. The plan itself is not stored: a resume recomputes it
 * from old.yaml and new.yaml (kept next to the journal) and what runs now, and carries out the
 * steps after the phase; before installed, the stop step is taken again (the boot may have
 * started what the crashed apply had stopped). */

enum apply_phase {
        APPLY_PLANNED,   /* old.yaml and new.yaml saved, nothing done */
        APPLY_STOPPED,   /* the plan's stops done and no archy job left queued */
        APPLY_INSTALLED, /* new.yaml is the installed manifest */
        APPLY_RELOADED,  /* systemd reloaded: the new units exist */
        APPLY_STARTED,   /* restarts and starts queued, archy-apps.target started */
        APPLY_WAITED,    /* the apps were waited for (converged or not) */
        _APPLY_PHASE_MAX,
};

#define JOURNAL_HASH_HEX 16
#define JOURNAL_ROLLBACK_MAX 512 /* the apps of a rollback, "a,b" */
#define JOURNAL_REASON_MAX 512   /* why, one line */

struct apply_journal {
        enum apply_phase phase;
        char new_hash[JOURNAL_HASH_HEX + 1]; /* journal_hash() of new.yaml, lowercase hex */
        bool had_old;                        /* an installed manifest existed before (old.yaml is it) */
        long long started_at;                /* wall clock (s) of the apply's start */
        long long pid;                       /* the archyctl that wrote it, for messages */
        /* A rollback (archyctl(8), IMAGES): the apps whose image update did not get healthy,
         * comma-separated ("" in a forward apply). The journal is then the rollback's own apply,
         * from new.yaml to rollback.yaml (new-hash is rollback.yaml's), its phases the same. */
        char rollback[JOURNAL_ROLLBACK_MAX];
        char reason[JOURNAL_REASON_MAX]; /* why they were rolled back (rollback-reason) */
};

const char *apply_phase_to_string(enum apply_phase p);
/* 0 or -EINVAL */
int apply_phase_from_string(const char *s, enum apply_phase *ret);

/* FNV-1a 64 of the bytes, as 16 lowercase hex digits: the journal names the new.yaml it is for,
 * so that a new.yaml of another apply is never carried out under this journal. */
void journal_hash(const char *data, size_t len, char out[JOURNAL_HASH_HEX + 1]);

/* Strict: the first line is the format's ("archyctl-apply-journal 1"), every key known and once,
 * phase and new-hash present; rollback, when there, a comma-separated list of app names (each
 * once), and rollback-reason only with it. On -EINVAL *ret_error (when not NULL) is a malloc'ed sentence
 * naming the line ("line 3: unknown key \"x\""); -ENOMEM. */
int journal_parse(const char *text, struct apply_journal *ret, char **ret_error);
/* NULL on OOM */
char *journal_render(const struct apply_journal *j);
/* Whether app is in the journal's rollback list. */
bool journal_rolls_back(const struct apply_journal *j, const char *app);
/* Add app to the rollback list: 0, or -E2BIG when the list is full. */
int journal_add_rollback(struct apply_journal *j, const char *app);
/* Set the reason: a copy cut to fit, each control character a space. */
void journal_set_reason(struct apply_journal *j, const char *reason);
/* What a resume loads: the copy the journal's apply goes to (*ret_new, its new-hash) and the one it
 * comes from (*ret_old; NULL when there was no installed manifest): new.yaml and old.yaml, or for a
 * rollback rollback.yaml and new.yaml. */
void journal_copies(const struct apply_journal *j, const char **ret_old, const char **ret_new);
/* The name ARCHY_APPLY_CRASH_AFTER gives the step just persisted: PHASE, or rollback-PHASE. */
void journal_step_name(const struct apply_journal *j, char *buf, size_t size);
