/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which bitcoin.conf lines bitcoind's config reader refuses (bitcoin/bitcoin src/common/config.cpp,
 * GetConfigOptions; docs/contracts/bitcoin.md), one case per rule, and the bitcoin-conf render
 * leaving them out while it keeps every line bitcoind accepts. */
#include <stdlib.h>
#include <string.h>

#include "bitcoin-conf-syntax.h"
#include "config-render.h"
#include "testlib.h"

static enum btc_conf_line classify(const char *line) {
        struct btc_conf_scan s = {0};
        return btc_conf_classify(&s, line, strlen(line));
}

START_TEST(empty_blank_and_comment_lines_are_skipped) {
        ck_assert_int_eq(classify(""), BTC_CONF_EMPTY);
        ck_assert_int_eq(classify(" \t \r"), BTC_CONF_EMPTY);
        ck_assert_int_eq(classify("# a comment"), BTC_CONF_EMPTY);
        ck_assert_int_eq(classify("   # indented comment, no = matters: a=b"), BTC_CONF_EMPTY);
        ck_assert_int_eq(classify("#-dash after a hash"), BTC_CONF_EMPTY);
}
END_TEST

START_TEST(bracketed_line_is_a_section) {
        ck_assert_int_eq(classify("[main]"), BTC_CONF_SECTION);
        ck_assert_int_eq(classify("  [test]  # comment"), BTC_CONF_SECTION);
        ck_assert_int_eq(classify("[]"), BTC_CONF_SECTION);
        ck_assert_int_eq(classify("[signet]\r"), BTC_CONF_SECTION);
        /* not closed: no '=' makes it a parse error; with one, an option named "[main" */
        ck_assert_int_eq(classify("[main"), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(classify("[main=1"), BTC_CONF_OPTION);
}
END_TEST

START_TEST(leading_dash_is_refused) {
        ck_assert_int_eq(classify("-dbcache=450"), BTC_CONF_LEADING_DASH);
        ck_assert_int_eq(classify("  -txindex"), BTC_CONF_LEADING_DASH);
        ck_assert_int_eq(classify("-"), BTC_CONF_LEADING_DASH);
        ck_assert(btc_conf_refused(BTC_CONF_LEADING_DASH));
        ck_assert_str_eq(btc_conf_reason(BTC_CONF_LEADING_DASH),
                         "options in configuration file must be specified without leading -");
}
END_TEST

START_TEST(line_with_equals_is_an_option) {
        ck_assert_int_eq(classify("dbcache=450"), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("  txindex = 1  "), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("dbcache=450 # more cache"), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("="), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("unknownkey="), BTC_CONF_OPTION);      /* unknown keys are only logged */
        ck_assert_int_eq(classify("SGVsbG8gd29ybGQ="), BTC_CONF_OPTION); /* base64 with padding */
        ck_assert_int_eq(classify("a-b=c"), BTC_CONF_OPTION);            /* a dash later is no leading dash */
        ck_assert(!btc_conf_refused(BTC_CONF_OPTION));
        ck_assert_ptr_null(btc_conf_reason(BTC_CONF_OPTION));
}
END_TEST

START_TEST(any_other_line_is_a_parse_error) {
        ck_assert_int_eq(classify("txindex"), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(classify("notxindex"), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(classify("dGhpcyBpcyBnYXJiYWdl"), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(classify("dbcache 450 # the = is in the comment: a=b"), BTC_CONF_NOT_AN_OPTION);
        ck_assert(btc_conf_refused(BTC_CONF_NOT_AN_OPTION));
}
END_TEST

START_TEST(rpcpassword_with_a_hash_is_refused) {
        ck_assert_int_eq(classify("rpcpassword=abc#def"), BTC_CONF_RPCPASSWORD_HASH);
        ck_assert_int_eq(classify("rpcpassword=abc # comment"), BTC_CONF_RPCPASSWORD_HASH);
        ck_assert_int_eq(classify("main.rpcpassword=x#"), BTC_CONF_RPCPASSWORD_HASH);
        ck_assert_int_eq(classify("rpcpassword=abcdef"), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("rpcuser=abc#def"), BTC_CONF_OPTION);
        ck_assert_str_eq(btc_conf_reason(BTC_CONF_RPCPASSWORD_HASH),
                         "using # in rpcpassword can be ambiguous and should be avoided");
        /* bitcoind's name carries its section: "[rpcpassword]" then "x=1 #" holds it too */
        struct btc_conf_scan s = {0};
        ck_assert_int_eq(btc_conf_classify(&s, "[rpcpassword]", 13), BTC_CONF_SECTION);
        ck_assert_int_eq(btc_conf_classify(&s, "x=1 #", 5), BTC_CONF_RPCPASSWORD_HASH);
        ck_assert_int_eq(btc_conf_classify(&s, "x=1", 3), BTC_CONF_OPTION);
        ck_assert_int_eq(btc_conf_classify(&s, "[main]", 6), BTC_CONF_SECTION);
        ck_assert_int_eq(btc_conf_classify(&s, "x=1 #", 5), BTC_CONF_OPTION);
}
END_TEST

START_TEST(conf_option_is_refused) {
        ck_assert_int_eq(classify("conf=/etc/other.conf"), BTC_CONF_CONF_KEY);
        ck_assert_int_eq(classify(" conf = x "), BTC_CONF_CONF_KEY);
        ck_assert_int_eq(classify("noconf=1"), BTC_CONF_CONF_KEY);
        ck_assert_int_eq(classify("main.conf=x"), BTC_CONF_CONF_KEY);
        ck_assert_int_eq(classify("a.b.conf=x"), BTC_CONF_OPTION); /* the name is "b.conf" */
        ck_assert_int_eq(classify("includeconf=x"), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("confx=1"), BTC_CONF_OPTION);
        ck_assert(btc_conf_refused(BTC_CONF_CONF_KEY));
        struct btc_conf_scan s = {0};
        ck_assert_int_eq(btc_conf_classify(&s, "[test]", 6), BTC_CONF_SECTION);
        ck_assert_int_eq(btc_conf_classify(&s, "conf=x", 6), BTC_CONF_CONF_KEY); /* "test.conf" */
        ck_assert_int_eq(btc_conf_classify(&s, "x.conf=x", 8), BTC_CONF_OPTION); /* "test.x.conf" */
        ck_assert_int_eq(btc_conf_classify(&s, "[a.b]", 5), BTC_CONF_SECTION);
        ck_assert_int_eq(btc_conf_classify(&s, "conf=x", 6), BTC_CONF_OPTION); /* "a.b.conf" */
        ck_assert_int_eq(btc_conf_classify(&s, "[]", 2), BTC_CONF_SECTION);
        ck_assert_int_eq(btc_conf_classify(&s, "conf=x", 6), BTC_CONF_CONF_KEY); /* ".conf" */
}
END_TEST

START_TEST(nul_and_control_bytes_are_ordinary_bytes) {
        struct btc_conf_scan s = {0};
        /* bitcoind trims only " \t\r\n": a form feed, a vertical tab or a NUL is content */
        ck_assert_int_eq(btc_conf_classify(&s, "\f", 1), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(btc_conf_classify(&s, "\v", 1), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(btc_conf_classify(&s, "\0\0\0", 3), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(btc_conf_classify(&s, "\x01\x02\x7f", 3), BTC_CONF_NOT_AN_OPTION);
        ck_assert_int_eq(btc_conf_classify(&s, "\x1b[0m=1", 6), BTC_CONF_OPTION);
        ck_assert_int_eq(btc_conf_classify(&s,
                                           "dbcache=4\0"
                                           "50",
                                           12),
                         BTC_CONF_OPTION);
        ck_assert_int_eq(btc_conf_classify(&s, "\0-x=1", 5), BTC_CONF_OPTION); /* the NUL comes first */
}
END_TEST

START_TEST(crlf_lines_are_read_like_lf_lines) {
        ck_assert_int_eq(classify("dbcache=450\r"), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("\r"), BTC_CONF_EMPTY);
        ck_assert_int_eq(classify("[test]\r"), BTC_CONF_SECTION);
        ck_assert_int_eq(classify("garbage\r"), BTC_CONF_NOT_AN_OPTION);
        /* a lone '\r' inside a line ends nothing: only '\n' does */
        ck_assert_int_eq(classify("dbcache=1\rgarbage"), BTC_CONF_OPTION);
        ck_assert_int_eq(classify("garbage\rdbcache=1"), BTC_CONF_OPTION);
        ck_assert_int_eq(btc_conf_first_refused("a=1\r\nb=2\r\nnoise\r\n", 17, NULL, NULL, NULL), 3);
}
END_TEST

START_TEST(first_refused_line_is_numbered_as_bitcoind_counts) {
        const char *t = "# c\n\n[main]\ndbcache=450\n  -x=1\ngarbage\n";
        size_t start = 0, len = 0;
        enum btc_conf_line why = BTC_CONF_EMPTY;
        ck_assert_uint_eq(btc_conf_first_refused(t, strlen(t), &start, &len, &why), 5);
        ck_assert_uint_eq(start, strlen("# c\n\n[main]\ndbcache=450\n"));
        ck_assert_uint_eq(len, 6);
        ck_assert_int_eq(why, BTC_CONF_LEADING_DASH);
        ck_assert_uint_eq(btc_conf_first_refused("a=1\nb=2", 7, NULL, NULL, NULL), 0);
        ck_assert_uint_eq(btc_conf_first_refused("", 0, NULL, NULL, NULL), 0);
        ck_assert_uint_eq(btc_conf_first_refused("a=1\nlast", 8, NULL, NULL, NULL), 2); /* no final newline */
}
END_TEST

START_TEST(escaped_head_shows_control_bytes_and_is_cut) {
        char buf[64];
        btc_conf_escape_head("ab\\c\x01\xff", 6, 64, buf, sizeof(buf));
        ck_assert_str_eq(buf, "ab\\\\c\\x01\\xff");
        btc_conf_escape_head("abcdefgh", 8, 4, buf, sizeof(buf));
        ck_assert_str_eq(buf, "abcd...");
        btc_conf_escape_head("\x01\x02\x03\x04", 4, 64, buf, 12);
        ck_assert_str_eq(buf, "\\x01\\x02...");
        btc_conf_escape_head("", 0, 64, buf, sizeof(buf));
        ck_assert_str_eq(buf, "");
}
END_TEST

static char *render(const char *current) {
        static struct secret_value items[] = {{"pw", "password"}};
        static const struct secret_set secrets = {.items = items, .n = 1};
        struct derived d = {.kind = DERIVED_BITCOIN_CONF, .path = "/x/bitcoin.conf", .mode = 0640};
        d.bitcoin_conf = (struct derived_bitcoin_conf){.rpc_user = "archipelago", .secret = "pw"};
        struct render_input in = {.d = &d,
                                  .app = "node",
                                  .secrets = &secrets,
                                  .current = current,
                                  .current_len = strlen(current),
                                  .new_salt = "00112233445566778899aabbccddeeff"};
        char missing[SECRET_NAME_BUF] = "", *out = NULL;
        ck_assert_int_eq(derived_render(&in, &out, missing), 0);
        return out;
}

START_TEST(render_leaves_out_refused_lines_and_keeps_the_others) {
        char *out = render("dGhpcyBpcyBnYXJiYWdl\ndbcache=450\n-txindex=1\n[test]\nrpcpassword=a#b\nnoise\n"
                           "SGVsbG8=\nrpcport=1\nconf=/x\n");
        ck_assert_uint_eq(btc_conf_first_refused(out, strlen(out), NULL, NULL, NULL), 0);
        ck_assert(strncmp(out, "dbcache=450\n", 12) == 0);
        ck_assert_ptr_nonnull(strstr(out, "[test]\nSGVsbG8=\nrpcport=1\n"));
        ck_assert_ptr_null(strstr(out, "dGhpcyBpcyBnYXJiYWdl"));
        ck_assert_ptr_null(strstr(out, "-txindex"));
        ck_assert_ptr_null(strstr(out, "rpcpassword"));
        ck_assert_ptr_null(strstr(out, "noise"));
        ck_assert_ptr_null(strstr(out, "conf=/x"));
        ck_assert_ptr_nonnull(strstr(out, "rpcauth=archipelago:"));
        char *again = render(out);
        ck_assert_str_eq(again, out);
        free(again);
        free(out);
}
END_TEST

Suite *bitcoin_conf_syntax_suite(void) {
        Suite *s = suite_create("bitcoin_conf_syntax");
        TCase *tc = tcase_create("bitcoin_conf_syntax");
        tcase_add_test(tc, empty_blank_and_comment_lines_are_skipped);
        tcase_add_test(tc, bracketed_line_is_a_section);
        tcase_add_test(tc, leading_dash_is_refused);
        tcase_add_test(tc, line_with_equals_is_an_option);
        tcase_add_test(tc, any_other_line_is_a_parse_error);
        tcase_add_test(tc, rpcpassword_with_a_hash_is_refused);
        tcase_add_test(tc, conf_option_is_refused);
        tcase_add_test(tc, nul_and_control_bytes_are_ordinary_bytes);
        tcase_add_test(tc, crlf_lines_are_read_like_lf_lines);
        tcase_add_test(tc, first_refused_line_is_numbered_as_bitcoind_counts);
        tcase_add_test(tc, escaped_head_shows_control_bytes_and_is_cut);
        tcase_add_test(tc, render_leaves_out_refused_lines_and_keeps_the_others);
        suite_add_tcase(s, tc);
        return s;
}
