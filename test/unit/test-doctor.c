/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl doctor's pure core: each check's verdict and suggestion over its inputs, the disk
 * thresholds, the overall verdict and exit status, the reconcile parser, the renderings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "doctor.h"
#include "strv.h"
#include "testlib.h"

#define GIB ((uint64_t)1 << 30)

struct fixture {
        struct status s;
        struct doctor_input in;
        struct doctor_report r;
};

static struct status_unit *add_unit(struct status *s, struct status_app *a, const char *name) {
        struct status_unit *u = status_add_unit(s, a, name, "main");
        ck_assert_ptr_nonnull(u);
        u->loaded = true;
        u->active_state = strdup("active");
        u->sub_state = strdup("running");
        return u;
}

/* A healthy node: a valid manifest with two apps, podman healthy, an update committed, helpers ok. */
static void healthy(struct fixture *f) {
        memset(f, 0, sizeof *f);
        struct status *s = &f->s;
        s->manifest.path = strdup("/etc/archipelago/manifest.yaml");
        s->manifest.last_good = strdup("/etc/archipelago/manifest.last-good.yaml");
        s->manifest.in_use = strdup("/etc/archipelago/manifest.yaml");
        s->manifest.present = true;
        add_unit(s, status_add_app(s, "node", "started"), "archy-node.service");
        add_unit(s, status_add_app(s, "notes", "stopped"), "archy-notes.service");
        s->podman.known = true;
        s->podman.healthy = true;
        s->podman.result = strdup("healthy");
        s->podman.state_now = strdup("healthy");
        f->in = (struct doctor_input){
                .status = s,
                .derive = {.out = "", .err = ""},
                .reconcile = {.out = "{\"result\": \"ok\", \"actions\": 0}\n"},
                .disks = {{.name = "disk-root", .path = "/", .avail_bytes = 50 * GIB, .total_bytes = 100 * GIB}},
                .n_disks = 1,
                .ntp_synchronized = 1,
                .manifest_path = "/etc/archipelago/manifest.yaml",
        };
}

static void done(struct fixture *f) {
        doctor_report_free(&f->r);
        status_free(&f->s);
}

static const struct doctor_check *find(const struct doctor_report *r, const char *name) {
        for (size_t i = 0; i < r->n_checks; i++)
                if (strcmp(r->checks[i].name, name) == 0)
                        return &r->checks[i];
        ck_abort_msg("no check %s", name);
        return NULL;
}

/* Run every check; the named one must have verdict v and (when not NULL) a suggestion containing want. */
static const struct doctor_check *expect(struct fixture *f, const char *name, enum doctor_verdict v, const char *want) {
        doctor_run_checks(&f->r, &f->in);
        ck_assert(!f->r.oom);
        const struct doctor_check *c = find(&f->r, name);
        ck_assert_msg(c->verdict == v, "%s: %s, expected %s (%s)", name, doctor_verdict_to_string(c->verdict),
                      doctor_verdict_to_string(v), c->detail);
        if (want) {
                ck_assert_ptr_nonnull(c->suggestion);
                ck_assert_msg(strstr(c->suggestion, want), "%s: suggestion \"%s\" lacks \"%s\"", name, c->suggestion,
                              want);
        } else
                ck_assert_ptr_null(c->suggestion);
        return c;
}

START_TEST(test_healthy_all_ok) {
        struct fixture f;
        healthy(&f);
        doctor_run_checks(&f.r, &f.in);
        ck_assert_uint_eq(f.r.n_checks, 10);
        for (size_t i = 0; i < f.r.n_checks; i++) {
                ck_assert_msg(f.r.checks[i].verdict == DOCTOR_OK, "%s: %s", f.r.checks[i].name, f.r.checks[i].detail);
                ck_assert_ptr_null(f.r.checks[i].suggestion);
        }
        ck_assert(doctor_overall(&f.r) == DOCTOR_OK);
        ck_assert_int_eq(doctor_exit_status(&f.r), CTL_EXIT_OK);
        done(&f);
}
END_TEST

