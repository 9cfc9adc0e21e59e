/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl's metrics: a filled status model rendered byte for byte against
 * test/golden/metrics/node.prom (ARCHY_UPDATE_GOLDEN=1 rewrites it), accepted by
 * `promtool check metrics` when promtool is installed, and the series a fact the model lacks
 * leaves out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics-render.h"
#include "status.h"
#include "testlib.h"

#define GOLDEN_METRICS GOLDEN_DIR "/metrics/node.prom"
/* 2026-11-27T12:00:00Z */
#define T0 1795780800LL
#define USEC(t) ((uint64_t)(t)*1000000ULL)

static struct status_unit *unit(struct status *s, struct status_app *a, const char *name, const char *part,
                                const char *active) {
        struct status_unit *u = status_add_unit(s, a, name, part);
        ck_assert_ptr_nonnull(u);
        u->loaded = true;
        u->active_state = strdup(active);
        u->sub_state = strdup(strcmp(active, "active") == 0 ? "running" : "dead");
        u->result = strdup("success");
        return u;
}

static void helper(struct status *s, enum status_helper_id h, const char *result, long long end, uint64_t took_usec) {
        s->helpers[h] = (struct status_helper){.found = true,
                                               .result = strdup(result),
                                               .last_run_usec = USEC(end),
                                               .started_usec = USEC(end) - took_usec};
}

static void disk(struct status *s, const char *path, uint64_t free_bytes, uint64_t size, int error) {
        s->disks[s->n_disks++] = (struct status_disk){
                .path = strdup(path), .free_bytes = free_bytes, .size_bytes = size, .error = error};
}

static void drift(struct status *s, const char *app, const char *file, unsigned long long found,
                  unsigned long long repaired) {
        s->drift = realloc(s->drift, (s->n_drift + 1) * sizeof *s->drift);
        s->drift[s->n_drift++] =
                (struct status_drift){.app = strdup(app), .file = strdup(file), .found = found, .repaired = repaired};
}

/* Three apps: bitcoin-knots running and healthy, lnd's main unit failed after restarts (and an
 * image rollback on record), mempool stopped; an uninstalled app that must not be reported. */
static void filled_node(struct status *s) {
        s->now = T0;
        s->manifest.path = strdup("/etc/archipelago/manifest.yaml");
        s->manifest.in_use = strdup("/etc/archipelago/manifest.yaml");
        s->manifest.present = true;
        s->node = (struct status_node){.mode = "rootless", .user = strdup("archipelago")};
        struct status_app *a = status_add_app(s, "bitcoin-knots", "started");
        struct status_unit *u = unit(s, a, "archy-bitcoin-knots.service", "main", "active");
        u->has_health = u->notify_healthy = true;
        u->health = HEALTH_HEALTHY;
        u = unit(s, a, "archy-bitcoin-knots-ui.service", "ui", "active");
        u->health = HEALTH_NONE;
        u = unit(s, a, "archy-bitcoin-knots-init.service", "init", "inactive");
        u->oneshot = true; /* runs to completion: not counted by archy_app_running */
        /* a passed probe, a failed one, one not run yet (no series) */
        struct status_probe *pr = status_add_probe(s, a, "rpc", "tcp", "127.0.0.1:8332");
        pr->checked = pr->ok = true;
        pr->duration_ms = 3;
        pr->checked_at = T0 - 10;
        pr = status_add_probe(s, a, "ui", "http", "http://127.0.0.1:8081/");
        pr->checked = true;
        pr->duration_ms = 2000;
        pr->checked_at = T0 - 10;
        status_add_probe(s, a, "p2p", "tcp", "127.0.0.1:8333");
        a = status_add_app(s, "lnd", "started");
        u = unit(s, a, "archy-lnd.service", "main", "failed");
        u->has_health = true;
        u->health = HEALTH_NA;
        u->n_restarts = 5;
        free(u->result);
        u->result = strdup("exit-code");
        u->failed_at_usec = USEC(T0 - 90) + 250000;
        a->reconcile.restarts = 2;
        a->rolled_back = calloc(1, sizeof *a->rolled_back);
        a->rolled_back->app = strdup("lnd");
        a = status_add_app(s, "mempool", "stopped");
        u = unit(s, a, "archy-mempool.service", "main", "inactive");
        a = status_add_app(s, "old", "uninstalled");
        s->podman = (struct status_podman){.known = true,
                                           .result = strdup("repaired"),
                                           .healthy = true,
                                           .state_now = strdup("healthy"),
                                           .repairs_known = true,
                                           .repairs_total = 3};
        s->ota = (struct status_ota){.known = true, .phase = strdup("committed"), .decided_at = T0 - 86000};
        helper(s, HELPER_DERIVE, "success", T0 - 10, 120500);
        helper(s, HELPER_PODMAN_REPAIR, "success", T0 - 20, 2000000);
        helper(s, HELPER_RECONCILE, "exit-code", T0 - 30, 310000);
        helper(s, HELPER_METRICS, "success", T0 - 30, 40000);
        s->helpers[HELPER_VERIFY_OTA].found = true; /* loaded, never ran: no series */
        disk(s, "/", 20ULL << 30, 64ULL << 30, 0);
        disk(s, "/var/lib/containers", 9ULL << 30, 128ULL << 30, 0);
        disk(s, "/var/lib/archipelago", 0, 0, -ENOENT); /* statvfs failed: no series */
        drift(s, "lnd", "/var/lib/archipelago/lnd/lnd.conf", 4, 4);
        drift(s, "bitcoin-knots", "/var/lib/archipelago/bitcoin-knots/bitcoin.conf", 2, 1);
        drift(s, "old", "/var/lib/archipelago/old/old.conf", 9, 9); /* uninstalled: not reported */
}

