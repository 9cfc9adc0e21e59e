/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The text splices of archyctl install, uninstall, start and stop (ctl/manifest-edit.h), pure:
 * the result byte for byte, and every refusal with its message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-edit.h"
#include "testlib.h"

#define IMG "      main: {image: localhost/x:1}\n"

/* A node with comments everywhere: above, after values, between apps, at the end. */
static const char *const NODE_TEXT = "# my node\n"
                                     "version: 1\n"
                                     "secrets:\n"
                                     "  pw: {generate: true}   # kept\n"
                                     "apps:\n"
                                     "  # the node\n"
                                     "  node:\n"
                                     "    state: started  # the chain\n"
                                     "    containers:\n" IMG "\n"
                                     "  # wallet comment\n"
                                     "  wallet:\n"
                                     "    state: \"stopped\"\n"
                                     "    containers:\n" IMG "  bare:\n"
                                     "    # no state here\n"
                                     "    containers:\n" IMG "  single:\n"
                                     "    state: 'stopped'\n"
                                     "    containers:\n" IMG "# the end\n";

static char *set_state(const char *text, const char *app, enum app_state want, int expect, char **error) {
        char *out = NULL;
        size_t len = 0;
        int r = medit_set_state(text, strlen(text), app, want, &out, &len, error);
        ck_assert_msg(r == expect, "medit_set_state(%s): %d, want %d (%s)", app, r, expect, *error ? *error : "");
        if (r == 0)
                ck_assert_uint_eq(strlen(out), len);
        return out;
}

/* text with the first `from` replaced by `to` (the expected result of an edit). */
static char *replaced(const char *text, const char *from, const char *to) {
        const char *at = strstr(text, from);
        ck_assert_ptr_nonnull(at);
        char *out = NULL;
        ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)), 0);
        return out;
}

static void assert_edit(const char *app, enum app_state want, const char *from, const char *to) {
        char *error = NULL;
        char *got = set_state(NODE_TEXT, app, want, 0, &error);
        char *expected = replaced(NODE_TEXT, from, to);
        assert_text_eq(got, expected);
        ck_assert_ptr_null(error);
        free(got);
        free(expected);
}

START_TEST(plain_state_replaced_in_place) {
        /* the comment after the value and every other byte stay */
        assert_edit("node", APP_STATE_STOPPED, "    state: started  # the chain\n",
                    "    state: stopped  # the chain\n");
        assert_edit("node", APP_STATE_UNINSTALLED, "state: started  #", "state: uninstalled  #");
}
END_TEST

START_TEST(quoted_state_replaced_with_the_word) {
        assert_edit("wallet", APP_STATE_STARTED, "    state: \"stopped\"\n", "    state: started\n");
        assert_edit("single", APP_STATE_UNINSTALLED, "    state: 'stopped'\n", "    state: uninstalled\n");
}
END_TEST

START_TEST(missing_state_inserted_at_the_first_key) {
        assert_edit("bare", APP_STATE_STOPPED, "    # no state here\n    containers:\n",
                    "    # no state here\n    state: stopped\n    containers:\n");
}
END_TEST

START_TEST(missing_state_indented_as_the_app_keys) {
        const char *text = "version: 1\napps:\n    x:\n        containers:\n            main: {image: localhost/x:1}\n";
        char *error = NULL;
        char *got = set_state(text, "x", APP_STATE_STOPPED, 0, &error);
        assert_text_eq(got, "version: 1\napps:\n    x:\n        state: stopped\n        containers:\n"
                            "            main: {image: localhost/x:1}\n");
        free(got);
}
END_TEST

START_TEST(already_in_that_state_is_no_edit) {
        char *error = NULL;
        ck_assert_ptr_null(set_state(NODE_TEXT, "node", APP_STATE_STARTED, 1, &error));
        ck_assert_ptr_null(set_state(NODE_TEXT, "wallet", APP_STATE_STOPPED, 1, &error));
        ck_assert_ptr_null(set_state(NODE_TEXT, "bare", APP_STATE_STARTED, 1, &error)); /* the default */
        ck_assert_ptr_null(error);
}
END_TEST

START_TEST(unknown_app_names_the_nearest) {
        char *error = NULL;
        ck_assert_ptr_null(set_state(NODE_TEXT, "walet", APP_STATE_STOPPED, -ENOENT, &error));
        assert_text_eq(error, "the manifest has no app \"walet\" (did you mean \"wallet\"?)");
        free(error);
        error = NULL;
        ck_assert_ptr_null(set_state(NODE_TEXT, "zzzzzzzz", APP_STATE_STOPPED, -ENOENT, &error));
        assert_text_eq(error, "the manifest has no app \"zzzzzzzz\"");
        free(error);
}
END_TEST