START_TEST(test_manifest) {
        struct fixture f;
        healthy(&f);
        f.s.manifest.fallback = true;
        free(f.s.manifest.in_use);
        f.s.manifest.in_use = strdup(f.s.manifest.last_good);
        status_strv_add(&f.s, &f.s.manifest.problems, &f.s.manifest.n_problems,
                        "/etc/archipelago/manifest.yaml:3:5: apps.node: unknown key \"imag\"");
        const struct doctor_check *c =
                expect(&f, "manifest", DOCTOR_ATTENTION, "archy-generator --check /etc/archipelago/manifest.yaml");
        ck_assert_ptr_nonnull(strstr(c->detail, "last good copy"));
        ck_assert_uint_eq(c->n_findings, 1);
        ck_assert_str_eq(c->findings[0], "/etc/archipelago/manifest.yaml:3:5: apps.node: unknown key \"imag\"");
        ck_assert_int_eq(doctor_exit_status(&f.r), CTL_EXIT_ATTENTION);
        done(&f);

        /* usable, one app skipped: still attention (that app has no units) */
        healthy(&f);
        status_strv_add(&f.s, &f.s.manifest.problems, &f.s.manifest.n_problems, "x:1:1: bad -- skipping app notes");
        expect(&f, "manifest", DOCTOR_ATTENTION, "archy-generator --check");
        done(&f);

        /* neither usable */
        healthy(&f);
        free(f.s.manifest.in_use);
        f.s.manifest.in_use = NULL;
        c = expect(&f, "manifest", DOCTOR_ATTENTION, "archy-generator --check");
        ck_assert_ptr_nonnull(strstr(c->detail, "no app has units"));
        done(&f);

        /* no manifest at all: no apps, nothing wrong */
        healthy(&f);
        f.s.manifest.present = false;
        free(f.s.manifest.in_use);
        f.s.manifest.in_use = NULL;
        expect(&f, "manifest", DOCTOR_OK, NULL);
        done(&f);
}
END_TEST

START_TEST(test_units) {
        struct fixture f;
        healthy(&f);
        f.s.apps[1].units[0].loaded = false; /* the stopped app's unit was not generated */
        const struct doctor_check *c = expect(&f, "units", DOCTOR_ATTENTION, "journalctl -b -t archy-generator");
        ck_assert_ptr_nonnull(strstr(c->suggestion, "systemctl daemon-reload"));
        ck_assert_uint_eq(c->n_findings, 1);
        ck_assert_str_eq(c->findings[0], "archy-notes.service (app notes, stopped): systemd has no such unit");
        done(&f);

        /* an uninstalled app has no units, a skipped app is the manifest check's */
        healthy(&f);
        free(f.s.apps[1].desired);
        f.s.apps[1].desired = strdup("uninstalled");
        f.s.apps[1].units[0].loaded = false;
        f.s.apps[0].skipped = true;
        f.s.apps[0].units[0].loaded = false;
        expect(&f, "units", DOCTOR_OK, NULL);
        done(&f);

        healthy(&f);
        f.in.systemd_error = -ECONNREFUSED;
        expect(&f, "units", DOCTOR_ATTENTION, "systemctl status");
        ck_assert(find(&f.r, "failed-units")->verdict == DOCTOR_ATTENTION);
        ck_assert_str_eq(find(&f.r, "failed-units")->suggestion, "systemctl status");
        done(&f);
}
END_TEST

