/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure core of archy-verify-ota: the updater's marker, the state machine with its state file,
 * and the deadline arithmetic. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "marker.h"
#include "ota-state.h"
#include "strbuf.h"
#include "testlib.h"

/* ---- marker ---- */

/* A marker with every key, one key per line, so that a test can replace one line and knows
 * where its error must be reported. Each value differs from its default. */
static const char *const full_marker[] = {
        /* 1 */ "{",
        /* 2 */ "  \"marker_version\": 1,",
        /* 3 */ "  \"new_version\": \"1.4.0\",",
        /* 4 */ "  \"previous_version\": \"1.3.2 (build 7)\",",
        /* 5 */ "  \"applied_at\": 1795780800,",
        /* 6 */ "  \"deadline_seconds\": 600,",
        /* 7 */ "  \"grace_seconds\": 20,",
        /* 8 */ "  \"max_attempts\": 5,",
        /* 9 */ "  \"checks\": [{\"url\": \"https://127.0.0.1/\", \"expect_status\": 200},",
        /* 10 */ "             {\"url\": \"http://localhost:8080/api/health\", \"expect_status\": 204}],",
        /* 11 */ "  \"rollback\": {",
        /* 12 */ "    \"swap\": [{\"current\": \"/usr/bin/archipelagod\", \"backup\": \"/usr/bin/archipelagod.bak\"},",
        /* 13 */ "             {\"current\": \"/usr/share/web-ui\", \"backup\": \"/usr/share/web-ui.bak\"}],",
        /* 14 */ "    \"restart\": [\"archipelago.service\", \"archy@web.service\"]",
        /* 15 */ "  }",
        /* 16 */ "}",
};

struct edit {
        size_t line; /* 1-based line of full_marker to replace */
        const char *text;
};

/* full_marker with lines replaced; an empty replacement keeps the line (and the numbering). */
static char *marker_edited(const struct edit *edits, size_t n) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < ELEMENTSOF(full_marker); i++) {
                const char *line = full_marker[i];
                for (size_t e = 0; e < n; e++)
                        if (edits[e].line == i + 1)
                                line = edits[e].text;
                strbuf_printf(&sb, "%s\n", line);
        }
        ck_assert(!strbuf_failed(&sb));
        return strbuf_steal(&sb);
}

static char *marker_with(size_t line, const char *text) {
        return marker_edited(&(struct edit){line, text}, 1);
}

static int parse_marker(const char *text, struct diag_list *diags, struct ota_marker *m) {
        diags->file = "marker.json";
        return marker_parse(text, strlen(text), diags, m);
}

static bool marker_is_empty(const struct ota_marker *m) {
        return !m->new_version && !m->previous_version && m->applied_at == 0 && m->n_checks == 0 && m->n_swaps == 0 &&
               m->n_restarts == 0 && m->max_attempts == 0;
}

/* The marker is refused with a message at marker.json:LINE: containing fragment (line 0: a
 * message without a position), and nothing is returned. */
static void expect_marker_error(const char *text, size_t line, const char *fragment) {
        struct diag_list diags = {0};
        struct ota_marker m;
        int r = parse_marker(text, &diags, &m);
        char *all = diags_joined(&diags);
        ck_assert_msg(r == -EINVAL, "expected -EINVAL, got %d; messages:\n%s", r, all);
        ck_assert(marker_is_empty(&m));
        char where[64];
        if (line > 0)
                snprintf(where, sizeof(where), "marker.json:%zu:", line);
        else
                snprintf(where, sizeof(where), "marker.json: ");
        bool found = false;
        for (size_t i = 0; i < diags.n && !found; i++)
                found = strncmp(diags.items[i].text, where, strlen(where)) == 0 &&
                        strstr(diags.items[i].text, fragment);
        ck_assert_msg(found, "no message at %s with \"%s\"; got:\n%s", where, fragment, all);
        free(all);
        diag_list_free(&diags);
}

static void expect_edit_error(size_t line, const char *replacement, size_t err_line, const char *fragment) {
        char *text = marker_with(line, replacement);
        expect_marker_error(text, err_line, fragment);
        free(text);
}

static void expect_edits_error(const struct edit *edits, size_t n, size_t err_line, const char *fragment) {
        char *text = marker_edited(edits, n);
        expect_marker_error(text, err_line, fragment);
        free(text);
}

START_TEST(marker_full_with_every_key) {
        char *text = marker_edited(NULL, 0);
        struct diag_list diags = {0};
        struct ota_marker m;
        ck_assert_int_eq(parse_marker(text, &diags, &m), 0);
        ck_assert_uint_eq(diags.n, 0);
        ck_assert_str_eq(m.new_version, "1.4.0");
        ck_assert_str_eq(m.previous_version, "1.3.2 (build 7)");
        ck_assert_int_eq(m.applied_at, 1795780800LL);
        ck_assert_uint_eq(m.deadline_seconds, 600);
        ck_assert_uint_eq(m.grace_seconds, 20);
        ck_assert_uint_eq(m.max_attempts, 5);
        ck_assert_uint_eq(m.n_checks, 2);
        ck_assert_str_eq(m.checks[0].url, "https://127.0.0.1/");
        ck_assert_int_eq(m.checks[0].expect_status, 200);
        ck_assert_str_eq(m.checks[1].url, "http://localhost:8080/api/health");
        ck_assert_int_eq(m.checks[1].expect_status, 204);
        ck_assert_uint_eq(m.n_swaps, 2);
        ck_assert_str_eq(m.swaps[0].current, "/usr/bin/archipelagod");
        ck_assert_str_eq(m.swaps[0].backup, "/usr/bin/archipelagod.bak");
        ck_assert_str_eq(m.swaps[1].current, "/usr/share/web-ui");
        ck_assert_str_eq(m.swaps[1].backup, "/usr/share/web-ui.bak");
        ck_assert_uint_eq(m.n_restarts, 2);
        ck_assert_str_eq(m.restarts[0], "archipelago.service");
        ck_assert_str_eq(m.restarts[1], "archy@web.service");
        marker_done(&m);
        ck_assert(marker_is_empty(&m));
        diag_list_free(&diags);
        free(text);
}
END_TEST

START_TEST(marker_defaults_for_missing_optional_keys) {
        static const char text[] = "{\"marker_version\": 1, \"new_version\": \"2\", \"previous_version\": \"1\",\n"
                                   " \"applied_at\": 1700000000,\n"
                                   " \"rollback\": {\"swap\": [{\"current\": \"/a\", \"backup\": \"/b\"}]}}\n";
        struct diag_list diags = {0};
        struct ota_marker m;
        ck_assert_int_eq(parse_marker(text, &diags, &m), 0);
        ck_assert_uint_eq(diags.n, 0);
        ck_assert_uint_eq(m.deadline_seconds, 300);
        ck_assert_uint_eq(m.grace_seconds, 15);
        ck_assert_uint_eq(m.max_attempts, 3);
        ck_assert_uint_eq(m.n_checks, 1);
        ck_assert_str_eq(m.checks[0].url, "https://127.0.0.1/");
        ck_assert_int_eq(m.checks[0].expect_status, 200);
        ck_assert_uint_eq(m.n_restarts, 0);
        ck_assert_uint_eq(m.n_swaps, 1);
        marker_done(&m);
        diag_list_free(&diags);
}
END_TEST

START_TEST(marker_check_without_expect_status_expects_200) {
        char *text = marker_with(10, "  {\"url\": \"https://[::1]:8443/\"}],");
        struct diag_list diags = {0};
        struct ota_marker m;
        ck_assert_int_eq(parse_marker(text, &diags, &m), 0);
        ck_assert_str_eq(m.checks[1].url, "https://[::1]:8443/");
        ck_assert_int_eq(m.checks[1].expect_status, 200);
        marker_done(&m);
        diag_list_free(&diags);
        free(text);
}
END_TEST

START_TEST(marker_empty_restart_list_is_fine) {
        char *text = marker_with(14, "    \"restart\": []");
        struct diag_list diags = {0};
        struct ota_marker m;
        ck_assert_int_eq(parse_marker(text, &diags, &m), 0);
        ck_assert_uint_eq(m.n_restarts, 0);
        marker_done(&m);
        diag_list_free(&diags);
        free(text);
}
END_TEST

START_TEST(marker_as_yaml_and_with_tabs) {
        /* JSON is YAML: an updater writing either, or indenting with tabs, is understood. */
        static const char yaml[] = "marker_version: 1\nnew_version: 1.4.0\nprevious_version: 1.3.2\n"
                                   "applied_at: 1795780800\nrollback:\n  swap:\n    - current: /usr/bin/x\n"
                                   "      backup: /usr/bin/x.bak\n";
        static const char tabs[] = "{\n\t\"marker_version\": 1,\n\t\"new_version\": \"1.4.0\",\n"
                                   "\t\"previous_version\": \"1.3.2\",\n\t\"applied_at\": 1795780800,\n"
                                   "\t\"rollback\": {\n\t\t\"swap\": [\n\t\t\t{\"current\": \"/usr/bin/x\", "
                                   "\"backup\": \"/usr/bin/x.bak\"}\n\t\t]\n\t}\n}\n";
        const char *texts[] = {yaml, tabs};
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct diag_list diags = {0};
                struct ota_marker m;
                ck_assert_int_eq(parse_marker(texts[i], &diags, &m), 0);
                ck_assert_str_eq(m.new_version, "1.4.0");
                ck_assert_str_eq(m.swaps[0].backup, "/usr/bin/x.bak");
                marker_done(&m);
                diag_list_free(&diags);
        }
}
END_TEST

