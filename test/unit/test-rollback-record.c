/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The record of a rollback (ctl/rollback-record.h) that archyctl status shows: round trip, and
 * every bad input refused with its line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rollback-record.h"
#include "testlib.h"

#define HEAD "archyctl-rolled-back 1\n"
#define GOOD HEAD "app=wallet\nat=1764700000\nreason=wallet: not healthy\nimage=main localhost/w:2 localhost/w:1\n"

START_TEST(render_then_parse_is_the_same) {
        struct rollback_record r = {.app = strdup("wallet"), .at = 1764700000, .reason = strdup("why: it failed")};
        ck_assert_int_eq(rollback_record_add_image(&r, "main", "localhost/w:2", "localhost/w:1"), 0);
        ck_assert_int_eq(rollback_record_add_image(&r, "ui", "docker.io/u@sha256:ab", "docker.io/u:1"), 0);
        char *text = rollback_record_render(&r);
        assert_text_eq(text,
                       HEAD "app=wallet\nat=1764700000\nreason=why: it failed\n"
                            "image=main localhost/w:2 localhost/w:1\nimage=ui docker.io/u@sha256:ab docker.io/u:1\n");
        struct rollback_record back;
        ck_assert_int_eq(rollback_record_parse(text, &back, NULL), 0);
        ck_assert_str_eq(back.app, "wallet");
        ck_assert_int_eq(back.at, 1764700000);
        ck_assert_str_eq(back.reason, "why: it failed");
        ck_assert_uint_eq(back.n_images, 2);
        ck_assert_str_eq(back.images[1].part, "ui");
        ck_assert_str_eq(back.images[1].from, "docker.io/u@sha256:ab");
        ck_assert_str_eq(back.images[1].to, "docker.io/u:1");
        char *again = rollback_record_render(&back);
        ck_assert_str_eq(again, text);
        free(again);
        free(text);
        rollback_record_done(&back);
        rollback_record_done(&r);
}
END_TEST

START_TEST(no_reason_is_empty) {
        struct rollback_record r;
        ck_assert_int_eq(rollback_record_parse(HEAD "app=a\nat=1\nimage=main localhost/a:2 localhost/a:1\n", &r, NULL),
                         0);
        ck_assert_str_eq(r.reason, "");
        rollback_record_done(&r);
}
END_TEST

static const struct {
        const char *text, *error;
} bad[] = {
        {"", "line 1: expected \"archyctl-rolled-back 1\" (an archyctl rollback record, format 1)"},
        {"archyctl-rolled-back 2\napp=a\n", "line 1: expected \"archyctl-rolled-back 1\" (an archyctl rollback record, "
                                            "format 1)"},
        {HEAD "app=a\nat=1\n", "line 3: app, at and an image are required"},
        {HEAD "app=a\nimage=main localhost/a:2 localhost/a:1\n", "line 3: app, at and an image are required"},
        {HEAD "app=A\n", "line 2: app: expected an app name, got \"A\""},
        {HEAD "app=a\napp=b\n", "line 3: duplicate key \"app\""},
        {HEAD "at=soon\n", "line 2: at: expected seconds, got \"soon\""},
        {HEAD "colour=red\n", "line 2: unknown key \"colour\""},
        {HEAD "no equals\n", "line 2: expected key=value, got \"no equals\""},
        {HEAD "image=main localhost/a:2\n", "line 2: image: expected PART FROM-IMAGE TO-IMAGE"},
        {HEAD "image=main localhost/a:2 localhost/a:1 extra\n", "line 2: image: expected PART FROM-IMAGE TO-IMAGE"},
        {HEAD "image=main local\"host localhost/a:1\n", "line 2: image: expected PART FROM-IMAGE TO-IMAGE"},
        {HEAD "app=a\nat=1", "line 3: the last line has no newline (a torn write?)"},
};

START_TEST(bad_records_are_refused_with_their_line) {
        struct rollback_record r;
        char *error = NULL;
        ck_assert_int_eq(rollback_record_parse(bad[_i].text, &r, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        assert_text_eq(error, bad[_i].error);
        free(error);
        ck_assert_int_eq(rollback_record_parse(bad[_i].text, &r, NULL), -EINVAL);
}
END_TEST

START_TEST(good_text_parses) {
        struct rollback_record r;
        ck_assert_int_eq(rollback_record_parse(GOOD, &r, NULL), 0);
        ck_assert_str_eq(r.images[0].from, "localhost/w:2");
        rollback_record_done(&r);
}
END_TEST

Suite *rollback_record_suite(void) {
        Suite *s = suite_create("rollback-record");
        TCase *tc = tcase_create("record");
        tcase_add_test(tc, render_then_parse_is_the_same);
        tcase_add_test(tc, no_reason_is_empty);
        tcase_add_test(tc, good_text_parses);
        tcase_add_loop_test(tc, bad_records_are_refused_with_their_line, 0, (int)ELEMENTSOF(bad));
        suite_add_tcase(s, tc);
        return s;
}
