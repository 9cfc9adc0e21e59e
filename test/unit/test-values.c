/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "macro.h"
#include "strbuf.h"
#include "suggest.h"
#include "testlib.h"
#include "values.h"

START_TEST(names_follow_the_conservative_pattern) {
        ck_assert(name_valid("bitcoin-knots"));
        ck_assert(name_valid("a"));
        ck_assert(name_valid("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl"));   /* 48 */
        ck_assert(!name_valid("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm")); /* 49 */
        ck_assert(!name_valid(""));
        ck_assert(!name_valid("Bitcoin"));
        ck_assert(!name_valid("1app"));
        ck_assert(!name_valid("-app"));
        ck_assert(!name_valid("app_x"));
        ck_assert(!name_valid("../etc"));
        ck_assert(!name_valid("a%n"));
        ck_assert(!name_valid("a b"));
}
END_TEST

START_TEST(image_references) {
        ck_assert(image_ref_valid("docker.io/lightninglabs/lnd:v0.18.4-beta"));
        ck_assert(image_ref_valid("localhost/busybox:test"));
        ck_assert(image_ref_valid("ghcr.io/x/y@sha256:0123abcd"));
        ck_assert(!image_ref_valid(""));
        ck_assert(!image_ref_valid("-v/etc:/x"));
        ck_assert(!image_ref_valid("busybox --privileged"));
        ck_assert(!image_ref_valid("busybox%n"));
        ck_assert(!image_ref_valid("busybox$HOME"));
}
END_TEST

START_TEST(absolute_paths_are_normalized) {
        ck_assert(abs_path_valid("/run/archipelago/env/electrumx.env"));
        ck_assert(abs_path_valid("/"));
        ck_assert(!abs_path_valid("relative/path"));
        ck_assert(!abs_path_valid("/a/../etc/shadow"));
        ck_assert(!abs_path_valid("/a/./b"));
        ck_assert(!abs_path_valid("/a//b"));
        ck_assert(!abs_path_valid("/a/b/"));
        ck_assert(!abs_path_valid("/a b"));
        ck_assert(!abs_path_valid("/a:b"));
        ck_assert(!abs_path_valid("/a%h"));
        ck_assert(!abs_path_valid("/.."));
}
END_TEST

START_TEST(durations) {
        unsigned s;
        ck_assert_int_eq(duration_parse("30", &s), 0);
        ck_assert_uint_eq(s, 30);
        ck_assert_int_eq(duration_parse("30s", &s), 0);
        ck_assert_uint_eq(s, 30);
        ck_assert_int_eq(duration_parse("10m", &s), 0);
        ck_assert_uint_eq(s, 600);
        ck_assert_int_eq(duration_parse("10min", &s), 0);
        ck_assert_uint_eq(s, 600);
        ck_assert_int_eq(duration_parse("24h", &s), 0);
        ck_assert_uint_eq(s, 86400);
        ck_assert_int_eq(duration_parse("25h", &s), -EINVAL);
        ck_assert_int_eq(duration_parse("0s", &s), -EINVAL);
        ck_assert_int_eq(duration_parse("", &s), -EINVAL);
        ck_assert_int_eq(duration_parse("s", &s), -EINVAL);
        ck_assert_int_eq(duration_parse("1.5s", &s), -EINVAL);
        ck_assert_int_eq(duration_parse("-1s", &s), -EINVAL);
        ck_assert_int_eq(duration_parse("99999999999s", &s), -EINVAL);
}
END_TEST

START_TEST(ports) {
        struct port p;
        ck_assert_int_eq(port_parse("127.0.0.1:8332:8332", &p), 0);
        ck_assert_str_eq(p.host_ip, "127.0.0.1");
        ck_assert_uint_eq(p.host_port, 8332);
        ck_assert_str_eq(p.proto, "tcp");
        port_done(&p);
        ck_assert_int_eq(port_parse("8333:18333/udp", &p), 0);
        ck_assert_ptr_null(p.host_ip);
        ck_assert_uint_eq(p.container_port, 18333);
        ck_assert_str_eq(p.proto, "udp");
        port_done(&p);
        ck_assert_int_lt(port_parse("8332", &p), 0);
        ck_assert_int_lt(port_parse("0:80", &p), 0);
        ck_assert_int_lt(port_parse("65536:80", &p), 0);
        ck_assert_int_lt(port_parse("80:80/sctp", &p), 0);
        ck_assert_int_lt(port_parse("localhost:80:80", &p), 0);
        ck_assert_int_lt(port_parse("1.2.3.4.5:80:80", &p), 0);
        ck_assert_int_lt(port_parse(":80:80", &p), 0);
        ck_assert_int_lt(port_parse("80:80 --privileged", &p), 0);
}
END_TEST

