/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The podman state classifier and the repair planner of archy-podman-repair, both pure. The
 * error lines are podman's and its databases' texts as upstream prints them (shared domain facts);
 * the end-to-end fault tests will add outputs recorded from a broken podman in the guest. */
#include <string.h>

#include "podman-state.h"
#include "repair-plan.h"
#include "testlib.h"

static const char healthy_json[] = "{\n  \"host\": {\"arch\": \"amd64\"},\n  \"store\": {\"graphRoot\": "
                                   "\"/var/lib/containers/storage\"},\n  \"version\": {\"Version\": \"5.4.2\"}\n}\n";

static enum podman_state classify(enum probe_end end, int status, const char *out, const char *err,
                                  const struct podman_facts *f) {
        struct podman_probe p = {.end = end, .exit_status = status, .out = out, .err = err};
        const char *ev;
        size_t ev_len;
        return podman_classify(&p, f, &ev, &ev_len);
}

START_TEST(healthy_info_is_healthy_even_with_warnings_on_stderr) {
        ck_assert_int_eq(classify(PROBE_EXITED, 0, healthy_json,
                                  "time=\"2026-11-27T10:00:00Z\" level=warning msg=\"The cgroupv2 manager is set to "
                                  "systemd but there is no systemd user session available\"\n",
                                  NULL),
                         PODMAN_HEALTHY);
}
END_TEST

START_TEST(every_signature_has_its_state) {
        static const struct {
                const char *err;
                enum podman_state want;
        } cases[] = {
                {"panic: invalid page type: 0: 4\n\ngoroutine 1 [running]:\n", PODMAN_DB_CORRUPT},
                {"Error: scanning container state row: sql: Scan error on column index 0, name \"JSON\": "
                 "unsupported Scan\n",
                 PODMAN_DB_CORRUPT},
                {"Error: database disk image is malformed\n", PODMAN_DB_CORRUPT},
                {"Error: initializing sqlite database: file is not a database\n", PODMAN_DB_CORRUPT},
                {"Error: opening bolt db: invalid database\n", PODMAN_DB_CORRUPT},
                {"Error: database static dir \"/var/lib/containers/storage/libpod\" does not match our static dir "
                 "\"/srv/storage/libpod\": database configuration mismatch\n",
                 PODMAN_CONFIG_MISMATCH},
                {"Error: beginning transaction: database is locked\n", PODMAN_HUNG}, /* recorded, podman 5.4.2 */
                {"Error: invalid internal status, try resetting the pause process with \"podman system migrate\": "
                 "could not find any running process: no such process\n",
                 PODMAN_PAUSE_PROCESS},
                /* recorded in the VM (test/e2e/bats/270-disk-full.bats), podman 5.4.2 on a full root */
                {"time=\"2026-12-03T11:00:57Z\" level=error msg=\"Rolling back transaction to add exit code: cannot "
                 "rollback - no transaction is active\"\nError: getting store info: adding container ee97f0e01afe "
                 "exit code 0: database or disk is full\n",
                 PODMAN_DISK_FULL},
                {"Error: write /var/lib/containers/storage/overlay/l/x: no space left on device\n", PODMAN_DISK_FULL},
                /* a full disk wins over a text that would move the database aside */
                {"Error: database disk image is malformed\nError: database or disk is full\n", PODMAN_DISK_FULL},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct podman_probe p = {.end = PROBE_EXITED, .exit_status = 125, .out = "", .err = cases[i].err};
                const char *ev;
                size_t ev_len;
                ck_assert_msg(podman_classify(&p, NULL, &ev, &ev_len) == cases[i].want, "case %zu", i);
                /* the report quotes the line that decided it */
                ck_assert_ptr_nonnull(ev);
                ck_assert_ptr_null(memchr(ev, '\n', ev_len));
                ck_assert_uint_gt(ev_len, 0);
        }
}
END_TEST

START_TEST(a_go_panic_is_corruption_not_a_broken_binary) {
        /* A panicking podman exits with status 2 after printing the panic. */
        ck_assert_int_eq(classify(PROBE_EXITED, 2, "", "panic: invalid page type: 12: 10\n", NULL), PODMAN_DB_CORRUPT);
        struct podman_probe p = {.end = PROBE_SIGNALED, .signal = 6, .err = "panic: invalid page type: 1: 4\n"};
        const char *ev;
        size_t ev_len;
        ck_assert_int_eq(podman_classify(&p, NULL, &ev, &ev_len), PODMAN_DB_CORRUPT);
}
END_TEST

START_TEST(timeouts_and_missing_binaries) {
        ck_assert_int_eq(classify(PROBE_TIMED_OUT, 0, "", "", NULL), PODMAN_HUNG);
        ck_assert_int_eq(classify(PROBE_NOT_FOUND, 0, NULL, NULL, NULL), PODMAN_BROKEN);
        ck_assert_int_eq(classify(PROBE_SPAWN_FAILED, 0, NULL, NULL, NULL), PODMAN_BROKEN);
        ck_assert_int_eq(classify(PROBE_EXITED, 127, "", "", NULL), PODMAN_BROKEN);
        struct podman_probe p = {.end = PROBE_SIGNALED, .signal = 11, .out = "", .err = ""};
        const char *ev;
        size_t ev_len;
        ck_assert_int_eq(podman_classify(&p, NULL, &ev, &ev_len), PODMAN_BROKEN);
}
END_TEST