static void free_node(struct status *s) {
        status_free(s);
}

static char *rendered(struct status *s) {
        status_evaluate(s);
        ck_assert(!s->oom);
        char *text = metrics_render(s);
        ck_assert_ptr_nonnull(text);
        return text;
}

START_TEST(test_golden) {
        struct status s = {0};
        filled_node(&s);
        char *text = rendered(&s);
        if (getenv("ARCHY_UPDATE_GOLDEN")) {
                FILE *f = fopen(GOLDEN_METRICS, "we");
                ck_assert_ptr_nonnull(f);
                fputs(text, f);
                fclose(f);
        }
        char *want = read_text_file(GOLDEN_METRICS);
        ck_assert_msg(want, "no golden file %s (run with ARCHY_UPDATE_GOLDEN=1)", GOLDEN_METRICS);
        assert_text_eq(text, want);
        free(want);
        free(text);
        free_node(&s);
}
END_TEST

/* promtool reads the text from stdin and lints it (names, types, help, units). */
START_TEST(test_promtool_accepts) {
        if (system("command -v promtool >/dev/null 2>&1") != 0) {
                fprintf(stderr, "metrics: promtool is not installed (prometheus, tools/deps.sh test): "
                                "`promtool check metrics` skipped\n");
                return;
        }
        struct status s = {0};
        filled_node(&s);
        char *text = rendered(&s);
        char path[] = "/tmp/archy-metrics-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "promtool check metrics <%s", path);
        int status = system(cmd);
        unlink(path);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "promtool check metrics refused the text");
        free(text);
        free_node(&s);
}
END_TEST

/* A node that knows nothing yet (no update, no podman status, no helper run, no drift): the
 * families of those facts are not there at all, not even their headers. */
START_TEST(test_unknown_left_out) {
        struct status s = {0};
        s.now = T0;
        status_add_app(&s, "lnd", "stopped");
        char *text = rendered(&s);
        ck_assert_ptr_nonnull(strstr(text, "archy_app_desired_running{app=\"lnd\"} 0\n"));
        ck_assert_ptr_nonnull(strstr(text, "archy_app_running{app=\"lnd\"} 0\n"));
        ck_assert_ptr_nonnull(strstr(text, "archy_status_verdict{verdict=\"ok\"} 1\n"));
        /* no manifest said otherwise: root's podman and the system manager */
        ck_assert_ptr_nonnull(strstr(text, "archy_node_info{mode=\"rootful\",user=\"root\"} 1\n"));
        const char *absent[] = {"archy_ota_",    "archy_podman_", "archy_helper_",
                                "archy_derive_", "archy_disk_",   "archy_container_"};
        for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
                ck_assert_msg(!strstr(text, absent[i]), "%s in:\n%s", absent[i], text);
        free(text);
        status_free(&s);
}
END_TEST

Suite *metrics_suite(void) {
        Suite *s = suite_create("metrics");
        TCase *tc = tcase_create("render");
        tcase_add_test(tc, test_golden);
        tcase_add_test(tc, test_promtool_accepts);
        tcase_add_test(tc, test_unknown_left_out);
        suite_add_tcase(s, tc);
        return s;
}