static void assert_refused(const char *text, const char *app, const char *want_error) {
        char *error = NULL;
        ck_assert_ptr_null(set_state(text, app, APP_STATE_STOPPED, -EINVAL, &error));
        ck_assert_ptr_nonnull(error);
        ck_assert_msg(strstr(error, want_error), "error \"%s\" lacks \"%s\"", error, want_error);
        free(error);
}

START_TEST(flow_style_refused) {
        assert_refused("version: 1\napps:\n  x: {state: started, containers: {main: {image: localhost/x:1}}}\n", "x",
                       "apps.x is written in flow style ({...}): edit it by hand");
        assert_refused("version: 1\napps: {x: {containers: {main: {image: localhost/x:1}}}}\n", "x",
                       "apps is empty or in flow style ({...}): edit it by hand");
        assert_refused("{version: 1, apps: {x: {containers: {main: {image: localhost/x:1}}}}}\n", "x",
                       "not a block mapping at the top: edit it by hand");
}
END_TEST

START_TEST(crlf_and_tabs_refused) {
        assert_refused("version: 1\r\napps:\r\n  x:\r\n    containers:\r\n" IMG, "x", "CR line ends");
        /* a tab in the indentation is no YAML: refused by the loader, with its message */
        assert_refused("version: 1\napps:\n\tx:\n    containers:\n" IMG, "x", "is not one YAML document");
        /* a tab after a value is fine: only the value is replaced */
        char *error = NULL;
        char *got = set_state("version: 1\napps:\n  x:\n    state: started\t# c\n    containers:\n" IMG, "x",
                              APP_STATE_STOPPED, 0, &error);
        assert_text_eq(got, "version: 1\napps:\n  x:\n    state: stopped\t# c\n    containers:\n" IMG);
        free(got);
}
END_TEST

START_TEST(state_not_a_word_refused) {
        assert_refused("version: 1\napps:\n  x:\n    state: >-\n      started\n    containers:\n" IMG, "x",
                       "apps.x.state (line 4) is not written as a plain or quoted word: edit it by hand");
}
END_TEST

START_TEST(verify_refuses_a_change_of_another_app) {
        const char *old = "version: 1\napps:\n  a:\n    containers:\n" IMG "  b:\n    containers:\n" IMG;
        const char *both = "version: 1\napps:\n  a:\n    state: stopped\n    containers:\n" IMG
                           "  b:\n    state: stopped\n    containers:\n" IMG;
        const char *dropped = "version: 1\napps:\n  a:\n    state: stopped\n    containers:\n" IMG;
        char *error = NULL;
        ck_assert_int_eq(medit_verify(old, strlen(old), both, strlen(both), "a", APP_STATE_STOPPED, &error), -EINVAL);
        assert_text_eq(error, "the edit would change the app b (started -> stopped): refused, nothing written");
        free(error);
        error = NULL;
        ck_assert_int_eq(medit_verify(old, strlen(old), dropped, strlen(dropped), "a", APP_STATE_STOPPED, &error),
                         -EINVAL);
        assert_text_eq(error, "the edit would drop the app b: refused, nothing written");
        free(error);
        error = NULL;
        ck_assert_int_eq(medit_verify(old, strlen(old), old, strlen(old), "a", APP_STATE_STOPPED, &error), -EINVAL);
        assert_text_eq(error, "the edit would not make a stopped: refused, nothing written");
        free(error);
}
END_TEST

/* ---- install ---- */

static char *install(const char *installed, const char *file, const char *app, int expect, char **error) {
        char *out = NULL;
        size_t len = 0;
        *error = NULL;
        int r = medit_install(installed, strlen(installed), file, strlen(file), app, &out, &len, error);
        ck_assert_msg(r == expect, "medit_install(%s): %d, want %d (%s)", app, r, expect, *error ? *error : "");
        return out;
}

static const char *const FILE_4 = "version: 1\n"
                                  "secrets:\n"
                                  "    pw: {generate: true}\n"
                                  "    lnd-pw:   # the wallet's\n"
                                  "        generate: true\n"
                                  "    unused: {generate: true}\n"
                                  "apps:\n"
                                  "    # Lightning\n"
                                  "    # (two lines)\n"
                                  "    lnd:\n"
                                  "        state: stopped\n"
                                  "        containers:\n"
                                  "            main:\n"
                                  "                image: localhost/lnd:2\n"
                                  "                command: [lnd, \"--pw=${secret:lnd-pw}\"]\n"
                                  "\n"
                                  "    # not this one\n"
                                  "    other:\n"
                                  "        containers: {main: {image: localhost/o:1}}\n";

