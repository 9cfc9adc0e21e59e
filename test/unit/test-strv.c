/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String vectors: NULL-terminated, owned strings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "testlib.h"

START_TEST(push_keeps_the_vector_terminated) {
        _cleanup_strv_ char **v = NULL;
        size_t n = 0;
        ck_assert_uint_eq(strv_length(v), 0);
        ck_assert_int_eq(strv_push(&v, &n, strdup("a")), 0);
        ck_assert_int_eq(strv_push(&v, &n, strdup("b")), 0);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(strv_length(v), 2);
        ck_assert_ptr_null(v[2]);
        ck_assert_int_eq(strv_contains(v, "b"), 1);
        ck_assert_int_eq(strv_contains(v, "c"), 0);
        /* A failed allocation of the string itself is reported, the vector is unchanged. */
        ck_assert_int_eq(strv_push(&v, &n, NULL), -ENOMEM);
        ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(add_unique_copies_once) {
        _cleanup_strv_ char **v = NULL;
        size_t n = 0;
        char unit[] = "archy-x.service";
        ck_assert_int_eq(strv_add_unique(&v, &n, unit), 1);
        ck_assert_int_eq(strv_add_unique(&v, &n, "archy-x.service"), 0);
        ck_assert_int_eq(strv_add_unique(&v, &n, "archy-y.service"), 1);
        ck_assert_uint_eq(n, 2);
        ck_assert_ptr_ne(v[0], unit);
        ck_assert_str_eq(v[0], "archy-x.service");
        ck_assert_str_eq(v[1], "archy-y.service");
        ck_assert_ptr_null(v[2]);
}
END_TEST

Suite *strv_suite(void) {
        Suite *s = suite_create("strv");
        TCase *tc = tcase_create("strv");
        tcase_add_test(tc, push_keeps_the_vector_terminated);
        tcase_add_test(tc, add_unique_copies_once);
        suite_add_tcase(s, tc);
        return s;
}