START_TEST(test_failed_units) {
        struct fixture f;
        healthy(&f);
        char *failed[] = {(char *)"archy-node.service", (char *)"archy-derive.service"};
        f.in.failed_units = failed;
        f.in.n_failed_units = 2;
        const struct doctor_check *c =
                expect(&f, "failed-units", DOCTOR_ATTENTION, "archyctl status node; journalctl -u archy-node.service");
        ck_assert_uint_eq(c->n_findings, 2);
        ck_assert_str_eq(c->findings[0],
                         "archy-node.service (app node): archyctl status node; journalctl -u archy-node.service");
        ck_assert_str_eq(c->findings[1], "archy-derive.service: journalctl -u archy-derive.service");
        done(&f);
        /* rootless: the app's unit is the apps user's (first in the list), archy-derive the system's */
        healthy(&f);
        f.in.failed_units = failed;
        f.in.n_failed_units = 2;
        f.in.n_failed_user_units = 1;
        free(f.s.node.user);
        f.s.node.mode = "rootless";
        f.s.node.user = strdup("archipelago");
        c = expect(&f, "failed-units", DOCTOR_ATTENTION,
                   "archyctl status node; journalctl _UID=$(id -u archipelago) _SYSTEMD_USER_UNIT=archy-node.service");
        ck_assert_str_eq(c->findings[0], "archy-node.service (app node): archyctl status node; journalctl "
                                         "_UID=$(id -u archipelago) _SYSTEMD_USER_UNIT=archy-node.service");
        ck_assert_str_eq(c->findings[1], "archy-derive.service: journalctl -u archy-derive.service");
        done(&f);
}
END_TEST

START_TEST(test_drift) {
        struct fixture f;
        healthy(&f);
        f.in.derive.exit_status = 3;
        f.in.derive.err =
                "archy-derive: apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: drift: content differs\n"
                "archy-derive: 1 derived files: 0 in sync, 1 drifted, 0 repaired, 0 problems\n";
        const struct doctor_check *c = expect(&f, "drift", DOCTOR_WARNING, "systemctl start archy-derive.service");
        ck_assert_uint_eq(c->n_findings, 1);
        ck_assert_ptr_nonnull(strstr(c->findings[0], "bitcoin.conf: drift: content differs"));
        ck_assert_int_eq(doctor_exit_status(&f.r), CTL_EXIT_OK); /* a warning exits 0 */
        done(&f);

        healthy(&f);
        f.in.derive.exit_status = 1;
        f.in.derive.err = "archy-derive: cannot read the secrets\nmore\n";
        c = expect(&f, "drift", DOCTOR_WARNING, "journalctl -u archy-derive.service");
        ck_assert_str_eq(c->detail, "archy-derive --check failed with status 1: archy-derive: cannot read the secrets");
        done(&f);

        healthy(&f);
        f.in.derive.error = -ENOENT;
        expect(&f, "drift", DOCTOR_NOT_CHECKED, NULL);
        ck_assert(doctor_overall(&f.r) == DOCTOR_OK);
        done(&f);

        healthy(&f);
        f.in.derive.timed_out = true;
        expect(&f, "drift", DOCTOR_WARNING, "archy-derive --check");
        done(&f);
}
END_TEST

static void set_podman(struct fixture *f, const char *result, bool ok, const char *state) {
        free(f->s.podman.result);
        free(f->s.podman.state_now);
        f->s.podman.result = strdup(result);
        f->s.podman.healthy = ok;
        f->s.podman.state_now = strdup(state);
}

