/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-reconcile, pure: the decision (manifest + what systemd and podman show + backoff state +
 * now -> actions + new state), the backoff, the state file, podman's JSON lists, and the idle
 * path's "is podman worth asking". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "decide.h"
#include "podman-list.h"
#include "reconcile-state.h"
#include "strbuf.h"
#include "testlib.h"

/* ---- helpers ---- */

/* web (started): main + ui sharing the volume data; idle (stopped): one part, volume cache;
 * gone (uninstalled): one part, volume db. */
#define NODE                                                                                                           \
        "version: 1\napps:\n"                                                                                          \
        "  web:\n    containers:\n"                                                                                    \
        "      main: {image: localhost/w:1, volumes: [\"data:/d\"]}\n"                                                 \
        "      ui: {image: localhost/u:1, volumes: [\"data:/d:ro\"]}\n"                                                \
        "  idle:\n    state: stopped\n    containers:\n"                                                               \
        "      main: {image: localhost/i:1, volumes: [\"cache:/c\"]}\n"                                                \
        "  gone:\n    state: uninstalled\n    containers:\n"                                                           \
        "      main: {image: localhost/g:1, volumes: [\"db:/db\"]}\n"

static struct manifest *node(void) {
        return parse_expecting(NODE, "");
}

#define ACTIVE(name)                                                                                                   \
        { name, "loaded", "active", "running", NULL }
#define INACTIVE(name)                                                                                                 \
        { name, "loaded", "inactive", "dead", NULL }
#define FAILED(name, result)                                                                                           \
        { name, "loaded", "failed", "failed", result }

static const struct rc_unit healthy_units[] = {ACTIVE("archy-web.service"), ACTIVE("archy-web-ui.service"),
                                               INACTIVE("archy-idle.service")};
static const struct rc_object healthy_containers[] = {{"archy-web", "web", true}, {"archy-web-ui", "web", true}};
static const struct rc_object healthy_volumes[] = {
        {"archy-web-data", "web", false}, {"archy-idle-cache", "idle", false}, {"archy-gone-db", "gone", false}};
static const struct rc_object healthy_networks[] = {{"archipelago", NULL, false}};

static struct rc_observed healthy(void) {
        return (struct rc_observed){.units = healthy_units,
                                    .n_units = ELEMENTSOF(healthy_units),
                                    .scanned = true,
                                    .containers = healthy_containers,
                                    .n_containers = ELEMENTSOF(healthy_containers),
                                    .volumes = healthy_volumes,
                                    .n_volumes = ELEMENTSOF(healthy_volumes),
                                    .networks = healthy_networks,
                                    .n_networks = ELEMENTSOF(healthy_networks)};
}

/* "kind target app" per action, one line each; "" for none. */
static char *describe(const struct rc_plan *p) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct rc_action *a = &p->actions[i];
                ck_assert_ptr_nonnull(a->reason);
                strbuf_printf(&sb, "%s %s %s\n", rc_kind_to_string(a->kind), a->target, a->app ? a->app : "-");
        }
        return strbuf_steal(&sb);
}

/* One decision; its actions described are want; st is replaced by the new state. */
static struct rc_plan decide_expecting(const struct manifest *m, const struct rc_observed *o,
                                       struct reconcile_state *st, long long now, const char *want) {
        struct rc_plan p;
        struct reconcile_state next;
        ck_assert_int_eq(reconcile_decide(m, o, st, now, &p, &next), 0);
        char *got = describe(&p);
        assert_text_eq(got ? got : "", want);
        free(got);
        reconcile_state_done(st);
        *st = next;
        return p;
}

static void decide_only(const struct manifest *m, const struct rc_observed *o, struct reconcile_state *st,
                        long long now, const char *want) {
        struct rc_plan p = decide_expecting(m, o, st, now, want);
        rc_plan_done(&p);
}

/* ---- nothing to do ---- */