START_TEST(marker_without_file_name_is_not_called_a_manifest) {
        struct diag_list diags = {0};
        struct ota_marker m;
        ck_assert_int_eq(marker_parse("[]", 2, &diags, &m), -EINVAL);
        ck_assert_uint_eq(diags.n, 1);
        ck_assert_ptr_null(strstr(diags.items[0].text, "manifest"));
        ck_assert_ptr_nonnull(strstr(diags.items[0].text, "<marker>:1:1:"));
        diag_list_free(&diags);
}
END_TEST

START_TEST(marker_reports_every_problem_at_once) {
        char *text = marker_edited(
                (const struct edit[]){{3, "  \"new_version\": null,"}, {6, "  \"deadline_seconds\": 0,"}}, 2);
        struct diag_list diags = {0};
        struct ota_marker m;
        ck_assert_int_eq(parse_marker(text, &diags, &m), -EINVAL);
        ck_assert_uint_eq(diags.n, 2);
        ck_assert_ptr_nonnull(strstr(diags.items[0].text, "marker.json:3:"));
        ck_assert_ptr_nonnull(strstr(diags.items[1].text, "marker.json:6:"));
        diag_list_free(&diags);
        free(text);
}
END_TEST

/* Not a marker at all */

START_TEST(marker_error_not_json) {
        expect_marker_error("{\n  \"new_version\": \"1.4.0\"\n  \"previous_version\": \"1.3.2\"\n}\n", 3,
                            "not valid JSON or YAML");
}
END_TEST

START_TEST(marker_error_cut_short) {
        /* An updater that died while writing the marker. */
        expect_marker_error("{\n  \"marker_version\": 1,\n  \"checks\": [{\"url\": \"https://127.0.0.1/\"", 4,
                            "not valid JSON or YAML");
}
END_TEST

START_TEST(marker_error_empty) {
        expect_marker_error("", 0, "the marker is empty");
}
END_TEST

START_TEST(marker_error_not_a_mapping) {
        expect_marker_error("\n[\"marker_version\", 1]\n", 2,
                            "(top level): expected a mapping (key: value), got a list");
}
END_TEST

START_TEST(marker_error_a_plain_string) {
        expect_marker_error("\"update-pending-verify\"\n", 1,
                            "(top level): expected a mapping (key: value), got a scalar");
}
END_TEST

START_TEST(marker_error_two_documents) {
        char *one = marker_edited(NULL, 0);
        char *two = NULL;
        ck_assert_int_ge(asprintf(&two, "%s---\n%s", one, one), 0);
        expect_marker_error(two, 17, "expected a single JSON object, found a second document");
        free(one);
        free(two);
}
END_TEST

/* Missing required keys: reported at the mapping that lacks them */

START_TEST(marker_error_missing_marker_version) {
        expect_edit_error(2, "", 1, "(top level): missing required key \"marker_version\"");
}
END_TEST

START_TEST(marker_error_missing_new_version) {
        expect_edit_error(3, "", 1, "(top level): missing required key \"new_version\"");
}
END_TEST

START_TEST(marker_error_missing_previous_version) {
        expect_edit_error(4, "", 1, "(top level): missing required key \"previous_version\"");
}
END_TEST

START_TEST(marker_error_missing_applied_at) {
        expect_edit_error(5, "", 1, "(top level): missing required key \"applied_at\"");
}
END_TEST

START_TEST(marker_error_missing_rollback) {
        expect_edits_error((const struct edit[]){{10, "  {\"url\": \"http://localhost:8080/\"}]"},
                                                 {11, ""},
                                                 {12, ""},
                                                 {13, ""},
                                                 {14, ""},
                                                 {15, ""}},
                           6, 1, "(top level): missing required key \"rollback\"");
}
END_TEST

START_TEST(marker_error_missing_swap) {
        expect_edits_error((const struct edit[]){{12, ""}, {13, ""}}, 2, 11, "rollback: missing required key \"swap\"");
}
END_TEST

START_TEST(marker_error_missing_swap_current) {
        expect_edit_error(12, "    \"swap\": [{\"backup\": \"/usr/bin/archipelagod.bak\"},", 12,
                          "rollback.swap[0]: missing required key \"current\"");
}
END_TEST

START_TEST(marker_error_missing_swap_backup) {
        expect_edit_error(13, "  {\"current\": \"/usr/share/archipelago/web-ui\"}],", 13,
                          "rollback.swap[1]: missing required key \"backup\"");
}
END_TEST

START_TEST(marker_error_missing_check_url) {
        expect_edit_error(10, "  {\"expect_status\": 204}],", 10, "checks[1]: missing required key \"url\"");
}
END_TEST

/* Unknown and duplicate keys */

START_TEST(marker_error_unknown_key_with_suggestion) {
        expect_edit_error(6, "  \"dedline_seconds\": 600,", 6,
                          "(top level): unknown key \"dedline_seconds\", did you mean \"deadline_seconds\"?");
}
END_TEST

START_TEST(marker_error_unknown_key_without_suggestion) {
        expect_edit_error(6, "  \"colour\": \"blue\",", 6,
                          "(top level): unknown key \"colour\", expected one of: marker_version, new_version");
}
END_TEST

START_TEST(marker_error_unknown_key_in_a_check) {
        expect_edit_error(10, "  {\"url\": \"http://localhost:8080/\", \"expect_stats\": 204}],", 10,
                          "checks[1]: unknown key \"expect_stats\", did you mean \"expect_status\"?");
}
END_TEST

START_TEST(marker_error_unknown_key_in_rollback) {
        expect_edit_error(14, "    \"restarts\": [\"archipelago.service\"]", 14,
                          "rollback: unknown key \"restarts\", did you mean \"restart\"?");
}
END_TEST

START_TEST(marker_error_unknown_key_in_a_swap) {
        expect_edit_error(
                12, "    \"swap\": [{\"curent\": \"/usr/bin/a\", \"current\": \"/usr/bin/b\", \"backup\": \"/c\"},", 12,
                "rollback.swap[0]: unknown key \"curent\", did you mean \"current\"?");
}
END_TEST

START_TEST(marker_error_duplicate_key) {
        expect_edit_error(7, "  \"new_version\": \"1.5.0\",", 7,
                          "(top level): duplicate key \"new_version\" (first at line 3)");
}
END_TEST

START_TEST(marker_error_duplicate_key_in_a_swap) {
        expect_edit_error(12, "    \"swap\": [{\"current\": \"/a\", \"backup\": \"/b\", \"current\": \"/c\"},", 12,
                          "rollback.swap[0]: duplicate key \"current\" (first at line 12)");
}
END_TEST

/* Wrong types */

START_TEST(marker_error_version_is_a_list) {
        expect_edit_error(3, "  \"new_version\": [\"1.4.0\"],", 3, "new_version: expected a string, got a list");
}
END_TEST

START_TEST(marker_error_version_is_null) {
        expect_edit_error(3, "  \"new_version\": null,", 3, "new_version: expected a string, got null");
}
END_TEST

START_TEST(marker_error_version_is_a_boolean) {
        expect_edit_error(4, "  \"previous_version\": false,", 4, "previous_version: expected a string, got false");
}
END_TEST

START_TEST(marker_error_version_is_empty) {
        expect_edit_error(3, "  \"new_version\": \"\",", 3, "new_version: expected text of 1 to 255 characters");
}
END_TEST

START_TEST(marker_error_version_has_a_newline) {
        expect_edit_error(3, "  \"new_version\": \"1.4.0\\nreason=forged\",", 3,
                          "new_version: expected text without control characters");
}
END_TEST

START_TEST(marker_error_number_is_a_string) {
        expect_edit_error(5, "  \"applied_at\": \"1795780800\",", 5,
                          "applied_at: expected a whole number from 1 to 253402300799, got the string \"1795780800\"");
}
END_TEST

START_TEST(marker_error_number_is_a_boolean) {
        expect_edit_error(8, "  \"max_attempts\": true,", 8,
                          "max_attempts: expected a whole number from 1 to 100, got true");
}
END_TEST

START_TEST(marker_error_number_is_null) {
        expect_edit_error(7, "  \"grace_seconds\": null,", 7,
                          "grace_seconds: expected a whole number from 0 to 3600, got null");
}
END_TEST