START_TEST(test_podman) {
        static const struct {
                const char *result;
                bool healthy;
                enum doctor_verdict v;
        } cases[] = {
                {"healthy", true, DOCTOR_OK},         {"repaired", true, DOCTOR_OK},
                {"failed", false, DOCTOR_ATTENTION},  {"needs-attention", false, DOCTOR_ATTENTION},
                {"gave-up", false, DOCTOR_ATTENTION}, {"repaired", false, DOCTOR_WARNING},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct fixture f;
                healthy(&f);
                set_podman(&f, cases[i].result, cases[i].healthy, "storage-corrupt");
                expect(&f, "podman", cases[i].v,
                       cases[i].v == DOCTOR_OK ? NULL : "systemctl start archy-podman-repair.service");
                done(&f);
        }
        struct fixture f;
        healthy(&f);
        f.s.podman.known = false; /* not written yet */
        expect(&f, "podman", DOCTOR_WARNING, "archy-podman-repair.service");
        done(&f);
        /* a rootless node's repair is the apps user's unit */
        healthy(&f);
        set_podman(&f, "failed", false, "storage-corrupt");
        free(f.s.node.user);
        f.s.node.mode = "rootless";
        f.s.node.user = strdup("archipelago");
        expect(&f, "podman", DOCTOR_ATTENTION, "systemctl --user -M archipelago@ start archy-podman-repair.service");
        done(&f);
}
END_TEST

START_TEST(test_orphans) {
        struct fixture f;
        healthy(&f);
        f.in.reconcile.out = "{\"action\": \"stop-container\", \"target\": \"archy-notes\", \"app\": \"notes\", "
                             "\"reason\": \"notes is stopped\"}\n"
                             "{\"action\": \"orphan-volume\", \"target\": \"archy-old-data\", \"app\": null, "
                             "\"reason\": \"no app has it\"}\n"
                             "{\"result\": \"work-found\", \"actions\": 2}\n";
        f.in.reconcile.exit_status = 3; /* archy-reconcile --dry-run: it found work */
        const struct doctor_check *c = expect(&f, "orphans", DOCTOR_WARNING, "systemctl start archy-reconcile.service");
        ck_assert_uint_eq(c->n_findings, 2);
        ck_assert_str_eq(c->findings[0], "stop-container archy-notes (app notes): notes is stopped");
        ck_assert_str_eq(c->findings[1], "orphan-volume archy-old-data: no app has it");
        done(&f);

        healthy(&f);
        f.in.reconcile.error = -ENOENT;
        c = expect(&f, "orphans", DOCTOR_NOT_CHECKED, NULL);
        ck_assert_str_eq(c->detail, "archy-reconcile is not installed");
        done(&f);

        healthy(&f);
        f.in.reconcile.out = "not json at all: [\n";
        expect(&f, "orphans", DOCTOR_WARNING, "archy-reconcile --dry-run");
        done(&f);

        healthy(&f);
        f.in.reconcile.exit_status = 1;
        f.in.reconcile.err = "archy-reconcile: podman is not answering\n";
        c = expect(&f, "orphans", DOCTOR_WARNING, "journalctl -u archy-reconcile.service");
        ck_assert_ptr_nonnull(strstr(c->detail, "podman is not answering"));
        done(&f);
}
END_TEST

