/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rpcauth as bitcoind computes and reads it; vectors from Bitcoin Core's test/functional/rpc_users.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcauth.h"
#include "testlib.h"

static const struct {
        const char *user, *password, *salt, *hmac;
} vectors[] = {
        {"rt", "cA773lm788buwYe4g4WT+05pKyNruVKjQ25x3n0DQcM=", "93648e835a54c573682c2eb19f882535",
         "7681e9c5b74bdd85e78166031d2058e1069b3ed7ed967c93fc63abba06f31144"},
        {"user1", "bitcoin", "6dd184e5e69271fdd69103464630014f",
         "eb3d7ce67c4d1ff3564270519b03b636c0291012692a5fa3dd1d2075daedd07b"},
        {"user2", "bitcoin", "57b2f77c919eece63cfa46c2f06e46ae",
         "266b63902f99f97eeaab882d4a87f8667ab84435c3799f2ce042ef5a994d620b"},
};

static bool matches(const char *value, const char *user, const char *password) {
        return rpcauth_matches(value, strlen(value), user, password);
}

static char *vector_value(size_t i) {
        char *v;
        ck_assert_int_ge(asprintf(&v, "%s:%s$%s", vectors[i].user, vectors[i].salt, vectors[i].hmac), 0);
        return v;
}

START_TEST(hmac_matches_bitcoin_core_vectors) {
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                char out[RPCAUTH_HMAC_HEX_LEN + 1];
                ck_assert_int_eq(rpcauth_hmac(vectors[i].salt, strlen(vectors[i].salt), vectors[i].password, out), 0);
                ck_assert_str_eq(out, vectors[i].hmac);
        }
}
END_TEST

START_TEST(vectors_validate_their_password) {
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ char *v = vector_value(i);
                ck_assert_msg(matches(v, vectors[i].user, vectors[i].password), "vector %zu", i);
        }
}
END_TEST

START_TEST(wrong_password_or_user_does_not_match) {
        _cleanup_free_ char *v = vector_value(1);
        ck_assert(!matches(v, "user1", "bitcoin2"));
        ck_assert(!matches(v, "user1", ""));
        ck_assert(!matches(v, "user1", "bitcoi"));
        ck_assert(!matches(v, "user2", "bitcoin"));
        ck_assert(!matches(v, "user", "bitcoin"));
        ck_assert(!matches(v, "user10", "bitcoin"));
}
END_TEST

START_TEST(corrupted_or_truncated_hmac_does_not_match) {
        _cleanup_free_ char *v = vector_value(0);
        char *last = v + strlen(v) - 1;
        char saved = *last;

        *last = saved == '0' ? '1' : '0';
        ck_assert(!matches(v, "rt", vectors[0].password));
        *last = saved;
        ck_assert(matches(v, "rt", vectors[0].password));

        /* A prefix of the right hmac must not pass as the whole. */
        ck_assert(!rpcauth_matches(v, strlen(v) - 1, "rt", vectors[0].password));
}
END_TEST

/* bitcoind compares HexStr() output, always lowercase, byte for byte (src/httprpc.cpp,
 * CheckUserAuthorized), so an uppercase hmac locks the user out there and must not pass here. */
START_TEST(uppercase_hmac_does_not_match) {
        _cleanup_free_ char *v = vector_value(2);
        for (char *c = strchr(v, '$'); *c; c++)
                if (*c >= 'a' && *c <= 'f')
                        *c = (char)(*c - 'a' + 'A');
        ck_assert(!matches(v, "user2", "bitcoin"));
}
END_TEST

START_TEST(salt_is_used_as_text) {
        /* Same password, the salt spelled in uppercase: another key, another hmac. */
        char lower[RPCAUTH_HMAC_HEX_LEN + 1], upper[RPCAUTH_HMAC_HEX_LEN + 1];
        ck_assert_int_eq(rpcauth_hmac("abcdef", 6, "pw", lower), 0);
        ck_assert_int_eq(rpcauth_hmac("ABCDEF", 6, "pw", upper), 0);
        ck_assert_str_ne(lower, upper);
        /* Only salt_len bytes of the salt are the key. */
        char part[RPCAUTH_HMAC_HEX_LEN + 1];
        ck_assert_int_eq(rpcauth_hmac("abcdef$junk", 6, "pw", part), 0);
        ck_assert_str_eq(part, lower);
}
END_TEST