START_TEST(nothing_to_do_when_everything_is_as_the_manifest_says) {
        struct manifest *m = node();
        struct rc_observed o = healthy();
        struct reconcile_state st = {0};
        decide_only(m, &o, &st, 1000, "");
        ck_assert_int_eq(st.last_full_scan, 1000);
        ck_assert_uint_eq(st.n_apps, 0);
        /* without podman's lists: nothing either, and the last scan time stays */
        o.scanned = false;
        decide_only(m, &o, &st, 1100, "");
        ck_assert_int_eq(st.last_full_scan, 1000);
        /* a started app's containers are systemd's even while it does not list their units */
        o = healthy();
        o.n_units = 0;
        decide_only(m, &o, &st, 1200, "");
        manifest_free(m);
}
END_TEST

START_TEST(no_manifest_no_archy_objects_nothing_to_do) {
        struct rc_observed o = {.scanned = true};
        struct reconcile_state st = {0};
        decide_only(NULL, &o, &st, 5, "");
        reconcile_state_done(&st);
}
END_TEST

/* ---- stopped and uninstalled apps ---- */

START_TEST(stopped_app_container_running_outside_systemd_is_stopped) {
        struct manifest *m = node();
        struct rc_observed o = healthy();
        const struct rc_object containers[] = {{"archy-web", "web", true},
                                               {"archy-web-ui", "web", true},
                                               {"archy-idle", "idle", true},
                                               {"archy-gone", "gone", true}};
        o.containers = containers;
        o.n_containers = ELEMENTSOF(containers);
        struct reconcile_state st = {0};
        decide_only(m, &o, &st, 1, "stop-container archy-idle idle\nstop-container archy-gone gone\n");
        manifest_free(m);
}
END_TEST

START_TEST(stopped_app_container_not_running_is_left) {
        struct manifest *m = node();
        struct rc_observed o = healthy();
        const struct rc_object containers[] = {{"archy-idle", "idle", false}};
        o.containers = containers;
        o.n_containers = 1;
        struct reconcile_state st = {0};
        decide_only(m, &o, &st, 1, "");
        manifest_free(m);
}
END_TEST

START_TEST(stopped_app_unit_active_is_stopped_through_systemd_without_podman) {
        struct manifest *m = node();
        const struct rc_unit units[] = {ACTIVE("archy-web.service"), ACTIVE("archy-web-ui.service"),
                                        ACTIVE("archy-idle.service")};
        struct rc_observed o = {.units = units, .n_units = ELEMENTSOF(units)};
        struct reconcile_state st = {0};
        decide_only(m, &o, &st, 1, "stop-unit archy-idle.service idle\n");
        /* podman listing its container as well: still one action, through systemd */
        const struct rc_object containers[] = {{"archy-idle", "idle", true}};
        o.scanned = true;
        o.containers = containers;
        o.n_containers = 1;
        decide_only(m, &o, &st, 2, "stop-unit archy-idle.service idle\n");
        manifest_free(m);
}
END_TEST

/* ---- orphans ---- */

START_TEST(container_of_an_app_not_in_the_manifest_is_removed) {
        struct manifest *m = node();
        struct rc_observed o = healthy();
        const struct rc_object containers[] = {{"archy-web", "web", true},
                                               {"archy-web-ui", "web", true},
                                               {"archy-stray", "stray", true},
                                               {"archy-web-old", "web", false},
                                               {"archy-nolabel", NULL, true}};
        o.containers = containers;
        o.n_containers = ELEMENTSOF(containers);
        struct reconcile_state st = {0};
        decide_only(m, &o, &st, 1,
                    "remove-container archy-stray stray\nremove-container archy-web-old web\n"
                    "remove-container archy-nolabel -\n");
        manifest_free(m);
}
END_TEST