START_TEST(test_reconcile_parser) {
        char **v = NULL;
        size_t n = 0;
        const char *why = NULL;
        ck_assert_int_eq(doctor_parse_reconcile("{\"result\": \"ok\", \"actions\": 0}\n", &v, &n, &why), 0);
        ck_assert_int_eq(
                doctor_parse_reconcile("{\"action\": \"backoff\", \"target\": \"archy-x.service\", "
                                       "\"app\": \"x\", \"reason\": \"r\"}\n{\"result\": \"x\", \"actions\": 1}",
                                       &v, &n, &why),
                1);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(v[0], "backoff archy-x.service (app x): r");
        static const struct {
                const char *text, *why;
        } bad[] = {
                {"", "no summary line"},
                {"{\"action\": \"backoff\", \"target\": \"t\"}\n", "no summary line"},
                {"{\"result\": \"ok\", \"actions\": 2}\n", "differs"},
                {"{\"action\": \"backoff\"}\n{\"result\": \"ok\", \"actions\": 1}\n", "no \"target\""},
                {"[1, 2]\n", "not a JSON object"},
                {"{\"result\": \"ok\", \"actions\": 0}\n{\"result\": \"ok\", \"actions\": 0}\n", "follows the summary"},
                {"{\"hello\": 1}\n", "neither an action"},
                {"{\"result\": \"ok\", \"actions\": \"0\"}\n", "neither an action"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                why = NULL;
                ck_assert_msg(doctor_parse_reconcile(bad[i].text, &v, &n, &why) == -EINVAL, "%s", bad[i].text);
                ck_assert_msg(why && strstr(why, bad[i].why), "%s: %s", bad[i].text, why ? why : "(null)");
        }
        strv_free(v);
}
END_TEST

START_TEST(test_disk_thresholds) {
        /* absolute: under 1 GiB attention, under 5 GiB warning, whatever the size */
        ck_assert(doctor_disk_verdict(GIB - 1, 2 * GIB) == DOCTOR_ATTENTION);
        ck_assert(doctor_disk_verdict(GIB, 2 * GIB) == DOCTOR_WARNING);
        ck_assert(doctor_disk_verdict(5 * GIB - 1, 6 * GIB) == DOCTOR_WARNING);
        ck_assert(doctor_disk_verdict(5 * GIB, 6 * GIB) == DOCTOR_OK);
        /* relative, on a big disk: under 2 % attention, under 10 % warning */
        ck_assert(doctor_disk_verdict(19 * GIB, 1000 * GIB) == DOCTOR_ATTENTION);
        ck_assert(doctor_disk_verdict(20 * GIB, 1000 * GIB) == DOCTOR_WARNING);
        ck_assert(doctor_disk_verdict(99 * GIB, 1000 * GIB) == DOCTOR_WARNING);
        ck_assert(doctor_disk_verdict(100 * GIB, 1000 * GIB) == DOCTOR_OK);
        /* huge values do not overflow */
        ck_assert(doctor_disk_verdict(UINT64_MAX / 2, UINT64_MAX) == DOCTOR_OK);
        ck_assert(doctor_disk_verdict(6 * GIB, 0) == DOCTOR_OK);

        struct fixture f;
        healthy(&f);
        f.in.disks[0].avail_bytes = GIB / 2;
        const struct doctor_check *c = expect(&f, "disk-root", DOCTOR_ATTENTION, "df -h /");
        ck_assert_str_eq(c->detail, "/: 512.0 MiB free of 100.0 GiB (0 %)");
        done(&f);

        /* nothing left for users: the detail says the disk is full, and what root may still use */
        healthy(&f);
        f.in.disks[0].avail_bytes = 0;
        f.in.disks[0].root_free_bytes = 12 * 1024 * 1024;
        c = expect(&f, "disk-root", DOCTOR_ATTENTION, "df -h /");
        ck_assert_str_eq(c->detail, "/: the disk is full: nothing free of 100.0 GiB (12.0 MiB left for root)");
        done(&f);

        healthy(&f);
        f.in.disks[0] =
                (struct doctor_disk){.name = "disk-containers", .path = "/var/lib/containers", .error = -ENOENT};
        expect(&f, "disk-containers", DOCTOR_NOT_CHECKED, NULL);
        done(&f);
}
END_TEST

START_TEST(test_time_and_ota) {
        struct fixture f;
        healthy(&f);
        f.in.ntp_synchronized = 0;
        const struct doctor_check *c = expect(&f, "time-sync", DOCTOR_WARNING, "timedatectl timesync-status");
        ck_assert_ptr_nonnull(strstr(c->detail, "not synchronized"));
        done(&f);
        healthy(&f);
        f.in.ntp_synchronized = -ENOENT;
        c = expect(&f, "time-sync", DOCTOR_WARNING, "timedatectl timesync-status");
        ck_assert_ptr_nonnull(strstr(c->detail, "unknown"));
        done(&f);

        static const struct {
                const char *phase;
                enum doctor_verdict v;
        } phases[] = {{"pending", DOCTOR_WARNING},
                      {"verifying", DOCTOR_WARNING},
                      {"rolling-back", DOCTOR_WARNING},
                      {"rolled-back", DOCTOR_ATTENTION},
                      {"committed", DOCTOR_OK}};
        for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
                healthy(&f);
                f.s.ota.known = true;
                f.s.ota.phase = strdup(phases[i].phase);
                f.s.ota.new_version = strdup("0.2.0");
                f.s.ota.previous_version = strdup("0.1.0");
                expect(&f, "ota", phases[i].v, phases[i].v == DOCTOR_OK ? NULL : "archy-verify-ota --status");
                done(&f);
        }
        healthy(&f);
        f.s.ota.error = strdup("the state file is damaged");
        expect(&f, "ota", DOCTOR_ATTENTION, "archy-verify-ota --status");
        done(&f);
}
END_TEST