START_TEST(marker_error_number_is_a_list) {
        expect_edit_error(6, "  \"deadline_seconds\": [600],", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got a list");
}
END_TEST

START_TEST(marker_error_checks_is_a_mapping) {
        expect_edits_error((const struct edit[]){{9, "  \"checks\": {\"url\": \"https://127.0.0.1/\"},"}, {10, ""}}, 2,
                           9, "checks: expected a list, got a mapping");
}
END_TEST

START_TEST(marker_error_check_is_a_string) {
        expect_edits_error((const struct edit[]){{9, "  \"checks\": [\"https://127.0.0.1/\"],"}, {10, ""}}, 2, 9,
                           "checks[0]: expected a mapping (key: value), got a scalar");
}
END_TEST

START_TEST(marker_error_rollback_is_a_list) {
        expect_edits_error(
                (const struct edit[]){
                        {11, "  \"rollback\": [\"/usr/bin/archipelagod\"]"}, {12, ""}, {13, ""}, {14, ""}, {15, ""}},
                5, 11, "rollback: expected a mapping (key: value), got a list");
}
END_TEST

START_TEST(marker_error_swap_is_a_mapping) {
        expect_edits_error(
                (const struct edit[]){{12, "    \"swap\": {\"current\": \"/a\", \"backup\": \"/b\"},"}, {13, ""}}, 2,
                12, "rollback.swap: expected a list, got a mapping");
}
END_TEST

START_TEST(marker_error_swap_pair_is_a_list) {
        expect_edit_error(12, "    \"swap\": [[\"/usr/bin/a\", \"/usr/bin/a.bak\"],", 12,
                          "rollback.swap[0]: expected a mapping (key: value), got a list");
}
END_TEST

START_TEST(marker_error_restart_is_a_string) {
        expect_edit_error(14, "    \"restart\": \"archipelago.service\"", 14,
                          "rollback.restart: expected a list, got a scalar");
}
END_TEST

START_TEST(marker_error_path_is_a_number) {
        expect_edit_error(
                12, "    \"swap\": [{\"current\": 42, \"backup\": \"/usr/bin/archipelagod.bak\"},", 12,
                "rollback.swap[0].current: expected an absolute, normalised path, got \"42\" (a relative path)");
}
END_TEST

/* Numbers out of range */

START_TEST(marker_error_marker_version_2) {
        expect_edit_error(2, "  \"marker_version\": 2,", 2,
                          "marker_version: expected 1 (the only marker version this archy-verify-ota reads), got 2");
}
END_TEST

START_TEST(marker_error_marker_version_quoted) {
        expect_edit_error(2, "  \"marker_version\": \"1\",", 2, "marker_version: expected a whole number");
}
END_TEST

START_TEST(marker_error_applied_at_zero) {
        expect_edit_error(5, "  \"applied_at\": 0,", 5,
                          "applied_at: expected a whole number from 1 to 253402300799, got 0");
}
END_TEST

START_TEST(marker_error_applied_at_negative) {
        expect_edit_error(5, "  \"applied_at\": -1795780800,", 5,
                          "applied_at: expected a whole number from 1 to 253402300799, got -1795780800");
}
END_TEST

START_TEST(marker_error_applied_at_huge) {
        expect_edit_error(5, "  \"applied_at\": 99999999999999999999,", 5,
                          "applied_at: expected a whole number from 1 to 253402300799, got 99999999999999999999");
}
END_TEST

START_TEST(marker_error_applied_at_beyond_long_long) {
        /* 19 digits, over LLONG_MAX: strtoll's ERANGE, not a wrapped value. */
        expect_edit_error(5, "  \"applied_at\": 9999999999999999999,", 5,
                          "applied_at: expected a whole number from 1 to 253402300799, got 9999999999999999999");
}
END_TEST

START_TEST(marker_error_deadline_too_short) {
        expect_edit_error(6, "  \"deadline_seconds\": 0,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got 0");
}
END_TEST

START_TEST(marker_error_deadline_too_long) {
        expect_edit_error(6, "  \"deadline_seconds\": 86401,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got 86401");
}
END_TEST

START_TEST(marker_error_deadline_negative) {
        expect_edit_error(6, "  \"deadline_seconds\": -300,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got -300");
}
END_TEST

START_TEST(marker_error_deadline_float) {
        expect_edit_error(6, "  \"deadline_seconds\": 300.5,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got 300.5");
}
END_TEST

START_TEST(marker_error_deadline_whole_float) {
        expect_edit_error(6, "  \"deadline_seconds\": 300.0,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got 300.0");
}
END_TEST

START_TEST(marker_error_deadline_exponent) {
        expect_edit_error(6, "  \"deadline_seconds\": 3e2,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got 3e2");
}
END_TEST

START_TEST(marker_error_deadline_leading_zero) {
        /* YAML 1.1 reads 0300 as octal 192: refuse rather than pick a reading. */
        expect_edit_error(6, "  \"deadline_seconds\": 0300,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got 0300");
}
END_TEST

START_TEST(marker_error_deadline_plus_sign) {
        expect_edit_error(6, "  \"deadline_seconds\": +300,", 6,
                          "deadline_seconds: expected a whole number from 1 to 86400, got +300");
}
END_TEST

START_TEST(marker_error_grace_too_long) {
        expect_edit_error(7, "  \"grace_seconds\": 3601,", 7,
                          "grace_seconds: expected a whole number from 0 to 3600, got 3601");
}
END_TEST

START_TEST(marker_error_grace_negative) {
        expect_edit_error(7, "  \"grace_seconds\": -1,", 7,
                          "grace_seconds: expected a whole number from 0 to 3600, got -1");
}
END_TEST

START_TEST(marker_error_grace_fills_the_deadline) {
        expect_edits_error((const struct edit[]){{6, "  \"deadline_seconds\": 60,"}, {7, "  \"grace_seconds\": 60,"}},
                           2, 7, "grace_seconds: expected less than deadline_seconds (60), got 60");
}
END_TEST

START_TEST(marker_error_max_attempts_zero) {
        expect_edit_error(8, "  \"max_attempts\": 0,", 8, "max_attempts: expected a whole number from 1 to 100, got 0");
}
END_TEST

START_TEST(marker_error_max_attempts_too_many) {
        expect_edit_error(8, "  \"max_attempts\": 101,", 8,
                          "max_attempts: expected a whole number from 1 to 100, got 101");
}
END_TEST

START_TEST(marker_error_expect_status_too_low) {
        expect_edit_error(10, "  {\"url\": \"http://localhost/\", \"expect_status\": 99}],", 10,
                          "checks[1].expect_status: expected a whole number from 100 to 599, got 99");
}
END_TEST

START_TEST(marker_error_expect_status_too_high) {
        expect_edit_error(10, "  {\"url\": \"http://localhost/\", \"expect_status\": 600}],", 10,
                          "checks[1].expect_status: expected a whole number from 100 to 599, got 600");
}
END_TEST

START_TEST(marker_error_expect_status_quoted) {
        expect_edit_error(9, "  \"checks\": [{\"url\": \"https://127.0.0.1/\", \"expect_status\": \"200\"},", 9,
                          "checks[0].expect_status: expected a whole number from 100 to 599, got the string \"200\"");
}
END_TEST

/* Lists */

START_TEST(marker_error_empty_checks) {
        /* An empty list would commit every update unchecked. */
        expect_edits_error((const struct edit[]){{9, "  \"checks\": [],"}, {10, ""}}, 2, 9,
                           "checks: expected 1 to 16 checks, got 0");
}
END_TEST

START_TEST(marker_error_too_many_checks) {
        struct strbuf line = STRBUF_INIT;
        strbuf_puts(&line, "  \"checks\": [");
        for (int i = 0; i <= MARKER_MAX_CHECKS; i++)
                strbuf_printf(&line, "%s{\"url\": \"https://127.0.0.1/%d\"}", i ? ", " : "", i);
        strbuf_puts(&line, "],");
        expect_edits_error((const struct edit[]){{9, strbuf_str(&line)}, {10, ""}}, 2, 9,
                           "checks: expected 1 to 16 checks, got 17");
        strbuf_free(&line);
}
END_TEST

START_TEST(marker_error_empty_swap) {
        expect_edits_error((const struct edit[]){{12, "    \"swap\": [],"}, {13, ""}}, 2, 12,
                           "rollback.swap: expected 1 to 32 pairs, got 0");
}
END_TEST

START_TEST(marker_error_too_many_swaps) {
        struct strbuf line = STRBUF_INIT;
        strbuf_puts(&line, "    \"swap\": [");
        for (int i = 0; i <= MARKER_MAX_SWAPS; i++)
                strbuf_printf(&line, "%s{\"current\": \"/opt/a%d\", \"backup\": \"/opt/a%d.bak\"}", i ? ", " : "", i,
                              i);
        strbuf_puts(&line, "],");
        expect_edits_error((const struct edit[]){{12, strbuf_str(&line)}, {13, ""}}, 2, 12,
                           "rollback.swap: expected 1 to 32 pairs, got 33");
        strbuf_free(&line);
}
END_TEST

START_TEST(marker_error_too_many_restarts) {
        struct strbuf line = STRBUF_INIT;
        strbuf_puts(&line, "    \"restart\": [");
        for (int i = 0; i <= MARKER_MAX_RESTARTS; i++)
                strbuf_printf(&line, "%s\"u%d.service\"", i ? ", " : "", i);
        strbuf_puts(&line, "]");
        expect_edit_error(14, strbuf_str(&line), 14, "rollback.restart: expected 0 to 32 unit names, got 33");
        strbuf_free(&line);
}
END_TEST

/* Rollback paths */

START_TEST(marker_error_relative_path) {
        expect_edit_error(
                12, "    \"swap\": [{\"current\": \"usr/bin/archipelagod\", \"backup\": \"/usr/bin/a.bak\"},", 12,
                "rollback.swap[0].current: expected an absolute, normalised path, got \"usr/bin/archipelagod\" "
                "(a relative path)");
}
END_TEST

START_TEST(marker_error_path_with_dotdot) {
        expect_edit_error(
                12, "    \"swap\": [{\"current\": \"/usr/bin/x\", \"backup\": \"/usr/bin/../../etc/shadow\"},", 12,
                "rollback.swap[0].backup: expected an absolute, normalised path, got \"/usr/bin/../../etc/shadow\" "
                "(a \".\" or \"..\" component)");
}
END_TEST

START_TEST(marker_error_path_with_dot) {
        expect_edit_error(12, "    \"swap\": [{\"current\": \"/usr/./bin/x\", \"backup\": \"/usr/bin/x.bak\"},", 12,
                          "(a \".\" or \"..\" component)");
}
END_TEST

START_TEST(marker_error_path_with_double_slash) {
        expect_edit_error(
                12, "    \"swap\": [{\"current\": \"/usr//bin/x\", \"backup\": \"/usr/bin/x.bak\"},", 12,
                "rollback.swap[0].current: expected an absolute, normalised path, got \"/usr//bin/x\" (an empty "
                "component (//))");
}
END_TEST

START_TEST(marker_error_path_with_trailing_slash) {
        expect_edit_error(13, "  {\"current\": \"/usr/share/archipelago/web-ui/\", \"backup\": \"/srv/web-ui.bak\"}],",
                          13,
                          "rollback.swap[1].current: expected an absolute, normalised path, got "
                          "\"/usr/share/archipelago/web-ui/\" (a trailing /)");
}
END_TEST

START_TEST(marker_error_path_is_root) {
        expect_edit_error(
                12, "    \"swap\": [{\"current\": \"/\", \"backup\": \"/usr/bin/x.bak\"},", 12,
                "rollback.swap[0].current: expected an absolute, normalised path, got \"/\" (the root directory)");
}
END_TEST

START_TEST(marker_error_path_too_long) {
        struct strbuf line = STRBUF_INIT;
        strbuf_puts(&line, "    \"swap\": [{\"current\": \"/usr/bin/x\", \"backup\": \"");
        for (int i = 0; i < PATH_MAX / 8; i++)
                strbuf_puts(&line, "/abcdefg");
        strbuf_puts(&line, "\"},");
        expect_edit_error(12, strbuf_str(&line), 12, "rollback.swap[0].backup: expected an absolute, normalised path");
        strbuf_free(&line);
}
END_TEST

START_TEST(marker_error_current_is_backup) {
        expect_edit_error(
                12, "    \"swap\": [{\"current\": \"/usr/bin/archipelagod\", \"backup\": \"/usr/bin/archipelagod\"},",
                12,
                "rollback.swap[0].backup: \"/usr/bin/archipelagod\" is the same path as rollback.swap[0].current "
                "(line 12)");
}
END_TEST

START_TEST(marker_error_path_in_two_pairs) {
        expect_edit_error(13, "  {\"current\": \"/usr/share/web\", \"backup\": \"/usr/bin/archipelagod.bak\"}],", 13,
                          "rollback.swap[1].backup: \"/usr/bin/archipelagod.bak\" is also used by "
                          "rollback.swap[0].backup (line 12)");
}
END_TEST

START_TEST(marker_error_path_inside_another_pair) {
        expect_edit_error(
                13, "  {\"current\": \"/usr/bin/archipelagod/plugins\", \"backup\": \"/srv/plugins.bak\"}],", 13,
                "rollback.swap[1].current: \"/usr/bin/archipelagod/plugins\" is inside rollback.swap[0].current "
                "(line 12)");
}
END_TEST

START_TEST(marker_error_path_contains_another_pair) {
        expect_edit_error(13, "  {\"current\": \"/usr\", \"backup\": \"/srv/usr.bak\"}],", 13,
                          "rollback.swap[1].current: \"/usr\" contains rollback.swap[0].current (line 12)");
}
END_TEST

/* Units */

START_TEST(marker_error_unit_without_suffix) {
        expect_edit_error(14, "    \"restart\": [\"archipelago\"]", 14,
                          "rollback.restart[0]: expected a systemd unit name like archipelago.service");
}
END_TEST

START_TEST(marker_error_unit_with_unknown_suffix) {
        expect_edit_error(14, "    \"restart\": [\"archipelago.service\", \"dev-sda.device\"]", 14,
                          "rollback.restart[1]: expected a systemd unit name like archipelago.service");
}
END_TEST

START_TEST(marker_error_unit_with_space) {
        expect_edit_error(14, "    \"restart\": [\"archipelago.service nginx.service\"]", 14,
                          "rollback.restart[0]: expected a systemd unit name");
}
END_TEST

START_TEST(marker_error_unit_template) {
        expect_edit_error(14, "    \"restart\": [\"archy@.service\"]", 14,
                          "rollback.restart[0]: expected a systemd unit name");
}
END_TEST

START_TEST(marker_error_unit_leading_dash) {
        expect_edit_error(14, "    \"restart\": [\"--force.service\"]", 14,
                          "rollback.restart[0]: expected a systemd unit name");
}
END_TEST

START_TEST(marker_error_unit_with_slash) {
        expect_edit_error(14, "    \"restart\": [\"../../x.service\"]", 14,
                          "rollback.restart[0]: expected a systemd unit name");
}
END_TEST

/* URLs */

START_TEST(marker_error_url_bad_scheme) {
        expect_edit_error(9, "  \"checks\": [{\"url\": \"ftp://127.0.0.1/\"},", 9,
                          "checks[0].url: expected a URL starting with http:// or https://, got \"ftp://127.0.0.1/\"");
}
END_TEST

START_TEST(marker_error_url_without_scheme) {
        expect_edit_error(9, "  \"checks\": [{\"url\": \"127.0.0.1/\"},", 9,
                          "checks[0].url: expected a URL starting with http:// or https://");
}
END_TEST

START_TEST(marker_error_url_with_user_name) {
        expect_edit_error(9, "  \"checks\": [{\"url\": \"https://127.0.0.1@evil.example/\"},", 9,
                          "checks[0].url: expected a URL http(s)://HOST[:PORT]/PATH without user name");
}
END_TEST

START_TEST(marker_error_url_without_host) {
        expect_edit_error(9, "  \"checks\": [{\"url\": \"https:///index.html\"},", 9,
                          "checks[0].url: expected a URL http(s)://HOST[:PORT]/PATH");
}
END_TEST

START_TEST(marker_error_url_bad_port) {
        expect_edit_error(9, "  \"checks\": [{\"url\": \"https://127.0.0.1:70000/\"},", 9,
                          "checks[0].url: expected a URL http(s)://HOST[:PORT]/PATH");
}
END_TEST

START_TEST(marker_error_url_with_space) {
        expect_edit_error(9, "  \"checks\": [{\"url\": \"https://127.0.0.1/a b\"},", 9,
                          "checks[0].url: expected a URL http(s)://HOST[:PORT]/PATH without user name, spaces");
}
END_TEST

/* ---- url_is_loopback ---- */

START_TEST(loopback_urls) {
        static const char *const yes[] = {
                "https://127.0.0.1/",        "http://127.0.0.1",           "https://127.255.255.254:8443/x",
                "https://localhost/",        "https://LocalHost:443/",     "https://[::1]/",
                "https://[::1]:8443/health", "https://[0:0:0:0:0:0:0:1]/", "http://127.0.0.1?probe=1",
                "http://127.0.0.1#fragment",
        };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                ck_assert_msg(url_is_loopback(yes[i]), "%s should be loopback", yes[i]);
}
END_TEST

START_TEST(not_loopback_urls) {
        static const char *const no[] = {
                /* the host is evil.example: everything before '@' is a user name */
                "https://127.0.0.1@evil.example/",
                "https://127.0.0.1:443@evil.example/",
                "https://127.0.0.1\\@evil.example/",
                /* a name that merely starts like a loopback address */
                "https://127.0.0.1.evil.example/",
                "https://localhost.evil.example/",
                "https://localhost.",
                "https://evil.example/127.0.0.1",
                "https://evil.example/?h=127.0.0.1",
                /* a user name even before a loopback host: refused rather than parsed */
                "https://evil.example@127.0.0.1/",
                /* other addresses, and spellings only some resolvers read as 127.0.0.1 */
                "https://10.0.0.1/",
                "https://128.0.0.1/",
                "https://[::2]/",
                "https://[::ffff:127.0.0.1]/",
                "https://[::1%25lo]/",
                "https://127.1/",
                "https://0x7f.0.0.1/",
                "https://0177.0.0.1/",
                "https://2130706433/",
                /* not an http(s) URL at all */
                "ftp://127.0.0.1/",
                "127.0.0.1",
                "//127.0.0.1/",
                "",
                "https://127.0.0.1 /",
                "https://127.0.0.1:99999/",
                "https://127.0.0.1:/",
                "https://127.0.0.1:80x/",
                "https://[::1/",
        };
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                ck_assert_msg(!url_is_loopback(no[i]), "%s should not be loopback", no[i]);
        ck_assert(!url_is_loopback(NULL));
}
END_TEST

/* ---- the state machine ---- */

static struct ota_state state_in(enum ota_phase phase, unsigned attempts, size_t swaps_done, bool restarted) {
        return (struct ota_state){
                .phase = phase, .attempts = attempts, .swaps_done = swaps_done, .restarted = restarted};
}

/* ota_step(), checking that it changed nothing (every field, as the state file holds it). */
static enum ota_action step_unchanged(struct ota_state *s, enum ota_event ev, unsigned max_attempts, size_t n_swaps) {
        char *before = ota_state_format(s);
        enum ota_action a = ota_step(s, ev, max_attempts, n_swaps);
        char *after = ota_state_format(s);
        ck_assert_str_eq(before, after);
        free(before);
        free(after);
        return a;
}

static const enum ota_event all_events[] = {EV_RUN, EV_PROBE_OK, EV_PROBE_FAILED, EV_SWAPPED, EV_RESTARTED};

START_TEST(step_pending_run_starts_the_first_attempt) {
        struct ota_state s = state_in(OTA_PENDING, 0, 0, false);
        ck_assert_int_eq(ota_step(&s, EV_RUN, 3, 2), ACT_START_ATTEMPT);
        ck_assert_int_eq(s.phase, OTA_VERIFYING);
        ck_assert_uint_eq(s.attempts, 1);
        ck_assert_ptr_null(s.reason);
        ota_state_done(&s);
}
END_TEST

START_TEST(step_pending_ignores_every_other_event) {
        for (size_t i = 1; i < ELEMENTSOF(all_events); i++) {
                struct ota_state s = state_in(OTA_PENDING, 0, 0, false);
                ck_assert_int_eq(step_unchanged(&s, all_events[i], 3, 2), ACT_NOTHING);
        }
}
END_TEST

START_TEST(step_verifying_run_below_max_starts_another_attempt) {
        struct ota_state s = state_in(OTA_VERIFYING, 1, 0, false);
        ck_assert_int_eq(ota_step(&s, EV_RUN, 3, 2), ACT_START_ATTEMPT);
        ck_assert_int_eq(s.phase, OTA_VERIFYING);
        ck_assert_uint_eq(s.attempts, 2);
        ota_state_done(&s);
}
END_TEST

START_TEST(step_verifying_run_at_max_rolls_back) {
        struct ota_state s = state_in(OTA_VERIFYING, 3, 0, false);
        ck_assert_int_eq(ota_step(&s, EV_RUN, 3, 2), ACT_SWAP_NEXT);
        ck_assert_int_eq(s.phase, OTA_ROLLING_BACK);
        ck_assert_uint_eq(s.attempts, 3);
        ck_assert_uint_eq(s.swaps_done, 0);
        ck_assert_str_eq(s.reason, "no successful verification in 3 attempts");
        ota_state_done(&s);
}
END_TEST

START_TEST(step_verifying_run_at_max_with_nothing_to_swap_restarts) {
        struct ota_state s = state_in(OTA_VERIFYING, 2, 0, false);
        ck_assert_int_eq(ota_step(&s, EV_RUN, 2, 0), ACT_RESTART_UNITS);
        ck_assert_int_eq(s.phase, OTA_ROLLING_BACK);
        ck_assert_str_eq(s.reason, "no successful verification in 2 attempts");
        ota_state_done(&s);
}
END_TEST

START_TEST(step_verifying_probe_ok_commits) {
        struct ota_state s = state_in(OTA_VERIFYING, 2, 0, false);
        ck_assert_int_eq(ota_step(&s, EV_PROBE_OK, 3, 2), ACT_COMMIT);
        ck_assert_int_eq(s.phase, OTA_COMMITTED);
        ck_assert_uint_eq(s.attempts, 2);
        ck_assert_str_eq(s.reason, "every check passed");
        ota_state_done(&s);
}
END_TEST

START_TEST(step_verifying_probe_failed_rolls_back) {
        struct ota_state s = state_in(OTA_VERIFYING, 1, 0, false);
        ck_assert_int_eq(ota_step(&s, EV_PROBE_FAILED, 3, 2), ACT_SWAP_NEXT);
        ck_assert_int_eq(s.phase, OTA_ROLLING_BACK);
        ck_assert_uint_eq(s.attempts, 1);
        ck_assert_str_eq(s.reason, "checks failed until the deadline");
        ota_state_done(&s);
}
END_TEST

START_TEST(step_verifying_ignores_rollback_events) {
        struct ota_state s = state_in(OTA_VERIFYING, 1, 0, false);
        ck_assert_int_eq(step_unchanged(&s, EV_SWAPPED, 3, 2), ACT_NOTHING);
        ck_assert_int_eq(step_unchanged(&s, EV_RESTARTED, 3, 2), ACT_NOTHING);
}
END_TEST

START_TEST(step_rolling_back_run_resumes_where_it_stopped) {
        struct ota_state s = state_in(OTA_ROLLING_BACK, 3, 1, false);
        ck_assert_int_eq(step_unchanged(&s, EV_RUN, 3, 3), ACT_SWAP_NEXT);
        s.swaps_done = 3;
        ck_assert_int_eq(step_unchanged(&s, EV_RUN, 3, 3), ACT_RESTART_UNITS);
        s.restarted = true;
        ck_assert_int_eq(step_unchanged(&s, EV_RUN, 3, 3), ACT_FINISH_ROLLBACK);
}
END_TEST

START_TEST(step_rolling_back_swapped_counts_the_pair) {
        struct ota_state s = state_in(OTA_ROLLING_BACK, 1, 0, false);
        s.swap_dev = 2049;
        s.swap_ino = 1234;
        ck_assert_int_eq(ota_step(&s, EV_SWAPPED, 3, 2), ACT_SWAP_NEXT);
        ck_assert_uint_eq(s.swaps_done, 1);
        ck_assert_uint_eq(s.swap_dev, 0);
        ck_assert_uint_eq(s.swap_ino, 0);
        ck_assert_int_eq(ota_step(&s, EV_SWAPPED, 3, 2), ACT_RESTART_UNITS);
        ck_assert_uint_eq(s.swaps_done, 2);
        ck_assert_int_eq(s.phase, OTA_ROLLING_BACK);
        ck_assert(!s.restarted);
}
END_TEST

START_TEST(step_rolling_back_swapped_with_every_pair_back_is_ignored) {
        struct ota_state s = state_in(OTA_ROLLING_BACK, 1, 2, false);
        ck_assert_int_eq(step_unchanged(&s, EV_SWAPPED, 3, 2), ACT_NOTHING);
        s.restarted = true;
        ck_assert_int_eq(step_unchanged(&s, EV_SWAPPED, 3, 2), ACT_NOTHING);
}
END_TEST

START_TEST(step_rolling_back_restarted_finishes) {
        struct ota_state s = state_in(OTA_ROLLING_BACK, 1, 2, false);
        ck_assert_int_eq(ota_step(&s, EV_RESTARTED, 3, 2), ACT_FINISH_ROLLBACK);
        ck_assert(s.restarted);
        ck_assert_int_eq(s.phase, OTA_ROLLING_BACK);
        ck_assert_uint_eq(s.swaps_done, 2);
}
END_TEST

START_TEST(step_rolling_back_restarted_before_the_last_swap_is_ignored) {
        struct ota_state s = state_in(OTA_ROLLING_BACK, 1, 1, false);
        ck_assert_int_eq(step_unchanged(&s, EV_RESTARTED, 3, 2), ACT_NOTHING);
        ck_assert(!s.restarted);
}
END_TEST

START_TEST(step_rolling_back_ignores_probe_results) {
        /* A late success must not undo a rollback that has begun. */
        struct ota_state s = state_in(OTA_ROLLING_BACK, 1, 1, false);
        ck_assert_int_eq(step_unchanged(&s, EV_PROBE_OK, 3, 2), ACT_NOTHING);
        ck_assert_int_eq(step_unchanged(&s, EV_PROBE_FAILED, 3, 2), ACT_NOTHING);
}
END_TEST

START_TEST(step_final_phases_ignore_every_event) {
        static const enum ota_phase finals[] = {OTA_COMMITTED, OTA_ROLLED_BACK};
        for (size_t f = 0; f < ELEMENTSOF(finals); f++)
                for (size_t e = 0; e < ELEMENTSOF(all_events); e++) {
                        struct ota_state s = state_in(finals[f], 3, 0, false);
                        s.decided_at = 1795780900;
                        ck_assert_int_eq(step_unchanged(&s, all_events[e], 3, 2), ACT_NOTHING);
                        ck_assert_int_eq(step_unchanged(&s, all_events[e], 100, 0), ACT_NOTHING);
                }
}
END_TEST

START_TEST(step_unknown_phase_or_event_does_nothing) {
        struct ota_state s = state_in(_OTA_PHASE_MAX, 0, 0, false);
        ck_assert_int_eq(step_unchanged(&s, EV_RUN, 3, 2), ACT_NOTHING);
        s = state_in(OTA_VERIFYING, 1, 0, false);
        ck_assert_int_eq(step_unchanged(&s, (enum ota_event)42, 3, 2), ACT_NOTHING);
        s = state_in(OTA_ROLLING_BACK, 1, 0, false);
        ck_assert_int_eq(step_unchanged(&s, (enum ota_event)42, 3, 2), ACT_NOTHING);
}
END_TEST

START_TEST(finish_records_the_decision) {
        struct ota_state s = state_in(OTA_ROLLING_BACK, 3, 2, true);
        ota_finish(&s, OTA_ROLLED_BACK, 1795781234);
        ck_assert_int_eq(s.phase, OTA_ROLLED_BACK);
        ck_assert_int_eq(s.decided_at, 1795781234);
        s = state_in(OTA_VERIFYING, 1, 0, false);
        ck_assert_int_eq(ota_step(&s, EV_PROBE_OK, 3, 2), ACT_COMMIT);
        ota_finish(&s, OTA_COMMITTED, 1795781300);
        ck_assert_int_eq(s.phase, OTA_COMMITTED);
        ck_assert_int_eq(s.decided_at, 1795781300);
        ota_state_done(&s);
}
END_TEST

START_TEST(finish_refuses_what_does_not_follow) {
        static const struct {
                enum ota_phase from, to;
        } refused[] = {
                {OTA_ROLLING_BACK, OTA_COMMITTED}, {OTA_COMMITTED, OTA_ROLLED_BACK},  {OTA_VERIFYING, OTA_ROLLED_BACK},
                {OTA_PENDING, OTA_COMMITTED},      {OTA_VERIFYING, OTA_ROLLING_BACK}, {OTA_VERIFYING, OTA_PENDING},
        };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                struct ota_state s = state_in(refused[i].from, 1, 0, false);
                ota_finish(&s, refused[i].to, 1795781234);
                ck_assert_msg(s.phase == refused[i].from && s.decided_at == 0, "case %zu", i);
        }
}
END_TEST