START_TEST(unit_left_active_for_an_app_not_in_the_manifest_is_stopped) {
        struct manifest *m = node();
        struct rc_observed o = healthy();
        const struct rc_unit units[] = {ACTIVE("archy-web.service"),
                                        ACTIVE("archy-web-ui.service"),
                                        {"archy-stray.service", "not-found", "active", "running", NULL}};
        o.units = units;
        o.n_units = ELEMENTSOF(units);
        const struct rc_object containers[] = {{"archy-web", "web", true}, {"archy-stray", "stray", true}};
        o.containers = containers;
        o.n_containers = ELEMENTSOF(containers);
        struct reconcile_state st = {0};
        decide_only(m, &o, &st, 1, "stop-unit archy-stray.service stray\n");
        ck_assert(rc_unit_is_leftover(&units[2]));
        ck_assert(!rc_unit_is_leftover(&units[0]));
        manifest_free(m);
}
END_TEST

START_TEST(volumes_and_networks_no_app_declares_are_reported) {
        struct manifest *m = node();
        struct rc_observed o = healthy();
        const struct rc_object volumes[] = {{"archy-web-data", "web", false},
                                            {"archy-gone-db", "gone", false},
                                            {"archy-web-extra", "web", false},
                                            {"archy-stray-data", "stray", false},
                                            {"archy-x", NULL, false}};
        const struct rc_object networks[] = {{"archipelago", NULL, false}, {"archy-old", NULL, false}};
        o.volumes = volumes;
        o.n_volumes = ELEMENTSOF(volumes);
        o.networks = networks;
        o.n_networks = ELEMENTSOF(networks);
        struct reconcile_state st = {0};
        struct rc_plan p = decide_expecting(m, &o, &st, 1,
                                            "orphan-volume archy-web-extra web\norphan-volume archy-stray-data stray\n"
                                            "orphan-volume archy-x -\norphan-network archy-old -\n");
        for (size_t i = 0; i < p.n_actions; i++)
                ck_assert(!rc_kind_acts(p.actions[i].kind)); /* reported, never removed */
        ck_assert(strstr(p.actions[0].reason, "purge"));
        rc_plan_done(&p);
        manifest_free(m);
}
END_TEST

START_TEST(skipped_app_is_left_alone) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text("version: 1\napps:\n  bad:\n    state: stopped\n    containers:\n"
                                        "      main: {image: localhost/b:1, volumes: [\"v:/v\"], bogus: 1}\n",
                                        &diags);
        diag_list_free(&diags);
        ck_assert_ptr_nonnull(m);
        ck_assert(manifest_find_app(m, "bad")->skip);
        const struct rc_unit units[] = {ACTIVE("archy-bad.service")};
        const struct rc_object containers[] = {{"archy-bad", "bad", true}};
        const struct rc_object volumes[] = {{"archy-bad-v", "bad", false}};
        struct rc_observed o = {.units = units,
                                .n_units = 1,
                                .scanned = true,
                                .containers = containers,
                                .n_containers = 1,
                                .volumes = volumes,
                                .n_volumes = 1};
        struct reconcile_state st = {0};
        decide_only(m, &o, &st, 1, "");
        manifest_free(m);
}
END_TEST

/* ---- restarts and backoff ---- */

START_TEST(failed_app_is_restarted_then_backs_off_then_again) {
        struct manifest *m = node();
        const struct rc_unit failed[] = {FAILED("archy-web.service", "start-limit-hit"),
                                         FAILED("archy-web-ui.service", "exit-code")};
        struct rc_observed o = {.units = failed, .n_units = ELEMENTSOF(failed)};
        struct reconcile_state st = {0};
        struct rc_plan p = decide_expecting(m, &o, &st, 1000, "restart-app archy-web.service web\n");
        ck_assert_uint_eq(p.actions[0].n_units, 2);
        ck_assert_str_eq(p.actions[0].units[1], "archy-web-ui.service");
        ck_assert(strstr(p.actions[0].reason, "start-limit-hit"));
        rc_plan_done(&p);
        const struct reconcile_app_state *e = reconcile_state_find(&st, "web");
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->restarts, 1);
        ck_assert_int_eq(e->next_retry, 1030);
        ck_assert(strstr(e->last_reason, "archy-web.service"));
        /* failed again within 30 s: waits */
        decide_only(m, &o, &st, 1029, "backoff archy-web.service web\n");
        ck_assert_uint_eq(reconcile_state_find(&st, "web")->restarts, 1);
        decide_only(m, &o, &st, 1030, "restart-app archy-web.service web\n");
        e = reconcile_state_find(&st, "web");
        ck_assert_uint_eq(e->restarts, 2);
        ck_assert_int_eq(e->next_retry, 1090); /* 60 s after the second */
        manifest_free(m);
        reconcile_state_done(&st);
}
END_TEST

