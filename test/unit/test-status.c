/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl status's pure core: the verdict, the exit status, the text and exact JSON renderings,
 * and the parsers of what it reads (podman's health log, archy-podman-repair's status file,
 * archy-verify-ota's state file). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "commands.h"
#include "ota-state.h"
#include "status.h"
#include "testlib.h"

/* 2026-11-27T12:00:00Z */
#define T0 1795780800LL
#define USEC(t) ((uint64_t)(t)*1000000ULL)

static struct status_unit *unit(struct status *s, struct status_app *a, const char *name, const char *part,
                                const char *active, const char *sub) {
        struct status_unit *u = status_add_unit(s, a, name, part);
        ck_assert_ptr_nonnull(u);
        u->loaded = true;
        u->active_state = strdup(active);
        u->sub_state = strdup(sub);
        u->result = strdup("success");
        u->state_since_usec = USEC(T0 - 3600);
        return u;
}

static void healthy_node(struct status *s) {
        s->now = T0;
        s->manifest.path = strdup("/etc/archipelago/manifest.yaml");
        s->manifest.last_good = strdup("/etc/archipelago/manifest.last-good.yaml");
        s->manifest.in_use = strdup("/etc/archipelago/manifest.yaml");
        s->manifest.present = true;
        struct status_app *a = status_add_app(s, "bitcoin-knots", "started");
        struct status_unit *u = unit(s, a, "archy-bitcoin-knots.service", "main", "active", "running");
        u->has_health = u->notify_healthy = true;
        u->health = HEALTH_HEALTHY;
        u->health_source = "notify";
        u = unit(s, a, "archy-bitcoin-knots-ui.service", "ui", "active", "running");
        u->health = HEALTH_NONE;
        u->health_source = "manifest";
        struct status_probe *p = status_add_probe(s, a, "rpc", "tcp", "127.0.0.1:8332");
        *p = (struct status_probe){.name = p->name,
                                   .kind = p->kind,
                                   .target = p->target,
                                   .checked = true,
                                   .ok = true,
                                   .detail = strdup("connected"),
                                   .duration_ms = 1,
                                   .checked_at = T0 - 20};
        a = status_add_app(s, "lnd", "started");
        u = unit(s, a, "archy-lnd.service", "main", "active", "running");
        u->has_health = true;
        u->health = HEALTH_HEALTHY;
        u->health_source = "healthcheck-log";
        status_add_probe(s, a, "rest", "http", "https://127.0.0.1:8080/"); /* not probed yet */
        a = status_add_app(s, "mempool", "stopped");
        u = status_add_unit(s, a, "archy-mempool.service", "main");
        u->active_state = strdup("inactive");
        u->sub_state = strdup("dead");
        s->podman = (struct status_podman){.known = true,
                                           .result = strdup("healthy"),
                                           .healthy = true,
                                           .state_now = strdup("healthy"),
                                           .checked_at = T0 - 60};
        s->ota = (struct status_ota){.known = true,
                                     .phase = strdup("committed"),
                                     .reason = strdup("every check passed"),
                                     .new_version = strdup("1.4.0"),
                                     .previous_version = strdup("1.3.2"),
                                     .attempts = 1,
                                     .applied_at = T0 - 86400,
                                     .decided_at = T0 - 86000};
        s->helpers[HELPER_DERIVE] = (struct status_helper){
                .found = true, .result = strdup("success"), .exec_main_status = 0, .last_run_usec = USEC(T0 - 10)};
}

static char *json_of(struct status *s) {
        status_evaluate(s);
        ck_assert(!s->oom);
        char *j = status_render_json(s);
        ck_assert_ptr_nonnull(j);
        return j;
}

START_TEST(test_healthy_json) {
        struct status s = {0};
        healthy_node(&s);
        char *j = json_of(&s);
        assert_text_eq(
                j,
                "{\n"
                "  \"verdict\": \"ok\",\n"
                "  \"checked_at\": \"2026-11-27T12:00:00Z\", \"checked_at_unix\": 1795780800,\n"
                "  \"problems\": [],\n"
                "  \"manifest\": {\"path\": \"/etc/archipelago/manifest.yaml\", \"last_good\": "
                "\"/etc/archipelago/manifest.last-good.yaml\", \"in_use\": \"/etc/archipelago/manifest.yaml\", "
                "\"present\": true, \"fallback\": false, \"problems\": [], \"last_good_problems\": []},\n"
                "  \"node\": {\"mode\": \"rootful\", \"user\": \"root\"},\n"
                "  \"apps\": [\n"
                "    {\"name\": \"bitcoin-knots\", \"desired\": \"started\", \"skipped\": false, \"level\": \"ok\", "
                "\"reconcile\": {\"restarts\": 0, \"next_retry\": null, \"next_retry_unix\": null, \"last_reason\": "
                "null}, \"units\": [\n"
                "      {\"unit\": \"archy-bitcoin-knots.service\", \"container\": \"main\", \"loaded\": true, "
                "\"active_state\": \"active\", \"sub_state\": \"running\", \"since\": \"2026-11-27T11:00:00Z\", "
                "\"since_unix\": 1795777200, \"oneshot\": false, \"health\": \"healthy\", \"health_source\": "
                "\"notify\", \"failing_streak\": 0, \"restarts\": 0, \"last_failure\": null},\n"
                "      {\"unit\": \"archy-bitcoin-knots-ui.service\", \"container\": \"ui\", \"loaded\": true, "
                "\"active_state\": \"active\", \"sub_state\": \"running\", \"since\": \"2026-11-27T11:00:00Z\", "
                "\"since_unix\": 1795777200, \"oneshot\": false, \"health\": \"none\", \"health_source\": "
                "\"manifest\", \"failing_streak\": 0, \"restarts\": 0, \"last_failure\": null}\n"
                "    ], \"rolled_back\": null, \"probes\": [\n"
                "      {\"name\": \"rpc\", \"kind\": \"tcp\", \"target\": \"127.0.0.1:8332\", \"ok\": true, "
                "\"detail\": \"connected\", \"duration_ms\": 1, \"checked_at\": \"2026-11-27T11:59:40Z\", "
                "\"checked_at_unix\": 1795780780}\n"
                "    ]},\n"
                "    {\"name\": \"lnd\", \"desired\": \"started\", \"skipped\": false, \"level\": \"ok\", "
                "\"reconcile\": {\"restarts\": 0, \"next_retry\": null, \"next_retry_unix\": null, \"last_reason\": "
                "null}, \"units\": [\n"
                "      {\"unit\": \"archy-lnd.service\", \"container\": \"main\", \"loaded\": true, \"active_state\": "
                "\"active\", \"sub_state\": \"running\", \"since\": \"2026-11-27T11:00:00Z\", \"since_unix\": "
                "1795777200, \"oneshot\": false, \"health\": \"healthy\", \"health_source\": \"healthcheck-log\", "
                "\"failing_streak\": 0, \"restarts\": 0, \"last_failure\": null}\n"
                "    ], \"rolled_back\": null, \"probes\": [\n"
                "      {\"name\": \"rest\", \"kind\": \"http\", \"target\": \"https://127.0.0.1:8080/\", \"ok\": "
                "null, \"detail\": null, \"duration_ms\": null, \"checked_at\": null, \"checked_at_unix\": null}\n"
                "    ]},\n"
                "    {\"name\": \"mempool\", \"desired\": \"stopped\", \"skipped\": false, \"level\": \"ok\", "
                "\"reconcile\": {\"restarts\": 0, \"next_retry\": null, \"next_retry_unix\": null, \"last_reason\": "
                "null}, \"units\": [\n"
                "      {\"unit\": \"archy-mempool.service\", \"container\": \"main\", \"loaded\": false, "
                "\"active_state\": \"inactive\", \"sub_state\": \"dead\", \"since\": null, \"since_unix\": null, "
                "\"oneshot\": false, \"health\": null, \"health_source\": null, \"failing_streak\": 0, "
                "\"restarts\": 0, \"last_failure\": null}\n"
                "    ], \"rolled_back\": null, \"probes\": []}\n"
                "  ],\n"
                "  \"pulls\": [],\n"
                "  \"podman\": {\"known\": true, \"error\": null, \"result\": \"healthy\", \"healthy\": true, "
                "\"state_now\": \"healthy\", \"failed_repairs_in_a_row\": 0, \"gave_up_reason\": null, "
                "\"checked_at\": \"2026-11-27T11:59:00Z\", \"checked_at_unix\": 1795780740},\n"
                "  \"ota\": {\"known\": true, \"error\": null, \"phase\": \"committed\", \"new_version\": \"1.4.0\", "
                "\"previous_version\": \"1.3.2\", \"reason\": \"every check passed\", \"attempts\": 1, "
                "\"applied_at\": \"2026-11-26T12:00:00Z\", \"applied_at_unix\": 1795694400, \"decided_at\": "
                "\"2026-11-26T12:06:40Z\", \"decided_at_unix\": 1795694800},\n"
                "  \"derive\": {\"found\": true, \"last_result\": \"success\", \"last_exit_status\": 0, "
                "\"last_run\": \"2026-11-27T11:59:50Z\", \"last_run_unix\": 1795780790, \"drift\": \"unknown\"},\n"
                "  \"reconcile\": {\"known\": false, \"error\": null, \"last_full_scan\": null, "
                "\"last_full_scan_unix\": "
                "null}\n"
                "}\n");
        ck_assert_int_eq(status_exit_status(&s), CTL_EXIT_OK);
        free(j);
        status_free(&s);
}
END_TEST

/* Everything that needs a person at once: the fallback manifest with its problems, a started
 * app's unit failed after restarts, podman repair gave up, the update rolled back. */
static void troubled_node(struct status *s) {
        healthy_node(s);
        free(s->manifest.in_use);
        s->manifest.in_use = strdup("/etc/archipelago/manifest.last-good.yaml");
        s->manifest.fallback = true;
        s->node = (struct status_node){.mode = "rootless", .user = strdup("archipelago")};
        status_strv_add(s, &s->manifest.problems, &s->manifest.n_problems,
                        "/etc/archipelago/manifest.yaml:3:5: apps: expected a mapping, got a sequence");
        struct status_unit *u = &s->apps[1].units[0]; /* archy-lnd.service */
        free(u->active_state);
        free(u->sub_state);
        free(u->result);
        u->active_state = strdup("failed");
        u->sub_state = strdup("failed");
        u->result = strdup("exit-code");
        u->exec_main_code = strdup("exited");
        u->exec_main_status = 1;
        u->n_restarts = 5;
        u->failed_at_usec = USEC(T0 - 120);
        u->health = HEALTH_NA;
        u->health_source = NULL;
        free(s->podman.result);
        free(s->podman.state_now);
        s->podman.result = strdup("gave-up");
        s->podman.healthy = false;
        s->podman.state_now = strdup("database-corrupt");
        s->podman.gave_up_reason = strdup("3 repairs in a row did not help");
        s->podman.failed_repairs_in_a_row = 3;
        free(s->ota.phase);
        free(s->ota.reason);
        s->ota.phase = strdup("rolled-back");
        s->ota.reason = strdup("https://127.0.0.1/ answered 500");
        s->ota.attempts = 3;
}

START_TEST(test_troubled_verdict) {
        struct status s = {0};
        troubled_node(&s);
        char *j = json_of(&s);
        ck_assert_str_eq(status_level_to_string(s.verdict), "attention");
        ck_assert_int_eq(status_exit_status(&s), CTL_EXIT_ATTENTION);
        ck_assert_int_eq(CTL_EXIT_ATTENTION, 5);
        ck_assert_uint_eq(s.n_problems, 4);
        /* the parts of the JSON that changed, exactly */
        ck_assert_ptr_nonnull(strstr(j, "\"verdict\": \"attention\","));
        ck_assert_ptr_nonnull(
                strstr(j, "  \"problems\": [\n"
                          "    {\"level\": \"attention\", \"app\": null, \"text\": \"the manifest "
                          "/etc/archipelago/manifest.yaml is unusable (1 problem): the last good copy "
                          "/etc/archipelago/manifest.last-good.yaml is in use\"},\n"
                          "    {\"level\": \"attention\", \"app\": \"lnd\", \"text\": \"archy-lnd.service failed "
                          "(exit-code, main process exited with status 1, at 2026-11-27T11:58:00Z) after 5 automatic "
                          "restarts\"},\n"
                          "    {\"level\": \"attention\", \"app\": null, \"text\": \"archy-podman-repair gave up: 3 "
                          "repairs in a row did not help\"},\n"
                          "    {\"level\": \"attention\", \"app\": null, \"text\": \"the update to 1.4.0 was rolled "
                          "back to 1.3.2: https://127.0.0.1/ answered 500\"}\n"
                          "  ],\n"));
        ck_assert_ptr_nonnull(strstr(j,
                                     "\"in_use\": \"/etc/archipelago/manifest.last-good.yaml\", \"present\": "
                                     "true, \"fallback\": true, \"problems\": [\"/etc/archipelago/manifest.yaml:3:5: "
                                     "apps: expected a mapping, got a sequence\"], \"last_good_problems\": []}"));
        ck_assert_ptr_nonnull(strstr(j, "{\"name\": \"lnd\", \"desired\": \"started\", \"skipped\": false, "
                                        "\"level\": \"attention\""));
        ck_assert_ptr_nonnull(strstr(j, "\"active_state\": \"failed\", \"sub_state\": \"failed\", \"since\": "
                                        "\"2026-11-27T11:00:00Z\", \"since_unix\": 1795777200, \"oneshot\": false, "
                                        "\"health\": null, \"health_source\": null, \"failing_streak\": 0, "
                                        "\"restarts\": 5, \"last_failure\": {\"at\": \"2026-11-27T11:58:00Z\", "
                                        "\"at_unix\": 1795780680, \"result\": \"exit-code\", \"exec_main_code\": "
                                        "\"exited\", \"exec_main_status\": 1}}"));
        ck_assert_ptr_nonnull(strstr(j, "\"podman\": {\"known\": true, \"error\": null, \"result\": \"gave-up\", "
                                        "\"healthy\": false, \"state_now\": \"database-corrupt\", "
                                        "\"failed_repairs_in_a_row\": 3, \"gave_up_reason\": \"3 repairs in a row "
                                        "did not help\""));
        ck_assert_ptr_nonnull(strstr(j, "\"phase\": \"rolled-back\""));
        free(j);
        status_free(&s);
}
END_TEST

/* Each cause alone is enough for attention, and exit status 5. */
START_TEST(test_each_attention_alone) {
        for (int cause = 0; cause < 4; cause++) {
                struct status s = {0};
                healthy_node(&s);
                switch (cause) {
                case 0: s.manifest.fallback = true; break;
                case 1:
                        free(s.apps[1].units[0].active_state);
                        s.apps[1].units[0].active_state = strdup("failed");
                        break;
                case 2:
                        free(s.podman.result);
                        s.podman.result = strdup("gave-up");
                        break;
                case 3:
                        free(s.ota.phase);
                        s.ota.phase = strdup("rolled-back");
                        break;
                }
                status_evaluate(&s);
                ck_assert_msg(s.verdict == STATUS_ATTENTION, "cause %d", cause);
                ck_assert_int_eq(status_exit_status(&s), CTL_EXIT_ATTENTION);
                ck_assert_uint_eq(s.n_problems, 1);
                status_free(&s);
        }
}
END_TEST

/* Degraded, exit 0: waiting to restart, unhealthy, a stopped app running, verification under way. */
START_TEST(test_degraded) {
        for (int cause = 0; cause < 5; cause++) {
                struct status s = {0};
                healthy_node(&s);
                struct status_unit *lnd = &s.apps[1].units[0], *mempool = &s.apps[2].units[0];
                switch (cause) {
                case 0:
                        free(lnd->active_state);
                        free(lnd->sub_state);
                        free(lnd->result);
                        lnd->active_state = strdup("activating");
                        lnd->sub_state = strdup("auto-restart");
                        lnd->result = strdup("signal");
                        lnd->exec_main_code = strdup("killed");
                        lnd->exec_main_status = 9;
                        lnd->n_restarts = 2;
                        lnd->failed_at_usec = USEC(T0 - 5);
                        break;
                case 1:
                        lnd->health = HEALTH_UNHEALTHY;
                        lnd->failing_streak = 3;
                        break;
                case 2:
                        free(mempool->active_state);
                        mempool->active_state = strdup("active");
                        mempool->loaded = true;
                        break;
                case 3:
                        free(s.ota.phase);
                        s.ota.phase = strdup("verifying");
                        break;
                case 4:
                        free(s.helpers[HELPER_DERIVE].result);
                        s.helpers[HELPER_DERIVE].result = strdup("exit-code");
                        s.helpers[HELPER_DERIVE].exec_main_status = 1;
                        break;
                }
                status_evaluate(&s);
                ck_assert_msg(s.verdict == STATUS_DEGRADED, "cause %d", cause);
                ck_assert_int_eq(status_exit_status(&s), CTL_EXIT_OK);
                ck_assert_uint_eq(s.n_problems, 1);
                if (cause == 0)
                        ck_assert_str_eq(s.problems[0].text,
                                         "archy-lnd.service is waiting to restart (signal, main process killed with "
                                         "signal 9, at 2026-11-27T11:59:55Z; 2 automatic restarts)");
                status_free(&s);
        }
}
END_TEST

START_TEST(test_oneshot_done_and_skipped_app) {
        struct status s = {0};
        healthy_node(&s);
        struct status_unit *u = unit(&s, &s.apps[1], "archy-lnd-wallet.service", "wallet", "inactive", "dead");
        u->oneshot = true;
        status_evaluate(&s);
        ck_assert(s.verdict == STATUS_OK);
        status_free(&s);

        healthy_node(&s);
        struct status_app *a = status_add_app(&s, "btcpay-server", "started");
        a->skipped = true;
        status_evaluate(&s);
        ck_assert(s.verdict == STATUS_ATTENTION);
        ck_assert_str_eq(s.problems[0].app, "btcpay-server");
        status_free(&s);
}
END_TEST

START_TEST(test_text) {
        struct status s = {0};
        troubled_node(&s);
        status_evaluate(&s);
        char *t = status_render_text(&s);
        ck_assert_ptr_nonnull(t);
        assert_text_eq(
                t, "verdict:   attention\n"
                   "manifest:  /etc/archipelago/manifest.last-good.yaml (the LAST GOOD COPY: "
                   "/etc/archipelago/manifest.yaml is unusable)\n"
                   "  /etc/archipelago/manifest.yaml:3:5: apps: expected a mapping, got a sequence\n"
                   "node:      rootless (apps run as archipelago)\n"
                   "podman:    database-corrupt (gave-up, checked 2026-11-27T11:59:00Z)\n"
                   "ota:       rolled-back 1.3.2 -> 1.4.0 (2026-11-26T12:06:40Z)\n"
                   "derive:    last run success at 2026-11-27T11:59:50Z (per-file drift: unknown)\n"
                   "apps:\n"
                   "  bitcoin-knots            started      ok\n"
                   "    archy-bitcoin-knots.service        active (running)       health healthy\n"
                   "    archy-bitcoin-knots-ui.service     active (running)\n"
                   "    probe rpc                          ok   connected (tcp 127.0.0.1:8332, 1 ms, at "
                   "2026-11-27T11:59:40Z)\n"
                   "  lnd                      started      attention\n"
                   "    archy-lnd.service                  failed (failed)        restarts 5 last failure: exit-code, "
                   "main process exited with status 1, at 2026-11-27T11:58:00Z\n"
                   "    probe rest                         not probed yet (http https://127.0.0.1:8080/)\n"
                   "  mempool                  stopped      ok\n"
                   "    archy-mempool.service              not loaded\n"
                   "problems:\n"
                   "  attention the manifest /etc/archipelago/manifest.yaml is unusable (1 problem): the last good "
                   "copy /etc/archipelago/manifest.last-good.yaml is in use\n"
                   "  attention archy-lnd.service failed (exit-code, main process exited with status 1, at "
                   "2026-11-27T11:58:00Z) after 5 automatic restarts\n"
                   "  attention archy-podman-repair gave up: 3 repairs in a row did not help\n"
                   "  attention the update to 1.4.0 was rolled back to 1.3.2: https://127.0.0.1/ answered 500\n");
        free(t);
        status_free(&s);
}
END_TEST

START_TEST(test_health_log) {
        enum status_health h;
        unsigned streak = 99;
        static const char healthy[] = "{\"Status\":\"healthy\",\"FailingStreak\":0,\"Log\":[{\"Start\":\"2026-11-27";
        ck_assert_int_eq(status_parse_health_log(healthy, strlen(healthy), &h, &streak), 0);
        ck_assert_int_eq(h, HEALTH_HEALTHY);
        ck_assert_uint_eq(streak, 0);
        static const char bad[] = "{\"Status\":\"unhealthy\",\"FailingStreak\":12,\"Log\":[]}";
        ck_assert_int_eq(status_parse_health_log(bad, strlen(bad), &h, &streak), 0);
        ck_assert_int_eq(h, HEALTH_UNHEALTHY);
        ck_assert_uint_eq(streak, 12);
        static const char starting[] = "{\"Status\":\"starting\",\"FailingStreak\":1,";
        ck_assert_int_eq(status_parse_health_log(starting, strlen(starting), &h, &streak), 0);
        ck_assert_int_eq(h, HEALTH_STARTING);
        /* refused: another shape, another word, a cut number, nothing */
        static const char *const refused[] = {
                "{\"FailingStreak\":0,\"Status\":\"healthy\"}", "{\"Status\":\"healthyish\",\"FailingStreak\":0,",
                "{\"Status\":\"healthy\",\"FailingStreak\":", "{\"Status\":\"healthy\",\"FailingStreak\":3", ""};
        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
                ck_assert_msg(status_parse_health_log(refused[i], strlen(refused[i]), &h, &streak) == -EINVAL, "%s",
                              refused[i]);
}
END_TEST

/* The man page's example of archy-podman-repair's status file (archy-podman-repair(8), FILES). */
static const char podman_file[] =
        "{\n  \"result\": \"gave-up\",\n  \"healthy\": false,\n  \"found\": \"database-corrupt\",\n"
        "  \"evidence\": \"Error: file is not a database\",\n  \"state_now\": \"database-corrupt\",\n"
        "  \"evidence_now\": null,\n  \"steps\": [],\n  \"moved_aside\": null,\n  \"units_stopped\": 0,\n"
        "  \"volumes_reregistered\": 0,\n  \"orphans_removed\": 0,\n  \"processes_killed\": 0,\n"
        "  \"failed_repairs_in_a_row\": 3,\n  \"gave_up_reason\": \"3 repairs in a row did not help\",\n"
        "  \"podman_version\": \"5.4.2\",\n  \"mode\": \"system\",\n  \"probe_ms\": 187,\n"
        "  \"checked_at\": \"2026-11-27T12:00:37Z\",\n  \"checked_at_unix\": 1795780837\n}\n";

START_TEST(test_podman_file) {
        struct status s = {0};
        ck_assert_int_eq(status_parse_podman(&s, podman_file, strlen(podman_file)), 0);
        ck_assert(s.podman.known);
        ck_assert_str_eq(s.podman.result, "gave-up");
        ck_assert(!s.podman.healthy);
        ck_assert_str_eq(s.podman.state_now, "database-corrupt");
        ck_assert_str_eq(s.podman.gave_up_reason, "3 repairs in a row did not help");
        ck_assert_uint_eq(s.podman.failed_repairs_in_a_row, 3);
        ck_assert_int_eq(s.podman.checked_at, 1795780837);
        status_free(&s);
        static const char *const refused[] = {"{\"healthy\": true}", "not json: [", "[1, 2]",
                                              ("{\"result\": null, \"healthy\": true, \"failed_repairs_in_a_row\": 0, "
                                               "\"checked_at_unix\": 1}")};
        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
                ck_assert_int_eq(status_parse_podman(&s, refused[i], strlen(refused[i])), -EINVAL);
                ck_assert(!s.podman.known);
                status_free(&s);
        }
}
END_TEST

