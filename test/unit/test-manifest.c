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

/* A key written twice in one mapping, at every level of the schema: refused for the whole
 * manifest by the loader, before the typed parse could fill one field twice. */
#define TOP "version: 1\n"
#define APP TOP "apps:\n  node:\n"
#define CT APP "    containers:\n      main:\n        image: localhost/x:1\n"
static const struct {
        const char *text, *message;
} duplicates[] = {
        {TOP "version: 1\napps:\n", "test.yaml:2:1: (top level): duplicate key \"version\" (first at line 1)"},
        {TOP "apps: {}\napps: {}\n", "test.yaml:3:1: (top level): duplicate key \"apps\" (first at line 2)"},
        {TOP "secrets: {}\nsecrets: {}\n", "test.yaml:3:1: (top level): duplicate key \"secrets\" (first at line 2)"},
        {TOP "secrets: {rpc: {generate: true}, rpc: {}}\n",
         "test.yaml:2:34: secrets: duplicate key \"rpc\" (first at line 2)"},
        {TOP "secrets: {rpc: {generate: true, generate: false}}\n",
         "test.yaml:2:33: secrets.rpc: duplicate key \"generate\" (first at line 2)"},
        {TOP "apps:\n  node: {}\n  node: {}\n", "test.yaml:4:3: apps: duplicate key \"node\" (first at line 3)"},
        {APP "    state: started\n    state: stopped\n",
         "test.yaml:5:5: apps.node: duplicate key \"state\" (first at line 4)"},
        {APP "    requires: [a]\n    requires: [b]\n",
         "test.yaml:5:5: apps.node: duplicate key \"requires\" (first at line 4)"},
        {APP "    containers: {main: {image: localhost/x:1}}\n    containers: {main: {image: localhost/y:1}}\n",
         "test.yaml:5:5: apps.node: duplicate key \"containers\" (first at line 4)"},
        {APP "    containers: {main: {image: localhost/x:1}, main: {image: localhost/y:1}}\n",
         "test.yaml:4:48: apps.node.containers: duplicate key \"main\" (first at line 4)"},
        {APP "    derived: []\n    derived: []\n",
         "test.yaml:5:5: apps.node: duplicate key \"derived\" (first at line 4)"},
        {CT "        image: localhost/y:1\n",
         "test.yaml:7:9: apps.node.containers.main: duplicate key \"image\" (first at line 6)"},
        {CT "        command: [a]\n        command: [b]\n",
         "test.yaml:8:9: apps.node.containers.main: duplicate key \"command\" (first at line 7)"},
        {CT "        ports: [\"1:1\"]\n        ports: [\"2:2\"]\n",
         "test.yaml:8:9: apps.node.containers.main: duplicate key \"ports\" (first at line 7)"},
        {CT "        volumes: [\"a:/a\"]\n        volumes: [\"b:/b\"]\n",
         "test.yaml:8:9: apps.node.containers.main: duplicate key \"volumes\" (first at line 7)"},
        {CT "        env: {A: \"1\"}\n        env: {B: \"2\"}\n",
         "test.yaml:8:9: apps.node.containers.main: duplicate key \"env\" (first at line 7)"},
        {CT "        env: {A: \"1\", A: \"2\"}\n",
         "test.yaml:7:23: apps.node.containers.main.env: duplicate key \"A\" (first at line 7)"},
        {CT "        env_files: [/a]\n        env_files: [/b]\n",
         "test.yaml:8:9: apps.node.containers.main: duplicate key \"env_files\" (first at line 7)"},
        {CT "        stop_timeout: 1s\n        stop_timeout: 2s\n",
         "test.yaml:8:9: apps.node.containers.main: duplicate key \"stop_timeout\" (first at line 7)"},
        {CT "        health: {cmd: \"true\"}\n        health: {cmd: \"false\"}\n",
         "test.yaml:8:9: apps.node.containers.main: duplicate key \"health\" (first at line 7)"},
        {CT "        health: {cmd: \"true\", cmd: \"false\"}\n",
         "test.yaml:7:31: apps.node.containers.main.health: duplicate key \"cmd\" (first at line 7)"},
        {CT "        health: {cmd: \"true\", interval: 1s, interval: 2s}\n",
         "test.yaml:7:45: apps.node.containers.main.health: duplicate key \"interval\" (first at line 7)"},
        {CT "    derived:\n      - {kind: env, kind: env, path: /run/a.env, vars: {}}\n",
         "test.yaml:8:21: apps.node.derived[0]: duplicate key \"kind\" (first at line 8)"},
        {CT "    derived:\n      - {kind: env, path: /run/a.env, path: /run/b.env, vars: {}}\n",
         "test.yaml:8:39: apps.node.derived[0]: duplicate key \"path\" (first at line 8)"},
        {CT "    derived:\n      - {kind: env, path: /run/a.env, vars: {}, vars: {}}\n",
         "test.yaml:8:49: apps.node.derived[0]: duplicate key \"vars\" (first at line 8)"},
        {CT "    derived:\n      - {kind: env, path: /run/a.env, vars: {A: x, A: y}}\n",
         "test.yaml:8:52: apps.node.derived[0].vars: duplicate key \"A\" (first at line 8)"}, /* more keys than the
                                                                                                 pairwise check takes:
                                                                                                 the sorted one finds it
                                                                                               */
        {CT "        env: {K1: a, K2: a, K3: a, K4: a, K5: a, K6: a, K7: a, K8: a, K9: a, K10: a, K11: a, K12: a, K13: "
            "a, K14: a, K15: a, K16: a, K17: a, K5: b}\n",
         "test.yaml:7:142: apps.node.containers.main.env: duplicate key \"K5\" (first at line 7)"},
};