START_TEST(a_healthy_app_after_ten_minutes_is_retried_at_once_again) {
        struct manifest *m = node();
        const struct rc_unit failed[] = {FAILED("archy-web.service", NULL), ACTIVE("archy-web-ui.service")};
        struct rc_observed down = {.units = failed, .n_units = 2}, up = healthy();
        up.scanned = false;
        struct reconcile_state st = {0};
        decide_only(m, &down, &st, 0, "restart-app archy-web.service web\n");
        decide_only(m, &down, &st, 30, "restart-app archy-web.service web\n");
        decide_only(m, &up, &st, 50, "");
        ck_assert_int_eq(reconcile_state_find(&st, "web")->healthy_since, 50);
        /* failed again before its retry is due: waits, and its healthy period is over */
        decide_only(m, &down, &st, 80, "backoff archy-web.service web\n");
        ck_assert_int_eq(reconcile_state_find(&st, "web")->healthy_since, 0);
        decide_only(m, &up, &st, 100, "");
        decide_only(m, &up, &st, 300, "");
        decide_only(m, &up, &st, 699, "");
        ck_assert_uint_eq(reconcile_state_find(&st, "web")->streak, 2); /* less than 10 min healthy */
        decide_only(m, &up, &st, 700, "");
        const struct reconcile_app_state *e = reconcile_state_find(&st, "web");
        ck_assert_uint_eq(e->streak, 0);
        ck_assert_uint_eq(e->restarts, 2); /* the count stays for status */
        decide_only(m, &down, &st, 701, "restart-app archy-web.service web\n");
        manifest_free(m);
        reconcile_state_done(&st);
}
END_TEST

START_TEST(state_of_apps_gone_is_dropped_and_stopped_apps_forget_their_streak) {
        struct manifest *m = node();
        struct reconcile_state st = {0};
        struct reconcile_app_state *e = reconcile_state_get(&st, "stray");
        e->restarts = 3;
        e = reconcile_state_get(&st, "idle");
        *e = (struct reconcile_app_state){.app = e->app, .restarts = 4, .streak = 4, .next_retry = 99999};
        struct rc_observed o = healthy();
        decide_only(m, &o, &st, 1, "");
        ck_assert_ptr_null(reconcile_state_find(&st, "stray"));
        e = reconcile_state_find(&st, "idle");
        ck_assert_uint_eq(e->restarts, 4);
        ck_assert_uint_eq(e->streak, 0);
        ck_assert_int_eq(e->next_retry, 0);
        manifest_free(m);
        reconcile_state_done(&st);
}
END_TEST

START_TEST(backoff_doubles_from_thirty_seconds_to_an_hour) {
        static const long long want[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600};
        for (unsigned k = 1; k <= ELEMENTSOF(want); k++)
                ck_assert_int_eq(backoff_delay(k), want[k - 1]);
        ck_assert_int_eq(backoff_delay(1000), 3600);
        struct reconcile_app_state e = {0};
        long long t = 0;
        for (unsigned k = 1; k <= 10; k++) {
                ck_assert(backoff_try_restart(&e, t));
                ck_assert_uint_eq(e.streak, k);
                ck_assert(!backoff_try_restart(&e, e.next_retry - 1));
                t = e.next_retry;
        }
        ck_assert_int_eq(e.next_retry - e.last_restart, 3600);
}
END_TEST

