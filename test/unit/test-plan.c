/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan of archyctl apply (ctl/plan.h), pure: old manifest, new manifest and which services
 * run -> per app the action and the services it stops, restarts and starts; and its renderings. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-render.h"
#include "plan.h"
#include "strbuf.h"
#include "strv.h"
#include "testlib.h"

/* ---- helpers ---- */

static struct manifest *yaml_at(const char *path, const char *fmt, ...) _printf_(2, 3);
static struct manifest *yaml_at(const char *path, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *text;
        ck_assert_int_ge(vasprintf(&text, fmt, ap), 0);
        va_end(ap);
        struct diag_list diags = {0};
        struct manifest *m = manifest_parse(text, strlen(text), path, &diags);
        char *got = diags_joined(&diags);
        ck_assert_ptr_nonnull(m);
        assert_text_eq(got ? got : "", "");
        free(got);
        diag_list_free(&diags);
        free(text);
        return m;
}
#define yaml(...) yaml_at("test.yaml", __VA_ARGS__)

/* The running table: a NULL-terminated list of services that run; NULL for "every one". */
static bool table_running(const char *service, void *ctx) {
        return strv_contains(ctx, service);
}

static void compute(const struct manifest *old, const struct manifest *new, char **running, struct plan *ret) {
        ck_assert_int_eq(plan_compute(old, new, running ? table_running : NULL, running, ret), 0);
}

static const struct plan_app *find(const struct plan *p, const char *name) {
        for (size_t i = 0; i < p->n_apps; i++)
                if (strcmp(p->apps[i].name, name) == 0)
                        return &p->apps[i];
        ck_abort_msg("no app %s in the plan", name);
        return NULL;
}

static void put_list(struct strbuf *sb, const char *key, char *const *v, size_t n) {
        ck_assert_uint_eq(strv_length(v), n);
        strbuf_printf(sb, " %s=[", key);
        for (size_t i = 0; i < n; i++)
                strbuf_printf(sb, "%s%s", i ? " " : "", v[i]);
        strbuf_putc(sb, ']');
}

/* "action from->to stop=[..] restart=[..] start=[..] wait|nowait" */
static char *describe(const struct plan_app *a) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "%s %s->%s", plan_action_to_string(a->action), plan_state_to_string(a->from, a->in_old),
                      plan_state_to_string(a->to, a->in_new));
        put_list(&sb, "stop", a->stop, a->n_stop);
        put_list(&sb, "restart", a->restart, a->n_restart);
        put_list(&sb, "start", a->start, a->n_start);
        strbuf_puts(&sb, a->wait ? " wait" : " nowait");
        return strbuf_steal(&sb);
}

static void assert_app(const struct plan *p, const char *name, const char *want) {
        char *got = describe(find(p, name));
        ck_assert_msg(strcmp(got, want) == 0, "%s:\n  got  %s\n  want %s", name, got, want);
        free(got);
}

/* ---- the app every transition is checked on ---- */

/* web: main and ui share the volume data (one volume service), init is one-shot; keep is always
 * started, so that the network stays. */
#define KEEP "  keep:\n    containers: {main: {image: localhost/k:1}}\n"
#define WEB_APP(state, ui_image)                                                                                       \
        "  web:\n    state: " state "\n    containers:\n"                                                              \
        "      main: {image: localhost/w:1, volumes: [\"data:/d\"]}\n"                                                 \
        "      ui: {image: " ui_image ", volumes: [\"data:/d:ro\"]}\n"                                                 \
        "      init: {image: localhost/i:1, restart: \"no\"}\n"
#define WEB_SERVICES "archy-web.service archy-web-ui.service archy-web-init.service"
#define WEB_ALL WEB_SERVICES " archy-web-data-volume.service"

static struct manifest *web(const char *state) {
        if (!state)
                return yaml("version: 1\napps:\n" KEEP);
        if (strcmp(state, "started") == 0)
                return yaml("version: 1\napps:\n" KEEP WEB_APP("started", "localhost/u:1"));
        if (strcmp(state, "stopped") == 0)
                return yaml("version: 1\napps:\n" KEEP WEB_APP("stopped", "localhost/u:1"));
        return yaml("version: 1\napps:\n" KEEP WEB_APP("uninstalled", "localhost/u:1"));
}

/* What runs in each state: started runs everything but the one-shot part, which completed. */
static char *running_started[] = {"archy-keep.service", "archy-web.service", "archy-web-ui.service",
                                  "archy-web-data-volume.service", NULL};
static char *running_stopped[] = {"archy-keep.service", "archy-web-data-volume.service", NULL};
static char *running_none[] = {"archy-keep.service", NULL};

static char **running_in(const char *state) {
        if (!state)
                return running_none;
        if (strcmp(state, "started") == 0)
                return running_started;
        if (strcmp(state, "stopped") == 0)
                return running_stopped;
        return running_none;
}