START_TEST(parse_splits_fields) {
        const char *s = "alice:0011$beef";
        struct rpcauth_value v;
        ck_assert_int_eq(rpcauth_parse(s, strlen(s), &v), 0);
        ck_assert_ptr_eq(v.user, s);
        ck_assert_uint_eq(v.user_len, 5);
        ck_assert_ptr_eq(v.salt, s + 6);
        ck_assert_uint_eq(v.salt_len, 4);
        ck_assert_ptr_eq(v.hmac, s + 11);
        ck_assert_uint_eq(v.hmac_len, 4);

        /* bitcoind splits on '$' only after ':', so the user may hold one. */
        const char *d = "a$b:salt$hmac";
        ck_assert_int_eq(rpcauth_parse(d, strlen(d), &v), 0);
        ck_assert_uint_eq(v.user_len, 3);
        ck_assert_uint_eq(v.salt_len, 4);

        /* len bounds the value; what follows is not looked at. */
        const char *t = "u:s$h:extra";
        ck_assert_int_eq(rpcauth_parse(t, 5, &v), 0);
        ck_assert_uint_eq(v.hmac_len, 1);
}
END_TEST

START_TEST(malformed_values_are_rejected) {
        static const char *const bad[] = {
                "",
                "user",
                "usersalt$hmac",
                "u:s:salt$hmac",
                "user:salt$hmac:",
                "user:salthmac",
                "user:salt$$hmac",
                "user:s$al$t",
                ":salt$hmac",
                "user:$hmac",
                "user:salt$",
                ":$",
                "$:",
                "user$salt:hmac",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct rpcauth_value v = {0};
                ck_assert_msg(rpcauth_parse(bad[i], strlen(bad[i]), &v) == -EINVAL, "accepted \"%s\"", bad[i]);
                ck_assert_ptr_null(v.user);
                ck_assert(!matches(bad[i], "user", "pw"));
        }
}
END_TEST

START_TEST(format_then_match_round_trip) {
        char salt[RPCAUTH_SALT_HEX_LEN + 1];
        ck_assert_int_eq(rpcauth_new_salt(salt), 0);
        _cleanup_free_ char *v = rpcauth_format("archy", salt, "s3cret pass#word:$");
        ck_assert_ptr_nonnull(v);
        ck_assert_uint_eq(strlen(v), strlen("archy:") + RPCAUTH_SALT_HEX_LEN + 1 + RPCAUTH_HMAC_HEX_LEN);
        ck_assert(strncmp(v, "archy:", 6) == 0);
        ck_assert(matches(v, "archy", "s3cret pass#word:$"));
        ck_assert(!matches(v, "archy", "s3cret pass#word:"));

        _cleanup_free_ char *known = rpcauth_format(vectors[0].user, vectors[0].salt, vectors[0].password);
        _cleanup_free_ char *expected = vector_value(0);
        ck_assert_str_eq(known, expected);
}
END_TEST

START_TEST(format_refuses_what_bitcoind_would_misread) {
        static const char *const bad_users[] = {"", "a:b", "a#b", "a\nb", " a", "a ", "a\r"};
        for (size_t i = 0; i < ELEMENTSOF(bad_users); i++) {
                errno = 0;
                ck_assert_ptr_null(rpcauth_format(bad_users[i], "00ff", "pw"));
                ck_assert_int_eq(errno, EINVAL);
        }
        static const char *const bad_salts[] = {"", "a$b", "a:b", "a#b", "a\n"};
        for (size_t i = 0; i < ELEMENTSOF(bad_salts); i++) {
                errno = 0;
                ck_assert_ptr_null(rpcauth_format("user", bad_salts[i], "pw"));
                ck_assert_int_eq(errno, EINVAL);
        }
        _cleanup_free_ char *dollar_user = rpcauth_format("a$b", "00ff", "pw");
        ck_assert_ptr_nonnull(dollar_user);
        ck_assert(matches(dollar_user, "a$b", "pw"));
}
END_TEST

START_TEST(new_salt_is_lowercase_hex_and_random) {
        char a[RPCAUTH_SALT_HEX_LEN + 1], b[RPCAUTH_SALT_HEX_LEN + 1];
        ck_assert_int_eq(rpcauth_new_salt(a), 0);
        ck_assert_int_eq(rpcauth_new_salt(b), 0);
        ck_assert_uint_eq(strlen(a), RPCAUTH_SALT_HEX_LEN);
        ck_assert_uint_eq(strspn(a, "0123456789abcdef"), RPCAUTH_SALT_HEX_LEN);
        ck_assert_uint_eq(strspn(b, "0123456789abcdef"), RPCAUTH_SALT_HEX_LEN);
        ck_assert_str_ne(a, b);
}
END_TEST

static bool line_value(const char *line, const char *expected) {
        const char *v = NULL;
        size_t n = 0;
        if (!rpcauth_line_value(line, strlen(line), &v, &n))
                return expected == NULL;
        return expected && n == strlen(expected) && memcmp(v, expected, n) == 0;
}