START_TEST(unrecognised_failures_are_reported_not_guessed) {
        ck_assert_int_eq(classify(PROBE_EXITED, 125, "", "Error: something new went wrong\n", NULL),
                         PODMAN_UNKNOWN_ERROR);
        /* status 0 but no info object on stdout */
        ck_assert_int_eq(classify(PROBE_EXITED, 0, "not json", "", NULL), PODMAN_UNKNOWN_ERROR);
}
END_TEST

START_TEST(a_silently_recreated_database_shows_in_what_podman_forgot) {
        struct podman_facts units = {.units_without_container = 2};
        struct podman_facts volumes = {.volume_dirs_without_record = 1};
        ck_assert_int_eq(classify(PROBE_EXITED, 0, healthy_json, "", &units), PODMAN_DB_MISSING);
        ck_assert_int_eq(classify(PROBE_EXITED, 0, healthy_json, "", &volumes), PODMAN_DB_MISSING);
        /* a corrupt database is corrupt, whatever else is missing */
        ck_assert_int_eq(classify(PROBE_EXITED, 125, "", "Error: database disk image is malformed\n", &units),
                         PODMAN_DB_CORRUPT);
}
END_TEST

/* Chaos scenario 7, as rootless podman 5.4 showed it in the guest: pasta killed (the namespace
 * stays, its pasta is gone), the namespace's directory removed (aardvark-dns runs on), and an app
 * restarted after either (podman made a new namespace with a new pasta, the old aardvark-dns runs
 * on: netavark "aardvark-dns runs in a different netns"). */
START_TEST(a_rootless_network_namespace_without_pasta_gone_or_split_is_broken) {
        struct netns_look ok = {
                .dir = true, .pasta = true, .pasta_start = 100, .aardvark = true, .aardvark_start = 120};
        ck_assert_int_eq(netns_classify(&ok), NETNS_OK);
        struct netns_look same_tick = ok;
        same_tick.aardvark_start = 100;
        ck_assert_int_eq(netns_classify(&same_tick), NETNS_OK);
        struct netns_look none = {0}; /* no container needs one: podman makes it when one starts */
        ck_assert_int_eq(netns_classify(&none), NETNS_OK);
        struct netns_look no_aardvark = {.dir = true, .pasta = true, .pasta_start = 100};
        ck_assert_int_eq(netns_classify(&no_aardvark), NETNS_OK);
        struct netns_look pasta_killed = ok;
        pasta_killed.pasta = false;
        ck_assert_int_eq(netns_classify(&pasta_killed), NETNS_PASTA_GONE);
        struct netns_look removed = {.aardvark = true, .aardvark_start = 120};
        ck_assert_int_eq(netns_classify(&removed), NETNS_GONE);
        /* $XDG_RUNTIME_DIR/containers removed: aardvark-dns's pid file went with it */
        struct netns_look run_root_removed = {.apps_running = true};
        ck_assert_int_eq(netns_classify(&run_root_removed), NETNS_GONE);
        struct netns_look split = ok;
        split.pasta_start = 300;
        ck_assert_int_eq(netns_classify(&split), NETNS_SPLIT);
        ck_assert_ptr_null(netns_health_text(NETNS_OK));
        for (int h = NETNS_PASTA_GONE; h < _NETNS_HEALTH_MAX; h++)
                ck_assert_ptr_nonnull(netns_health_text((enum netns_health)h));

        /* the classifier: a healthy probe with a broken namespace is that state, with its text */
        struct podman_facts f = {.netns = NETNS_SPLIT};
        struct podman_probe p = {.end = PROBE_EXITED, .out = healthy_json, .err = ""};
        const char *ev;
        size_t ev_len;
        ck_assert_int_eq(podman_classify(&p, &f, &ev, &ev_len), PODMAN_NETNS_BROKEN);
        ck_assert_str_eq(ev, netns_health_text(NETNS_SPLIT));
        ck_assert_str_eq(podman_state_to_string(PODMAN_NETNS_BROKEN), "network-namespace-broken");
        /* what podman forgot is repaired first: its plan clears the network too */
        f.units_without_container = 1;
        ck_assert_int_eq(podman_classify(&p, &f, &ev, &ev_len), PODMAN_DB_MISSING);
        f = (struct podman_facts){0};
        ck_assert_int_eq(podman_classify(&p, &f, &ev, &ev_len), PODMAN_HEALTHY);
}
END_TEST

static bool plan_has(const enum repair_step *steps, size_t n, enum repair_step s) {
        for (size_t i = 0; i < n; i++)
                if (steps[i] == s)
                        return true;
        return false;
}