START_TEST(duplicate_key_makes_the_manifest_unusable) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(duplicates[_i].text, &diags);
        ck_assert_ptr_null(m);
        char *got = diags_joined(&diags);
        char *want;
        ck_assert_int_ge(asprintf(&want, "%s\n", duplicates[_i].message), 0);
        ck_assert_str_eq(got, want);
        ck_assert_ptr_null(diags.items[0].app); /* manifest-wide: the last good copy applies */
        free(got), free(want);
        diag_list_free(&diags);
}
END_TEST

START_TEST(every_duplicate_key_is_reported) {
        struct diag_list diags = {0};
        ck_assert_ptr_null(parse_text(CT "        ports: [\"1:1\"]\n        ports: [\"2:2\"]\n        ports: []\n"
                                         "    requires: [a]\n    requires: [b]\n",
                                      &diags));
        char *got = diags_joined(&diags);
        ck_assert_str_eq(got, "test.yaml:8:9: apps.node.containers.main: duplicate key \"ports\" (first at line 7)\n"
                              "test.yaml:9:9: apps.node.containers.main: duplicate key \"ports\" (first at line 7)\n"
                              "test.yaml:11:5: apps.node: duplicate key \"requires\" (first at line 10)\n");
        free(got);
        diag_list_free(&diags);
}
END_TEST

START_TEST(find_app_without_a_name_finds_nothing) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(minimal, &diags);
        ck_assert_ptr_nonnull(m);
        ck_assert_ptr_null(manifest_find_app(m, NULL));
        ck_assert_ptr_nonnull(manifest_find_app(m, "web"));
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

/* No anchors, no aliases: an alias bomb must not expand into gigabytes of units. */
static void expect_only(const char *text, const char *message) {
        struct diag_list diags = {0};
        ck_assert_ptr_null(parse_text(text, &diags));
        char *got = diags_joined(&diags), *want;
        ck_assert_int_ge(asprintf(&want, "%s\n", message), 0);
        ck_assert_str_eq(got, want);
        free(got), free(want);
        diag_list_free(&diags);
}

START_TEST(anchors_and_aliases_are_refused) {
        expect_only(APP
                    "    containers:\n      main: &c {image: localhost/x:1}\n  b:\n    containers:\n      main: *c\n",
                    "test.yaml:5:13: YAML anchor \"&c\": anchors and aliases are not allowed, write the value out "
                    "in full");
        expect_only(TOP "apps: *a\n",
                    "test.yaml:2:7: YAML alias \"*a\": anchors and aliases are not allowed, write the value out in "
                    "full");
        expect_only(TOP "x: &a [1, 2]\ny: &b [*a, *a]\nz: [*b, *b]\n",
                    "test.yaml:2:4: YAML anchor \"&a\": anchors and aliases are not allowed, write the value out in "
                    "full");
}
END_TEST

