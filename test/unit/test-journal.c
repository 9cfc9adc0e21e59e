/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl apply's journal (ctl/journal.h): round trip, and every bad input refused with its line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "testlib.h"

#define HEAD "archyctl-apply-journal 1\n"
#define HASHED HEAD "phase=planned\nnew-hash=0123456789abcdef\n"
#define GOOD HEAD "phase=stopped\nnew-hash=0123456789abcdef\nhad-old=yes\nstarted-at=1764700000\npid=42\n"

START_TEST(render_then_parse_is_the_same) {
        for (int p = 0; p < _APPLY_PHASE_MAX; p++) {
                struct apply_journal j = {
                        .phase = (enum apply_phase)p, .had_old = p % 2, .started_at = 1764700000 + p, .pid = 100 + p};
                journal_hash("apps: {}\n", 9, j.new_hash);
                char *text = journal_render(&j);
                ck_assert_ptr_nonnull(text);
                struct apply_journal back;
                char *error = NULL;
                ck_assert_int_eq(journal_parse(text, &back, &error), 0);
                ck_assert_ptr_null(error);
                ck_assert_int_eq(back.phase, j.phase);
                ck_assert_str_eq(back.new_hash, j.new_hash);
                ck_assert_int_eq(back.had_old, j.had_old);
                ck_assert_int_eq(back.started_at, j.started_at);
                ck_assert_int_eq(back.pid, j.pid);
                char *again = journal_render(&back);
                ck_assert_str_eq(again, text);
                free(again);
                free(text);
        }
}
END_TEST

START_TEST(good_text_parses) {
        struct apply_journal j;
        ck_assert_int_eq(journal_parse(GOOD, &j, NULL), 0);
        ck_assert_int_eq(j.phase, APPLY_STOPPED);
        ck_assert_str_eq(j.new_hash, "0123456789abcdef");
        ck_assert(j.had_old);
        ck_assert_int_eq(j.pid, 42);
}
END_TEST

START_TEST(phases_have_names) {
        static const char *const names[] = {"planned", "stopped", "installed", "reloaded", "started", "waited"};
        for (int p = 0; p < _APPLY_PHASE_MAX; p++) {
                enum apply_phase back;
                ck_assert_str_eq(apply_phase_to_string((enum apply_phase)p), names[p]);
                ck_assert_int_eq(apply_phase_from_string(names[p], &back), 0);
                ck_assert_int_eq(back, p);
        }
        enum apply_phase back;
        ck_assert_int_eq(apply_phase_from_string("done", &back), -EINVAL);
        ck_assert_str_eq(apply_phase_to_string(_APPLY_PHASE_MAX), "?");
}
END_TEST

START_TEST(hash_depends_on_every_byte) {
        char a[JOURNAL_HASH_HEX + 1], b[JOURNAL_HASH_HEX + 1], c[JOURNAL_HASH_HEX + 1];
        journal_hash("apps: {}\n", 9, a);
        journal_hash("apps: {} \n", 10, b);
        journal_hash("apps: {}\n", 9, c);
        ck_assert_str_ne(a, b);
        ck_assert_str_eq(a, c);
        ck_assert_uint_eq(strlen(a), JOURNAL_HASH_HEX);
}
END_TEST

static const struct {
        const char *text, *error;
} bad[] = {
        {"", "line 1: expected \"archyctl-apply-journal 1\" (an archyctl apply journal, format 1)"},
        {"archyctl-apply-journal 2\nphase=planned\n", "line 1: expected \"archyctl-apply-journal 1\""},
        {"phase=planned\n", "line 1: expected \"archyctl-apply-journal 1\""},
        {HEAD "phase=done\nnew-hash=0123456789abcdef\n", "line 2: phase: expected planned, stopped"},
        {HEAD "phase=planned\nnew-hash=0123\n", "line 3: new-hash: expected 16 lowercase hex digits, got \"0123\""},
        {HEAD "phase=planned\nnew-hash=0123456789ABCDEF\n", "line 3: new-hash: expected 16 lowercase hex digits"},
        {HEAD "phase=planned\nnew-hash=0123456789abcdef\nhad-old=maybe\n", "line 4: had-old: expected yes or no"},
        {HEAD "phase=planned\nnew-hash=0123456789abcdef\npid=-1\n", "line 4: pid: expected a number, got \"-1\""},
        {HEAD "phase=planned\nnew-hash=0123456789abcdef\nstarted-at=12x\n", "line 4: started-at: expected a number"},
        {HEAD "phase=planned\nnew-hash=0123456789abcdef\npid=99999999999999999999\n", "line 4: pid: expected a number"},
        {HEAD "phase=planned\nphase=stopped\nnew-hash=0123456789abcdef\n", "line 3: duplicate key \"phase\""},
        {HEAD "phase=planned\nplan=x\n", "line 3: unknown key \"plan\""},
        {HEAD "phase planned\n", "line 2: expected key=value, got \"phase planned\""},
        {HEAD "\n", "line 2: expected key=value, got \"\""},
        {HEAD "phase=planned\nnew-hash=0123456789abcdef", "line 3: the last line has no newline (a torn write?)"},
        {HEAD "new-hash=0123456789abcdef\n", "line 2: the key phase is missing"},
        {HEAD "phase=planned\n", "line 2: the key new-hash is missing"},
        {HASHED "rollback=\n", "line 4: rollback: expected app names separated by commas, each once"},
        {HASHED "rollback=a,\n", "line 4: rollback: expected app names"},
        {HASHED "rollback=,a\n", "line 4: rollback: expected app names"},
        {HASHED "rollback=a,,b\n", "line 4: rollback: expected app names"},
        {HASHED "rollback=a,a\n", "line 4: rollback: expected app names separated by commas, each once, got \"a,a\""},
        {HASHED "rollback=Wallet\n", "line 4: rollback: expected app names"},
        {HASHED "rollback=a b\n", "line 4: rollback: expected app names"},
        {HASHED "rollback-reason=x\n", "line 4: rollback-reason without rollback"},
        {HASHED "rollback=a\nrollback=b\n", "line 5: duplicate key \"rollback\""},
};