START_TEST(line_value_reads_like_bitcoind) {
        ck_assert(line_value("rpcauth=u:s$h", "u:s$h"));
        ck_assert(line_value("rpcauth = u:s$h", "u:s$h"));
        ck_assert(line_value("  \trpcauth  =\tu:s$h  \r", "u:s$h"));
        ck_assert(line_value("rpcauth=", ""));
        /* '#' starts a comment anywhere on a line, as in bitcoind's GetConfigOptions. */
        ck_assert(line_value("rpcauth=u:s$h # ours", "u:s$h"));
        ck_assert(line_value("#rpcauth=u:s$h", NULL));
        ck_assert(line_value("  # rpcauth=u:s$h", NULL));
        ck_assert(line_value("rpcauthx=u:s$h", NULL));
        ck_assert(line_value("xrpcauth=u:s$h", NULL));
        ck_assert(line_value("rpc auth=u:s$h", NULL));
        ck_assert(line_value("-rpcauth=u:s$h", NULL));
        ck_assert(line_value("rpcuser=u", NULL));
        ck_assert(line_value("rpcauth", NULL));
        ck_assert(line_value("", NULL));
        /* The first '=' ends the name; later ones belong to the value. */
        ck_assert(line_value("rpcauth=u:s$h=", "u:s$h="));

        /* len bounds the line. */
        const char *v;
        size_t n;
        ck_assert(rpcauth_line_value("rpcauth=u:s$hXXX", 13, &v, &n));
        ck_assert_uint_eq(n, 5);
}
END_TEST

static bool for_user(const char *line, const char *user) {
        return rpcauth_line_is_for_user(line, strlen(line), user);
}

START_TEST(line_is_for_user_only_for_that_user) {
        _cleanup_free_ char *v = vector_value(1);
        _cleanup_free_ char *line = NULL;
        ck_assert_int_ge(asprintf(&line, "  rpcauth = %s  ", v), 0);
        ck_assert(for_user(line, "user1"));
        ck_assert(!for_user(line, "user"));
        ck_assert(!for_user(line, "user10"));
        ck_assert(!for_user(line, "user2"));

        ck_assert(for_user("rpcauth=user:s$h", "user"));
        ck_assert(!for_user("rpcauth=user:s$h", "user1"));
        ck_assert(!for_user("rpcauth=user1:s$h", "user"));
        ck_assert(for_user("\trpcauth=user:s$h", "user"));
        ck_assert(!for_user("#rpcauth=user:s$h", "user"));
        ck_assert(!for_user("# rpcauth=user:s$h", "user"));
        ck_assert(!for_user("rpcauth=other:s$h", "user"));
        ck_assert(!for_user("rpcauth=user :s$h", "user"));
        ck_assert(!for_user("rpcuser=user", "user"));
        ck_assert(!for_user("rpcauth=user", "user"));
        ck_assert(!for_user("rpcauth=", "user"));
        /* A broken line of ours is still ours, so it can be replaced rather than left to stop bitcoind. */
        ck_assert(for_user("rpcauth=user:garbage", "user"));
        ck_assert(for_user("rpcauth=user:", "user"));

        /* The value a line carries is what rpcauth_matches checks. */
        const char *value;
        size_t n;
        ck_assert(rpcauth_line_value(line, strlen(line), &value, &n));
        ck_assert(rpcauth_matches(value, n, "user1", "bitcoin"));
}
END_TEST

Suite *rpcauth_suite(void) {
        Suite *s = suite_create("rpcauth");
        TCase *tc = tcase_create("rpcauth");
        tcase_add_test(tc, hmac_matches_bitcoin_core_vectors);
        tcase_add_test(tc, vectors_validate_their_password);
        tcase_add_test(tc, wrong_password_or_user_does_not_match);
        tcase_add_test(tc, corrupted_or_truncated_hmac_does_not_match);
        tcase_add_test(tc, uppercase_hmac_does_not_match);
        tcase_add_test(tc, salt_is_used_as_text);
        tcase_add_test(tc, parse_splits_fields);
        tcase_add_test(tc, malformed_values_are_rejected);
        tcase_add_test(tc, format_then_match_round_trip);
        tcase_add_test(tc, format_refuses_what_bitcoind_would_misread);
        tcase_add_test(tc, new_salt_is_lowercase_hex_and_random);
        tcase_add_test(tc, line_value_reads_like_bitcoind);
        tcase_add_test(tc, line_is_for_user_only_for_that_user);
        suite_add_tcase(s, tc);
        return s;
}
