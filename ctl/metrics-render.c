/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "metrics-render.h"

#include <string.h>

#include "prom-text.h"

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const LEVELS[] = {"ok", "degraded", "attention"};
static const char *const OTA_PHASES[] = {"pending", "verifying", "committed", "rolling-back", "rolled-back"};

static double usec_to_seconds(uint64_t usec) {
        return (double)usec / 1e6;
}

static bool reported(const struct status_app *a) {
        return strcmp(a->desired, "uninstalled") != 0;
}

static bool is_active(const struct status_unit *u) {
        return u->active_state && strcmp(u->active_state, "active") == 0;
}

/* Every long-running unit (not a run-to-completion one) is active, and there is one. */
static bool app_running(const struct status_app *a) {
        size_t n_long = 0;
        for (size_t i = 0; i < a->n_units; i++) {
                if (a->units[i].oneshot)
                        continue;
                n_long++;
                if (!is_active(&a->units[i]))
                        return false;
        }
        return n_long > 0;
}

static void node(struct prom_text *p, const struct status *s) {
        prom_family(p, "archy_metrics_last_run_timestamp_seconds", PROM_GAUGE,
                    "When archyctl rendered these metrics (seconds since the epoch)");
        prom_sample(p, NULL, (double)s->now);
        prom_family(p, "archy_status_verdict", PROM_GAUGE,
                    "1 for archyctl status's verdict in force (ok, degraded, attention), 0 for the others");
        for (size_t i = 0; i < 3; i++)
                prom_sample(p, L("verdict", LEVELS[i]), s->verdict == (enum status_level)i);
        prom_family(p, "archy_node_info", PROM_GAUGE,
                    "1, labelled with who runs the apps: mode rootful (root, the system manager) or rootless (user)");
        prom_sample(p, L("mode", s->node.mode ? s->node.mode : "rootful", "user", s->node.user ? s->node.user : "root"),
                    1);
        prom_family(p, "archy_manifest_fallback", PROM_GAUGE,
                    "1 while the last good copy stands in for an unusable installed manifest");
        prom_sample(p, NULL, s->manifest.fallback);
        prom_family(p, "archy_manifest_problems", PROM_GAUGE, "Problems in the installed manifest");
        prom_sample(p, NULL, (double)s->manifest.n_problems);
        prom_family(p, "archy_disk_free_bytes", PROM_GAUGE,
                    "Bytes free to unprivileged users on a filesystem archyctl doctor checks");
        for (size_t i = 0; i < s->n_disks; i++)
                if (!s->disks[i].error)
                        prom_sample(p, L("path", s->disks[i].path), (double)s->disks[i].free_bytes);
        prom_family(p, "archy_disk_size_bytes", PROM_GAUGE, "Size of a filesystem archyctl doctor checks, in bytes");
        for (size_t i = 0; i < s->n_disks; i++)
                if (!s->disks[i].error)
                        prom_sample(p, L("path", s->disks[i].path), (double)s->disks[i].size_bytes);
}

static void apps(struct prom_text *p, const struct status *s) {
        prom_family(p, "archy_app_desired_running", PROM_GAUGE, "1 when the manifest wants the app started, 0 stopped");
        for (size_t i = 0; i < s->n_apps; i++)
                if (reported(&s->apps[i]))
                        prom_sample(p, L("app", s->apps[i].name), strcmp(s->apps[i].desired, "started") == 0);
        prom_family(p, "archy_app_running", PROM_GAUGE, "1 when every long-running unit of the app is active");
        for (size_t i = 0; i < s->n_apps; i++)
                if (reported(&s->apps[i]))
                        prom_sample(p, L("app", s->apps[i].name), app_running(&s->apps[i]));
        prom_family(p, "archy_app_level", PROM_GAUGE,
                    "1 for the app's status level in force (ok, degraded, attention), 0 for the others");
        for (size_t i = 0; i < s->n_apps; i++)
                for (size_t l = 0; l < 3 && reported(&s->apps[i]); l++)
                        prom_sample(p, L("app", s->apps[i].name, "level", LEVELS[l]),
                                    s->apps[i].level == (enum status_level)l);
        prom_family(p, "archy_app_reconcile_restarts_total", PROM_COUNTER,
                    "Restart-app actions archy-reconcile took for the app");
        for (size_t i = 0; i < s->n_apps; i++)
                if (reported(&s->apps[i]))
                        prom_sample(p, L("app", s->apps[i].name), s->apps[i].reconcile.restarts);
        prom_family(p, "archy_app_image_rolled_back", PROM_GAUGE,
                    "1 while archyctl apply's record of a rollback of the app's image exists");
        for (size_t i = 0; i < s->n_apps; i++)
                if (reported(&s->apps[i]))
                        prom_sample(p, L("app", s->apps[i].name), s->apps[i].rolled_back != NULL);
}