/* The verifier's own format, read by its own parser. */
START_TEST(test_ota_file) {
        struct ota_state st = {.phase = OTA_ROLLED_BACK,
                               .attempts = 3,
                               .swaps_done = 2,
                               .restarted = true,
                               .reason = (char *)"https://127.0.0.1/ answered 500",
                               .new_version = (char *)"1.4.0",
                               .previous_version = (char *)"1.3.2",
                               .applied_at = T0 - 600,
                               .decided_at = T0};
        char *text = ota_state_format(&st);
        ck_assert_ptr_nonnull(text);
        struct status s = {0};
        ck_assert_int_eq(status_parse_ota(&s, text), 0);
        ck_assert(s.ota.known);
        ck_assert_str_eq(s.ota.phase, "rolled-back");
        ck_assert_str_eq(s.ota.reason, "https://127.0.0.1/ answered 500");
        ck_assert_str_eq(s.ota.previous_version, "1.3.2");
        ck_assert_uint_eq(s.ota.attempts, 3);
        ck_assert_int_eq(s.ota.decided_at, T0);
        status_evaluate(&s);
        ck_assert(s.verdict == STATUS_ATTENTION);
        status_free(&s);
        free(text);
        ck_assert_int_eq(status_parse_ota(&s, "phase=committed\nbogus=1\n"), -EINVAL);
        ck_assert(!s.ota.known);
        ck_assert_ptr_nonnull(s.ota.error);
        status_evaluate(&s);
        ck_assert(s.verdict == STATUS_ATTENTION);
        status_free(&s);
}
END_TEST