static const struct {
        const char *from, *to, *want;
} transitions[] = {
        {NULL, "started", "install absent->started stop=[] restart=[] start=[" WEB_SERVICES "] wait"},
        {NULL, "stopped", "install absent->stopped stop=[] restart=[] start=[] nowait"},
        {NULL, "uninstalled", "unchanged absent->uninstalled stop=[] restart=[] start=[] nowait"},
        {"started", NULL, "uninstall started->absent stop=[" WEB_ALL "] restart=[] start=[] nowait"},
        {"started", "stopped", "stop started->stopped stop=[" WEB_SERVICES "] restart=[] start=[] nowait"},
        {"started", "uninstalled", "uninstall started->uninstalled stop=[" WEB_ALL "] restart=[] start=[] nowait"},
        {"stopped", NULL, "uninstall stopped->absent stop=[" WEB_ALL "] restart=[] start=[] nowait"},
        {"stopped", "started", "start stopped->started stop=[] restart=[] start=[" WEB_SERVICES "] wait"},
        {"stopped", "uninstalled", "uninstall stopped->uninstalled stop=[" WEB_ALL "] restart=[] start=[] nowait"},
        {"uninstalled", NULL, "unchanged uninstalled->absent stop=[] restart=[] start=[] nowait"},
        {"uninstalled", "started", "install uninstalled->started stop=[] restart=[] start=[" WEB_SERVICES "] wait"},
        {"uninstalled", "stopped", "install uninstalled->stopped stop=[] restart=[] start=[] nowait"},
};