START_TEST(backoff_survives_the_clock_going_back) {
        struct reconcile_app_state e = {0};
        ck_assert(backoff_try_restart(&e, 100000));
        ck_assert(backoff_try_restart(&e, 100030));
        /* the clock went back a day: waits one delay from now, not a day */
        ck_assert(!backoff_try_restart(&e, 13600));
        ck_assert_int_eq(e.next_retry, 13660);
        ck_assert(backoff_try_restart(&e, 13660));
        /* a healthy period that began "in the future" starts again from now */
        e.healthy_since = 99999999;
        ck_assert(backoff_healthy(&e, 20000));
        ck_assert_int_eq(e.healthy_since, 20000);
        ck_assert(!backoff_healthy(&e, 20000 + BACKOFF_RESET_SEC - 1));
        ck_assert(backoff_healthy(&e, 20000 + BACKOFF_RESET_SEC));
        ck_assert_uint_eq(e.streak, 0);
        ck_assert(!backoff_healthy(&e, 30000)); /* nothing to forget */
}
END_TEST

START_TEST(backoff_clamps_a_retry_time_beyond_the_cap) {
        /* a state file that says "not before next year": one delay from now, whatever it says */
        struct reconcile_app_state e = {.streak = 2, .last_restart = 100000, .next_retry = 100000 + 365LL * 86400};
        ck_assert(!backoff_try_restart(&e, 100010));
        ck_assert_int_eq(e.next_retry, 100010 + backoff_delay(2));
        ck_assert(backoff_try_restart(&e, e.next_retry));
        /* the cap itself is kept */
        e = (struct reconcile_app_state){.streak = 9, .last_restart = 100000, .next_retry = 100000 + BACKOFF_MAX_SEC};
        ck_assert(!backoff_try_restart(&e, 100000));
        ck_assert_int_eq(e.next_retry, 100000 + BACKOFF_MAX_SEC);
        /* the clock jumped forward 30 min past the retry time: retried, at once, once */
        e = (struct reconcile_app_state){.streak = 1, .last_restart = 100000, .next_retry = 100030};
        ck_assert(backoff_try_restart(&e, 100000 + 1800));
        ck_assert(!backoff_try_restart(&e, 100000 + 1801));
}
END_TEST

/* ---- the idle path ---- */

START_TEST(podman_is_asked_only_when_worth_it) {
        struct reconcile_state st = {.last_full_scan = 1000};
        ck_assert(!rc_scan_due(&st, 1000 + RECONCILE_FULL_SCAN_SEC - 1, false, 0, 0));
        ck_assert(rc_scan_due(&st, 1000 + RECONCILE_FULL_SCAN_SEC, false, 0, 0));
        ck_assert(rc_scan_due(&st, 1001, true, 0, 0));
        ck_assert(rc_scan_due(&st, 1001, false, 1, 0));
        ck_assert(rc_scan_due(&st, 1001, false, 0, 1));
        ck_assert(rc_scan_due(&st, 999, false, 0, 0)); /* the clock went back */
        size_t len = 0;
        const char *id = rc_scope_container_id("libpod-0123abcd.scope", &len);
        ck_assert_ptr_nonnull(id);
        ck_assert_uint_eq(len, 8);
        ck_assert_int_eq(strncmp(id, "0123abcd", len), 0);
        ck_assert_ptr_null(rc_scope_container_id("libpod-conmon-0123abcd.scope", &len));
        ck_assert_ptr_null(rc_scope_container_id("libpod-.scope", &len));
        ck_assert_ptr_null(rc_scope_container_id("libpod-0123.service", &len));
        ck_assert_ptr_null(rc_scope_container_id("session-1.scope", &len));
}
END_TEST

/* ---- the state file ---- */

