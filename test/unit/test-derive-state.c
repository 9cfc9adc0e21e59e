/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-derive's drift counters: parsed, counted, pruned, written back. */
#include <stdlib.h>
#include <string.h>

#include "derive-state.h"
#include "testlib.h"

static const char GOOD[] = "# archy-derive state: see archy-derive(8)\n"
                           "lnd 3 2 /var/lib/archipelago/lnd/lnd.conf\n"
                           "mempool 1 1 /etc/nginx/a file with spaces.conf\n";

START_TEST(test_round_trip) {
        struct derive_state s;
        ck_assert_int_eq(derive_state_parse(GOOD, strlen(GOOD), &s), 0);
        ck_assert_uint_eq(s.n_files, 2);
        ck_assert_str_eq(s.files[0].app, "lnd");
        ck_assert_uint_eq(s.files[0].found, 3);
        ck_assert_uint_eq(s.files[0].repaired, 2);
        ck_assert_str_eq(s.files[1].path, "/etc/nginx/a file with spaces.conf");
        ck_assert_int_eq(derive_state_count(&s, "lnd", "/var/lib/archipelago/lnd/lnd.conf", true), 0);
        ck_assert_int_eq(derive_state_count(&s, "bitcoin-knots", "/b.conf", false), 0);
        char *text = derive_state_format(&s);
        assert_text_eq(text, "# archy-derive state: see archy-derive(8)\n"
                             "lnd 4 3 /var/lib/archipelago/lnd/lnd.conf\n"
                             "mempool 1 1 /etc/nginx/a file with spaces.conf\n"
                             "bitcoin-knots 1 0 /b.conf\n");
        free(text);
        derive_state_done(&s);
}
END_TEST

static bool not_mempool(const char *app, void *userdata) {
        (void)userdata;
        return strcmp(app, "mempool") != 0;
}

START_TEST(test_prune) {
        struct derive_state s;
        ck_assert_int_eq(derive_state_parse(GOOD, strlen(GOOD), &s), 0);
        ck_assert_uint_eq(derive_state_prune(&s, not_mempool, NULL), 1);
        ck_assert_uint_eq(s.n_files, 1);
        ck_assert_str_eq(s.files[0].app, "lnd");
        derive_state_done(&s);
}
END_TEST

START_TEST(test_malformed) {
        /* each bad line is skipped, the good ones kept */
        static const char text[] = "lnd 1 2 /repaired-more-than-found\n"
                                   "lnd 1 1 relative/path\n"
                                   "Lnd 1 1 /bad-app-name\n"
                                   "lnd -1 0 /negative\n"
                                   "lnd 1 1\n"
                                   "lnd 1 1 /twice\n"
                                   "lnd 1 1 /twice\n"
                                   "lnd 99999999999999999999 0 /too-big\n"
                                   "lnd 2 1 /kept\n";
        struct derive_state s;
        ck_assert_int_eq(derive_state_parse(text, strlen(text), &s), 7);
        ck_assert_uint_eq(s.n_files, 2);
        ck_assert_str_eq(s.files[0].path, "/twice");
        ck_assert_str_eq(s.files[1].path, "/kept");
        derive_state_done(&s);
        /* a NUL byte ends the text: counted as a bad line */
        ck_assert_int_eq(derive_state_parse("lnd 1 1 /a\n\0lnd 1 1 /b\n", 23, &s), 1);
        ck_assert_uint_eq(s.n_files, 1);
        derive_state_done(&s);
}
END_TEST

Suite *derive_state_suite(void) {
        Suite *s = suite_create("derive-state");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_prune);
        tcase_add_test(tc, test_malformed);
        suite_add_tcase(s, tc);
        return s;
}