static size_t index_of(const enum repair_step *steps, size_t n, enum repair_step s) {
        for (size_t i = 0; i < n; i++)
                if (steps[i] == s)
                        return i;
        return n;
}

START_TEST(plans_are_least_destructive_and_ordered) {
        enum repair_step steps[REPAIR_PLAN_MAX];
        ck_assert_uint_eq(repair_plan(PODMAN_HEALTHY, steps), 0);
        for (int s = 0; s < _PODMAN_STATE_MAX; s++) {
                size_t n = repair_plan((enum podman_state)s, steps);
                ck_assert_uint_le(n, REPAIR_PLAN_MAX);
                ck_assert_ptr_nonnull(podman_state_to_string((enum podman_state)s));
                for (size_t i = 0; i < n; i++)
                        ck_assert_ptr_nonnull(repair_step_to_string(steps[i]));
                /* whoever touches podman's state stops the apps first and starts them last, once */
                if (plan_has(steps, n, STEP_STOP_APP_UNITS) || plan_has(steps, n, STEP_START_APP_UNITS) ||
                    plan_has(steps, n, STEP_MOVE_DATABASE_ASIDE) || plan_has(steps, n, STEP_REREGISTER_VOLUMES) ||
                    plan_has(steps, n, STEP_SYSTEM_MIGRATE)) {
                        size_t starts = 0;
                        for (size_t i = 0; i < n; i++)
                                starts += steps[i] == STEP_START_APP_UNITS;
                        ck_assert_uint_eq(starts, 1);
                        ck_assert_uint_eq(index_of(steps, n, STEP_STOP_APP_UNITS), 0);
                        ck_assert_uint_eq(index_of(steps, n, STEP_START_APP_UNITS), n - 1);
                }
                /* a network is cleared only with the apps stopped */
                if (plan_has(steps, n, STEP_CLEAR_NETWORK_STATE))
                        ck_assert_uint_gt(index_of(steps, n, STEP_CLEAR_NETWORK_STATE),
                                          index_of(steps, n, STEP_STOP_APP_UNITS));
                /* no app may start on an empty volume */
                if (plan_has(steps, n, STEP_REREGISTER_VOLUMES))
                        ck_assert_uint_lt(index_of(steps, n, STEP_REREGISTER_VOLUMES),
                                          index_of(steps, n, STEP_START_APP_UNITS));
        }
        size_t n = repair_plan(PODMAN_DB_CORRUPT, steps);
        ck_assert(plan_has(steps, n, STEP_MOVE_DATABASE_ASIDE));
        ck_assert(plan_has(steps, n, STEP_REREGISTER_VOLUMES) && plan_has(steps, n, STEP_REMOVE_ORPHANS));
        n = repair_plan(PODMAN_DB_MISSING, steps);
        ck_assert(!plan_has(steps, n, STEP_MOVE_DATABASE_ASIDE));
        ck_assert(plan_has(steps, n, STEP_REREGISTER_VOLUMES) && plan_has(steps, n, STEP_REMOVE_ORPHANS));
        n = repair_plan(PODMAN_HUNG, steps);
        ck_assert(!plan_has(steps, n, STEP_MOVE_DATABASE_ASIDE) && !plan_has(steps, n, STEP_STOP_APP_UNITS));
        n = repair_plan(PODMAN_PAUSE_PROCESS, steps);
        ck_assert(plan_has(steps, n, STEP_SYSTEM_MIGRATE));
        /* the broken network namespace goes only once every app left it, and nothing else is touched */
        n = repair_plan(PODMAN_NETNS_BROKEN, steps);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(steps[0], STEP_STOP_APP_UNITS);
        ck_assert_int_eq(steps[1], STEP_CLEAR_NETWORK_STATE);
        ck_assert_int_eq(steps[2], STEP_START_APP_UNITS);
        for (enum podman_state s = PODMAN_CONFIG_MISMATCH; s <= PODMAN_DISK_FULL; s++) {
                if (s == PODMAN_PAUSE_PROCESS)
                        continue;
                n = repair_plan(s, steps);
                ck_assert_uint_eq(n, 1);
                ck_assert_int_eq(steps[0], STEP_REPORT_ONLY);
        }
}
END_TEST

Suite *podman_state_suite(void) {
        Suite *s = suite_create("podman_state");
        TCase *tc = tcase_create("classify");
        tcase_add_test(tc, healthy_info_is_healthy_even_with_warnings_on_stderr);
        tcase_add_test(tc, every_signature_has_its_state);
        tcase_add_test(tc, a_go_panic_is_corruption_not_a_broken_binary);
        tcase_add_test(tc, timeouts_and_missing_binaries);
        tcase_add_test(tc, unrecognised_failures_are_reported_not_guessed);
        tcase_add_test(tc, a_silently_recreated_database_shows_in_what_podman_forgot);
        tcase_add_test(tc, plans_are_least_destructive_and_ordered);
        tcase_add_test(tc, a_rootless_network_namespace_without_pasta_gone_or_split_is_broken);
        suite_add_tcase(s, tc);
        return s;
}
