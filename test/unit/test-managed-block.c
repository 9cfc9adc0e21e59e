/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The block archy-derive owns in bitcoin.conf: found, replaced in place, repaired, never touching the
 * user's own lines. */
#include <stdlib.h>
#include <string.h>

#include "managed-block.h"
#include "rpcauth.h"
#include "testlib.h"

#define B BLOCK_BEGIN "\n"
#define E BLOCK_END "\n"

static char *compose(const char *text, const char *body, block_drop_fn drop, void *userdata) {
        char *s = block_compose(text, strlen(text), body, drop, userdata);
        ck_assert_ptr_nonnull(s);
        return s;
}

#define ck_assert_compose(text, body, expected)                                                                        \
        do {                                                                                                           \
                char *_c = compose(text, body, NULL, NULL);                                                            \
                ck_assert_str_eq(_c, expected);                                                                        \
                free(_c);                                                                                              \
        } while (0)

static enum block_state find(const char *text, const char **body, size_t *body_len) {
        return block_find(text, strlen(text), body, body_len);
}

START_TEST(absent_block_is_appended) {
        const char *body = (const char *)1;
        size_t body_len = 42;
        ck_assert_int_eq(find("server=1\n# BEGIN archy-derive\n", &body, &body_len), BLOCK_ABSENT);
        ck_assert_ptr_eq(body, (const char *)1);
        ck_assert_uint_eq(body_len, 42);

        ck_assert_compose("server=1\ntxindex=1\n", "rpcauth=a:s$h\n", "server=1\ntxindex=1\n" B "rpcauth=a:s$h\n" E);
        ck_assert_compose("server=1\ntxindex=1", "rpcauth=a:s$h\n", "server=1\ntxindex=1\n" B "rpcauth=a:s$h\n" E);
        ck_assert_compose("", "rpcauth=a:s$h\n", B "rpcauth=a:s$h\n" E);
        ck_assert_compose("", "", B E);
        ck_assert_compose("\n", "x=1\n", "\n" B "x=1\n" E);
        ck_assert_int_eq(find("", NULL, NULL), BLOCK_ABSENT);
}
END_TEST

START_TEST(intact_block_is_replaced_in_place) {
        const char *text = "# mine\r\nserver=1\n\n" B "old=1\n" E "txindex=1 # trailing\n  # tail";
        const char *body;
        size_t body_len;
        ck_assert_int_eq(find(text, &body, &body_len), BLOCK_INTACT);
        ck_assert_uint_eq(body_len, strlen("old=1\n"));
        ck_assert(memcmp(body, "old=1\n", body_len) == 0);

        ck_assert_compose(text, "new=2\nnew=3\n",
                          "# mine\r\nserver=1\n\n" B "new=2\nnew=3\n" E "txindex=1 # trailing\n  # tail");
        ck_assert_compose(text, "", "# mine\r\nserver=1\n\n" B E "txindex=1 # trailing\n  # tail");

        /* Block first, block last, nothing else. */
        ck_assert_compose(B "a\n" E "user=1\n", "b\n", B "b\n" E "user=1\n");
        ck_assert_compose("user=1\n" B "a\n" E, "b\n", "user=1\n" B "b\n" E);
        ck_assert_compose(B E, "b\n", B "b\n" E);
}
END_TEST

START_TEST(empty_block_has_empty_body) {
        const char *body = NULL;
        size_t body_len = 42;
        ck_assert_int_eq(find("x\n" B E "y\n", &body, &body_len), BLOCK_INTACT);
        ck_assert_uint_eq(body_len, 0);
        ck_assert_ptr_nonnull(body);
        ck_assert_int_eq(find("x\n" B E "y\n", NULL, NULL), BLOCK_INTACT);
}
END_TEST