/* archy-reconcile's state file: each app's restart count, next retry and last reason. */
START_TEST(test_reconcile_file) {
        struct status s = {0};
        healthy_node(&s);
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"last_full_scan_unix\": %lld, \"apps\": [{\"app\": \"lnd\", \"restarts\": 3, \"streak\": 2, "
                 "\"last_restart_unix\": %lld, \"next_retry_unix\": %lld, \"healthy_since_unix\": 0, "
                 "\"last_reason\": \"systemd gave up on archy-lnd.service (start-limit-hit)\"}, {\"app\": \"mempool\", "
                 "\"restarts\": 1, \"streak\": 0, \"last_restart_unix\": 5, \"next_retry_unix\": 35, "
                 "\"healthy_since_unix\": 0, \"last_reason\": null}, {\"app\": \"gone\", \"restarts\": 9, "
                 "\"streak\": 0, \"last_restart_unix\": 0, \"next_retry_unix\": 0, \"healthy_since_unix\": 0, "
                 "\"last_reason\": null}]}\n",
                 (long long)T0 - 30, (long long)T0 - 30, (long long)T0 + 30);
        ck_assert_int_eq(status_parse_reconcile(&s, text, strlen(text)), 0);
        ck_assert(s.reconcile.known);
        const struct status_app *lnd = &s.apps[1], *mempool = &s.apps[2];
        ck_assert_uint_eq(lnd->reconcile.restarts, 3);
        ck_assert_int_eq(lnd->reconcile.next_retry, T0 + 30);
        ck_assert_uint_eq(mempool->reconcile.restarts, 1);
        ck_assert_int_eq(mempool->reconcile.next_retry, 0); /* no streak: nothing pending */
        char *j = json_of(&s);
        ck_assert_ptr_nonnull(strstr(j, "\"reconcile\": {\"restarts\": 3, \"next_retry\": \"2026-11-27T12:00:30Z\", "
                                        "\"next_retry_unix\": 1795780830, \"last_reason\": \"systemd gave up on "
                                        "archy-lnd.service (start-limit-hit)\"}"));
        ck_assert_ptr_nonnull(strstr(j, "\"reconcile\": {\"known\": true, \"error\": null, \"last_full_scan\": "
                                        "\"2026-11-27T11:59:30Z\", \"last_full_scan_unix\": 1795780770}"));
        free(j);
        char *t = status_render_text(&s);
        ck_assert_ptr_nonnull(strstr(t,
                                     "    reconcile: 3 restarts by archy-reconcile, next retry 2026-11-27T12:00:30Z; "
                                     "last: systemd gave up on archy-lnd.service (start-limit-hit)\n"));
        free(t);
        ck_assert_int_eq(status_parse_reconcile(&s, "{\"apps\": []}", 12), -EINVAL);
        status_free(&s);
}
END_TEST