/* A limit the apps' manager cannot enforce: the container will not start (the OCI runtime refuses
 * it), which is attention; each limit without its controller is a finding. */
START_TEST(test_limits) {
        struct fixture f;
        struct doctor_limit limits[] = {{.unit = (char *)"archy-hog.service", .memory = true, .cpu = true},
                                        {.unit = (char *)"archy-cpu.service", .cpu = true}};
        const char *path = "/sys/fs/cgroup/user.slice/user-999.slice/user@999.service/cgroup.controllers";
        healthy(&f);
        f.in.limits = limits;
        f.in.n_limits = 2;
        f.in.rootless = true;
        f.in.controllers_path = path;
        f.in.controllers = "cpu pids";
        const struct doctor_check *c = expect(&f, "limits", DOCTOR_ATTENTION, "Delegate=pids memory cpu");
        assert_text_eq(c->detail, "1 container cannot start: the apps user's manager (not delegated) has no memory "
                                  "controller, which its limit needs (/sys/fs/cgroup/user.slice/user-999.slice/"
                                  "user@999.service/cgroup.controllers: cpu pids)");
        ck_assert_uint_eq(c->n_findings, 1);
        assert_text_eq(c->findings[0], "archy-hog.service: mem_limit needs the memory controller");
        ck_assert_int_eq(doctor_exit_status(&f.r), CTL_EXIT_ATTENTION);
        done(&f);

        healthy(&f);
        f.in.limits = limits;
        f.in.n_limits = 2;
        f.in.controllers_path = "/sys/fs/cgroup/cgroup.controllers";
        f.in.controllers = "";
        c = expect(&f, "limits", DOCTOR_ATTENTION, "cgroup_enable=memory");
        ck_assert_ptr_nonnull(strstr(c->detail,
                                     "2 containers cannot start: the node's cgroups have no memory or cpu "
                                     "controller, which their limits need (/sys/fs/cgroup/cgroup.controllers: "
                                     "none)"));
        ck_assert_uint_eq(c->n_findings, 3);
        assert_text_eq(c->findings[2], "archy-cpu.service: cpus needs the cpu controller");
        done(&f);

        /* "cpuset" is not "cpu", "memory" found anywhere in the list */
        healthy(&f);
        f.in.limits = limits;
        f.in.n_limits = 2;
        f.in.controllers_path = "/sys/fs/cgroup/cgroup.controllers";
        f.in.controllers = "cpuset memory io";
        c = expect(&f, "limits", DOCTOR_ATTENTION, "cgroup_enable=memory");
        ck_assert_ptr_nonnull(strstr(c->detail, "no cpu controller"));
        ck_assert_uint_eq(c->n_findings, 2);
        done(&f);

        healthy(&f);
        f.in.limits = limits;
        f.in.n_limits = 2;
        f.in.controllers_path = "/sys/fs/cgroup/cgroup.controllers";
        f.in.controllers = "cpuset cpu io memory pids";
        c = expect(&f, "limits", DOCTOR_OK, NULL);
        ck_assert_ptr_nonnull(strstr(c->detail, "the limits of 2 containers are enforced"));
        done(&f);

        healthy(&f);
        f.in.limits = limits;
        f.in.n_limits = 1;
        f.in.controllers_path = path;
        f.in.controllers_error = -ENOENT;
        c = expect(&f, "limits", DOCTOR_NOT_CHECKED, NULL);
        ck_assert_ptr_nonnull(strstr(c->detail, "cannot read /sys/fs/cgroup/user.slice/"));
        done(&f);
}
END_TEST