/* 64 levels of lists and mappings are allowed, the 65th is refused where it opens. */
START_TEST(nesting_is_bounded) {
        char deep[512] = "version: 1\nx: ";
        for (int i = 0; i < 63; i++)
                strcat(deep, "[");
        for (int i = 0; i < 63; i++)
                strcat(deep, "]");
        expect_only(
                deep,
                "test.yaml:2:1: (top level): unknown key \"x\", expected one of: version, chain, node, secrets, apps");
        strcpy(deep, "version: 1\nx: ");
        for (int i = 0; i < 64; i++)
                strcat(deep, "[");
        expect_only(deep, "test.yaml:2:67: lists and mappings nested deeper than 64 levels, expected at most 64");
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
        ck_assert_int_ge(
                asprintf(&want, "%s: cannot read the manifest: it is a directory, expected a regular file", dir), 0);
        ck_assert_str_eq(msg, want);
        free(msg), free(want);
        remove_dir(dir);
}
END_TEST

/* A FIFO, a directory, a symlink (with nofollow): refused without blocking and said what it is. */
START_TEST(only_regular_files_are_read) {
        char *dir = make_dir(), *fifo, *link;
        ck_assert_int_ge(asprintf(&fifo, "%s/fifo", dir), 0);
        ck_assert_int_ge(asprintf(&link, "%s/link", dir), 0);
        ck_assert_int_eq(mkfifo(fifo, 0644), 0);
        ck_assert_int_eq(symlink(fifo, link), 0);
        char *text = NULL;
        size_t len;
        mode_t type;
        ck_assert_int_eq(read_regular_file(fifo, 100, false, &text, &len, &type), -EINVAL);
        ck_assert_str_eq(file_problem(-EINVAL, type), "it is a FIFO, expected a regular file");
        ck_assert_int_eq(read_regular_file(link, 100, true, &text, &len, &type), -EINVAL);
        ck_assert_str_eq(file_problem(-EINVAL, type), "it is a symbolic link, expected a regular file");
        ck_assert_int_eq(read_regular_file(dir, 100, false, &text, &len, &type), -EISDIR);
        ck_assert_str_eq(file_problem(-EISDIR, type), "it is a directory, expected a regular file");
        ck_assert_int_eq(read_regular_file("/dev/null", 100, false, &text, &len, &type), -EINVAL);
        ck_assert_str_eq(file_problem(-EINVAL, type), "it is a character device, expected a regular file");
        ck_assert_int_eq(read_regular_file("/nonexistent/x", 100, false, &text, &len, &type), -ENOENT);
        ck_assert_int_eq(type, 0);
        char buf[16];
        ck_assert_int_eq(read_small_file(fifo, buf, sizeof(buf)), -EINVAL);
        ck_assert_ptr_null(text);
        free(fifo), free(link);
        remove_dir(dir);
}
END_TEST

Suite *manifest_suite(void) {
        Suite *s = suite_create("manifest");
        TCase *tc = tcase_create("manifest");
        tcase_add_test(tc, defaults_are_applied);
        tcase_add_test(tc, anchors_and_aliases_are_refused);
        tcase_add_test(tc, nesting_is_bounded);
        tcase_add_loop_test(tc, duplicate_key_makes_the_manifest_unusable, 0, (int)ELEMENTSOF(duplicates));
        tcase_add_test(tc, every_duplicate_key_is_reported);
        tcase_add_test(tc, find_app_without_a_name_finds_nothing);
        tcase_add_test(tc, missing_manifest_is_enoent_without_message);
        tcase_add_test(tc, manifest_writable_by_others_is_refused);
        tcase_add_test(tc, directory_instead_of_manifest_is_a_clear_error);
        tcase_add_test(tc, only_regular_files_are_read);
        suite_add_tcase(s, tc);
        return s;
}
