/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decimal numbers: digits only, within the caller's maximum. */
#include <errno.h>
#include <limits.h>

#include "parse-number.h"
#include "testlib.h"

START_TEST(digits_up_to_max_are_numbers) {
        unsigned long long v = 7;
        ck_assert_int_eq(parse_unsigned("0", 10, &v), 0);
        ck_assert_uint_eq(v, 0);
        ck_assert_int_eq(parse_unsigned("65535", 65535, &v), 0);
        ck_assert_uint_eq(v, 65535);
        ck_assert_int_eq(parse_unsigned("007", 10, &v), 0);
        ck_assert_uint_eq(v, 7);
        ck_assert_int_eq(parse_unsigned("18446744073709551615", ULLONG_MAX, &v), 0);
        ck_assert_uint_eq(v, ULLONG_MAX);
        /* Only the first len bytes count. */
        ck_assert_int_eq(parse_decimal("8332/tcp", 4, 65535, &v), 0);
        ck_assert_uint_eq(v, 8332);
}
END_TEST

START_TEST(anything_else_is_refused_and_leaves_ret) {
        unsigned long long v = 7;
        const char *bad[] = {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "12a", "١"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(parse_unsigned(bad[i], ULLONG_MAX, &v) == -EINVAL, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(parse_unsigned("65536", 65535, &v), -EINVAL);
        ck_assert_int_eq(parse_unsigned("18446744073709551616", ULLONG_MAX, &v), -EINVAL);
        ck_assert_int_eq(parse_unsigned("99999999999999999999", ULLONG_MAX, &v), -EINVAL);
        ck_assert_int_eq(parse_unsigned("000000000000000000001", ULLONG_MAX, &v), -EINVAL); /* 21 digits */
        ck_assert_int_eq(parse_decimal("8332", 0, 65535, &v), -EINVAL);
        ck_assert_uint_eq(v, 7);
}
END_TEST

Suite *parse_number_suite(void) {
        Suite *s = suite_create("parse-number");
        TCase *tc = tcase_create("decimal");
        tcase_add_test(tc, digits_up_to_max_are_numbers);
        tcase_add_test(tc, anything_else_is_refused_and_leaves_ret);
        suite_add_tcase(s, tc);
        return s;
}