/* Persist and read back, as a run after a crash would. */
static void reload(struct ota_state *s) {
        char *text = ota_state_format(s);
        ck_assert_ptr_nonnull(text);
        ota_state_done(s);
        ck_assert_int_eq(ota_state_parse(text, s), 0);
        free(text);
}

START_TEST(step_crash_before_any_probe_result_rolls_back_after_max_attempts) {
        struct ota_state s = state_in(OTA_PENDING, 0, 0, false);
        unsigned started = 0;
        enum ota_action a;
        /* Every run dies before its probe reports: the verifier is only ever told EV_RUN. */
        while ((a = ota_step(&s, EV_RUN, 3, 2)) == ACT_START_ATTEMPT) {
                started++;
                ck_assert_uint_eq(s.attempts, started);
                ck_assert_uint_le(started, 3);
                reload(&s);
        }
        ck_assert_uint_eq(started, 3);
        ck_assert_int_eq(a, ACT_SWAP_NEXT);
        ck_assert_int_eq(s.phase, OTA_ROLLING_BACK);
        ck_assert_str_eq(s.reason, "no successful verification in 3 attempts");
        ota_state_done(&s);
}
END_TEST

/* Drive a rollback of n_swaps pairs the way the verifier does, persisting after every step; a
 * crash (then a new run) is injected after step crash_after (none if negative). */