START_TEST(test_pulling_note) {
        struct status s = {0};
        healthy_node(&s);
        long long pid = 0;
        char text[256];
        snprintf(text, sizeof text, "main docker.io/lightninglabs/lnd:v0.18.5-beta %lld 4242\n", (long long)T0 - 60);
        struct status_pull p = {0};
        ck_assert_int_eq(status_parse_pulling(&s, text, &p, &pid), 0);
        ck_assert_int_eq(pid, 4242);
        p.app = strdup("lnd");
        ck_assert_ptr_nonnull(status_add_pull(&s, &p));
        ck_assert_ptr_null(p.app); /* taken */
        char *j = json_of(&s);
        ck_assert_ptr_nonnull(strstr(j, "  \"pulls\": [{\"app\": \"lnd\", \"container\": \"main\", \"image\": "
                                        "\"docker.io/lightninglabs/lnd:v0.18.5-beta\", \"since\": "
                                        "\"2026-11-27T11:59:00Z\", \"since_unix\": 1795780740}],\n"));
        free(j);
        char *t = status_render_text(&s);
        ck_assert_ptr_nonnull(strstr(t, "pulling:   lnd/main docker.io/lightninglabs/lnd:v0.18.5-beta since "
                                        "2026-11-27T11:59:00Z (archyctl apply)\n"));
        free(t);
        /* Not a note: a field missing, extra text, no newline, a zero time or pid. */
        const char *bad[] = {"main img 5\n",   "main img 5 7 8\n", "main img 5 7",
                             "main img 0 7\n", "main img 5 0\n",   ""};
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                struct status_pull other = {0};
                ck_assert_int_eq(status_parse_pulling(&s, bad[i], &other, &pid), -EINVAL);
                ck_assert_ptr_null(other.part);
        }
        status_free(&s);
}
END_TEST