START_TEST(mounts) {
        struct mount m;
        ck_assert_int_eq(mount_parse("bitcoin-data:/data", &m), 0);
        ck_assert_int_eq(m.kind, MOUNT_NAMED_VOLUME);
        ck_assert(!m.read_only);
        mount_done(&m);
        ck_assert_int_eq(mount_parse("/var/lib/x:/x:ro", &m), 0);
        ck_assert_int_eq(m.kind, MOUNT_HOST_PATH);
        ck_assert(m.read_only);
        mount_done(&m);
        ck_assert_int_lt(mount_parse("data", &m), 0);
        ck_assert_int_lt(mount_parse("data:relative", &m), 0);
        ck_assert_int_lt(mount_parse("data:/", &m), 0);
        ck_assert_int_lt(mount_parse("../x:/x", &m), 0);
        ck_assert_int_lt(mount_parse("/a/../b:/x", &m), 0);
        ck_assert_int_lt(mount_parse("data:/x:rx", &m), 0);
        ck_assert_int_lt(mount_parse("Data:/x", &m), 0);
}
END_TEST

START_TEST(suggestions_catch_typos_only) {
        static const char *const keys[] = {"image", "command", "volumes", "ports", NULL};
        ck_assert_str_eq(suggest_closest("imgae", keys), "image");
        ck_assert_str_eq(suggest_closest("port", keys), "ports");
        ck_assert_str_eq(suggest_closest("comand", keys), "command");
        ck_assert_ptr_null(suggest_closest("restart", keys));
        ck_assert_uint_eq(edit_distance("abc", "abc"), 0);
        ck_assert_uint_eq(edit_distance("ab", "ba"), 1);
}
END_TEST