static void run_rollback(size_t n_swaps, int crash_after, unsigned *swapped, unsigned *restarts) {
        struct ota_state s = state_in(OTA_VERIFYING, 1, 0, false);
        enum ota_action a = ota_step(&s, EV_PROBE_FAILED, 3, n_swaps);
        reload(&s);
        for (int step = 0; a != ACT_FINISH_ROLLBACK; step++) {
                ck_assert_int_lt(step, 100);
                enum ota_event ev;
                if (a == ACT_SWAP_NEXT) {
                        ck_assert_uint_lt(s.swaps_done, n_swaps);
                        swapped[s.swaps_done]++;
                        ev = EV_SWAPPED;
                } else {
                        ck_assert_int_eq(a, ACT_RESTART_UNITS);
                        (*restarts)++;
                        ev = EV_RESTARTED;
                }
                a = ota_step(&s, ev, 3, n_swaps);
                reload(&s);
                if (step == crash_after)
                        a = ota_step(&s, EV_RUN, 3, n_swaps);
        }
        ota_finish(&s, OTA_ROLLED_BACK, 1795781234);
        reload(&s);
        ck_assert_int_eq(s.phase, OTA_ROLLED_BACK);
        ck_assert_uint_eq(s.swaps_done, n_swaps);
        ck_assert(s.restarted);
        ck_assert_int_eq(ota_step(&s, EV_RUN, 3, n_swaps), ACT_NOTHING);
        ota_state_done(&s);
}