START_TEST(state_file_round_trips) {
        struct reconcile_state st = {.last_full_scan = 1700000000};
        struct reconcile_app_state *e = reconcile_state_get(&st, "lnd");
        e->restarts = 3;
        e->streak = 2;
        e->last_restart = 1700000100;
        e->next_retry = 1700000160;
        e->last_reason = strdup("systemd gave up on archy-lnd.service (start-limit-hit) \"q\"");
        reconcile_state_get(&st, "web"); /* may move the entries: e is found again below */
        e = reconcile_state_find(&st, "lnd");
        char *text = reconcile_state_render(&st);
        ck_assert_ptr_nonnull(text);
        struct reconcile_state back;
        const char *why = NULL;
        ck_assert_int_eq(reconcile_state_parse(text, strlen(text), &back, &why), 0);
        char *again = reconcile_state_render(&back);
        assert_text_eq(again, text);
        ck_assert_str_eq(reconcile_state_find(&back, "lnd")->last_reason, e->last_reason);
        ck_assert_ptr_null(reconcile_state_find(&back, "web")->last_reason);
        free(text);
        free(again);
        reconcile_state_done(&back);
        reconcile_state_done(&st);
        struct reconcile_state empty = {0};
        text = reconcile_state_render(&empty);
        assert_text_eq(text, "{\"last_full_scan_unix\": 0, \"apps\": []}\n");
        free(text);
}
END_TEST

static void state_refused(const char *text, const char *want) {
        struct reconcile_state st;
        const char *why = NULL;
        ck_assert_int_eq(reconcile_state_parse(text, strlen(text), &st, &why), -EINVAL);
        ck_assert_ptr_nonnull(why);
        ck_assert_msg(strcmp(why, want) == 0, "%s: got \"%s\", want \"%s\"", text, why, want);
        reconcile_state_done(&st);
}

START_TEST(bad_state_files_are_refused_with_why) {
        state_refused("", "not JSON");
        state_refused("{", "not JSON");
        state_refused("[]", "not a JSON object");
        state_refused("{\"apps\": []}", "no number \"last_full_scan_unix\"");
        state_refused("{\"last_full_scan_unix\": -1, \"apps\": []}", "no number \"last_full_scan_unix\"");
        state_refused("{\"last_full_scan_unix\": 1}", "no array \"apps\"");
        state_refused("{\"last_full_scan_unix\": 1, \"apps\": [1]}", "an entry of \"apps\" is not an object");
        state_refused("{\"last_full_scan_unix\": 1, \"apps\": [{\"restarts\": 1}]}",
                      "an entry of \"apps\" has no \"app\" string");
        state_refused("{\"last_full_scan_unix\": 1, \"apps\": [{\"app\": \"x\", \"restarts\": \"1\"}]}",
                      "an app entry lacks a number: restarts, streak, last_restart_unix, next_retry_unix or "
                      "healthy_since_unix");
        const char *entry = "{\"app\": \"x\", \"restarts\": 1, \"streak\": 1, \"last_restart_unix\": 1, "
                            "\"next_retry_unix\": 1, \"healthy_since_unix\": 0, \"last_reason\": null}";
        char *twice;
        ck_assert_int_ge(asprintf(&twice, "{\"last_full_scan_unix\": 1, \"apps\": [%s, %s]}", entry, entry), 0);
        state_refused(twice, "an app is listed twice");
        free(twice);
}
END_TEST

/* ---- podman's lists ---- */

START_TEST(podman_lists_are_read) {
        const char *ps = "[\n  {\n    \"AutoRemove\": true,\n    \"Id\": \"ab12\",\n    \"Names\": [\n"
                         "      \"archy-web\"\n    ],\n    \"Labels\": {\n      \"archy.app\": \"web\",\n"
                         "      \"archy.managed\": \"true\"\n    },\n    \"State\": \"running\"\n  },\n"
                         "  {\"Names\": [\"x\"], \"Labels\": null, \"State\": \"exited\"}\n]\n";
        struct rc_objects l;
        const char *why = NULL;
        ck_assert_int_eq(podman_list_parse(ps, strlen(ps), &l, &why), 0);
        ck_assert_uint_eq(l.n, 2);
        ck_assert_str_eq(l.items[0].name, "archy-web");
        ck_assert_str_eq(l.items[0].app, "web");
        ck_assert(l.items[0].running);
        ck_assert_ptr_null(l.items[1].app);
        ck_assert(!l.items[1].running);
        rc_objects_done(&l);
        const char *vol =
                "[{\"Name\": \"archy-web-data\", \"Driver\": \"local\", \"Labels\": {\"archy.app\": \"web\"}}]";
        ck_assert_int_eq(podman_list_parse(vol, strlen(vol), &l, &why), 0);
        ck_assert_str_eq(l.items[0].name, "archy-web-data");
        ck_assert_str_eq(l.items[0].app, "web");
        rc_objects_done(&l);
        const char *net = "[{\"name\": \"archipelago\", \"id\": \"1\", \"labels\": {\"archy.managed\": \"true\"}}]";
        ck_assert_int_eq(podman_list_parse(net, strlen(net), &l, &why), 0);
        ck_assert_str_eq(l.items[0].name, "archipelago");
        ck_assert_ptr_null(l.items[0].app);
        rc_objects_done(&l);
        ck_assert_int_eq(podman_list_parse("[]\n", 3, &l, &why), 0);
        ck_assert_uint_eq(l.n, 0);
        ck_assert_int_eq(podman_list_parse(" \n", 2, &l, &why), 0);
        ck_assert_uint_eq(l.n, 0);
}
END_TEST