enum container_metric { C_UP, C_HEALTHY, C_RESTARTS, C_LAST_FAILURE };

static void container_samples(struct prom_text *p, const struct status *s, enum container_metric m) {
        for (size_t i = 0; i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_units && reported(&s->apps[i]); j++) {
                        const struct status_unit *u = &s->apps[i].units[j];
                        const char *const *labels = L("app", s->apps[i].name, "container", u->part);
                        bool failed = u->result && strcmp(u->result, "success") != 0 && u->failed_at_usec;
                        if (m == C_UP)
                                prom_sample(p, labels, is_active(u));
                        else if (m == C_HEALTHY && u->has_health)
                                prom_sample(p, labels, u->health == HEALTH_HEALTHY);
                        else if (m == C_RESTARTS)
                                prom_sample(p, labels, u->n_restarts);
                        else if (m == C_LAST_FAILURE && failed)
                                prom_sample(p, labels, usec_to_seconds(u->failed_at_usec));
                }
}

static void containers(struct prom_text *p, const struct status *s) {
        prom_family(p, "archy_container_up", PROM_GAUGE, "1 when the container's unit is active");
        container_samples(p, s, C_UP);
        prom_family(p, "archy_container_healthy", PROM_GAUGE,
                    "1 when the container's health check passes, 0 unhealthy, starting or unknown");
        container_samples(p, s, C_HEALTHY);
        prom_family(p, "archy_container_restarts_total", PROM_COUNTER,
                    "systemd's automatic restarts of the container's unit (NRestarts)");
        container_samples(p, s, C_RESTARTS);
        prom_family(p, "archy_container_last_failure_timestamp_seconds", PROM_GAUGE,
                    "When the container's unit last failed, while systemd holds that failure");
        container_samples(p, s, C_LAST_FAILURE);
}

enum probe_metric { P_SUCCESS, P_DURATION, P_LAST_RUN };

/* The recorded results of the started apps' probes (archyctl metrics runs them first): a probe
 * not run yet has no series. */
static void probe_samples(struct prom_text *p, const struct status *s, enum probe_metric m) {
        for (size_t i = 0; i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_probes && reported(&s->apps[i]); j++) {
                        const struct status_probe *x = &s->apps[i].probes[j];
                        const char *const *labels = L("app", s->apps[i].name, "probe", x->name);
                        if (!x->checked)
                                continue;
                        if (m == P_SUCCESS)
                                prom_sample(p, labels, x->ok);
                        else if (m == P_DURATION)
                                prom_sample(p, labels, x->duration_ms / 1000.0);
                        else
                                prom_sample(p, labels, (double)x->checked_at);
                }
}

static void probes(struct prom_text *p, const struct status *s) {
        prom_family(p, "archy_probe_success", PROM_GAUGE, "1 when the app's probe passed at its last run, 0 failed");
        probe_samples(p, s, P_SUCCESS);
        prom_family(p, "archy_probe_duration_seconds", PROM_GAUGE, "How long the probe's last run took");
        probe_samples(p, s, P_DURATION);
        prom_family(p, "archy_probe_last_run_timestamp_seconds", PROM_GAUGE, "When the probe last ran");
        probe_samples(p, s, P_LAST_RUN);
}

