/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manifest's ownership check on real trees (as root: chown and chmod build the unsafe
 * parts): every directory on the way to the file counts, through symlinks and their targets,
 * up to /. The trees live under /tmp, trusted by ARCHY_TEST_TRUSTED_DIR (test/unit/main.c);
 * one test unsets it to see /tmp itself refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "path-trust.h"
#include "testlib.h"

static const char minimal[] = "version: 1\napps:\n  web:\n    containers:\n      main: {image: localhost/x:1}\n";
static char *tree;

static void setup(void) {
        tree = strdup("/tmp/archy-trust.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tree));
        ck_assert_int_eq(chmod(tree, 0755), 0);
}

static void teardown(void) {
        char *cmd;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", tree), 0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(tree);
}

/* Makes tree/REL (a directory) with a mode and an owner. */
static void dir_at(const char *rel, mode_t mode, uid_t uid) {
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/%s", tree, rel), 0);
        ck_assert_int_eq(mkdir(p, 0755), 0);
        ck_assert_int_eq(chmod(p, mode), 0);
        ck_assert_int_eq(chown(p, uid, 0), 0);
        free(p);
}

static void manifest_at(const char *rel) {
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/%s", tree, rel), 0);
        ck_assert_int_eq(write_file_atomic(p, minimal, strlen(minimal), 0644), 0);
        free(p);
}

static void link_at(const char *rel, const char *target) {
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/%s", tree, rel), 0);
        ck_assert_int_eq(symlink(target, p), 0);
        free(p);
}

/* Loads tree/REL with the ownership check; returns the first message or "" when it loaded. */
static char *load_first_message(const char *rel, int *ret) {
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/%s", tree, rel), 0);
        struct diag_list diags = {0};
        struct manifest *m = NULL;
        *ret = manifest_load(p, true, &m, &diags);
        char *msg = strdup(diags.n ? diags.items[0].text : "");
        manifest_free(m);
        diag_list_free(&diags);
        free(p);
        return msg;
}

static void assert_refused(const char *rel, const char *bad_dir, const char *problem) {
        int r;
        _cleanup_free_ char *got = load_first_message(rel, &r), *want = NULL;
        ck_assert_int_ge(asprintf(&want, "%s/%s: the directory %s/%s on the way to the manifest is %s", tree, rel, tree,
                                  bad_dir, problem),
                         0);
        ck_assert_int_eq(r, -EPERM);
        ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "expected \"%s...\", got \"%s\"", want, got);
}

static void assert_loads(const char *rel) {
        int r;
        _cleanup_free_ char *got = load_first_message(rel, &r);
        ck_assert_str_eq(got, "");
        ck_assert_int_eq(r, 0);
}

START_TEST(a_safe_tree_and_safe_symlinks_load) {
        dir_at("etc", 0755, 0);
        dir_at("real", 0755, 0);
        manifest_at("real/manifest.yaml");
        link_at("etc/abs.yaml", "../real/manifest.yaml");
        assert_loads("real/manifest.yaml");
        assert_loads("etc/abs.yaml");
        assert_loads("etc/../real/./manifest.yaml");
}
END_TEST

START_TEST(the_target_directory_of_a_symlink_counts) {
        dir_at("etc", 0755, 0);
        dir_at("ww", 0777, 0);
        dir_at("user", 0755, 1000);
        manifest_at("ww/manifest.yaml");
        manifest_at("user/manifest.yaml");
        link_at("etc/to-ww.yaml", "../ww/manifest.yaml");
        link_at("etc/to-user.yaml", "../user/manifest.yaml");
        assert_refused("etc/to-ww.yaml", "ww", "writable by group or others (mode 0777), expected at most 0755");
        assert_refused("etc/to-user.yaml", "user", "owned by uid 1000, expected root: refusing the manifest");
}
END_TEST

START_TEST(every_ancestor_counts_sticky_ones_too) {
        dir_at("shared", 01777, 0);
        dir_at("shared/node", 0755, 0);
        dir_at("shared/node/etc", 0755, 0);
        manifest_at("shared/node/etc/manifest.yaml");
        assert_refused("shared/node/etc/manifest.yaml", "shared",
                       "writable by group or others (mode 1777), expected at most 0755 (a sticky /tmp-like "
                       "directory is not safe either): refusing the manifest, since any such writer could replace "
                       "it and run containers as root");
        dir_at("grp", 0775, 0);
        dir_at("grp/etc", 0755, 0);
        manifest_at("grp/etc/manifest.yaml");
        assert_refused("grp/etc/manifest.yaml", "grp", "writable by group or others (mode 0775)");
}
END_TEST

START_TEST(a_hop_in_a_symlink_chain_counts) {
        dir_at("etc", 0755, 0);
        dir_at("hop", 0757, 0);
        dir_at("real", 0755, 0);
        manifest_at("real/manifest.yaml");
        link_at("hop/second.yaml", "../real/manifest.yaml");
        link_at("etc/first.yaml", "../hop/second.yaml");
        assert_refused("etc/first.yaml", "hop", "writable by group or others (mode 0757)");
        /* a symlinked directory on the way: its target's parents count */
        link_at("etc/dirlink", "../hop");
        assert_refused("etc/dirlink/second.yaml", "hop", "writable by group or others (mode 0757)");
}
END_TEST

START_TEST(without_the_test_override_tmp_itself_is_refused) {
        dir_at("etc", 0755, 0);
        manifest_at("etc/manifest.yaml");
        ck_assert_int_eq(unsetenv(ARCHY_TRUSTED_DIR_ENV), 0);
        int r;
        _cleanup_free_ char *got = load_first_message("etc/manifest.yaml", &r), *want = NULL;
        ck_assert_int_eq(setenv(ARCHY_TRUSTED_DIR_ENV, "/tmp", 1), 0);
        ck_assert_int_ge(asprintf(&want,
                                  "%s/etc/manifest.yaml: the directory /tmp on the way to the manifest is writable "
                                  "by group or others (mode 1777), expected at most 0755",
                                  tree),
                         0);
        ck_assert_int_eq(r, -EPERM);
        ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "expected \"%s...\", got \"%s\"", want, got);
}
END_TEST

Suite *path_trust_suite(void) {
        Suite *s = suite_create("path-trust");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        if (geteuid() == 0) { /* chown needs root; CI runs as root */
                tcase_add_test(tc, a_safe_tree_and_safe_symlinks_load);
                tcase_add_test(tc, the_target_directory_of_a_symlink_counts);
                tcase_add_test(tc, every_ancestor_counts_sticky_ones_too);
                tcase_add_test(tc, a_hop_in_a_symlink_chain_counts);
                tcase_add_test(tc, without_the_test_override_tmp_itself_is_refused);
        }
        suite_add_tcase(s, tc);
        return s;
}