/* FILE's lnd at column 2: shifted left by 2, the inner indentation kept (a block scalar's text
 * stays the same), state started whatever FILE says */
#define LND_2                                                                                                          \
        "  # Lightning\n"                                                                                              \
        "  # (two lines)\n"                                                                                            \
        "  lnd:\n"                                                                                                     \
        "      state: started\n"                                                                                       \
        "      containers:\n"                                                                                          \
        "          main:\n"                                                                                            \
        "              image: localhost/lnd:2\n"                                                                       \
        "              command: [lnd, \"--pw=${secret:lnd-pw}\"]\n"

START_TEST(install_appends_reindented_with_its_secret_and_started) {
        char *error = NULL;
        char *got = install(NODE_TEXT, FILE_4, "lnd", 0, &error);
        /* after the last app (single), before the comment at the end; lnd-pw after pw; 4 -> 2 spaces */
        char *want1 = replaced(NODE_TEXT, "    state: 'stopped'\n    containers:\n" IMG,
                               "    state: 'stopped'\n    containers:\n" IMG "\n" LND_2);
        char *want = replaced(want1, "  pw: {generate: true}   # kept\n",
                              "  pw: {generate: true}   # kept\n  lnd-pw:   # the wallet's\n      generate: true\n");
        assert_text_eq(got, want);
        free(got);
        free(want1);
        free(want);
}
END_TEST

START_TEST(install_replaces_the_block_and_its_comments) {
        const char *installed = "version: 1\n"
                                "secrets:\n"
                                "  lnd-pw: {generate: true}\n"
                                "apps:\n"
                                "  # Lightning, old comment\n"
                                "  lnd:\n"
                                "    state: uninstalled\n"
                                "    containers:\n"
                                "      main: {image: localhost/lnd:1}\n"
                                "\n"
                                "  # stays\n"
                                "  keep:\n"
                                "    containers:\n" IMG;
        char *error = NULL;
        char *got = install(installed, FILE_4, "lnd", 0, &error);
        assert_text_eq(got, "version: 1\n"
                            "secrets:\n"
                            "  lnd-pw: {generate: true}\n"
                            "apps:\n" LND_2 "\n"
                            "  # stays\n"
                            "  keep:\n"
                            "    containers:\n" IMG);
        /* the same again: nothing to do */
        ck_assert_ptr_null(install(got, FILE_4, "lnd", 1, &error));
        free(got);
}
END_TEST

START_TEST(install_adds_a_secrets_mapping_above_apps) {
        const char *installed = "version: 1\n# the apps\napps:\n  keep:\n    containers:\n" IMG;
        char *error = NULL;
        char *got = install(installed, FILE_4, "lnd", 0, &error);
        assert_text_eq(got,
                       "version: 1\nsecrets:\n  lnd-pw:   # the wallet's\n      generate: true\n# the apps\napps:\n"
                       "  keep:\n    containers:\n" IMG LND_2);
        free(got);
}
END_TEST

START_TEST(install_refusals) {
        char *error = NULL;
        ck_assert_ptr_null(install(NODE_TEXT, FILE_4, "lndd", -ENOENT, &error));
        assert_text_eq(error, "FILE has no app \"lndd\" (did you mean \"lnd\"?)");
        free(error);
        ck_assert_ptr_null(install(NODE_TEXT,
                                   "version: 1\napps:\n  lnd: {containers: {main: {image: localhost/l:1}}}\n", "lnd",
                                   -EINVAL, &error));
        assert_text_eq(error, "FILE: apps.lnd is written in flow style ({...}): edit it by hand");
        free(error);
        ck_assert_ptr_null(install("version: 1\napps: {}\n", FILE_4, "lnd", -EINVAL, &error));
        assert_text_eq(error, "the installed manifest: apps is empty or in flow style ({...}): edit it by hand");
        free(error);
}
END_TEST

/* ---- images ---- */

static const char *const IMAGE_TEXT = "version: 1\n"
                                      "apps:\n"
                                      "  web:   # the web app\n"
                                      "    containers:\n"
                                      "      main:\n"
                                      "        image: localhost/w:2   # the update\n"
                                      "        command: [run]\n"
                                      "      ui: {image: \"localhost/u:2\", command: [ui]}\n"
                                      "      side:\n"
                                      "        image: 'localhost/s:2'\n"
                                      "  other:\n"
                                      "    state: stopped\n"
                                      "    containers:\n"
                                      "      main: {image: localhost/w:2}\n";

static char *set_image(const char *app, const char *part, const char *image, int expect, char **error) {
        char *out = NULL;
        size_t len = 0;
        int r = medit_set_image(IMAGE_TEXT, strlen(IMAGE_TEXT), app, part, image, &out, &len, error);
        ck_assert_msg(r == expect, "medit_set_image(%s.%s): %d, want %d (%s)", app, part, r, expect,
                      *error ? *error : "");
        if (r == 0)
                ck_assert_uint_eq(strlen(out), len);
        return out;
}