START_TEST(compose_with_found_body_is_idempotent) {
        static const char *const texts[] = {
                B E,
                B "a\n" E,
                "u\n" B "a\nb\n" E "v\n",
                "u\n" B "a\nb\n" E "v",
                "u\n" B "a\n" BLOCK_END,
                "u\n" B "a\n" BLOCK_END "\r\n",
                "u\r\n" BLOCK_BEGIN " \t\r\na\r\n" BLOCK_END "\t\r\nv\r\n",
                "\n\n" B "\n\n" E "\n\n",
                "# " BLOCK_BEGIN "\n" B "x\n" E "#" BLOCK_END "\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                const char *body;
                size_t body_len;
                ck_assert_msg(find(texts[i], &body, &body_len) == BLOCK_INTACT, "text %zu", i);
                char *copy = strndup(body, body_len);
                ck_assert_ptr_nonnull(copy);
                char *again = compose(texts[i], copy, NULL, NULL);
                ck_assert_msg(strcmp(again, texts[i]) == 0, "text %zu came back as \"%s\"", i, again);
                free(again);
                free(copy);
        }
}
END_TEST

START_TEST(hand_edit_inside_block_is_returned_as_is) {
        const char *text = "server=1\n" B "rpcauth=archy:s$h\nrpcallowip=0.0.0.0/0   \n" E;
        const char *body;
        size_t body_len;
        ck_assert_int_eq(find(text, &body, &body_len), BLOCK_INTACT);
        const char *edited = "rpcauth=archy:s$h\nrpcallowip=0.0.0.0/0   \n";
        ck_assert_uint_eq(body_len, strlen(edited));
        ck_assert(memcmp(body, edited, body_len) == 0);

        /* The caller sees the drift and composes its own body back. */
        ck_assert_compose(text, "rpcauth=archy:s$h\n", "server=1\n" B "rpcauth=archy:s$h\n" E);
}
END_TEST

START_TEST(damaged_block_loses_only_its_markers) {
        static const struct {
                const char *text, *expected;
        } cases[] = {
                /* lone BEGIN */
                {"a\n" B "old=1\nb\n", "a\nold=1\nb\n" B "new=1\n" E},
                /* lone BEGIN, last line unterminated */
                {"a\n" B "b", "a\nb\n" B "new=1\n" E},
                /* lone END */
                {"a\nold=1\n" E "b\n", "a\nold=1\nb\n" B "new=1\n" E},
                /* lone END, last line */
                {"a\n" BLOCK_END, "a\n" B "new=1\n" E},
                /* END before BEGIN */
                {"a\n" E "old=1\n" B "b\n", "a\nold=1\nb\n" B "new=1\n" E},
                /* two BEGINs */
                {B "old=1\n" B "old=2\n" E "b\n", "old=1\nold=2\nb\n" B "new=1\n" E},
                /* two ENDs */
                {B "old=1\n" E "x\n" E, "old=1\nx\n" B "new=1\n" E},
                /* two whole blocks */
                {B "old=1\n" E B "old=2\n" E, "old=1\nold=2\n" B "new=1\n" E},
                /* CRLF markers count as markers here too */
                {"a\r\n" BLOCK_BEGIN "\r\n"
                 "b\r\n",
                 "a\r\nb\r\n" B "new=1\n" E},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *body = (const char *)1;
                ck_assert_msg(find(cases[i].text, &body, NULL) == BLOCK_DAMAGED, "case %zu", i);
                ck_assert_ptr_eq(body, (const char *)1);
                char *c = compose(cases[i].text, "new=1\n", NULL, NULL);
                ck_assert_msg(strcmp(c, cases[i].expected) == 0, "case %zu gave \"%s\"", i, c);
                /* Repaired in one step: the result is intact and stays as is. */
                ck_assert_int_eq(find(c, NULL, NULL), BLOCK_INTACT);
                char *again = compose(c, "new=1\n", NULL, NULL);
                ck_assert_str_eq(again, c);
                free(again);
                free(c);
        }
}
END_TEST

struct drop_ctx {
        const char *user;
        unsigned calls;
};

static bool drop_stale_rpcauth(const char *line, size_t len, void *userdata) {
        struct drop_ctx *ctx = userdata;
        ctx->calls++;
        ck_assert_ptr_null(memchr(line, '\n', len));
        return rpcauth_line_is_for_user(line, len, ctx->user);
}

