/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fast paths of the generator (bench/): each must give what the slow path it replaces gave. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "../fuzz/pieces.h"
#include "testlib.h"
#include "unit-escape.h"
#include "yaml-node.h"

/* strbuf_printf() (format_simple() for the conversions it knows, vsnprintf for the rest) against
 * snprintf, for the same format and arguments. */
#define CHECK_LIKE_SNPRINTF(...)                                                                                       \
        do {                                                                                                           \
                char want[512];                                                                                        \
                snprintf(want, sizeof(want), __VA_ARGS__);                                                             \
                _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;                                                       \
                strbuf_puts(&sb, "x");                                                                                 \
                strbuf_printf(&sb, __VA_ARGS__);                                                                       \
                ck_assert_str_eq(strbuf_str(&sb) + 1, want);                                                           \
                ck_assert_uint_eq(sb.len, strlen(want) + 1);                                                           \
        } while (0)

START_TEST(strbuf_printf_is_snprintf) {
        CHECK_LIKE_SNPRINTF("plain text, no conversion");
        CHECK_LIKE_SNPRINTF("%s=%s\n", "NAME", "value");
        CHECK_LIKE_SNPRINTF("%.3s|%.0s|%.10s", "abcdef", "gone", "short");
        CHECK_LIKE_SNPRINTF("%u:%u %zu %lu %d %d %d", 0u, UINT_MAX, (size_t)SIZE_MAX, 12345ul, -7, INT_MIN, INT_MAX);
        CHECK_LIKE_SNPRINTF("100%% %c%c", 'o', 'k');
        CHECK_LIKE_SNPRINTF("%s|%s", "", "");
        /* Conversions format_simple() leaves to vsnprintf, also after some it did itself. */
        CHECK_LIKE_SNPRINTF("%s then \\u%04x and %5u", "text", 0x1fu, 42u);
        CHECK_LIKE_SNPRINTF("%x %-4s|", 255u, "ab");
        /* Longer than the first reservation. */
        char big[300];
        memset(big, 'b', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        CHECK_LIKE_SNPRINTF("[%s] %u", big, 7u);
        CHECK_LIKE_SNPRINTF("[%s] %04u", big, 7u);
}
END_TEST

/* ykeyf() against snprintf into a short buffer: cut, never overflowed (the cut is the point). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#define CHECK_KEY_LIKE_SNPRINTF(...)                                                                                   \
        do {                                                                                                           \
                char want[16], got[16];                                                                                \
                snprintf(want, sizeof(want), __VA_ARGS__);                                                             \
                ykeyf(got, sizeof(got), __VA_ARGS__);                                                                  \
                ck_assert_str_eq(got, want);                                                                           \
        } while (0)

START_TEST(ykeyf_is_snprintf_cut) {
        CHECK_KEY_LIKE_SNPRINTF("%s.%s", "apps", "bitcoin");
        CHECK_KEY_LIKE_SNPRINTF("%s.%s", "apps.bitcoin", "containers");
        CHECK_KEY_LIKE_SNPRINTF("%s[%zu]", "apps.a", (size_t)1234567);
        CHECK_KEY_LIKE_SNPRINTF("%s[%zu]", "apps.bitcoin.x", (size_t)12);
        CHECK_KEY_LIKE_SNPRINTF("%s.%.64s", "env", "VARIABLE_NAME");
        CHECK_KEY_LIKE_SNPRINTF("%s.%.4s", "env", "VARIABLE_NAME");
        CHECK_KEY_LIKE_SNPRINTF("%s%s%s", "", "", "top");
        CHECK_KEY_LIKE_SNPRINTF("%s %#x", "a", 10u);
}
END_TEST

START_TEST(assignment_is_the_joined_word) {
        const char *values[] = {"plain", "", "with space", "a;b", "100%", "$HOME", "q\"uo\\te", "it's", "=x="};
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                _cleanup_strbuf_ struct strbuf joined = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
                strbuf_printf(&joined, "NAME=%s", values[i]);
                unit_append_word(&want, strbuf_str(&joined));
                unit_append_assignment(&got, "NAME", values[i]);
                ck_assert_str_eq(strbuf_str(&got), strbuf_str(&want));
        }
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        unit_append_raw(&sb, "curl -fsS http://x/%n?$a \"q\"");
        ck_assert_str_eq(strbuf_str(&sb), "curl -fsS http://x/%%n?$$a \"q\"");
}
END_TEST

/* required_by: the apps that name an app in requires, each once, in manifest order. */
START_TEST(required_by_in_manifest_order) {
        struct diag_list diags = {0};
        _cleanup_manifest_ struct manifest *m = parse_text("version: 1\n"
                                                           "apps:\n"
                                                           "  z-last:\n"
                                                           "    requires: [hub, mid]\n"
                                                           "    containers: {main: {image: docker.io/library/a:1}}\n"
                                                           "  hub:\n"
                                                           "    containers: {main: {image: docker.io/library/a:1}}\n"
                                                           "  mid:\n"
                                                           "    requires: [hub]\n"
                                                           "    containers: {main: {image: docker.io/library/a:1}}\n"
                                                           "  a-first:\n"
                                                           "    requires: [hub]\n"
                                                           "    containers: {main: {image: docker.io/library/a:1}}\n",
                                                           &diags);
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(diags.n, 0);
        const struct app *hub = manifest_find_app(m, "hub"), *mid = manifest_find_app(m, "mid");
        ck_assert_uint_eq(hub->n_required_by, 3);
        ck_assert_str_eq(hub->required_by[0]->name, "z-last");
        ck_assert_str_eq(hub->required_by[1]->name, "mid");
        ck_assert_str_eq(hub->required_by[2]->name, "a-first");
        ck_assert_uint_eq(mid->n_required_by, 1);
        ck_assert_str_eq(mid->required_by[0]->name, "z-last");
        ck_assert_uint_eq(manifest_find_app(m, "a-first")->n_required_by, 0);
        diag_list_free(&diags);
}
END_TEST

/* Pieces of `step` bytes (../fuzz/pieces.h) that fail (and say so) from byte `fail_at` on. */
struct piece_reader {
        struct text_pieces text;
        size_t fail_at;
        bool failed;
        struct diag_list *diags;
};

static int read_pieces(void *data, unsigned char *buf, size_t size, size_t *got) {
        struct piece_reader *r = data;
        if (r->text.at >= r->fail_at) {
                diag_add(r->diags, NULL, 0, 0, "cannot read the manifest: test failure");
                r->failed = true;
                return 0;
        }
        return read_text_pieces(&r->text, buf, size, got);
}

static char *parse_in_pieces(const char *text, size_t step, size_t fail_at, bool *ok) {
        struct diag_list diags = {0};
        struct piece_reader r = {{(const unsigned char *)text, strlen(text), 0, step}, fail_at, false, &diags};
        struct manifest *m = manifest_parse_reader(read_pieces, &r, &r.failed, "test.yaml", &diags);
        *ok = m != NULL;
        manifest_free(m);
        char *joined = diags_joined(&diags);
        diag_list_free(&diags);
        return joined;
}

/* Read in pieces, a manifest gives what the whole text gives: the same problems at the same
 * places; a reader that fails is reported in its own words only. */
START_TEST(reader_is_the_text) {
        static const char *const texts[] = {
                "version: 1\napps:\n  web:\n    containers:\n      main: {image: localhost/x:1, bogus: 1}\n",
                "version: 1\napps:\n  web:\n    containers: [\n",
                "version: 1\napps:\n  web: {}\n  web: {}\n",
                "version: 1\n---\nversion: 1\n",
                "",
        };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct diag_list diags = {0};
                struct manifest *m = parse_text(texts[i], &diags);
                _cleanup_free_ char *want = diags_joined(&diags);
                for (size_t step = 1; step <= 7; step += 3) {
                        bool ok;
                        _cleanup_free_ char *got = parse_in_pieces(texts[i], step, SIZE_MAX, &ok);
                        ck_assert_str_eq(got, want);
                        ck_assert_int_eq(ok, m != NULL);
                }
                manifest_free(m);
                diag_list_free(&diags);
        }
        bool ok;
        _cleanup_free_ char *got = parse_in_pieces(texts[0], 5, 20, &ok);
        ck_assert(!ok);
        ck_assert_str_eq(got, "test.yaml: cannot read the manifest: test failure\n");
}
END_TEST