START_TEST(step_full_rollback_swaps_each_pair_once) {
        /* Without a crash, and with one after each step. */
        for (int crash_after = -1; crash_after <= 4; crash_after++) {
                unsigned swapped[3] = {0}, restarts = 0;
                run_rollback(3, crash_after, swapped, &restarts);
                for (size_t i = 0; i < 3; i++)
                        ck_assert_msg(swapped[i] == 1, "crash after %d: pair %zu swapped %u times", crash_after, i,
                                      swapped[i]);
                ck_assert_msg(restarts == 1, "crash after %d: %u restarts", crash_after, restarts);
        }
}
END_TEST

/* ---- the state file ---- */

START_TEST(state_round_trips_every_field) {
        struct ota_state s = {
                .phase = OTA_ROLLING_BACK,
                .attempts = 4,
                .swaps_done = 2,
                .restarted = true,
                .reason = strdup("checks failed until the deadline"),
                .last_status = 500,
                .last_error = strdup("  HTTP 500 from https://127.0.0.1/ = bad  "),
                .new_version = strdup("1.4.0 beta"),
                .previous_version = strdup("1.3.2"),
                .decided_at = -1795781234,
                .swap_dev = 18446744073709551615ULL,
                .swap_ino = 9876543210ULL,
        };
        char *text = ota_state_format(&s);
        struct ota_state back;
        ck_assert_int_eq(ota_state_parse(text, &back), 0);
        ck_assert_int_eq(back.phase, s.phase);
        ck_assert_uint_eq(back.attempts, s.attempts);
        ck_assert_uint_eq(back.swaps_done, s.swaps_done);
        ck_assert(back.restarted);
        ck_assert_str_eq(back.reason, s.reason);
        ck_assert_int_eq(back.last_status, s.last_status);
        ck_assert_str_eq(back.last_error, s.last_error);
        ck_assert_str_eq(back.new_version, s.new_version);
        ck_assert_str_eq(back.previous_version, s.previous_version);
        ck_assert_int_eq(back.decided_at, s.decided_at);
        ck_assert_uint_eq(back.swap_dev, s.swap_dev);
        ck_assert_uint_eq(back.swap_ino, s.swap_ino);
        char *again = ota_state_format(&back);
        ck_assert_str_eq(again, text);
        free(again);
        free(text);
        ota_state_done(&back);
        ota_state_done(&s);
}
END_TEST

START_TEST(state_round_trips_every_phase_and_extreme_numbers) {
        for (enum ota_phase p = OTA_PENDING; p < _OTA_PHASE_MAX; p++) {
                struct ota_state s = {.phase = p, .attempts = UINT_MAX, .last_status = -1, .decided_at = LLONG_MIN};
                char *text = ota_state_format(&s);
                struct ota_state back;
                ck_assert_int_eq(ota_state_parse(text, &back), 0);
                ck_assert_int_eq(back.phase, p);
                ck_assert_uint_eq(back.attempts, UINT_MAX);
                ck_assert_int_eq(back.last_status, -1);
                ck_assert(back.decided_at == LLONG_MIN);
                ck_assert(!back.restarted);
                free(text);
                ota_state_done(&back);
        }
}
END_TEST

START_TEST(state_keeps_absent_and_empty_text_apart) {
        struct ota_state s = {.phase = OTA_VERIFYING, .reason = strdup(""), .last_error = NULL};
        char *text = ota_state_format(&s);
        struct ota_state back;
        ck_assert_int_eq(ota_state_parse(text, &back), 0);
        ck_assert_str_eq(back.reason, "");
        ck_assert_ptr_null(back.last_error);
        ck_assert_ptr_null(back.new_version);
        ck_assert_ptr_null(back.previous_version);
        free(text);
        ota_state_done(&back);
        ota_state_done(&s);
}
END_TEST

START_TEST(state_format_replaces_control_characters) {
        struct ota_state s = {.phase = OTA_VERIFYING,
                              .last_error = strdup("SSL connect error\nphase=committed\r\tagain\x7f"),
                              .new_version = strdup("1.4\n")};
        char *text = ota_state_format(&s);
        /* a comment, 9 numbers, 2 texts: nothing a value could add */
        size_t lines = 0;
        for (const char *p = text; *p; p++)
                lines += *p == '\n';
        ck_assert_uint_eq(lines, 12);
        struct ota_state back;
        ck_assert_int_eq(ota_state_parse(text, &back), 0);
        ck_assert_int_eq(back.phase, OTA_VERIFYING);
        ck_assert_str_eq(back.last_error, "SSL connect error phase=committed  again ");
        ck_assert_str_eq(back.new_version, "1.4 ");
        free(text);
        ota_state_done(&back);
        ota_state_done(&s);
}
END_TEST