static void list_refused(const char *text, const char *want) {
        struct rc_objects l;
        const char *why = NULL;
        ck_assert_int_eq(podman_list_parse(text, strlen(text), &l, &why), -EINVAL);
        ck_assert_msg(why && strcmp(why, want) == 0, "%s: got \"%s\", want \"%s\"", text, why ? why : "(null)", want);
        rc_objects_done(&l);
}

START_TEST(bad_podman_lists_are_refused_with_why) {
        list_refused("[{", "not JSON");
        list_refused("{}", "not a JSON array");
        list_refused("[1]", "an element of the array is not an object");
        list_refused("[{\"Names\": []}]", "an object has no name (\"Names\", \"Name\" or \"name\")");
        list_refused("[{\"Name\": \"ok\"}, {\"Names\": [1]}]",
                     "an object has no name (\"Names\", \"Name\" or \"name\")");
}
END_TEST

Suite *reconcile_suite(void) {
        Suite *s = suite_create("reconcile");
        TCase *tc = tcase_create("decide");
        tcase_add_test(tc, nothing_to_do_when_everything_is_as_the_manifest_says);
        tcase_add_test(tc, no_manifest_no_archy_objects_nothing_to_do);
        tcase_add_test(tc, stopped_app_container_running_outside_systemd_is_stopped);
        tcase_add_test(tc, stopped_app_container_not_running_is_left);
        tcase_add_test(tc, stopped_app_unit_active_is_stopped_through_systemd_without_podman);
        tcase_add_test(tc, container_of_an_app_not_in_the_manifest_is_removed);
        tcase_add_test(tc, unit_left_active_for_an_app_not_in_the_manifest_is_stopped);
        tcase_add_test(tc, volumes_and_networks_no_app_declares_are_reported);
        tcase_add_test(tc, skipped_app_is_left_alone);
        suite_add_tcase(s, tc);
        tc = tcase_create("restart");
        tcase_add_test(tc, failed_app_is_restarted_then_backs_off_then_again);
        tcase_add_test(tc, a_healthy_app_after_ten_minutes_is_retried_at_once_again);
        tcase_add_test(tc, state_of_apps_gone_is_dropped_and_stopped_apps_forget_their_streak);
        tcase_add_test(tc, backoff_doubles_from_thirty_seconds_to_an_hour);
        tcase_add_test(tc, backoff_survives_the_clock_going_back);
        tcase_add_test(tc, backoff_clamps_a_retry_time_beyond_the_cap);
        suite_add_tcase(s, tc);
        tc = tcase_create("io inputs");
        tcase_add_test(tc, podman_is_asked_only_when_worth_it);
        tcase_add_test(tc, state_file_round_trips);
        tcase_add_test(tc, bad_state_files_are_refused_with_why);
        tcase_add_test(tc, podman_lists_are_read);
        tcase_add_test(tc, bad_podman_lists_are_refused_with_why);
        suite_add_tcase(s, tc);
        return s;
}