START_TEST(bad_input_names_its_line) {
        struct apply_journal j = {.phase = APPLY_WAITED};
        char *error = NULL;
        ck_assert_int_eq(journal_parse(bad[_i].text, &j, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        if (strncmp(error, bad[_i].error, strlen(bad[_i].error)) != 0)
                fprintf(stderr, "case %d: expected \"%s...\", got \"%s\"\n", _i, bad[_i].error, error);
        ck_assert(strncmp(error, bad[_i].error, strlen(bad[_i].error)) == 0);
        ck_assert_int_eq(j.phase, APPLY_WAITED); /* untouched */
        free(error);
        /* Without ret_error, the same refusal. */
        ck_assert_int_eq(journal_parse(bad[_i].text, &j, NULL), -EINVAL);
}
END_TEST

START_TEST(rollback_round_trip) {
        struct apply_journal j = {.phase = APPLY_INSTALLED, .had_old = true, .started_at = 1764700000, .pid = 7};
        journal_hash("x", 1, j.new_hash);
        ck_assert_int_eq(journal_add_rollback(&j, "wallet"), 0);
        ck_assert_int_eq(journal_add_rollback(&j, "lnd"), 0);
        journal_set_reason(&j, "wallet: not healthy\n(timeout)\t");
        ck_assert_str_eq(j.reason, "wallet: not healthy (timeout) ");
        char *text = journal_render(&j);
        ck_assert_ptr_nonnull(strstr(text, "\nrollback=wallet,lnd\nrollback-reason=wallet: not healthy (timeout) \n"));
        struct apply_journal back;
        char *error = NULL;
        ck_assert_int_eq(journal_parse(text, &back, &error), 0);
        ck_assert_ptr_null(error);
        ck_assert_str_eq(back.rollback, "wallet,lnd");
        ck_assert_str_eq(back.reason, j.reason);
        ck_assert(journal_rolls_back(&back, "wallet"));
        ck_assert(journal_rolls_back(&back, "lnd"));
        ck_assert(!journal_rolls_back(&back, "wall"));
        ck_assert(!journal_rolls_back(&back, "ln"));
        char *again = journal_render(&back);
        ck_assert_str_eq(again, text);
        free(again);
        free(text);
}
END_TEST

START_TEST(forward_journal_has_no_rollback_keys) {
        struct apply_journal j = {.phase = APPLY_WAITED};
        journal_hash("x", 1, j.new_hash);
        char *text = journal_render(&j);
        ck_assert_ptr_null(strstr(text, "rollback"));
        ck_assert(!journal_rolls_back(&j, "wallet"));
        free(text);
}
END_TEST

START_TEST(rollback_list_is_bounded) {
        struct apply_journal j = {0};
        char name[64];
        int r = 0, added = 0;
        for (int i = 0; r == 0; i++) {
                snprintf(name, sizeof name, "app-number-%04d-with-a-long-name", i % 10000);
                r = journal_add_rollback(&j, name);
                added += r == 0;
        }
        ck_assert_int_eq(r, -E2BIG);
        ck_assert_int_gt(added, 5);
        ck_assert_uint_lt(strlen(j.rollback), JOURNAL_ROLLBACK_MAX);
}
END_TEST

/* What a resume does with a journal: which copies it loads, and the step's name for the crash hook. */
START_TEST(resume_decisions) {
        struct apply_journal j = {.phase = APPLY_STOPPED, .had_old = true};
        const char *old_copy, *new_copy;
        char step[64];
        journal_copies(&j, &old_copy, &new_copy);
        ck_assert_str_eq(old_copy, "old.yaml");
        ck_assert_str_eq(new_copy, "new.yaml");
        journal_step_name(&j, step, sizeof step);
        ck_assert_str_eq(step, "stopped");
        j.had_old = false;
        journal_copies(&j, &old_copy, &new_copy);
        ck_assert_ptr_null(old_copy);
        /* a rollback: its own apply, from the failed update (new.yaml) to rollback.yaml */
        ck_assert_int_eq(journal_add_rollback(&j, "wallet"), 0);
        j.had_old = true;
        j.phase = APPLY_RELOADED;
        journal_copies(&j, &old_copy, &new_copy);
        ck_assert_str_eq(old_copy, "new.yaml");
        ck_assert_str_eq(new_copy, "rollback.yaml");
        journal_step_name(&j, step, sizeof step);
        ck_assert_str_eq(step, "rollback-reloaded");
}
END_TEST

Suite *journal_suite(void) {
        Suite *s = suite_create("journal");
        TCase *tc = tcase_create("journal");
        tcase_add_test(tc, render_then_parse_is_the_same);
        tcase_add_test(tc, good_text_parses);
        tcase_add_test(tc, phases_have_names);
        tcase_add_test(tc, hash_depends_on_every_byte);
        tcase_add_test(tc, rollback_round_trip);
        tcase_add_test(tc, forward_journal_has_no_rollback_keys);
        tcase_add_test(tc, rollback_list_is_bounded);
        tcase_add_test(tc, resume_decisions);
        tcase_add_loop_test(tc, bad_input_names_its_line, 0, (int)(sizeof bad / sizeof bad[0]));
        suite_add_tcase(s, tc);
        return s;
}
