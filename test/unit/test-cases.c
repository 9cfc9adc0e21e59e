/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests as data: every file in test/cases/bad is a manifest whose comment lines state exactly
 * what archy must say about it:
 *   # expect: @FILE@:LINE:COL: message      one per diagnostic, in order (@FILE@ = the path)
 *   # unusable                               the manifest as a whole is rejected
 *   # skipped: app1 app2                     exactly these apps are skipped
 * Every file in test/cases/good must parse with no diagnostic at all. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "testlib.h"

#define MAX_CASES 256

static char *bad_cases[MAX_CASES], *good_cases[MAX_CASES];
static int n_bad, n_good;

static int list_cases(const char *dir, char **out) {
        struct dirent **entries;
        int n = scandir(dir, &entries, NULL, alphasort);
        int k = 0;
        if (n < 0)
                return 0; /* run from elsewhere than test/unit: the suite then finds no cases */
        for (int i = 0; i < n; i++) {
                size_t len = strlen(entries[i]->d_name);
                if (len > 5 && strcmp(entries[i]->d_name + len - 5, ".yaml") == 0 && k < MAX_CASES)
                        if (asprintf(&out[k], "%s/%s", dir, entries[i]->d_name) >= 0)
                                k++;
                free(entries[i]);
        }
        free(entries);
        return k;
}

static char *expected_diags(const char *path, const char *text, bool *unusable, struct strbuf *skipped) {
        struct strbuf sb = STRBUF_INIT;
        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                size_t len = strcspn(line, "\n");
                if (strncmp(line, "# unusable", 10) == 0)
                        *unusable = true;
                if (strncmp(line, "# skipped: ", 11) == 0)
                        strbuf_add(skipped, line + 11, len - 11);
                if (strncmp(line, "# expect: ", 10) != 0)
                        continue;
                for (const char *c = line + 10; c < line + len; c++) {
                        if (strncmp(c, "@FILE@", 6) == 0) {
                                strbuf_puts(&sb, path);
                                c += 5;
                        } else
                                strbuf_putc(&sb, *c);
                }
                strbuf_putc(&sb, '\n');
        }
        return strbuf_steal(&sb);
}

static char *skipped_apps(const struct manifest *m) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; m && i < m->n_apps; i++)
                if (m->apps[i].skip)
                        strbuf_printf(&sb, "%s%s", sb.len ? " " : "", m->apps[i].name);
        return strbuf_steal(&sb);
}

START_TEST(bad_manifest_gives_exact_errors) {
        const char *path = bad_cases[_i];
        char *text = read_text_file(path);
        ck_assert_msg(text, "cannot read %s", path);
        bool unusable = false;
        struct strbuf want_skipped = STRBUF_INIT;
        char *want = expected_diags(path, text, &unusable, &want_skipped);
        ck_assert_msg(want[0], "%s has no '# expect:' line", path);

        struct diag_list diags = {0};
        struct manifest *m = manifest_parse(text, strlen(text), path, &diags);
        char *got = diags_joined(&diags);
        ck_assert_msg(strcmp(got, want) == 0, "%s:\n--- expected\n%s--- got\n%s", path, want, got);
        ck_assert_msg(unusable == !m, "%s: expected the manifest to be %s", path, unusable ? "unusable" : "usable");
        char *skipped = skipped_apps(m);
        ck_assert_msg(strcmp(skipped, strbuf_str(&want_skipped)) == 0, "%s: skipped apps: expected \"%s\", got \"%s\"",
                      path, strbuf_str(&want_skipped), skipped);
        free(skipped);
        free(got);
        free(want);
        strbuf_free(&want_skipped);
        diag_list_free(&diags);
        manifest_free(m);
        free(text);
}
END_TEST

START_TEST(good_manifest_has_no_diagnostics) {
        const char *path = good_cases[_i];
        char *text = read_text_file(path);
        ck_assert_msg(text, "cannot read %s", path);
        struct diag_list diags = {0};
        struct manifest *m = manifest_parse(text, strlen(text), path, &diags);
        char *got = diags_joined(&diags);
        ck_assert_msg(m && diags.n == 0, "%s:\n%s", path, got);
        free(got);
        diag_list_free(&diags);
        manifest_free(m);
        free(text);
}
END_TEST

START_TEST(the_case_directories_are_not_empty) {
        ck_assert_int_ge(n_bad, 25);
        ck_assert_int_ge(n_good, 3);
}
END_TEST

static void free_cases(void) {
        for (int i = 0; i < n_bad; i++)
                free(bad_cases[i]);
        for (int i = 0; i < n_good; i++)
                free(good_cases[i]);
}

Suite *cases_suite(void) {
        n_bad = list_cases(CASES_DIR "/bad", bad_cases);
        n_good = list_cases(CASES_DIR "/good", good_cases);
        atexit(free_cases);
        Suite *s = suite_create("cases");
        TCase *tc = tcase_create("cases");
        tcase_add_test(tc, the_case_directories_are_not_empty);
        tcase_add_loop_test(tc, bad_manifest_gives_exact_errors, 0, n_bad);
        tcase_add_loop_test(tc, good_manifest_has_no_diagnostics, 0, n_good);
        suite_add_tcase(s, tc);
        return s;
}