START_TEST(messages_show_control_characters_escaped) {
        char buf[64];
        ck_assert_str_eq(value_for_message("a\nb\"c", 5, buf, sizeof(buf)), "a\\nb\\\"c");
        ck_assert_str_eq(value_for_message("x\x01", 2, buf, sizeof(buf)), "x\\x01");
        char longbuf[16];
        ck_assert_uint_le(strlen(value_for_message("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 30, longbuf, sizeof(longbuf))),
                          15);
}
END_TEST

/* Byte strings libyaml never hands over (its reader refuses them) still meet the validator when
 * it is called on other text: every C0, DEL and C1 control and every kind of broken UTF-8. */
START_TEST(text_refuses_c0_c1_controls_and_invalid_utf8) {
        size_t at = 99;
        uint32_t ch = 0;
        ck_assert(text_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0", 17));
        ck_assert_int_eq(text_check("ab\tc", 4, &at, &ch), TEXT_C0_CONTROL);
        ck_assert_uint_eq(at, 2);
        ck_assert_uint_eq(ch, '\t');
        ck_assert_int_eq(text_check("a\x7f", 2, &at, &ch), TEXT_C0_CONTROL);
        ck_assert_int_eq(text_check("a\xc2\x85"
                                    "b",
                                    4, &at, &ch),
                         TEXT_C1_CONTROL);
        ck_assert_uint_eq(at, 1);
        ck_assert_uint_eq(ch, 0x85);
        ck_assert_int_eq(text_check("\xc2\x80", 2, &at, &ch), TEXT_C1_CONTROL);
        ck_assert_int_eq(text_check("\xc2\x9f", 2, &at, &ch), TEXT_C1_CONTROL);
        ck_assert(text_valid("\xc2\xa0", 2)); /* U+00A0, the first character after C1 */
        static const struct {
                const char *s;
                size_t at;
        } broken[] = {
                {"ab\xff", 2},           /* never a UTF-8 byte */
                {"a\x85", 1},            /* a raw C1 byte: a lone continuation byte */
                {"\xc2", 0},             /* truncated */
                {"\xe2\x82", 0},         /* truncated */
                {"\xc0\xaf", 0},         /* overlong '/' */
                {"\xe0\x80\xaf", 0},     /* overlong '/' */
                {"\xed\xa0\x80", 0},     /* a surrogate, U+D800 */
                {"\xf4\x90\x80\x80", 0}, /* beyond U+10FFFF */
                {"x\xc3(", 1},           /* a lead byte without its continuation */
        };
        for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
                ck_assert_msg(text_check(broken[i].s, strlen(broken[i].s), &at, &ch) == TEXT_BAD_UTF8, "case %zu", i);
                ck_assert_uint_eq(at, broken[i].at);
                ck_assert_uint_eq(ch, (unsigned char)broken[i].s[broken[i].at]);
        }
        char buf[64];
        ck_assert_str_eq(value_for_message("a\xc2\x85\xff\xc3\xa9", 6, buf, sizeof(buf)), "a\\xc2\\x85\\xff\xc3\xa9");
}
END_TEST

START_TEST(derived_settings_accept_only_what_needs_no_quoting) {
        ck_assert(rpc_user_valid("archipelago") && rpc_user_valid("a_b.c-9"));
        ck_assert(!rpc_user_valid("") && !rpc_user_valid("a:b") && !rpc_user_valid("a b") && !rpc_user_valid("é"));
        ck_assert(host_port_valid("archy-bitcoin-knots:8332") && host_port_valid("127.0.0.1:1"));
        ck_assert(!host_port_valid("host") && !host_port_valid(":80") && !host_port_valid("h:0") &&
                  !host_port_valid("h:65536") && !host_port_valid("H:80") && !host_port_valid("h;x:80"));
        ck_assert(url_path_valid("/") && url_path_valid("/apps/mempool/"));
        ck_assert(!url_path_valid("apps") && !url_path_valid("/a b") && !url_path_valid("/a;b") &&
                  !url_path_valid("/a{b"));
        ck_assert(part_list_valid("main") && part_list_valid("main ui"));
        ck_assert(!part_list_valid("") && !part_list_valid("main  ui") && !part_list_valid(" main") &&
                  !part_list_valid("main ") && !part_list_valid("Main"));
}
END_TEST

START_TEST(owner_and_mode) {
        unsigned uid, gid, mode;
        ck_assert_int_eq(owner_parse("0:0", &uid, &gid), 0);
        ck_assert_int_eq(owner_parse("1000:999", &uid, &gid), 0);
        ck_assert_uint_eq(uid, 1000);
        ck_assert_uint_eq(gid, 999);
        ck_assert_int_lt(owner_parse("4294967295:0", &uid, &gid), 0); /* (uid_t)-1: "unchanged" */
        ck_assert_int_lt(owner_parse("root:root", &uid, &gid), 0);
        ck_assert_int_lt(owner_parse("1000", &uid, &gid), 0);
        ck_assert_int_lt(owner_parse(":0", &uid, &gid), 0);
        ck_assert_int_eq(mode_parse("0640", &mode), 0);
        ck_assert_uint_eq(mode, 0640);
        ck_assert_int_eq(mode_parse("600", &mode), 0);
        ck_assert_uint_eq(mode, 0600);
        ck_assert_int_lt(mode_parse("0200", &mode), 0);
        ck_assert_int_lt(mode_parse("4755", &mode), 0);
        ck_assert_int_lt(mode_parse("0648", &mode), 0);
        ck_assert_int_lt(mode_parse("64", &mode), 0);
}
END_TEST

START_TEST(secret_references) {
        size_t at;
        ck_assert(secret_refs_valid("plain $HOME $ {x}", &at));
        ck_assert(secret_refs_valid("http://u:${secret:rpc-pass}@h:1/${secret:b}", &at));
        ck_assert(!secret_refs_valid("a${secret:Upper}", &at));
        ck_assert_uint_eq(at, 1);
        ck_assert(!secret_refs_valid("${HOME}", &at));
        ck_assert(!secret_refs_valid("${secret:unterminated", &at));
        ck_assert(!secret_refs_valid("${secret:}", &at));
        char name[SECRET_REF_NAME_MAX];
        const char *after, *value = "u:${secret:rpc-pass}@h";
        ck_assert_ptr_eq(secret_ref_next(value, name, &after), value + 2);
        ck_assert_str_eq(name, "rpc-pass");
        ck_assert_str_eq(after, "@h");
        ck_assert_ptr_null(secret_ref_next(after, name, &after));
        ck_assert_ptr_nonnull(secret_ref_next("${HOME}", name, &after));
        ck_assert_ptr_null(after);
}
END_TEST

START_TEST(secret_reference_forms) {
        char name[SECRET_REF_NAME_MAX], form[SECRET_REF_NAME_MAX];
        enum secret_form f;
        const char *after, *value = "http://u:${secret:rpc:url}@h/${secret:b}";
        size_t at;
        ck_assert(secret_refs_valid(value, &at));
        ck_assert_ptr_eq(secret_ref_next_form(value, name, &f, &after), value + 9);
        ck_assert_str_eq(name, "rpc");
        ck_assert_int_eq(f, SECRET_FORM_URL);
        ck_assert_ptr_nonnull(secret_ref_next_form(after, name, &f, &after));
        ck_assert_str_eq(name, "b");
        ck_assert_int_eq(f, SECRET_FORM_PLAIN);
        /* the plain reader names the secret of a url form too (what derived_for_each_secret needs) */
        ck_assert_ptr_nonnull(secret_ref_next("${secret:rpc:url}", name, &after));
        ck_assert_str_eq(name, "rpc");
        ck_assert(!secret_refs_valid("${secret:rpc:URL}", &at));
        ck_assert(!secret_refs_valid("${secret:rpc:}", &at));
        ck_assert(!secret_refs_valid("${secret:rpc:url:x}", &at));
        ck_assert(!secret_refs_valid("${secret:Rpc:url}", &at));
        ck_assert(secret_ref_form_unknown("${secret:rpc:base64}", form));
        ck_assert_str_eq(form, "base64");
        ck_assert(secret_ref_form_unknown("${secret:rpc:}", form));
        ck_assert_str_eq(form, "");
        ck_assert(!secret_ref_form_unknown("${secret:rpc:url}", form));
        ck_assert(!secret_ref_form_unknown("${secret:Rpc:x}", form));
        ck_assert(!secret_ref_form_unknown("${secret:rpc}", form));
        ck_assert(!secret_ref_form_unknown("${secret:rpc:x", form));
        size_t at2, len;
        ck_assert(content_refs_valid("a ${secret:rpc:url} $$", &at2, &len));
        ck_assert(!content_refs_valid("a ${secret:rpc:uri}", &at2, &len));
        ck_assert_uint_eq(at2, 2);
}
END_TEST

START_TEST(secret_url_encoding) {
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        secret_url_encode("aZ09-._~/?#@%,:!&\\\"'+=;", &sb);
        ck_assert_str_eq(strbuf_str(&sb), "aZ09-._~%2F%3F%23%40%25%2C%3A%21%26%5C%22%27%2B%3D%3B");
}
END_TEST

Suite *values_suite(void) {
        Suite *s = suite_create("values");
        TCase *tc = tcase_create("values");
        tcase_add_test(tc, names_follow_the_conservative_pattern);
        tcase_add_test(tc, image_references);
        tcase_add_test(tc, secret_reference_forms);
        tcase_add_test(tc, secret_url_encoding);
        tcase_add_test(tc, text_refuses_c0_c1_controls_and_invalid_utf8);
        tcase_add_test(tc, absolute_paths_are_normalized);
        tcase_add_test(tc, durations);
        tcase_add_test(tc, ports);
        tcase_add_test(tc, mounts);
        tcase_add_test(tc, suggestions_catch_typos_only);
        tcase_add_test(tc, messages_show_control_characters_escaped);
        tcase_add_test(tc, derived_settings_accept_only_what_needs_no_quoting);
        tcase_add_test(tc, owner_and_mode);
        tcase_add_test(tc, secret_references);
        suite_add_tcase(s, tc);
        return s;
}
