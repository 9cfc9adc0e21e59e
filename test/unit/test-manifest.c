/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "testlib.h"

static const char minimal[] = "version: 1\napps:\n  web:\n    containers:\n      main: {image: localhost/x:1}\n";

START_TEST(defaults_are_applied) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text("version: 1\napps:\n  web:\n    containers:\n      main:\n"
                                        "        image: localhost/x:1\n        health: {cmd: true}\n",
                                        &diags);
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(diags.n, 0);
        const struct app *a = manifest_find_app(m, "web");
        ck_assert_int_eq(a->state, APP_STATE_STARTED);
        const struct container *ct = &a->containers[0];
        ck_assert_str_eq(ct->unit, "archy-web");
        ck_assert_uint_eq(ct->stop_timeout_sec, 30);
        ck_assert(ct->has_health);
        ck_assert_uint_eq(ct->health.interval_sec, 30);
        ck_assert_uint_eq(ct->health.timeout_sec, 30);
        ck_assert_uint_eq(ct->health.retries, 3);
        ck_assert_uint_eq(ct->health.start_period_sec, 0);
        ck_assert_int_eq(ct->health.on_failure, HEALTH_ACTION_NONE);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

START_TEST(anchors_and_aliases_are_followed) {
        struct diag_list diags = {0};
        struct manifest *m =
                parse_text("version: 1\napps:\n  a:\n    containers:\n      main: &c {image: localhost/x:1}\n"
                           "  b:\n    containers:\n      main: *c\n",
                           &diags);
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(diags.n, 0);
        ck_assert_str_eq(m->apps[1].containers[0].image, "localhost/x:1");
        ck_assert_str_eq(m->apps[1].containers[0].unit, "archy-b");
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

/* A private directory (0755, root) as the manifest's home; /tmp itself is world-writable. */
static char *make_dir(void) {
        char *dir = strdup("/tmp/archy-test.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_int_eq(chmod(dir, 0755), 0);
        return dir;
}

static char *write_manifest(const char *dir, const char *name, const char *text, mode_t mode) {
        char *path;
        ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
        ck_assert_int_eq(write_file_atomic(path, text, strlen(text), mode), 0);
        return path;
}

static void remove_dir(char *dir) {
        char *cmd;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", dir), 0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(dir);
}

static int load(const char *path, bool check_owner, char **first_diag) {
        struct diag_list diags = {0};
        struct manifest *m = NULL;
        int r = manifest_load(path, check_owner, &m, &diags);
        *first_diag = diags.n ? strdup(diags.items[0].text) : NULL;
        manifest_free(m);
        diag_list_free(&diags);
        return r;
}

START_TEST(missing_manifest_is_enoent_without_message) {
        char *msg;
        ck_assert_int_eq(load("/nonexistent/archy/manifest.yaml", true, &msg), -ENOENT);
        ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(manifest_writable_by_others_is_refused) {
        if (geteuid() != 0)
                return; /* ownership can only be set up as root; CI runs as root */
        char *dir = make_dir(), *msg;
        char *path = write_manifest(dir, "manifest.yaml", minimal, 0644);
        ck_assert_int_eq(load(path, true, &msg), 0);
        ck_assert_ptr_null(msg);

        ck_assert_int_eq(chmod(path, 0664), 0);
        ck_assert_int_eq(load(path, true, &msg), -EPERM);
        char *want;
        ck_assert_int_ge(asprintf(&want,
                                  "%s: the manifest is writable by group or others (mode 0664), expected at "
                                  "most 0755 for the directory and 0644 for the manifest: refusing it, since "
                                  "any such writer could run containers as root",
                                  path),
                         0);
        ck_assert_str_eq(msg, want);
        free(msg), free(want);
        ck_assert_int_eq(load(path, false, &msg), 0); /* a draft checked by hand */

        ck_assert_int_eq(chmod(path, 0644), 0);
        ck_assert_int_eq(chown(path, 1000, 1000), 0);
        ck_assert_int_eq(load(path, true, &msg), -EPERM);
        ck_assert_ptr_nonnull(strstr(msg, "the manifest is owned by uid 1000, expected root"));
        free(msg);

        ck_assert_int_eq(chown(path, 0, 0), 0);
        ck_assert_int_eq(chmod(dir, 0777), 0);
        ck_assert_int_eq(load(path, true, &msg), -EPERM);
        ck_assert_ptr_nonnull(strstr(msg, "on the way to the manifest is writable by group or others (mode 0777)"));
        free(msg);
        free(path);
        remove_dir(dir);
}
END_TEST

START_TEST(directory_instead_of_manifest_is_a_clear_error) {
        char *dir = make_dir(), *msg, *want;
        ck_assert_int_eq(load(dir, false, &msg), -EISDIR);
        ck_assert_int_ge(asprintf(&want,
                                  "%s: cannot read the manifest: Is a directory, expected a regular file of "
                                  "at most 16 MiB",
                                  dir),
                         0);
        ck_assert_str_eq(msg, want);
        free(msg), free(want);
        remove_dir(dir);
}
END_TEST

Suite *manifest_suite(void) {
        Suite *s = suite_create("manifest");
        TCase *tc = tcase_create("manifest");
        tcase_add_test(tc, defaults_are_applied);
        tcase_add_test(tc, anchors_and_aliases_are_followed);
        tcase_add_test(tc, missing_manifest_is_enoent_without_message);
        tcase_add_test(tc, manifest_writable_by_others_is_refused);
        tcase_add_test(tc, directory_instead_of_manifest_is_a_clear_error);
        suite_add_tcase(s, tc);
        return s;
}
