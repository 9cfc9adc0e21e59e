/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Injection attempts: no manifest value may add a directive, a specifier or a variable to a unit. */
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

#define ck_assert_word(in, out)                                                                                        \
        do {                                                                                                           \
                char *_w = word(in);                                                                                   \
                ck_assert_str_eq(_w, out);                                                                             \
                free(_w);                                                                                              \
        } while (0)

START_TEST(words_escape_specifiers_variables_and_quotes) {
        ck_assert_word("bitcoind", "bitcoind");
        ck_assert_word("-conf=/data/bitcoin.conf", "-conf=/data/bitcoin.conf");
        ck_assert_word("100%", "100%%");
        ck_assert_word("%n", "%%n");
        ck_assert_word("$HOME", "$$HOME");
        ck_assert_word("${HOME}", "$${HOME}");
        ck_assert_word("two words", "\"two words\"");
        ck_assert_word("say \"hi\"", "\"say \\\"hi\\\"\"");
        ck_assert_word("back\\slash", "\"back\\\\slash\"");
        ck_assert_word("trailing\\", "\"trailing\\\\\"");
        ck_assert_word("it's", "\"it's\"");
        ck_assert_word(";", "\";\"");
        ck_assert_word("", "\"\"");
}
END_TEST

START_TEST(raw_values_escape_specifiers_and_variables) {
        struct strbuf sb = STRBUF_INIT;
        unit_append_raw(&sb, "curl -f http://x/?a=100% && echo $HOME \"q\"");
        ck_assert_str_eq(strbuf_str(&sb), "curl -f http://x/?a=100%% && echo $$HOME \"q\"");
        strbuf_free(&sb);
}
END_TEST

static char *render_first_container(const char *yaml) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(yaml, &diags);
        ck_assert_msg(m && diags.n == 0, "unexpected diagnostics");
        struct strbuf sb = STRBUF_INIT;
        render_container(m, &m->apps[0], &m->apps[0].containers[0], &sb);
        manifest_free(m);
        diag_list_free(&diags);
        return strbuf_steal(&sb);
}

/* Each line of the unit must start with a known directive, a section or a comment. */
static void assert_only_expected_directives(const char *unit) {
        static const char *const allowed[] = {
                "#",
                "[",
                "Description=",
                "Documentation=",
                "After=",
                "Requires=",
                "StartLimit",
                "ContainerName=",
                "Image=",
                "Label=",
                "Network=",
                "AddHost=",
                "RunInit=",
                "StopTimeout=",
                "Volume=",
                "PublishPort=",
                "Environment=",
                "EnvironmentFile=",
                "Health",
                "Exec=",
                "Slice=",
                "Restart",
                "Timeout",
                "SuccessExitStatus=",
                "WantedBy=",
                NULL,
        };
        for (const char *line = unit; *line; line = strchr(line, '\n') + 1) {
                bool ok = *line == '\n';
                for (const char *const *a = allowed; *a && !ok; a++)
                        ok = strncmp(line, *a, strlen(*a)) == 0;
                ck_assert_msg(ok, "unexpected line in unit: %.*s", (int)strcspn(line, "\n"), line);
        }
}

START_TEST(command_env_and_health_cannot_inject) {
        char *unit = render_first_container(
                "version: 1\napps:\n  x:\n    containers:\n      main:\n        image: localhost/x:1\n"
                "        command: [sh, -c, 'echo %n $PATH \"q\" \\ ]; ExecStartPre=/bin/evil', '*']\n"
                "        env: {A: '%h $HOME \"q\" [Service] ExecStartPre=/bin/evil \\'}\n"
                "        health: {cmd: 'test %p $USER'}\n");
        ck_assert_ptr_nonnull(
                strstr(unit, "Exec=sh -c \"echo %%n $$PATH \\\"q\\\" \\\\ ]; ExecStartPre=/bin/evil\" *\n"));
        ck_assert_ptr_nonnull(
                strstr(unit, "Environment=\"A=%%h $$HOME \\\"q\\\" [Service] ExecStartPre=/bin/evil \\\\\"\n"));
        ck_assert_ptr_nonnull(strstr(unit, "HealthCmd=test %%p $$USER\n"));
        assert_only_expected_directives(unit);
        free(unit);
}
END_TEST

START_TEST(newlines_never_reach_a_unit) {
        static const char *const attempts[] = {
                "        command: [\"a\\rExecStartPre=/bin/evil\"]\n",
                "        command: \"a\\rExecStartPre=/bin/evil\"\n",
                "        env: {A: \"x\\r[Service]\\rUser=root\"}\n",
                "        health: {cmd: \"x\\rExecStartPre=/bin/evil\"}\n",
                "        health: {cmd: \"x\\nExecStartPre=/bin/evil\"}\n",
                "        entrypoint: [\"a\\nExecStartPre=/bin/evil\"]\n",
                "        image: \"localhost/x:1\\nPodmanArgs=--privileged\"\n",
                "        env_files: [\"/x\\nExecStartPre=/bin/evil\"]\n",
                "        volumes: [\"/x:/y\\nPodmanArgs=--privileged\"]\n",
                "        ports: [\"1:1\\nPodmanArgs=--privileged\"]\n",
                "        stop_timeout: \"10\\nKillMode=none\"\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(attempts); i++) {
                char *yaml;
                ck_assert_int_ge(asprintf(&yaml, "version: 1\napps:\n  x:\n    containers:\n      main:\n%s%s",
                                          strstr(attempts[i], "image:") ? "" : "        image: localhost/x:1\n",
                                          attempts[i]),
                                 0);
                struct diag_list diags = {0};
                struct manifest *m = parse_text(yaml, &diags);
                ck_assert_msg(m && m->apps[0].skip && diags.n >= 1, "attempt %zu was not rejected: %s", i, attempts[i]);
                manifest_free(m);
                diag_list_free(&diags);
                free(yaml);
        }
}
END_TEST

Suite *escape_suite(void) {
        Suite *s = suite_create("escape");
        TCase *tc = tcase_create("escape");
        tcase_add_test(tc, words_escape_specifiers_variables_and_quotes);
        tcase_add_test(tc, raw_values_escape_specifiers_and_variables);
        tcase_add_test(tc, command_env_and_health_cannot_inject);
        tcase_add_test(tc, newlines_never_reach_a_unit);
        suite_add_tcase(s, tc);
        return s;
}
