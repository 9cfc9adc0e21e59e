/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who runs the apps, as archyctl sees it (ctl/io/ctl-node.c) and where archyctl status reads the
 * helpers' files by mode (status_paths_set_node()): rootful, the system's; rootless, where the
 * helpers in the apps user's manager keep them; a variable always wins. The apps user is nobody
 * (it exists on every Debian system), its subordinate range from a test file. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-node.h"
#include "status-gather.h"
#include "testlib.h"

static const char *const path_vars[] = {"ARCHY_PODMAN_HEALTH",
                                        "ARCHY_RECONCILE_STATE",
                                        "ARCHY_CID_DIR",
                                        "ARCHY_PODMAN_RUNROOT",
                                        "ARCHY_DISK_CONTAINERS",
                                        "ARCHY_SYSTEMD_BUS",
                                        "ARCHY_PODMAN_REPAIR_STATE",
                                        NULL};

static char subid[64];

/* A clean environment and a subordinate range for nobody; NULL when there is no nobody. */
static const struct passwd *setup_nobody(void) {
        for (size_t i = 0; path_vars[i]; i++)
                unsetenv(path_vars[i]);
        const struct passwd *pw = getpwnam("nobody");
        if (!pw)
                return NULL;
        snprintf(subid, sizeof subid, "/tmp/archy-subid-XXXXXX");
        int fd = mkstemp(subid);
        ck_assert_int_ge(fd, 0);
        const char line[] = "nobody:524288:65536\n";
        ck_assert_int_eq(write(fd, line, sizeof line - 1), (ssize_t)(sizeof line - 1));
        close(fd);
        setenv("ARCHY_SUBUID_FILE", subid, 1);
        setenv("ARCHY_SUBGID_FILE", subid, 1);
        return pw;
}

static const struct node_settings nobody_node = {.mode = NODE_ROOTLESS, .user = "nobody"};

START_TEST(rootful_paths_are_the_systems) {
        setup_nobody();
        struct status_paths p;
        status_paths_default(&p);
        struct status s = {0};
        ck_assert_int_eq(status_paths_set_node(&p, NULL, &s), 0);
        ck_assert_str_eq(p.podman_health, "/run/archipelago/podman-health.json");
        ck_assert_str_eq(p.reconcile, "/var/lib/archipelago/reconcile/state.json");
        ck_assert_str_eq(p.cid_dir, "/run");
        ck_assert_str_eq(p.run_root, "/run/containers/storage");
        ck_assert_str_eq(p.repair_state, "/var/lib/archipelago/podman-repair.state");
        ck_assert_str_eq(p.disks[1], "/var/lib/containers");
        ck_assert_str_eq(s.node.mode, "rootful");
        ck_assert_str_eq(s.node.user, "root");
        ck_assert(!p.node.as_user); /* root's podman, run directly */
        struct podman pm = ctl_node_podman(&p.node, 1000);
        ck_assert_ptr_null(pm.as_user);
        status_free(&s);
        unlink(subid);
}
END_TEST

START_TEST(rootless_paths_are_the_apps_users) {
        const struct passwd *pw = setup_nobody();
        if (!pw)
                return; /* no nobody here: nothing to look up */
        struct status_paths p;
        status_paths_default(&p);
        struct status s = {0};
        ck_assert_int_eq(status_paths_set_node(&p, &nobody_node, &s), 0);
        char want[512];
        unsigned uid = (unsigned)pw->pw_uid;
        snprintf(want, sizeof want, "/run/user/%u/archipelago/podman-health.json", uid);
        ck_assert_str_eq(p.podman_health, want);
        snprintf(want, sizeof want, "%s/.local/state/archipelago/reconcile/state.json", pw->pw_dir);
        ck_assert_str_eq(p.reconcile, want);
        snprintf(want, sizeof want, "/run/user/%u", uid);
        ck_assert_str_eq(p.cid_dir, want); /* Quadlet's %t in the user manager */
        snprintf(want, sizeof want, "/run/user/%u/containers", uid);
        ck_assert_str_eq(p.run_root, want);
        snprintf(want, sizeof want, "%s/.local/state/archipelago/podman-repair.state", pw->pw_dir);
        ck_assert_str_eq(p.repair_state, want);
        snprintf(want, sizeof want, "%s/.local/share/containers", pw->pw_dir);
        ck_assert_str_eq(p.disks[1], want);
        ck_assert_str_eq(s.node.mode, "rootless");
        ck_assert_str_eq(s.node.user, "nobody");
        /* as root, podman runs as the user through setpriv; as the user itself, directly */
        ck_assert(p.node.as_user == (geteuid() != pw->pw_uid));
        struct podman pm = ctl_node_podman(&p.node, 1000);
        if (geteuid() == 0) {
                ck_assert_ptr_eq(pm.as_user, &p.node.exec);
                snprintf(want, sizeof want, "--reuid=%u", uid);
                ck_assert_str_eq(pm.as_user->uid_arg, want);
        }
        status_free(&s);
        unlink(subid);
}
END_TEST

START_TEST(a_variable_wins_in_either_mode) {
        if (!setup_nobody())
                return;
        setenv("ARCHY_RECONCILE_STATE", "/tmp/x/state.json", 1);
        setenv("ARCHY_CID_DIR", "/tmp/x/run", 1);
        struct status_paths p;
        status_paths_default(&p);
        ck_assert_int_eq(status_paths_set_node(&p, &nobody_node, NULL), 0);
        ck_assert_str_eq(p.reconcile, "/tmp/x/state.json");
        ck_assert_str_eq(p.cid_dir, "/tmp/x/run");
        ck_assert_ptr_nonnull(strstr(p.podman_health, "/run/user/")); /* not given: by mode */
        unlink(subid);
}
END_TEST

START_TEST(a_missing_apps_user_is_an_error_and_keeps_the_systems_paths) {
        setup_nobody();
        const struct node_settings ghost = {.mode = NODE_ROOTLESS, .user = "archy-no-such-user"};
        struct status_paths p;
        status_paths_default(&p);
        struct status s = {0};
        ck_assert_int_lt(status_paths_set_node(&p, &ghost, &s), 0);
        ck_assert_str_eq(p.reconcile, "/var/lib/archipelago/reconcile/state.json");
        ck_assert_str_eq(s.node.mode, "rootless"); /* the manifest said so: status shows it */
        ck_assert_str_eq(s.node.user, "archy-no-such-user");
        /* and systemd is not asked: the units cannot be found without the user */
        ck_assert_int_lt(status_gather_units(&s, &p), 0);
        status_free(&s);
        unlink(subid);
}
END_TEST

Suite *ctl_node_suite(void) {
        Suite *s = suite_create("ctl_node");
        TCase *tc = tcase_create("paths");
        tcase_add_test(tc, rootful_paths_are_the_systems);
        tcase_add_test(tc, rootless_paths_are_the_apps_users);
        tcase_add_test(tc, a_variable_wins_in_either_mode);
        tcase_add_test(tc, a_missing_apps_user_is_an_error_and_keeps_the_systems_paths);
        suite_add_tcase(s, tc);
        return s;
}