/* A failing probe of a started app makes it degraded, with the probe's detail; the record is
 * matched by app, name, kind and target; a damaged record is a node-level degradation. */
START_TEST(test_probes) {
        struct status s = {0};
        healthy_node(&s);
        static const char record[] =
                "{\"archy_probes\": 1, \"probes\": [\n"
                "  {\"app\": \"bitcoin-knots\", \"name\": \"rpc\", \"kind\": \"tcp\", \"target\": \"127.0.0.1:8332\", "
                "\"ok\": false, \"duration_ms\": 0, \"checked_at\": 1795780790, \"detail\": \"connection refused\"},\n"
                "  {\"app\": \"lnd\", \"name\": \"rest\", \"kind\": \"http\", \"target\": \"https://127.0.0.1:9999/\", "
                "\"ok\": false, \"duration_ms\": 0, \"checked_at\": 1795780790, \"detail\": \"old target\"}\n"
                "]}\n";
        ck_assert_int_eq(status_parse_probes(&s, record, strlen(record)), 0);
        const struct status_probe *rpc = &s.apps[0].probes[0], *rest = &s.apps[1].probes[0];
        ck_assert(rpc->checked && !rpc->ok);
        ck_assert_str_eq(rpc->detail, "connection refused");
        ck_assert_int_eq(rpc->checked_at, T0 - 10);
        ck_assert(!rest->checked); /* the manifest's target is another: not probed since */
        status_evaluate(&s);
        ck_assert_int_eq(s.verdict, STATUS_DEGRADED);
        ck_assert_int_eq(s.apps[0].level, STATUS_DEGRADED);
        ck_assert_int_eq(s.apps[1].level, STATUS_OK);
        ck_assert_uint_eq(s.n_problems, 1);
        ck_assert_str_eq(s.problems[0].text, "probe rpc of bitcoin-knots (tcp 127.0.0.1:8332) failed at "
                                             "2026-11-27T11:59:50Z: connection refused");
        ck_assert_int_eq(status_exit_status(&s), CTL_EXIT_OK);
        status_free(&s);

        healthy_node(&s);
        static const char damaged[] = "{\"archy_probes\": 1, \"probes\": 7}";
        ck_assert_int_eq(status_parse_probes(&s, damaged, strlen(damaged)), -EINVAL);
        ck_assert_str_eq(s.probes_error, "the probe record is damaged: \"probes\" is not a list");
        status_evaluate(&s);
        ck_assert_int_eq(s.verdict, STATUS_DEGRADED);
        ck_assert_str_eq(s.problems[0].text,
                         "the probe results are unknown: the probe record is damaged: \"probes\" is "
                         "not a list");
        status_free(&s);
}
END_TEST

Suite *status_suite(void) {
        Suite *s = suite_create("status");
        TCase *tc = tcase_create("status");
        tcase_add_test(tc, test_healthy_json);
        tcase_add_test(tc, test_troubled_verdict);
        tcase_add_test(tc, test_each_attention_alone);
        tcase_add_test(tc, test_degraded);
        tcase_add_test(tc, test_oneshot_done_and_skipped_app);
        tcase_add_test(tc, test_text);
        tcase_add_test(tc, test_health_log);
        tcase_add_test(tc, test_podman_file);
        tcase_add_test(tc, test_ota_file);
        tcase_add_test(tc, test_reconcile_file);
        tcase_add_test(tc, test_pulling_note);
        tcase_add_test(tc, test_probes);
        suite_add_tcase(s, tc);
        return s;
}