/* A node of many apps: the nodes of the apps parsed so far are freed while the later ones are
 * parsed (ydoc_release()); every app is still parsed from its own nodes. */
START_TEST(many_apps_parse_while_released) {
        _cleanup_strbuf_ struct strbuf text = STRBUF_INIT;
        strbuf_puts(&text, "version: 1\napps:\n");
        for (unsigned i = 0; i < 400; i++)
                strbuf_printf(&text,
                              "  app-%u:\n    requires: [%s]\n    containers:\n      main:\n"
                              "        image: localhost/x-%u:1\n        env: {A: \"%u\", B: b}\n",
                              i, i ? "app-0" : "", i, i);
        strbuf_puts(&text, "  app-0: {containers: {main: {image: localhost/again:1}}}\n");
        struct diag_list diags = {0};
        _cleanup_manifest_ struct manifest *m = parse_text(strbuf_str(&text), &diags);
        /* the duplicate at the end is found before anything is parsed or released */
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(diags.n, 1);
        ck_assert_str_eq(diags.items[0].text, "test.yaml:2403:3: apps: duplicate key \"app-0\" (first at line 3)");
        diag_list_free(&diags);

        text.len -= strlen("  app-0: {containers: {main: {image: localhost/again:1}}}\n");
        text.data[text.len] = '\0';
        _cleanup_manifest_ struct manifest *ok = parse_text(strbuf_str(&text), &diags);
        ck_assert_ptr_nonnull(ok);
        ck_assert_uint_eq(diags.n, 0);
        ck_assert_uint_eq(ok->n_apps, 400);
        for (unsigned i = 0; i < 400; i++) {
                char want[64];
                snprintf(want, sizeof(want), "localhost/x-%u:1", i);
                ck_assert_str_eq(ok->apps[i].containers[0].image, want);
                snprintf(want, sizeof(want), "%u", i);
                ck_assert_str_eq(ok->apps[i].containers[0].env[0].value, want);
        }
        ck_assert_uint_eq(manifest_find_app(ok, "app-0")->n_required_by, 399);
        diag_list_free(&diags);
}
END_TEST

Suite *speed_suite(void) {
        Suite *s = suite_create("speed");
        TCase *tc = tcase_create("speed");
        tcase_add_test(tc, strbuf_printf_is_snprintf);
        tcase_add_test(tc, ykeyf_is_snprintf_cut);
        tcase_add_test(tc, assignment_is_the_joined_word);
        tcase_add_test(tc, required_by_in_manifest_order);
        tcase_add_test(tc, reader_is_the_text);
        tcase_add_test(tc, many_apps_parse_while_released);
        suite_add_tcase(s, tc);
        return s;
}