static void assert_image_edit(const char *app, const char *part, const char *image, const char *from, const char *to) {
        char *error = NULL;
        char *got = set_image(app, part, image, 0, &error);
        char *expected = replaced(IMAGE_TEXT, from, to);
        assert_text_eq(got, expected);
        ck_assert_ptr_null(error);
        free(got);
        free(expected);
}

START_TEST(image_replaced_in_its_style) {
        /* plain, with the comment after it; double-quoted in a flow mapping; single-quoted */
        assert_image_edit("web", "main", "localhost/w:1", "image: localhost/w:2   #", "image: localhost/w:1   #");
        assert_image_edit("web", "ui", "docker.io/u@sha256:0123", "{image: \"localhost/u:2\"",
                          "{image: \"docker.io/u@sha256:0123\"");
        assert_image_edit("web", "side", "localhost/s:1", "image: 'localhost/s:2'", "image: 'localhost/s:1'");
        /* the other app's same image is not touched */
        assert_image_edit("other", "main", "localhost/w:1", "main: {image: localhost/w:2}",
                          "main: {image: localhost/w:1}");
}
END_TEST

START_TEST(image_already_there_is_no_edit) {
        char *error = NULL;
        ck_assert_ptr_null(set_image("web", "main", "localhost/w:2", 1, &error));
        ck_assert_ptr_null(error);
}
END_TEST

START_TEST(image_refusals) {
        static const struct {
                const char *app, *part, *image;
                int r;
                const char *error;
        } cases[] = {
                {"web", "nope", "localhost/w:1", -EINVAL,
                 "the manifest has no scalar apps.web.containers.nope.image: edit it by hand"},
                {"wbe", "main", "localhost/w:1", -ENOENT, "the manifest has no app \"wbe\" (did you mean \"web\"?)"},
                {"web", "main", "localhost/w:1\nx: y", -EINVAL, "\"localhost/w:1\nx: y\" is not an image reference"},
                {"web", "main", "", -EINVAL, "\"\" is not an image reference"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *error = NULL;
                ck_assert_ptr_null(set_image(cases[i].app, cases[i].part, cases[i].image, cases[i].r, &error));
                ck_assert_ptr_nonnull(error);
                assert_text_eq(error, cases[i].error);
                free(error);
        }
}
END_TEST

START_TEST(image_block_scalar_refused) {
        const char *text = "version: 1\napps:\n  web:\n    containers:\n      main:\n        image: >-\n"
                           "          localhost/w:2\n";
        char *out = NULL, *error = NULL;
        size_t len = 0;
        ck_assert_int_eq(medit_set_image(text, strlen(text), "web", "main", "localhost/w:1", &out, &len, &error),
                         -EINVAL);
        ck_assert_ptr_null(out);
        assert_text_eq(error, "apps.web.containers.main.image (line 6) is not written as a plain or quoted word: edit "
                              "it by hand");
        free(error);
}
END_TEST

Suite *manifest_edit_suite(void) {
        Suite *s = suite_create("manifest-edit");
        TCase *tc = tcase_create("state");
        tcase_add_test(tc, plain_state_replaced_in_place);
        tcase_add_test(tc, quoted_state_replaced_with_the_word);
        tcase_add_test(tc, missing_state_inserted_at_the_first_key);
        tcase_add_test(tc, missing_state_indented_as_the_app_keys);
        tcase_add_test(tc, already_in_that_state_is_no_edit);
        tcase_add_test(tc, unknown_app_names_the_nearest);
        tcase_add_test(tc, flow_style_refused);
        tcase_add_test(tc, crlf_and_tabs_refused);
        tcase_add_test(tc, state_not_a_word_refused);
        tcase_add_test(tc, verify_refuses_a_change_of_another_app);
        suite_add_tcase(s, tc);
        tc = tcase_create("install");
        tcase_add_test(tc, install_appends_reindented_with_its_secret_and_started);
        tcase_add_test(tc, install_replaces_the_block_and_its_comments);
        tcase_add_test(tc, install_adds_a_secrets_mapping_above_apps);
        tcase_add_test(tc, install_refusals);
        suite_add_tcase(s, tc);
        tc = tcase_create("image");
        tcase_add_test(tc, image_replaced_in_its_style);
        tcase_add_test(tc, image_already_there_is_no_edit);
        tcase_add_test(tc, image_refusals);
        tcase_add_test(tc, image_block_scalar_refused);
        suite_add_tcase(s, tc);
        return s;
}
