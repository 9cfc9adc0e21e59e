/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Multi-line values: newline and tab in command arguments, the command string and container env
 * values become \n and \t inside a quoted word (Quadlet 5.4 and systemd undo them); what cannot be
 * passed through stays refused with the reason. */
#include <stdlib.h>
#include <string.h>

#include "quadlet-render.h"
#include "testlib.h"
#include "unit-escape.h"

static char *word(const char *s) {
        struct strbuf sb = STRBUF_INIT;
        unit_append_word(&sb, s);
        return strbuf_steal(&sb);
}

START_TEST(newline_and_tab_become_c_escapes_in_a_quoted_word) {
        char *w = word("a\nb");
        ck_assert_str_eq(w, "\"a\\nb\"");
        free(w);
        w = word("a\tb\n");
        ck_assert_str_eq(w, "\"a\\tb\\n\"");
        free(w);
        w = word("\n%$\"\\\t");
        ck_assert_str_eq(w, "\"\\n%%$$\\\"\\\\\\t\"");
        free(w);
        struct strbuf sb = STRBUF_INIT;
        unit_append_assignment(&sb, "V", "l1\nl2\tx");
        ck_assert_str_eq(strbuf_str(&sb), "\"V=l1\\nl2\\tx\"");
        strbuf_free(&sb);
}
END_TEST

static char *render_first_container(const char *yaml) {
        struct manifest *m = parse_expecting(yaml, "");
        struct strbuf sb = STRBUF_INIT;
        render_container(m, &m->apps[0], &m->apps[0].containers[0], &sb);
        manifest_free(m);
        return strbuf_steal(&sb);
}

#define HEAD "version: 1\napps:\n  x:\n    containers:\n      main:\n        image: localhost/x:1\n"

START_TEST(a_block_scalar_command_and_env_stay_on_their_line) {
        char *unit = render_first_container(HEAD "        command: |\n"
                                                 "          echo one\n"
                                                 "          \techo two\n"
                                                 "        env:\n"
                                                 "          A: \"x\\n[Service]\\nExecStartPre=/bin/evil\"\n"
                                                 "        health: {cmd: \"test\\t-e /x\"}\n");
        ck_assert_ptr_nonnull(strstr(unit, "\nExec=/bin/sh -c \"echo one\\n\\techo two\\n\"\n"));
        ck_assert_ptr_nonnull(strstr(unit, "\nEnvironment=\"A=x\\n[Service]\\nExecStartPre=/bin/evil\"\n"));
        ck_assert_ptr_nonnull(strstr(unit, "\nHealthCmd=test\t-e /x\n"));
        ck_assert_ptr_null(strstr(unit, "\nExecStartPre"));
        const char *service = strstr(unit, "\n[Service]\n"); /* archy's own section, once */
        ck_assert_ptr_nonnull(service);
        ck_assert_ptr_null(strstr(service + 1, "\n[Service]"));
        free(unit);
        unit = render_first_container(HEAD "        command: [sh, -c, \"a\\nb\", \"tab\\there\"]\n");
        ck_assert_ptr_nonnull(strstr(unit, "\nExec=sh -c \"a\\nb\" \"tab\\there\"\n"));
        free(unit);
}
END_TEST

START_TEST(what_cannot_be_passed_through_stays_refused) {
        manifest_free(parse_expecting(
                HEAD "        command: [\"a\\rb\"]\n"
                     "        env: {A: \"x\\u0000y\", B: \"esc\\u001b[0m\"}\n"
                     "        health: {cmd: \"test -e /a\\ntest -e /b\"}\n",
                "test.yaml:7:19: apps.x.containers.main.command[0]: expected text without control characters other "
                "than newline and tab, got 0x0d at byte 1 of \"a\\x0db\"\n"
                "test.yaml:8:18: apps.x.containers.main.env.A: expected text without control characters other than "
                "newline and tab, got 0x00 at byte 1 of \"x\\x00y\"\n"
                "test.yaml:8:33: apps.x.containers.main.env.B: expected text without control characters other than "
                "newline and tab, got 0x1b at byte 3 of \"esc\\x1b[0m\"\n"
                "test.yaml:9:23: apps.x.containers.main.health.cmd: expected a command on one line, got a newline in "
                "\"test -e /a\\ntest -e /b\" (podman's Quadlet reads HealthCmd= as one raw line: join the commands "
                "with && or ;, or put the script in a derived file and run it)\n"));
        manifest_free(parse_expecting(HEAD "        command: \"sh\\r\"\n"
                                           "        health: {cmd: \"test -e /a\\\\\\t \"}\n"
                                           "        entrypoint: [\"/x\\ny\"]\n",
                                      "test.yaml:7:18: apps.x.containers.main.command: expected text without "
                                      "control characters other than newline and tab, got 0x0d at byte 2 of "
                                      "\"sh\\x0d\"\n"
                                      "test.yaml:8:23: apps.x.containers.main.health.cmd: expected a command that "
                                      "does not end with a backslash, got \"test -e /a\\\t \"\n"
                                      "test.yaml:9:22: apps.x.containers.main.entrypoint[0]: expected text without "
                                      "control characters (newline, tab, NUL), got \"/x\\ny\"\n"));
        /* a derived env file holds one variable a line */
        manifest_free(parse_expecting(
                "version: 1\napps:\n  x:\n    derived:\n"
                "      - {kind: env, path: /run/archipelago/env/x.env, vars: {A: \"l1\\nl2\"}}\n"
                "    containers:\n      main:\n        image: localhost/x:1\n",
                "test.yaml:5:65: apps.x.derived[0].vars.A: expected text without control characters (newline, tab, "
                "NUL), got \"l1\\nl2\"\n"));
}
END_TEST

Suite *multiline_suite(void) {
        Suite *s = suite_create("multiline");
        TCase *tc = tcase_create("multiline");
        tcase_add_test(tc, newline_and_tab_become_c_escapes_in_a_quoted_word);
        tcase_add_test(tc, a_block_scalar_command_and_env_stay_on_their_line);
        tcase_add_test(tc, what_cannot_be_passed_through_stays_refused);
        suite_add_tcase(s, tc);
        return s;
}