static bool app_reported(const struct status *s, const char *app) {
        for (size_t i = 0; i < s->n_apps; i++)
                if (strcmp(s->apps[i].name, app) == 0)
                        return reported(&s->apps[i]);
        return false;
}

static void helper_runs(struct prom_text *p, const struct status *s) {
        prom_family(p, "archy_helper_last_run_timestamp_seconds", PROM_GAUGE,
                    "When the helper's last run ended (seconds since the epoch)");
        for (size_t h = 0; h < _HELPER_MAX; h++)
                if (s->helpers[h].found && s->helpers[h].last_run_usec)
                        prom_sample(p, L("helper", status_helper_to_string(h)),
                                    usec_to_seconds(s->helpers[h].last_run_usec));
        prom_family(p, "archy_helper_last_run_duration_seconds", PROM_GAUGE, "How long the helper's last run took");
        for (size_t h = 0; h < _HELPER_MAX; h++) {
                const struct status_helper *x = &s->helpers[h];
                if (x->found && x->last_run_usec && x->started_usec && x->started_usec <= x->last_run_usec)
                        prom_sample(p, L("helper", status_helper_to_string(h)),
                                    usec_to_seconds(x->last_run_usec - x->started_usec));
        }
        prom_family(p, "archy_helper_last_run_success", PROM_GAUGE, "1 when the helper's last run succeeded");
        for (size_t h = 0; h < _HELPER_MAX; h++)
                if (s->helpers[h].found && s->helpers[h].last_run_usec)
                        prom_sample(p, L("helper", status_helper_to_string(h)),
                                    s->helpers[h].result && strcmp(s->helpers[h].result, "success") == 0);
}

static void drift(struct prom_text *p, const struct status *s, bool repaired) {
        for (size_t i = 0; i < s->n_drift; i++)
                if (app_reported(s, s->drift[i].app))
                        prom_sample(p, L("app", s->drift[i].app, "file", s->drift[i].file),
                                    (double)(repaired ? s->drift[i].repaired : s->drift[i].found));
}

static void helper_facts(struct prom_text *p, const struct status *s) {
        prom_family(p, "archy_derive_drift_found_total", PROM_COUNTER,
                    "archy-derive runs that found the derived file different from what it must be");
        drift(p, s, false);
        prom_family(p, "archy_derive_drift_repaired_total", PROM_COUNTER,
                    "archy-derive runs that rewrote the drifted file");
        drift(p, s, true);
        const struct status_podman *pm = &s->podman;
        prom_family(p, "archy_podman_healthy", PROM_GAUGE,
                    "1 when archy-podman-repair's last run found podman healthy");
        if (pm->known)
                prom_sample(p, NULL, pm->healthy);
        prom_family(p, "archy_podman_repairs_total", PROM_COUNTER, "Repairs of podman's state archy-podman-repair ran");
        if (pm->repairs_known)
                prom_sample(p, NULL, (double)pm->repairs_total);
        prom_family(p, "archy_podman_repair_gave_up", PROM_GAUGE, "1 while archy-podman-repair's last run gave up");
        if (pm->known)
                prom_sample(p, NULL, pm->result && strcmp(pm->result, "gave-up") == 0);
        const struct status_ota *o = &s->ota;
        prom_family(p, "archy_ota_phase", PROM_GAUGE, "1 for the OTA verification's phase in force, 0 for the others");
        for (size_t i = 0; i < sizeof OTA_PHASES / sizeof OTA_PHASES[0] && o->known && o->phase; i++)
                prom_sample(p, L("phase", OTA_PHASES[i]), strcmp(o->phase, OTA_PHASES[i]) == 0);
        prom_family(p, "archy_ota_last_decision_timestamp_seconds", PROM_GAUGE,
                    "When archy-verify-ota last committed or rolled back an update");
        if (o->known && o->decided_at)
                prom_sample(p, NULL, (double)o->decided_at);
}

char *metrics_render(const struct status *s) {
        struct prom_text p = PROM_TEXT_INIT;
        node(&p, s);
        apps(&p, s);
        containers(&p, s);
        probes(&p, s);
        helper_runs(&p, s);
        helper_facts(&p, s);
        return prom_text_finish(&p);
}