/* A state file the verifier wrote, with one line replaced (or, with a NULL key, text appended). */
static char *state_text_with(const char *key, const char *line) {
        struct ota_state s = {.phase = OTA_ROLLING_BACK, .attempts = 3, .swaps_done = 1, .reason = strdup("r")};
        char *good = ota_state_format(&s);
        ota_state_done(&s);
        struct ota_state check;
        ck_assert_int_eq(ota_state_parse(good, &check), 0); /* the test starts from a file that is fine */
        ota_state_done(&check);
        struct strbuf sb = STRBUF_INIT;
        char *save = NULL;
        for (char *l = strtok_r(good, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                bool replace = key && strncmp(l, key, strlen(key)) == 0 && l[strlen(key)] == '=';
                if (!replace)
                        strbuf_printf(&sb, "%s\n", l);
                else if (line)
                        strbuf_printf(&sb, "%s\n", line);
        }
        if (!key)
                strbuf_puts(&sb, line);
        free(good);
        return strbuf_steal(&sb);
}

static void expect_state_rejected(const char *key, const char *line) {
        char *text = state_text_with(key, line);
        struct ota_state s;
        ck_assert_msg(ota_state_parse(text, &s) == -EINVAL, "accepted:\n%s", text);
        ck_assert(s.phase == OTA_PENDING && s.swaps_done == 0 && !s.reason);
        free(text);
}

START_TEST(state_parse_rejects_an_unknown_key) {
        expect_state_rejected(NULL, "swaps_todo=2\n");
}
END_TEST

START_TEST(state_parse_rejects_a_bad_phase) {
        expect_state_rejected("phase", "phase=rolling_back");
        expect_state_rejected("phase", "phase=");
        expect_state_rejected("phase", "phase=invalid");
}
END_TEST

START_TEST(state_parse_rejects_swaps_done_not_a_number) {
        expect_state_rejected("swaps_done", "swaps_done=two");
        expect_state_rejected("swaps_done", "swaps_done=");
        expect_state_rejected("swaps_done", "swaps_done=-1");
        expect_state_rejected("swaps_done", "swaps_done= 1");
        expect_state_rejected("swaps_done", "swaps_done=1x");
        expect_state_rejected("swaps_done", "swaps_done=33");
        expect_state_rejected("swaps_done", "swaps_done=99999999999999999999999");
}
END_TEST

START_TEST(state_parse_rejects_a_missing_number) {
        /* Defaulting swaps_done to 0 would swap the first pair back to the new version. */
        static const char *const keys[] = {"phase",       "attempts",   "swaps_done", "restarted",
                                           "last_status", "decided_at", "swap_dev",   "swap_ino"};
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                expect_state_rejected(keys[i], NULL);
}
END_TEST

START_TEST(state_parse_rejects_other_damage) {
        expect_state_rejected(NULL, "phase=pending\n"); /* a key twice */
        expect_state_rejected(NULL, "just words\n");    /* no '=' */
        expect_state_rejected("restarted", "restarted=2");
        expect_state_rejected("restarted", "restarted=yes");
        expect_state_rejected("attempts", "attempts=4294967296");
        expect_state_rejected("last_status", "last_status=1000");
        expect_state_rejected("last_status", "last_status=-2");
        expect_state_rejected("decided_at", "decided_at=9223372036854775808");
        expect_state_rejected("reason", "reason=a\rb");
        struct ota_state s;
        ck_assert_int_eq(ota_state_parse("", &s), -EINVAL);
}
END_TEST

START_TEST(state_parse_rejects_every_cut_short_file) {
        /* Whatever prefix survived, it is refused, unless it ends at a line after every number
         * (then only text for people is missing): never a number or a text cut in the middle. */
        struct ota_state s = {.phase = OTA_ROLLING_BACK,
                              .swaps_done = 12,
                              .swap_dev = 2049,
                              .swap_ino = 1234567,
                              .reason = strdup("checks failed until the deadline"),
                              .new_version = strdup("1.4.0")};
        char *text = ota_state_format(&s);
        size_t numbers_end = (size_t)(strstr(text, "applied_at=0\n") - text) + strlen("applied_at=0\n");
        for (size_t len = 0; len < strlen(text); len++) {
                char *cut = strndup(text, len);
                struct ota_state back;
                int r = ota_state_parse(cut, &back);
                bool may_pass = len >= numbers_end && text[len - 1] == '\n';
                ck_assert_msg(r == (may_pass ? 0 : -EINVAL), "cut at %zu: %d", len, r);
                if (r == 0) {
                        ck_assert_uint_eq(back.swaps_done, 12);
                        ck_assert_uint_eq(back.swap_ino, 1234567);
                        ck_assert(!back.reason || strcmp(back.reason, s.reason) == 0);
                        ck_assert(!back.new_version || strcmp(back.new_version, s.new_version) == 0);
                }
                ota_state_done(&back);
                free(cut);
        }
        free(text);
        ota_state_done(&s);
}
END_TEST

START_TEST(phase_names_round_trip) {
        for (enum ota_phase p = OTA_PENDING; p < _OTA_PHASE_MAX; p++) {
                enum ota_phase back;
                ck_assert_int_eq(ota_phase_from_string(ota_phase_to_string(p), &back), 0);
                ck_assert_int_eq(back, p);
        }
        ck_assert_str_eq(ota_phase_to_string(OTA_ROLLING_BACK), "rolling-back");
        ck_assert_ptr_null(ota_phase_to_string(_OTA_PHASE_MAX));
        enum ota_phase p;
        ck_assert_int_eq(ota_phase_from_string("Committed", &p), -EINVAL);
}
END_TEST

/* ---- deadlines ---- */

START_TEST(deadline_counts_down_on_the_monotonic_clock) {
        struct attempt_clock c = {.mono_start_ms = 5000000, .wall_start_s = 1795780800};
        ck_assert_int_eq(attempt_remaining_ms(&c, 5000000, 300), 300000);
        ck_assert_int_eq(attempt_remaining_ms(&c, 5000001, 300), 299999);
        ck_assert_int_eq(attempt_remaining_ms(&c, 5120000, 300), 180000);
        ck_assert_int_eq(attempt_remaining_ms(&c, 5299999, 300), 1);
        ck_assert_int_eq(attempt_remaining_ms(&c, 5300000, 300), 0);
}
END_TEST

START_TEST(deadline_ignores_wall_clock_jumps) {
        /* NTP moving the wall clock by half an hour either way, mid-attempt: only the monotonic
         * reading counts. */
        static const long long walls[] = {1795780800, 1795780800 + 1800, 1795780800 - 1800, 0, -1800};
        for (size_t i = 0; i < ELEMENTSOF(walls); i++) {
                struct attempt_clock c = {.mono_start_ms = 7000, .wall_start_s = walls[i]};
                ck_assert_int_eq(attempt_remaining_ms(&c, 67000, 300), 240000);
                ck_assert(in_grace(&c, 21999, 15));
                ck_assert(!in_grace(&c, 22000, 15));
        }
}
END_TEST

START_TEST(deadline_never_negative_and_never_longer_than_the_window) {
        struct attempt_clock c = {.mono_start_ms = 1000};
        ck_assert_int_eq(attempt_remaining_ms(&c, 1000 + 300000 + 1, 300), 0);
        ck_assert_int_eq(attempt_remaining_ms(&c, LLONG_MAX, 86400), 0);
        /* a reading before the start (not one boot's clock) gives the window, not more */
        ck_assert_int_eq(attempt_remaining_ms(&c, 0, 300), 300000);
        ck_assert_int_eq(attempt_remaining_ms(&c, LLONG_MIN, 300), 300000);
        struct attempt_clock far = {.mono_start_ms = LLONG_MIN};
        ck_assert_int_eq(attempt_remaining_ms(&far, LLONG_MAX, 300), 0);
        ck_assert_int_eq(attempt_remaining_ms(&c, 5000, 0), 0);
        ck_assert_int_eq(attempt_remaining_ms(&c, 1000, UINT_MAX), (long long)UINT_MAX * 1000);
}
END_TEST

START_TEST(probe_backoff_doubles_to_ten_seconds) {
        static const long long want[] = {1000, 2000, 4000, 8000, 10000, 10000, 10000};
        for (unsigned i = 0; i < ELEMENTSOF(want); i++)
                ck_assert_int_eq(next_probe_delay_ms(i, 3600000), want[i]);
        ck_assert_int_eq(next_probe_delay_ms(63, 3600000), 10000);
        ck_assert_int_eq(next_probe_delay_ms(UINT_MAX, 3600000), 10000);
}
END_TEST

START_TEST(probe_backoff_never_beyond_the_remaining_time) {
        ck_assert_int_eq(next_probe_delay_ms(0, 400), 400);
        ck_assert_int_eq(next_probe_delay_ms(3, 5000), 5000);
        ck_assert_int_eq(next_probe_delay_ms(2, 4000), 4000);
        ck_assert_int_eq(next_probe_delay_ms(5, 1), 1);
        ck_assert_int_eq(next_probe_delay_ms(5, 0), 0);
        ck_assert_int_eq(next_probe_delay_ms(0, -5), 0);
        ck_assert_int_eq(next_probe_delay_ms(0, LLONG_MIN), 0);
}
END_TEST

START_TEST(grace_period) {
        struct attempt_clock c = {.mono_start_ms = 100000, .wall_start_s = 1795780800};
        ck_assert(in_grace(&c, 100000, 15));
        ck_assert(in_grace(&c, 114999, 15));
        ck_assert(!in_grace(&c, 115000, 15));
        ck_assert(!in_grace(&c, 999999, 15));
        ck_assert(!in_grace(&c, 100000, 0));
        ck_assert(in_grace(&c, 50000, 15)); /* before the start: the grace has not run yet */
        ck_assert(!in_grace(&c, LLONG_MAX, 3600));
}
END_TEST

Suite *verify_ota_suite(void) {
        Suite *s = suite_create("verify_ota");
        TCase *marker = tcase_create("marker");
        tcase_add_test(marker, marker_full_with_every_key);
        tcase_add_test(marker, marker_defaults_for_missing_optional_keys);
        tcase_add_test(marker, marker_check_without_expect_status_expects_200);
        tcase_add_test(marker, marker_empty_restart_list_is_fine);
        tcase_add_test(marker, marker_as_yaml_and_with_tabs);
        tcase_add_test(marker, marker_without_file_name_is_not_called_a_manifest);
        tcase_add_test(marker, marker_reports_every_problem_at_once);
        suite_add_tcase(s, marker);

        TCase *bad = tcase_create("marker_errors");
        tcase_add_test(bad, marker_error_not_json);
        tcase_add_test(bad, marker_error_cut_short);
        tcase_add_test(bad, marker_error_empty);
        tcase_add_test(bad, marker_error_not_a_mapping);
        tcase_add_test(bad, marker_error_a_plain_string);
        tcase_add_test(bad, marker_error_two_documents);
        tcase_add_test(bad, marker_error_missing_marker_version);
        tcase_add_test(bad, marker_error_missing_new_version);
        tcase_add_test(bad, marker_error_missing_previous_version);
        tcase_add_test(bad, marker_error_missing_applied_at);
        tcase_add_test(bad, marker_error_missing_rollback);
        tcase_add_test(bad, marker_error_missing_swap);
        tcase_add_test(bad, marker_error_missing_swap_current);
        tcase_add_test(bad, marker_error_missing_swap_backup);
        tcase_add_test(bad, marker_error_missing_check_url);
        tcase_add_test(bad, marker_error_unknown_key_with_suggestion);
        tcase_add_test(bad, marker_error_unknown_key_without_suggestion);
        tcase_add_test(bad, marker_error_unknown_key_in_a_check);
        tcase_add_test(bad, marker_error_unknown_key_in_rollback);
        tcase_add_test(bad, marker_error_unknown_key_in_a_swap);
        tcase_add_test(bad, marker_error_duplicate_key);
        tcase_add_test(bad, marker_error_duplicate_key_in_a_swap);
        tcase_add_test(bad, marker_error_version_is_a_list);
        tcase_add_test(bad, marker_error_version_is_null);
        tcase_add_test(bad, marker_error_version_is_a_boolean);
        tcase_add_test(bad, marker_error_version_is_empty);
        tcase_add_test(bad, marker_error_version_has_a_newline);
        tcase_add_test(bad, marker_error_number_is_a_string);
        tcase_add_test(bad, marker_error_number_is_a_boolean);
        tcase_add_test(bad, marker_error_number_is_null);
        tcase_add_test(bad, marker_error_number_is_a_list);
        tcase_add_test(bad, marker_error_checks_is_a_mapping);
        tcase_add_test(bad, marker_error_check_is_a_string);
        tcase_add_test(bad, marker_error_rollback_is_a_list);
        tcase_add_test(bad, marker_error_swap_is_a_mapping);
        tcase_add_test(bad, marker_error_swap_pair_is_a_list);
        tcase_add_test(bad, marker_error_restart_is_a_string);
        tcase_add_test(bad, marker_error_path_is_a_number);
        tcase_add_test(bad, marker_error_marker_version_2);
        tcase_add_test(bad, marker_error_marker_version_quoted);
        tcase_add_test(bad, marker_error_applied_at_zero);
        tcase_add_test(bad, marker_error_applied_at_negative);
        tcase_add_test(bad, marker_error_applied_at_huge);
        tcase_add_test(bad, marker_error_applied_at_beyond_long_long);
        tcase_add_test(bad, marker_error_deadline_too_short);
        tcase_add_test(bad, marker_error_deadline_too_long);
        tcase_add_test(bad, marker_error_deadline_negative);
        tcase_add_test(bad, marker_error_deadline_float);
        tcase_add_test(bad, marker_error_deadline_whole_float);
        tcase_add_test(bad, marker_error_deadline_exponent);
        tcase_add_test(bad, marker_error_deadline_leading_zero);
        tcase_add_test(bad, marker_error_deadline_plus_sign);
        tcase_add_test(bad, marker_error_grace_too_long);
        tcase_add_test(bad, marker_error_grace_negative);
        tcase_add_test(bad, marker_error_grace_fills_the_deadline);
        tcase_add_test(bad, marker_error_max_attempts_zero);
        tcase_add_test(bad, marker_error_max_attempts_too_many);
        tcase_add_test(bad, marker_error_expect_status_too_low);
        tcase_add_test(bad, marker_error_expect_status_too_high);
        tcase_add_test(bad, marker_error_expect_status_quoted);
        tcase_add_test(bad, marker_error_empty_checks);
        tcase_add_test(bad, marker_error_too_many_checks);
        tcase_add_test(bad, marker_error_empty_swap);
        tcase_add_test(bad, marker_error_too_many_swaps);
        tcase_add_test(bad, marker_error_too_many_restarts);
        tcase_add_test(bad, marker_error_relative_path);
        tcase_add_test(bad, marker_error_path_with_dotdot);
        tcase_add_test(bad, marker_error_path_with_dot);
        tcase_add_test(bad, marker_error_path_with_double_slash);
        tcase_add_test(bad, marker_error_path_with_trailing_slash);
        tcase_add_test(bad, marker_error_path_is_root);
        tcase_add_test(bad, marker_error_path_too_long);
        tcase_add_test(bad, marker_error_current_is_backup);
        tcase_add_test(bad, marker_error_path_in_two_pairs);
        tcase_add_test(bad, marker_error_path_inside_another_pair);
        tcase_add_test(bad, marker_error_path_contains_another_pair);
        tcase_add_test(bad, marker_error_unit_without_suffix);
        tcase_add_test(bad, marker_error_unit_with_unknown_suffix);
        tcase_add_test(bad, marker_error_unit_with_space);
        tcase_add_test(bad, marker_error_unit_template);
        tcase_add_test(bad, marker_error_unit_leading_dash);
        tcase_add_test(bad, marker_error_unit_with_slash);
        tcase_add_test(bad, marker_error_url_bad_scheme);
        tcase_add_test(bad, marker_error_url_without_scheme);
        tcase_add_test(bad, marker_error_url_with_user_name);
        tcase_add_test(bad, marker_error_url_without_host);
        tcase_add_test(bad, marker_error_url_bad_port);
        tcase_add_test(bad, marker_error_url_with_space);
        suite_add_tcase(s, bad);

        TCase *url = tcase_create("url");
        tcase_add_test(url, loopback_urls);
        tcase_add_test(url, not_loopback_urls);
        suite_add_tcase(s, url);

        TCase *step = tcase_create("step");
        tcase_add_test(step, step_pending_run_starts_the_first_attempt);
        tcase_add_test(step, step_pending_ignores_every_other_event);
        tcase_add_test(step, step_verifying_run_below_max_starts_another_attempt);
        tcase_add_test(step, step_verifying_run_at_max_rolls_back);
        tcase_add_test(step, step_verifying_run_at_max_with_nothing_to_swap_restarts);
        tcase_add_test(step, step_verifying_probe_ok_commits);
        tcase_add_test(step, step_verifying_probe_failed_rolls_back);
        tcase_add_test(step, step_verifying_ignores_rollback_events);
        tcase_add_test(step, step_rolling_back_run_resumes_where_it_stopped);
        tcase_add_test(step, step_rolling_back_swapped_counts_the_pair);
        tcase_add_test(step, step_rolling_back_swapped_with_every_pair_back_is_ignored);
        tcase_add_test(step, step_rolling_back_restarted_finishes);
        tcase_add_test(step, step_rolling_back_restarted_before_the_last_swap_is_ignored);
        tcase_add_test(step, step_rolling_back_ignores_probe_results);
        tcase_add_test(step, step_final_phases_ignore_every_event);
        tcase_add_test(step, step_unknown_phase_or_event_does_nothing);
        tcase_add_test(step, finish_records_the_decision);
        tcase_add_test(step, finish_refuses_what_does_not_follow);
        tcase_add_test(step, step_crash_before_any_probe_result_rolls_back_after_max_attempts);
        tcase_add_test(step, step_full_rollback_swaps_each_pair_once);
        suite_add_tcase(s, step);

        TCase *state = tcase_create("state_file");
        tcase_add_test(state, state_round_trips_every_field);
        tcase_add_test(state, state_round_trips_every_phase_and_extreme_numbers);
        tcase_add_test(state, state_keeps_absent_and_empty_text_apart);
        tcase_add_test(state, state_format_replaces_control_characters);
        tcase_add_test(state, state_parse_rejects_an_unknown_key);
        tcase_add_test(state, state_parse_rejects_a_bad_phase);
        tcase_add_test(state, state_parse_rejects_swaps_done_not_a_number);
        tcase_add_test(state, state_parse_rejects_a_missing_number);
        tcase_add_test(state, state_parse_rejects_other_damage);
        tcase_add_test(state, state_parse_rejects_every_cut_short_file);
        tcase_add_test(state, phase_names_round_trip);
        suite_add_tcase(s, state);

        TCase *deadline = tcase_create("deadline");
        tcase_add_test(deadline, deadline_counts_down_on_the_monotonic_clock);
        tcase_add_test(deadline, deadline_ignores_wall_clock_jumps);
        tcase_add_test(deadline, deadline_never_negative_and_never_longer_than_the_window);
        tcase_add_test(deadline, probe_backoff_doubles_to_ten_seconds);
        tcase_add_test(deadline, probe_backoff_never_beyond_the_remaining_time);
        tcase_add_test(deadline, grace_period);
        suite_add_tcase(s, deadline);
        return s;
}