START_TEST(test_render) {
        struct fixture f;
        healthy(&f);
        f.in.ntp_synchronized = 0;
        f.in.reconcile.error = -ENOENT;
        doctor_run_checks(&f.r, &f.in);
        ck_assert(doctor_overall(&f.r) == DOCTOR_WARNING);
        ck_assert_int_eq(doctor_exit_status(&f.r), CTL_EXIT_OK);
        char *json = doctor_render_json(&f.r), *text = doctor_render_text(&f.r);
        assert_text_eq(json,
                       "{\"verdict\": \"warning\", \"checks\": [\n"
                       "  {\"name\": \"manifest\", \"verdict\": \"ok\", \"detail\": \"/etc/archipelago/manifest.yaml "
                       "is valid and in use (2 apps)\", \"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"units\", \"verdict\": \"ok\", \"detail\": \"all 2 units of the 2 started or "
                       "stopped apps are loaded\", \"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"failed-units\", \"verdict\": \"ok\", \"detail\": \"no archy unit is failed\", "
                       "\"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"drift\", \"verdict\": \"ok\", \"detail\": \"every derived file matches the "
                       "manifest\", \"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"podman\", \"verdict\": \"ok\", \"detail\": \"podman is healthy (healthy)\", "
                       "\"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"orphans\", \"verdict\": \"not-checked\", \"detail\": \"archy-reconcile is not "
                       "installed\", \"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"disk-root\", \"verdict\": \"ok\", \"detail\": \"/: 50.0 GiB free of 100.0 GiB "
                       "(50 %)\", \"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"time-sync\", \"verdict\": \"warning\", \"detail\": \"the clock is not "
                       "synchronized (systemd-timedated: NTPSynchronized=no)\", \"suggestion\": \"timedatectl "
                       "timesync-status\", \"findings\": []},\n"
                       "  {\"name\": \"ota\", \"verdict\": \"ok\", \"detail\": \"no update is being verified\", "
                       "\"suggestion\": null, \"findings\": []},\n"
                       "  {\"name\": \"limits\", \"verdict\": \"ok\", \"detail\": \"no container has a memory or "
                       "CPU limit\", \"suggestion\": null, \"findings\": []}\n"
                       "]}\n");
        ck_assert_ptr_nonnull(strstr(text, "warning     time-sync        the clock is not synchronized"));
        ck_assert_ptr_nonnull(strstr(text, "\n  \u2192 timedatectl timesync-status\n"));
        ck_assert_ptr_nonnull(strstr(text, "doctor: warning (0 attention, 1 warning, 8 ok, 1 not checked)\n"));
        free(json);
        free(text);
        done(&f);
}
END_TEST

Suite *doctor_suite(void) {
        Suite *s = suite_create("doctor");
        TCase *tc = tcase_create("doctor");
        tcase_add_test(tc, test_healthy_all_ok);
        tcase_add_test(tc, test_manifest);
        tcase_add_test(tc, test_units);
        tcase_add_test(tc, test_failed_units);
        tcase_add_test(tc, test_drift);
        tcase_add_test(tc, test_podman);
        tcase_add_test(tc, test_orphans);
        tcase_add_test(tc, test_reconcile_parser);
        tcase_add_test(tc, test_disk_thresholds);
        tcase_add_test(tc, test_time_and_ota);
        tcase_add_test(tc, test_limits);
        tcase_add_test(tc, test_render);
        suite_add_tcase(s, tc);
        return s;
}
