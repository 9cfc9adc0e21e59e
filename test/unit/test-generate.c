/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The thin shell around the renderer, on real files in temporary directories: what lands in
 * the staging dir, failure isolation, and the last-good fallback. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "generate.h"
#include "manifest-source.h"
#include "log.h"
#include "testlib.h"
#include "verify-units.h"

static char *tmpdir;

static void setup(void) {
        tmpdir = strdup("/tmp/archy-gen.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        ck_assert_int_eq(chmod(tmpdir, 0755), 0);
        log_set_max_level(LOG_LVL_ERR - 1); /* expected errors stay out of the test output */
}

static void teardown(void) {
        char *cmd;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", tmpdir), 0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(tmpdir);
}

static char *path_in(const char *name) {
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/%s", tmpdir, name), 0);
        return p;
}

static void put(const char *name, const char *text) {
        char *p = path_in(name);
        ck_assert_int_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
        free(p);
}

static bool exists(const char *name) {
        char *p = path_in(name);
        bool r = access(p, F_OK) == 0;
        free(p);
        return r;
}

static const char two_apps[] = "version: 1\napps:\n"
                               "  node:\n    containers:\n      main: {image: localhost/n:1, volumes: [\"data:/d\"]}\n"
                               "      ui: {image: localhost/u:1, volumes: [\"data:/d:ro\"]}\n"
                               "  wallet:\n    requires: [node]\n    containers: {main: {image: localhost/w:1}}\n";

START_TEST(staging_holds_exactly_the_current_apps) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(two_apps, &diags);
        ck_assert_ptr_nonnull(m);
        char *staging = path_in("staging");
        ck_assert_int_eq(mkdir_p(staging, 0755), 0);
        put("staging/archy-removed-app.container", "stale\n");

        struct generate_stats st;
        ck_assert_int_eq(generate_quadlet_files(m, staging, &st), 0);
        ck_assert_uint_eq(st.apps, 2);
        ck_assert_uint_eq(st.containers, 3);
        ck_assert_uint_eq(st.volumes, 1); /* shared within the app: one volume */
        ck_assert(exists("staging/archy-node.container"));
        ck_assert(exists("staging/archy-node-ui.container"));
        ck_assert(exists("staging/archy-wallet.container"));
        ck_assert(exists("staging/archy-node-data.volume"));
        ck_assert(exists("staging/archipelago.network"));
        ck_assert(!exists("staging/archy-removed-app.container"));
        free(staging);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

START_TEST(a_bad_app_skips_only_itself_and_its_dependents) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text("version: 1\napps:\n"
                                        "  node: {containers: {main: {image: \"bad image\"}}}\n"
                                        "  wallet: {requires: [node], containers: {main: {image: localhost/w:1}}}\n"
                                        "  explorer: {containers: {main: {image: localhost/e:1}}}\n",
                                        &diags);
        ck_assert_ptr_nonnull(m);
        char *staging = path_in("staging");
        struct generate_stats st;
        ck_assert_int_eq(generate_quadlet_files(m, staging, &st), 0);
        ck_assert_uint_eq(st.apps, 1);
        ck_assert_uint_eq(st.skipped, 2);
        ck_assert(exists("staging/archy-explorer.container"));
        ck_assert(!exists("staging/archy-node.container"));
        ck_assert(!exists("staging/archy-wallet.container"));
        free(staging);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

START_TEST(uninstalled_apps_and_empty_manifests_leave_nothing) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text("version: 1\napps:\n"
                                        "  node: {state: uninstalled, containers: {main: {image: localhost/n:1}}}\n",
                                        &diags);
        char *staging = path_in("staging");
        struct generate_stats st;
        ck_assert_int_eq(generate_quadlet_files(m, staging, &st), 0);
        ck_assert_uint_eq(st.containers, 0);
        ck_assert(!exists("staging/archy-node.container"));
        ck_assert(!exists("staging/archipelago.network"));
        ck_assert_int_eq(generate_quadlet_files(NULL, staging, &st), 0); /* no manifest at all */
        free(staging);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

START_TEST(unusable_manifest_falls_back_to_last_good) {
        put("manifest.yaml", "version: 1\napps:\n  node: {containers: {main: {image: localhost/n:1}\n"); /* typo */
        put("last-good.yaml", two_apps);
        char *path = path_in("manifest.yaml"), *last_good = path_in("last-good.yaml");
        struct manifest *m = NULL;
        ck_assert_int_eq(load_manifest_with_fallback(path, last_good, &m), 1);
        ck_assert_ptr_nonnull(m);
        ck_assert_str_eq(m->path, last_good);
        ck_assert_uint_eq(m->n_apps, 2);
        manifest_free(m);

        unlink(last_good);
        ck_assert_int_lt(load_manifest_with_fallback(path, last_good, &m), 0);
        ck_assert_ptr_null(m);

        unlink(path);
        ck_assert_int_eq(load_manifest_with_fallback(path, last_good, &m), 0); /* no manifest: no apps */
        ck_assert_ptr_null(m);
        free(path), free(last_good);
}
END_TEST

START_TEST(a_bad_app_does_not_trigger_the_fallback) {
        put("manifest.yaml", "version: 1\napps:\n  node: {containers: {main: {image: \"bad image\"}}}\n"
                             "  explorer: {containers: {main: {image: localhost/e:1}}}\n");
        put("last-good.yaml", two_apps);
        char *path = path_in("manifest.yaml"), *last_good = path_in("last-good.yaml");
        struct manifest *m = NULL;
        ck_assert_int_eq(load_manifest_with_fallback(path, last_good, &m), 0);
        ck_assert_str_eq(m->path, path);
        ck_assert(m->apps[0].skip);
        ck_assert(!m->apps[1].skip);
        manifest_free(m);
        free(path), free(last_good);
}
END_TEST

START_TEST(last_good_is_saved_only_when_clean_and_only_when_changed) {
        char *path = path_in("manifest.yaml"), *last_good = path_in("last-good.yaml");
        put("manifest.yaml", two_apps);
        ck_assert_int_eq(save_last_good(path, last_good), 0);
        char *saved = read_text_file(last_good);
        ck_assert_str_eq(saved, two_apps);
        free(saved);
        struct stat before, after;
        ck_assert_int_eq(stat(last_good, &before), 0);
        ck_assert_int_eq(save_last_good(path, last_good), 0);
        ck_assert_int_eq(stat(last_good, &after), 0);
        ck_assert_uint_eq(before.st_ino, after.st_ino); /* idempotent: not rewritten */

        put("manifest.yaml", "version: 1\napps:\n  node: {containers: {main: {image: \"bad image\"}}}\n");
        ck_assert_int_eq(save_last_good(path, last_good), -EINVAL);
        put("manifest.yaml", "version: 1\napps: [\n");
        ck_assert_int_eq(save_last_good(path, last_good), -EINVAL);
        saved = read_text_file(last_good);
        ck_assert_str_eq(saved, two_apps); /* untouched */
        free(saved);
        unlink(path);
        ck_assert_int_eq(save_last_good(path, last_good), 0); /* nothing to save */
        free(path), free(last_good);
}
END_TEST

START_TEST(quadlet_units_are_whole_or_named_broken) {
        ck_assert_str_eq(unit_text_problem("", 0), "is empty");
        ck_assert_str_eq(unit_text_problem("[Unit]\nDescription=x\n[Serv", 26), "is cut short (no final newline)");
        ck_assert_str_eq(unit_text_problem("[Unit]\n\0\n[Service]\n", 19), "has a NUL byte");
        ck_assert_str_eq(unit_text_problem("[Unit]\nDescription=x\n", 21), "has no [Service] section");
        ck_assert_str_eq(unit_text_problem("[Unit]\nX=[Service]\n", 19), "has no [Service] section");
        ck_assert_ptr_null(unit_text_problem("[Service]\nExecStart=/bin/true\n", 30));
        /* every unit the real Quadlet made from the shipped manifest is whole */
        static const char *const golden[] = {"archy-bitcoin-knots.service", "archy-bitcoin-knots-ui.service",
                                             "archy-bitcoin-knots-bitcoin-data-volume.service",
                                             "archipelago-network.service"};
        for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
                char path[256];
                snprintf(path, sizeof(path), "../golden/archipelago-units/%s", golden[i]);
                char *text = read_text_file(path);
                ck_assert_msg(text, "cannot read %s", path);
                ck_assert_msg(!unit_text_problem(text, strlen(text)), "%s: %s", path,
                              unit_text_problem(text, strlen(text)));
                free(text);
        }
}
END_TEST

Suite *generate_suite(void) {
        Suite *s = suite_create("generate");
        TCase *tc = tcase_create("generate");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, staging_holds_exactly_the_current_apps);
        tcase_add_test(tc, quadlet_units_are_whole_or_named_broken);
        tcase_add_test(tc, a_bad_app_skips_only_itself_and_its_dependents);
        tcase_add_test(tc, uninstalled_apps_and_empty_manifests_leave_nothing);
        tcase_add_test(tc, unusable_manifest_falls_back_to_last_good);
        tcase_add_test(tc, a_bad_app_does_not_trigger_the_fallback);
        tcase_add_test(tc, last_good_is_saved_only_when_clean_and_only_when_changed);
        suite_add_tcase(s, tc);
        return s;
}