START_TEST(every_transition) {
        const char *from = transitions[_i].from, *to = transitions[_i].to;
        struct manifest *old = web(from), *new = web(to);
        struct plan p;
        compute(old, new, running_in(from), &p);
        ck_assert_uint_eq(p.n_apps, 2);
        assert_app(&p, "web", transitions[_i].want);
        assert_app(&p, "keep", "unchanged started->started stop=[] restart=[] start=[] nowait");
        /* keep stays: the network too */
        ck_assert(!p.network_stop);
        bool noop = strncmp(transitions[_i].want, "unchanged", strlen("unchanged")) == 0;
        ck_assert_int_eq(plan_is_noop(&p), noop);
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* Each state to itself, everything running as it says: nothing to do. */
START_TEST(same_state_is_a_noop) {
        static const char *const states[] = {NULL, "started", "stopped", "uninstalled"};
        for (size_t i = 0; i < ELEMENTSOF(states); i++) {
                struct manifest *old = web(states[i]), *new = web(states[i]);
                struct plan p;
                compute(old, new, running_in(states[i]), &p);
                ck_assert_msg(plan_is_noop(&p), "state %s", states[i] ? states[i] : "absent");
                for (size_t k = 0; k < p.n_apps; k++) {
                        ck_assert_int_eq(p.apps[k].action, PLAN_UNCHANGED);
                        ck_assert(!p.apps[k].wait);
                }
                plan_free(&p);
                manifest_free(old);
                manifest_free(new);
        }
}
END_TEST

/* No installed manifest at all (a first apply): like an empty one. */
START_TEST(no_installed_manifest) {
        struct manifest *new = web("started");
        struct plan p;
        compute(NULL, new, running_none, &p);
        assert_app(&p, "web", "install absent->started stop=[] restart=[] start=[" WEB_SERVICES "] wait");
        assert_app(&p, "keep", "install absent->started stop=[] restart=[] start=[archy-keep.service] wait");
        ck_assert(!p.network_stop);
        plan_free(&p);
        manifest_free(new);
}
END_TEST

/* ---- edits ---- */

START_TEST(edit_restarts_exactly_the_changed_unit) {
        struct manifest *old = web("started");
        struct manifest *new = yaml("version: 1\napps:\n" KEEP WEB_APP("started", "localhost/u:2"));
        struct plan p;
        compute(old, new, running_started, &p);
        assert_app(&p, "web", "restart started->started stop=[] restart=[archy-web-ui.service] start=[] wait");
        assert_app(&p, "keep", "unchanged started->started stop=[] restart=[] start=[] nowait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* The installed manifest and the file applied have different paths (the units' header comment
 * names it): that is no edit. */
START_TEST(manifest_path_is_no_edit) {
        struct manifest *old =
                yaml_at(ARCHY_MANIFEST_PATH, "version: 1\napps:\n" KEEP WEB_APP("started", "localhost/u:1"));
        struct manifest *new = yaml_at("/tmp/new.yaml", "version: 1\napps:\n" KEEP WEB_APP("started", "localhost/u:1"));
        struct plan p;
        compute(old, new, running_started, &p);
        ck_assert(plan_is_noop(&p));
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

START_TEST(added_part_starts) {
        struct manifest *old = web("started");
        struct manifest *new = yaml(
                "version: 1\napps:\n" KEEP WEB_APP("started", "localhost/u:1") "      extra: {image: localhost/e:1}\n");
        struct plan p;
        compute(old, new, running_started, &p);
        assert_app(&p, "web", "restart started->started stop=[] restart=[] start=[archy-web-extra.service] wait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

START_TEST(removed_part_stops) {
        struct manifest *old = web("started");
        struct manifest *new = yaml("version: 1\napps:\n" KEEP "  web:\n    containers:\n"
                                    "      main: {image: localhost/w:1, volumes: [\"data:/d\"]}\n"
                                    "      init: {image: localhost/i:1, restart: \"no\"}\n");
        struct plan p;
        compute(old, new, running_started, &p);
        /* main still mounts data: the volume service stays */
        assert_app(&p, "web", "restart started->started stop=[archy-web-ui.service] restart=[] start=[] wait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* A part renamed is one removed and one added. */
START_TEST(renamed_part_stops_and_starts) {
        struct manifest *old = web("started");
        struct manifest *new = yaml("version: 1\napps:\n" KEEP "  web:\n    containers:\n"
                                    "      main: {image: localhost/w:1, volumes: [\"data:/d\"]}\n"
                                    "      front: {image: localhost/u:1, volumes: [\"data:/d:ro\"]}\n"
                                    "      init: {image: localhost/i:1, restart: \"no\"}\n");
        struct plan p;
        compute(old, new, running_started, &p);
        assert_app(&p, "web",
                   "restart started->started stop=[archy-web-ui.service] restart=[] start=[archy-web-front.service] "
                   "wait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* A volume no container mounts any more: its service stops, the containers that lost it restart. */
START_TEST(removed_volume_stops_its_service) {
        struct manifest *old = web("started");
        struct manifest *new = yaml("version: 1\napps:\n" KEEP "  web:\n    containers:\n"
                                    "      main: {image: localhost/w:1}\n"
                                    "      ui: {image: localhost/u:1}\n"
                                    "      init: {image: localhost/i:1, restart: \"no\"}\n");
        struct plan p;
        compute(old, new, running_started, &p);
        assert_app(&p, "web",
                   "restart started->started stop=[archy-web-data-volume.service] "
                   "restart=[archy-web.service archy-web-ui.service] start=[] wait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* The volume's owner changed: only its .volume file did. */
START_TEST(changed_volume_restarts_its_service) {
        struct manifest *old = web("started");
        struct manifest *new = yaml("version: 1\napps:\n" KEEP "  web:\n    volumes: {data: {owner: \"1000:1000\"}}\n"
                                    "    containers:\n"
                                    "      main: {image: localhost/w:1, volumes: [\"data:/d\"]}\n"
                                    "      ui: {image: localhost/u:1, volumes: [\"data:/d:ro\"]}\n"
                                    "      init: {image: localhost/i:1, restart: \"no\"}\n");
        struct plan p;
        compute(old, new, running_started, &p);
        assert_app(&p, "web", "restart started->started stop=[] restart=[archy-web-data-volume.service] start=[] wait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* Stopped in both, edited: the change takes effect at its next start; a part it lost is stopped
 * all the same (its file vanishes). */
START_TEST(stopped_app_edit_waits_for_its_start) {
        struct manifest *old = web("stopped");
        struct manifest *edited = yaml("version: 1\napps:\n" KEEP WEB_APP("stopped", "localhost/u:2"));
        struct manifest *shrunk = yaml("version: 1\napps:\n" KEEP "  web:\n    state: stopped\n    containers:\n"
                                       "      main: {image: localhost/w:1, volumes: [\"data:/d\"]}\n");
        struct plan p;
        compute(old, edited, running_stopped, &p);
        ck_assert(plan_is_noop(&p));
        plan_free(&p);
        compute(old, shrunk, running_stopped, &p);
        assert_app(&p, "web",
                   "stop stopped->stopped stop=[archy-web-ui.service archy-web-init.service] restart=[] start=[] "
                   "nowait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(edited);
        manifest_free(shrunk);
}
END_TEST

/* An app the new manifest gets wrong gets no units (skip): when the caller lets it through, its
 * units stop as for an uninstall, while systemd still knows them. One skipped in the installed
 * manifest had no units: it installs. */
START_TEST(skipped_app_is_planned_as_uninstalled) {
        static const char bad[] = "version: 1\napps:\n" KEEP "  web:\n    containers:\n"
                                  "      main: {image: localhost/w:1, volumes: [\"data:/d\"], bogus: 1}\n";
        struct diag_list diags = {0};
        struct manifest *skipped = parse_text(bad, &diags);
        ck_assert_ptr_nonnull(skipped);
        ck_assert_uint_gt(diags.n, 0);
        ck_assert(manifest_find_app(skipped, "web")->skip);
        diag_list_free(&diags);
        struct manifest *good = web("started");
        struct plan p;
        compute(good, skipped, running_started, &p);
        assert_app(&p, "web", "uninstall started->uninstalled stop=[" WEB_ALL "] restart=[] start=[] nowait");
        plan_free(&p);
        compute(skipped, good, running_none, &p);
        assert_app(&p, "web", "install uninstalled->started stop=[] restart=[] start=[" WEB_SERVICES "] wait");
        plan_free(&p);
        manifest_free(good);
        manifest_free(skipped);
}
END_TEST

/* ---- what runs ---- */

START_TEST(started_but_not_running_starts) {
        struct manifest *m = web("started");
        char *running[] = {"archy-keep.service", "archy-web.service", "archy-web-data-volume.service", NULL};
        struct plan p;
        compute(m, m, running, &p);
        assert_app(&p, "web", "start started->started stop=[] restart=[] start=[archy-web-ui.service] wait");
        ck_assert(!plan_is_noop(&p));
        plan_free(&p);
        manifest_free(m);
}
END_TEST

/* A one-shot part runs to completion: it is not expected to run. With an edit the changed part
 * restarts and the not-running one starts. */
START_TEST(oneshot_is_not_expected_to_run) {
        struct manifest *m = web("started");
        struct plan p;
        compute(m, m, running_started, &p);
        ck_assert(!strv_contains(running_started, "archy-web-init.service"));
        ck_assert(plan_is_noop(&p));
        plan_free(&p);

        struct manifest *new = yaml("version: 1\napps:\n" KEEP WEB_APP("started", "localhost/u:2"));
        char *running[] = {"archy-keep.service", "archy-web-data-volume.service", NULL};
        compute(m, new, running, &p);
        assert_app(&p, "web",
                   "restart started->started stop=[] restart=[archy-web-ui.service] start=[archy-web.service] wait");
        plan_free(&p);
        manifest_free(m);
        manifest_free(new);
}
END_TEST

/* ---- the network ---- */

START_TEST(network_stops_when_nothing_is_left) {
        struct manifest *old = yaml("version: 1\napps:\n" WEB_APP("started", "localhost/u:1"));
        struct manifest *gone = yaml("version: 1\napps:\n" WEB_APP("uninstalled", "localhost/u:1"));
        struct manifest *stopped = yaml("version: 1\napps:\n" WEB_APP("stopped", "localhost/u:1"));
        struct plan p;
        compute(old, gone, running_started, &p);
        ck_assert(p.network_stop);
        ck_assert(!plan_is_noop(&p));
        plan_free(&p);
        /* a stopped app keeps its units, and the network they need */
        compute(old, stopped, running_started, &p);
        ck_assert(!p.network_stop);
        plan_free(&p);
        /* nothing before, nothing now: nothing to stop */
        compute(gone, gone, running_none, &p);
        ck_assert(!p.network_stop);
        ck_assert(plan_is_noop(&p));
        plan_free(&p);
        manifest_free(old);
        manifest_free(gone);
        manifest_free(stopped);
}
END_TEST

/* ---- dependencies ---- */

/* The node switch of the shipped manifest, shortened: knots uninstalled, core started, lnd's
 * requires naming core; tool requires lnd and does not change. */
#define NODE(name, state, ui)                                                                                          \
        "  " name ":\n    state: " state "\n    containers:\n"                                                         \
        "      main: {image: localhost/" name ":1, aliases: [bitcoind], volumes: [\"bitcoin-data:/data\"]}\n" ui
#define KNOTS_UI "      ui: {image: localhost/knots-ui:1}\n"
#define LND(node)                                                                                                      \
        "  lnd:\n    requires: [" node "]\n    containers:\n"                                                          \
        "      main: {image: localhost/lnd:1, volumes: [\"lnd-data:/data\"]}\n"                                        \
        "      ui: {image: localhost/lit:1}\n"
#define TOOL "  tool:\n    requires: [lnd]\n    containers: {main: {image: localhost/tool:1}}\n"
#define OTHER "  other:\n    containers: {main: {image: localhost/other:1}}\n"

static char *switch_running[] = {"archy-bitcoin-knots.service",
                                 "archy-bitcoin-knots-ui.service",
                                 "archy-bitcoin-knots-bitcoin-data-volume.service",
                                 "archy-lnd.service",
                                 "archy-lnd-ui.service",
                                 "archy-lnd-lnd-data-volume.service",
                                 "archy-tool.service",
                                 "archy-other.service",
                                 NULL};

START_TEST(node_switch) {
        struct manifest *old = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "started", KNOTS_UI)
                                            NODE("bitcoin-core", "uninstalled", "") LND("bitcoin-knots") TOOL OTHER);
        struct manifest *new = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "uninstalled", KNOTS_UI)
                                            NODE("bitcoin-core", "started", "") LND("bitcoin-core") TOOL OTHER);
        struct plan p;
        compute(old, new, switch_running, &p);
        ck_assert_uint_eq(p.n_apps, 5);
        assert_app(&p, "bitcoin-knots",
                   "uninstall started->uninstalled stop=[archy-bitcoin-knots.service archy-bitcoin-knots-ui.service "
                   "archy-bitcoin-knots-bitcoin-data-volume.service] restart=[] start=[] nowait");
        assert_app(&p, "bitcoin-core",
                   "install uninstalled->started stop=[] restart=[] start=[archy-bitcoin-core.service] wait");
        /* its requires changed (every container's Wants=/After=): restarted after the reload */
        assert_app(&p, "lnd",
                   "restart started->started stop=[] restart=[archy-lnd.service archy-lnd-ui.service] start=[] wait");
        /* unchanged text, but knots' stop passed on through lnd stops it: started again */
        assert_app(&p, "tool", "start started->started stop=[] restart=[] start=[archy-tool.service] wait");
        assert_app(&p, "other", "unchanged started->started stop=[] restart=[] start=[] nowait");
        ck_assert(!p.network_stop);
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* apply killed after its stops, run again: knots and everything it took down are inactive. The
 * plan still ends in the same place: knots' units stop (a no-op), lnd restarts, tool starts
 * (not running, no longer through a passed-on stop). */
START_TEST(node_switch_rerun_after_the_stops) {
        struct manifest *old = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "started", KNOTS_UI)
                                            NODE("bitcoin-core", "uninstalled", "") LND("bitcoin-knots") TOOL OTHER);
        struct manifest *new = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "uninstalled", KNOTS_UI)
                                            NODE("bitcoin-core", "started", "") LND("bitcoin-core") TOOL OTHER);
        char *running[] = {"archy-other.service", "archy-lnd-lnd-data-volume.service", NULL};
        struct plan p;
        compute(old, new, running, &p);
        assert_app(&p, "bitcoin-knots",
                   "uninstall started->uninstalled stop=[archy-bitcoin-knots.service archy-bitcoin-knots-ui.service "
                   "archy-bitcoin-knots-bitcoin-data-volume.service] restart=[] start=[] nowait");
        assert_app(&p, "lnd",
                   "restart started->started stop=[] restart=[archy-lnd.service archy-lnd-ui.service] start=[] wait");
        assert_app(&p, "tool", "start started->started stop=[] restart=[] start=[archy-tool.service] wait");
        assert_app(&p, "other", "unchanged started->started stop=[] restart=[] start=[] nowait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* A stop passes on only from a main unit that runs: a dependent that is down already passes
 * nothing on to its own dependents (their plan is what their own state says). */
START_TEST(stop_passes_on_only_from_running_units) {
        struct manifest *old = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "started", KNOTS_UI)
                                            NODE("bitcoin-core", "uninstalled", "") LND("bitcoin-knots") TOOL OTHER);
        struct manifest *new = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "uninstalled", KNOTS_UI)
                                            NODE("bitcoin-core", "started", "") LND("bitcoin-core") TOOL OTHER);
        /* lnd's main crashed: tool runs, but lnd's ExecStopPost= does not run for an inactive unit */
        char *running[] = {"archy-bitcoin-knots.service", "archy-lnd-ui.service", "archy-tool.service",
                           "archy-other.service", NULL};
        struct plan p;
        compute(old, new, running, &p);
        assert_app(&p, "lnd",
                   "restart started->started stop=[] restart=[archy-lnd.service archy-lnd-ui.service] start=[] wait");
        assert_app(&p, "tool", "unchanged started->started stop=[] restart=[] start=[] nowait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* An explicit stop of a required app passes on to its dependents; they stay started in the new
 * manifest only when they require something else now, which the switch covers. Here: stopping
 * lnd, whose dependent tool is stopped too (validation asks for that), starts nothing. */
START_TEST(stop_with_dependents_stopped_too) {
        struct manifest *old =
                yaml("version: 1\napps:\n" NODE("bitcoin-knots", "started", "") LND("bitcoin-knots") TOOL);
        struct manifest *new = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "started", "")
                                            LND("bitcoin-knots") "    state: stopped\n"
                                                                 "  tool:\n    state: stopped\n    requires: [lnd]\n"
                                                                 "    containers: {main: {image: localhost/tool:1}}\n");
        struct plan p;
        compute(old, new, switch_running, &p);
        assert_app(&p, "lnd",
                   "stop started->stopped stop=[archy-lnd.service archy-lnd-ui.service] restart=[] start=[] nowait");
        assert_app(&p, "tool", "stop started->stopped stop=[archy-tool.service] restart=[] start=[] nowait");
        assert_app(&p, "bitcoin-knots", "unchanged started->started stop=[] restart=[] start=[] nowait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* Installing or uninstalling a dependent changes the required app's ExecStopPost= list only,
 * which the reload brings into effect: the node does not restart for it. */
START_TEST(dependent_installed_restarts_nothing_else) {
        struct manifest *old = yaml("version: 1\napps:\n" NODE(
                "bitcoin-knots", "started", "") "  lnd:\n    state: uninstalled\n    requires: [bitcoin-knots]\n"
                                                "    containers: {main: {image: localhost/lnd:1}}\n");
        struct manifest *new = yaml("version: 1\napps:\n" NODE(
                "bitcoin-knots", "started", "") "  lnd:\n    requires: [bitcoin-knots]\n"
                                                "    containers: {main: {image: localhost/lnd:1}}\n");
        struct plan p;
        compute(old, new, switch_running, &p);
        assert_app(&p, "bitcoin-knots", "unchanged started->started stop=[] restart=[] start=[] nowait");
        assert_app(&p, "lnd", "install uninstalled->started stop=[] restart=[] start=[archy-lnd.service] wait");
        plan_free(&p);
        /* and back: lnd's units stop, the node stays */
        compute(new, old, switch_running, &p);
        assert_app(&p, "bitcoin-knots", "unchanged started->started stop=[] restart=[] start=[] nowait");
        assert_app(&p, "lnd", "uninstall started->uninstalled stop=[archy-lnd.service] restart=[] start=[] nowait");
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* The switch on the shipped manifest itself, written as 170-node-switch.bats writes it. */
#define SHIPPED "../../manifests/archipelago.yaml"

static char *replace_all(const char *text, const char *from, const char *to) {
        struct strbuf sb = STRBUF_INIT;
        size_t n = 0;
        for (const char *p = text, *hit; *p; p = hit + strlen(from), n++) {
                if (!(hit = strstr(p, from))) {
                        strbuf_puts(&sb, p);
                        break;
                }
                strbuf_add(&sb, p, (size_t)(hit - p));
                strbuf_puts(&sb, to);
        }
        ck_assert_uint_gt(n, 0);
        return strbuf_steal(&sb);
}

static struct manifest *shipped_switched(bool to_core) {
        char *text = read_text_file(SHIPPED);
        ck_assert_ptr_nonnull(text);
        if (to_core) {
                char *a = replace_all(text, "  bitcoin-knots:\n    state: started\n",
                                      "  bitcoin-knots:\n    state: uninstalled\n");
                char *b = replace_all(a, "  bitcoin-core:\n    state: uninstalled\n",
                                      "  bitcoin-core:\n    state: started\n");
                free(text);
                free(a);
                text = replace_all(b, "    requires: [bitcoin-knots", "    requires: [bitcoin-core");
                free(b);
        }
        struct manifest *m = yaml_at(ARCHY_MANIFEST_PATH, "%s", text);
        free(text);
        return m;
}

static void assert_restarted_whole(const struct plan *p, const struct manifest *new, const char *name) {
        const struct plan_app *pa = find(p, name);
        const struct app *a = manifest_find_app(new, name);
        ck_assert_msg(pa->action == PLAN_RESTART, "%s: %s", name, plan_action_to_string(pa->action));
        ck_assert_uint_eq(pa->n_restart, a->n_containers);
        ck_assert_uint_eq(pa->n_start, 0);
        ck_assert_uint_eq(pa->n_stop, 0);
        ck_assert(pa->wait);
}

START_TEST(node_switch_of_the_shipped_manifest) {
        static const char *const dependents[] = {"lnd", "electrumx", "btcpay-server", "mempool", "fedimint"};
        struct manifest *knots = shipped_switched(false), *core = shipped_switched(true);
        struct plan p;
        compute(knots, core, NULL, &p);
        const struct plan_app *k = find(&p, "bitcoin-knots");
        ck_assert_int_eq(k->action, PLAN_UNINSTALL);
        ck_assert(strv_contains(k->stop, "archy-bitcoin-knots.service"));
        ck_assert(strv_contains(k->stop, "archy-bitcoin-knots-ui.service"));
        ck_assert(strv_contains(k->stop, "archy-bitcoin-knots-bitcoin-data-volume.service"));
        ck_assert_uint_eq(k->n_stop, 3);
        assert_app(&p, "bitcoin-core",
                   "install uninstalled->started stop=[] restart=[] start=[archy-bitcoin-core.service] wait");
        for (size_t i = 0; i < ELEMENTSOF(dependents); i++)
                assert_restarted_whole(&p, core, dependents[i]);
        ck_assert(!p.network_stop);
        plan_free(&p);

        /* and back */
        compute(core, knots, NULL, &p);
        assert_app(&p, "bitcoin-core",
                   "uninstall started->uninstalled stop=[archy-bitcoin-core.service "
                   "archy-bitcoin-core-bitcoin-data-volume.service] restart=[] start=[] nowait");
        assert_app(&p, "bitcoin-knots",
                   "install uninstalled->started stop=[] restart=[] "
                   "start=[archy-bitcoin-knots.service archy-bitcoin-knots-ui.service] wait");
        for (size_t i = 0; i < ELEMENTSOF(dependents); i++)
                assert_restarted_whole(&p, knots, dependents[i]);
        plan_free(&p);

        /* the shipped manifest against itself, everything running: nothing to do */
        compute(knots, knots, NULL, &p);
        ck_assert(plan_is_noop(&p));
        plan_free(&p);
        manifest_free(knots);
        manifest_free(core);
}
END_TEST

/* ---- rendering ---- */

START_TEST(json_structure) {
        struct manifest *old = yaml("version: 1\napps:\n" KEEP WEB_APP("started", "localhost/u:1"));
        struct manifest *new = yaml("version: 1\napps:\n" KEEP WEB_APP("stopped", "localhost/u:1"));
        struct plan p;
        compute(old, new, running_started, &p);
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        plan_render_json(&p, &sb);
        assert_text_eq(strbuf_str(&sb),
                       "{\"apps\":["
                       "{\"app\":\"keep\",\"action\":\"unchanged\",\"from\":\"started\",\"to\":\"started\","
                       "\"stop\":[],\"restart\":[],\"start\":[],\"wait\":false},"
                       "{\"app\":\"web\",\"action\":\"stop\",\"from\":\"started\",\"to\":\"stopped\","
                       "\"stop\":[\"archy-web.service\",\"archy-web-ui.service\",\"archy-web-init.service\"],"
                       "\"restart\":[],\"start\":[],\"wait\":false}"
                       "],\"network_stop\":false,\"noop\":false}");
        plan_free(&p);

        /* absent, network_stop, a start list, and an empty plan */
        struct manifest *none = yaml("version: 1\napps: {}\n");
        compute(none, old, running_none, &p);
        strbuf_reset(&sb);
        plan_render_json(&p, &sb);
        assert_text_eq(strbuf_str(&sb),
                       "{\"apps\":["
                       "{\"app\":\"keep\",\"action\":\"install\",\"from\":\"absent\",\"to\":\"started\","
                       "\"stop\":[],\"restart\":[],\"start\":[\"archy-keep.service\"],\"wait\":true},"
                       "{\"app\":\"web\",\"action\":\"install\",\"from\":\"absent\",\"to\":\"started\","
                       "\"stop\":[],\"restart\":[],\"start\":[\"archy-web.service\",\"archy-web-ui.service\","
                       "\"archy-web-init.service\"],\"wait\":true}"
                       "],\"network_stop\":false,\"noop\":false}");
        plan_free(&p);
        compute(old, none, running_started, &p);
        strbuf_reset(&sb);
        plan_render_json(&p, &sb);
        assert_text_eq(strbuf_str(&sb),
                       "{\"apps\":["
                       "{\"app\":\"keep\",\"action\":\"uninstall\",\"from\":\"started\",\"to\":\"absent\","
                       "\"stop\":[\"archy-keep.service\"],\"restart\":[],\"start\":[],\"wait\":false},"
                       "{\"app\":\"web\",\"action\":\"uninstall\",\"from\":\"started\",\"to\":\"absent\","
                       "\"stop\":[\"archy-web.service\",\"archy-web-ui.service\",\"archy-web-init.service\","
                       "\"archy-web-data-volume.service\"],\"restart\":[],\"start\":[],\"wait\":false}"
                       "],\"network_stop\":true,\"noop\":false}");
        plan_free(&p);
        compute(none, none, running_none, &p);
        strbuf_reset(&sb);
        plan_render_json(&p, &sb);
        assert_text_eq(strbuf_str(&sb), "{\"apps\":[],\"network_stop\":false,\"noop\":true}");
        plan_free(&p);
        ck_assert(!strbuf_failed(&sb));
        manifest_free(old);
        manifest_free(new);
        manifest_free(none);
}
END_TEST

START_TEST(text_rendering) {
        struct manifest *old = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "started", KNOTS_UI)
                                            NODE("bitcoin-core", "uninstalled", "") LND("bitcoin-knots") TOOL OTHER);
        struct manifest *new = yaml("version: 1\napps:\n" NODE("bitcoin-knots", "uninstalled", KNOTS_UI)
                                            NODE("bitcoin-core", "started", "") LND("bitcoin-core") TOOL OTHER);
        struct plan p;
        compute(old, new, switch_running, &p);
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        plan_render_text(&p, &sb);
        assert_text_eq(strbuf_str(&sb),
                       "bitcoin-knots  uninstall  started -> uninstalled  stop: archy-bitcoin-knots.service "
                       "archy-bitcoin-knots-ui.service archy-bitcoin-knots-bitcoin-data-volume.service\n"
                       "bitcoin-core   install    uninstalled -> started  start: archy-bitcoin-core.service\n"
                       "lnd            restart    started -> started      restart: archy-lnd.service "
                       "archy-lnd-ui.service\n"
                       "tool           start      started -> started      start: archy-tool.service\n"
                       "unchanged (1): other\n");
        plan_free(&p);

        compute(new, new, NULL, &p);
        strbuf_reset(&sb);
        plan_render_text(&p, &sb);
        assert_text_eq(strbuf_str(&sb), "nothing to do\n");
        plan_free(&p);

        /* stop, restart and start on one line; the last app gone */
        struct manifest *a = yaml("version: 1\napps:\n" WEB_APP("started", "localhost/u:1"));
        struct manifest *b = yaml("version: 1\napps:\n  web:\n    containers:\n"
                                  "      main: {image: localhost/w:1, volumes: [\"data:/d\"]}\n"
                                  "      ui: {image: localhost/u:2, volumes: [\"data:/d:ro\"]}\n"
                                  "      extra: {image: localhost/e:1}\n");
        struct manifest *c = yaml("version: 1\napps: {}\n");
        compute(a, b, running_started, &p);
        strbuf_reset(&sb);
        plan_render_text(&p, &sb);
        assert_text_eq(strbuf_str(&sb), "web  restart    started -> started  stop: archy-web-init.service; restart: "
                                        "archy-web-ui.service; start: archy-web-extra.service\n");
        plan_free(&p);
        compute(b, c, running_started, &p);
        strbuf_reset(&sb);
        plan_render_text(&p, &sb);
        assert_text_eq(strbuf_str(&sb),
                       "web  uninstall  started -> absent  stop: archy-web.service archy-web-ui.service "
                       "archy-web-extra.service archy-web-data-volume.service\n"
                       "network: no app is left, archipelago-network.service stops\n");
        manifest_free(a);
        manifest_free(b);
        manifest_free(c);
        plan_free(&p);
        manifest_free(old);
        manifest_free(new);
}
END_TEST

/* ---- archyctl restart: plan_force_restart() ---- */

START_TEST(force_restart_restarts_the_app_and_starts_its_dependents_again) {
        struct manifest *m =
                yaml("version: 1\napps:\n" NODE("bitcoin-core", "started", "") LND("bitcoin-core") TOOL OTHER);
        struct plan p;
        compute(m, m, NULL, &p);
        ck_assert(plan_is_noop(&p));
        ck_assert_int_eq(plan_force_restart(&p, m, "lnd"), 0);
        assert_app(&p, "lnd",
                   "restart started->started stop=[] restart=[archy-lnd.service archy-lnd-ui.service] start=[] wait");
        /* tool requires lnd: the restart's stop of lnd takes it down, so it is started again */
        assert_app(&p, "tool", "start started->started stop=[] restart=[] start=[archy-tool.service] wait");
        assert_app(&p, "bitcoin-core", "unchanged started->started stop=[] restart=[] start=[] nowait");
        assert_app(&p, "other", "unchanged started->started stop=[] restart=[] start=[] nowait");
        plan_free(&p);
        manifest_free(m);
}
END_TEST

START_TEST(force_restart_takes_a_unit_off_the_start_list) {
        struct manifest *m = web("started");
        struct plan p;
        compute(m, m, running_stopped, &p); /* started, but main and ui are not running */
        assert_app(&p, "web",
                   "start started->started stop=[] restart=[] start=[archy-web.service archy-web-ui.service] wait");
        ck_assert_int_eq(plan_force_restart(&p, m, "web"), 0);
        assert_app(&p, "web", "restart started->started stop=[] restart=[" WEB_SERVICES "] start=[] wait");
        plan_free(&p);
        manifest_free(m);
}
END_TEST

START_TEST(force_restart_refuses_an_app_not_started_or_unknown) {
        const char *states[] = {"stopped", "uninstalled"};
        for (size_t i = 0; i < 2; i++) {
                struct manifest *m = web(states[i]);
                struct plan p;
                compute(m, m, running_in(states[i]), &p);
                ck_assert_int_eq(plan_force_restart(&p, m, "web"), -EINVAL);
                ck_assert_int_eq(plan_force_restart(&p, m, "nope"), -ENOENT);
                plan_free(&p);
                manifest_free(m);
        }
}
END_TEST

Suite *plan_suite(void) {
        Suite *s = suite_create("plan");
        TCase *tc = tcase_create("transitions");
        tcase_add_loop_test(tc, every_transition, 0, (int)ELEMENTSOF(transitions));
        tcase_add_test(tc, same_state_is_a_noop);
        tcase_add_test(tc, no_installed_manifest);
        suite_add_tcase(s, tc);
        tc = tcase_create("edits");
        tcase_add_test(tc, edit_restarts_exactly_the_changed_unit);
        tcase_add_test(tc, manifest_path_is_no_edit);
        tcase_add_test(tc, added_part_starts);
        tcase_add_test(tc, removed_part_stops);
        tcase_add_test(tc, renamed_part_stops_and_starts);
        tcase_add_test(tc, removed_volume_stops_its_service);
        tcase_add_test(tc, changed_volume_restarts_its_service);
        tcase_add_test(tc, stopped_app_edit_waits_for_its_start);
        tcase_add_test(tc, skipped_app_is_planned_as_uninstalled);
        suite_add_tcase(s, tc);
        tc = tcase_create("running");
        tcase_add_test(tc, started_but_not_running_starts);
        tcase_add_test(tc, oneshot_is_not_expected_to_run);
        tcase_add_test(tc, network_stops_when_nothing_is_left);
        suite_add_tcase(s, tc);
        tc = tcase_create("dependencies");
        tcase_add_test(tc, node_switch);
        tcase_add_test(tc, node_switch_rerun_after_the_stops);
        tcase_add_test(tc, stop_passes_on_only_from_running_units);
        tcase_add_test(tc, stop_with_dependents_stopped_too);
        tcase_add_test(tc, dependent_installed_restarts_nothing_else);
        tcase_add_test(tc, node_switch_of_the_shipped_manifest);
        suite_add_tcase(s, tc);
        tc = tcase_create("force restart");
        tcase_add_test(tc, force_restart_restarts_the_app_and_starts_its_dependents_again);
        tcase_add_test(tc, force_restart_takes_a_unit_off_the_start_list);
        tcase_add_test(tc, force_restart_refuses_an_app_not_started_or_unknown);
        suite_add_tcase(s, tc);
        tc = tcase_create("render");
        tcase_add_test(tc, json_structure);
        tcase_add_test(tc, text_rendering);
        suite_add_tcase(s, tc);
        return s;
}