START_TEST(drop_removes_user_lines_but_never_the_body) {
        const char *text = "server=1\n"
                           "rpcauth=archy:stale$0000\n"
                           "  rpcauth = archy:older$1111 # by hand\n"
                           "rpcauth=archy1:keep$2222\n" B "rpcauth=archy:old$3333\n" E "rpcauth=other:keep$4444\n"
                           "rpcauth=archy:last$5555";
        struct drop_ctx ctx = {.user = "archy"};
        char *c = compose(text, "rpcauth=archy:new$6666\n", drop_stale_rpcauth, &ctx);
        ck_assert_str_eq(c, "server=1\n"
                            "rpcauth=archy1:keep$2222\n" B "rpcauth=archy:new$6666\n" E "rpcauth=other:keep$4444\n");
        /* Only the user lines were offered: six of them, none from inside the block. */
        ck_assert_uint_eq(ctx.calls, 6);
        free(c);

        /* Absent block: the dropped lines go, the block is appended. */
        ctx.calls = 0;
        c = compose("rpcauth=archy:stale$0000\nserver=1\nrpcauth=archy:x$1", "rpcauth=archy:new$6666\n",
                    drop_stale_rpcauth, &ctx);
        ck_assert_str_eq(c, "server=1\n" B "rpcauth=archy:new$6666\n" E);
        ck_assert_uint_eq(ctx.calls, 3);
        free(c);

        /* Damaged block: its old body lines are user lines now, so a stale one of ours goes too. */
        ctx.calls = 0;
        c = compose("server=1\n" B "rpcauth=archy:old$3333\ntxindex=1\n", "rpcauth=archy:new$6666\n",
                    drop_stale_rpcauth, &ctx);
        ck_assert_str_eq(c, "server=1\ntxindex=1\n" B "rpcauth=archy:new$6666\n" E);
        ck_assert_uint_eq(ctx.calls, 3);
        free(c);

        /* Everything dropped: no stray empty line before the block. */
        c = compose("rpcauth=archy:a$1", "x\n", drop_stale_rpcauth, &ctx);
        ck_assert_str_eq(c, B "x\n" E);
        free(c);
}
END_TEST

START_TEST(crlf_and_trailing_blanks_on_markers_are_recognised) {
        const char *text = "a\r\n" BLOCK_BEGIN "\r\n"
                           "x=1\r\n" BLOCK_END " \t \r\n"
                           "b\r\n";
        const char *body;
        size_t body_len;
        ck_assert_int_eq(find(text, &body, &body_len), BLOCK_INTACT);
        ck_assert_uint_eq(body_len, strlen("x=1\r\n"));
        ck_assert(memcmp(body, "x=1\r\n", body_len) == 0);
        ck_assert_compose(text, "y=2\n",
                          "a\r\n" BLOCK_BEGIN "\r\n"
                          "y=2\n" BLOCK_END " \t \r\n"
                          "b\r\n");

        /* Anything else around a marker makes it a user line. */
        ck_assert_int_eq(find(" " B "x\n" E, NULL, NULL), BLOCK_DAMAGED);
        ck_assert_int_eq(find(B "x\n" BLOCK_END "!\n", NULL, NULL), BLOCK_DAMAGED);
        ck_assert_int_eq(find(BLOCK_END "x\n", NULL, NULL), BLOCK_ABSENT);
        ck_assert_int_eq(find("#" BLOCK_BEGIN "\n", NULL, NULL), BLOCK_ABSENT);
}
END_TEST

START_TEST(body_without_final_newline_still_closes_the_block) {
        ck_assert_compose("a\n", "x=1", "a\n" B "x=1\n" E);
        ck_assert_compose("a\n" B "old\n" E "b\n", "x=1", "a\n" B "x=1\n" E "b\n");
        ck_assert_compose("a\n" B "old\n" E "b\n", NULL, "a\n" B E "b\n");
        ck_assert_compose("a\n", NULL, "a\n" B E);
}
END_TEST

START_TEST(len_bounds_the_text) {
        const char *text = "a\n" B "x\n" E "tail" B;
        size_t len = strlen(text) - strlen("tail" B);
        ck_assert_int_eq(block_find(text, len, NULL, NULL), BLOCK_INTACT);
        char *c = block_compose(text, len, "y\n", NULL, NULL);
        ck_assert_str_eq(c, "a\n" B "y\n" E);
        free(c);
        c = block_compose(NULL, 0, "y\n", NULL, NULL);
        ck_assert_str_eq(c, B "y\n" E);
        free(c);
}
END_TEST

static bool drop_secret(const char *line, size_t len, void *userdata) {
        return len >= 7 && memcmp(line, "secret=", 7) == 0;
}

#define ck_assert_remove(text, len, expected)                                                                          \
        do {                                                                                                           \
                size_t _n = 99;                                                                                        \
                char *_r = block_remove(text, len, drop_secret, NULL, &_n);                                            \
                ck_assert_ptr_nonnull(_r);                                                                             \
                ck_assert_str_eq(_r, expected);                                                                        \
                ck_assert_uint_eq(_n, strlen(expected));                                                               \
                free(_r);                                                                                              \
        } while (0)

START_TEST(remove_keeps_only_user_lines) {
        const char *t = "a=1\n" B "secret=x\nb=2\n" E "c=3";
        ck_assert_remove(t, strlen(t), "a=1\nc=3");
        t = B "x\n" E;
        ck_assert_remove(t, strlen(t), "");
        t = "a=1\nsecret=outside\n";
        ck_assert_remove(t, strlen(t), "a=1\n");
        t = "a=1\n" B "secret=x\nkept=damaged\n"; /* damaged: only markers and dropped lines go */
        ck_assert_remove(t, strlen(t), "a=1\nkept=damaged\n");
        ck_assert_remove("", 0, "");
        /* removing twice is removing once */
        t = "a=1\n" B "b\n" E "c\n";
        size_t n;
        char *once = block_remove(t, strlen(t), NULL, NULL, &n);
        char *twice = block_remove(once, n, NULL, NULL, &n);
        ck_assert_str_eq(once, "a=1\nc\n");
        ck_assert_str_eq(twice, once);
        free(once);
        free(twice);
}
END_TEST

START_TEST(nul_bytes_are_removed_and_nothing_else) {
        static const char cases[][2][32] = {
                {"a=1\0\0\nb=2\n", "a=1\nb=2\n"},
                {"\0\0\0a=1\n", "a=1\n"},
                {"a=1\n\0\0\0\0\0\0\0", "a=1\n"},
                {"\0\0\0\0", ""},
        };
        static const size_t lens[] = {11, 7, 11, 4};
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                size_t n = 99;
                char *r = text_without_nul(cases[i][0], lens[i], &n);
                ck_assert_ptr_nonnull(r);
                ck_assert_str_eq(r, cases[i][1]);
                ck_assert_uint_eq(n, strlen(cases[i][1]));
                free(r);
        }
}
END_TEST

/* A NUL byte is not a line end: block_find and block_compose carry text by length. */
START_TEST(nul_inside_the_text_does_not_cut_it) {
        static const char t[] = "a=1\0x\n" B "y\n" E "tail\n";
        size_t len = sizeof(t) - 1;
        ck_assert_int_eq(block_find(t, len, NULL, NULL), BLOCK_INTACT);
        size_t n;
        char *r = block_remove(t, len, NULL, NULL, &n);
        ck_assert_uint_eq(n, 11);
        ck_assert(memcmp(r, "a=1\0x\ntail\n", 11) == 0);
        free(r);
}
END_TEST

Suite *managed_block_suite(void) {
        Suite *s = suite_create("managed_block");
        TCase *tc = tcase_create("managed_block");
        tcase_add_test(tc, absent_block_is_appended);
        tcase_add_test(tc, intact_block_is_replaced_in_place);
        tcase_add_test(tc, empty_block_has_empty_body);
        tcase_add_test(tc, compose_with_found_body_is_idempotent);
        tcase_add_test(tc, hand_edit_inside_block_is_returned_as_is);
        tcase_add_test(tc, damaged_block_loses_only_its_markers);
        tcase_add_test(tc, drop_removes_user_lines_but_never_the_body);
        tcase_add_test(tc, crlf_and_trailing_blanks_on_markers_are_recognised);
        tcase_add_test(tc, body_without_final_newline_still_closes_the_block);
        tcase_add_test(tc, len_bounds_the_text);
        tcase_add_test(tc, remove_keeps_only_user_lines);
        tcase_add_test(tc, nul_bytes_are_removed_and_nothing_else);
        tcase_add_test(tc, nul_inside_the_text_does_not_cut_it);
        suite_add_tcase(s, tc);
        return s;
}
