/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "strbuf.h"
#include "strv.h"

const char *status_level_to_string(enum status_level l) {
        static const char *const names[] = {"ok", "degraded", "attention"};
        return names[l];
}

const char *status_health_to_string(enum status_health h) {
        static const char *const names[_HEALTH_MAX] = {NULL, "none", "starting", "healthy", "unhealthy", "unknown"};
        return names[h];
}

const char *status_helper_to_string(enum status_helper_id h) {
        static const char *const names[_HELPER_MAX] = {"derive",     "podman-repair", "reconcile",
                                                       "verify-ota", "apply-resume",  "metrics"};
        return names[h];
}

char *status_strdup(struct status *s, const char *str) {
        if (!str)
                return NULL;
        char *c = strdup(str);
        if (!c)
                s->oom = true;
        return c;
}

void status_strv_add(struct status *s, char ***list, size_t *n, const char *str) {
        if (strv_push(list, n, strdup(str ? str : "")) < 0)
                s->oom = true;
}

static void *grow(struct status *s, void **items, size_t *n, size_t size) {
        void *p = realloc(*items, (*n + 1) * size);
        if (!p) {
                s->oom = true;
                return NULL;
        }
        *items = p;
        void *e = (char *)p + *n * size;
        memset(e, 0, size);
        (*n)++;
        return e;
}

struct status_app *status_add_app(struct status *s, const char *name, const char *desired) {
        struct status_app *a = grow(s, (void **)&s->apps, &s->n_apps, sizeof *a);
        if (a) {
                a->name = status_strdup(s, name);
                a->desired = status_strdup(s, desired);
        }
        return a;
}

struct status_pull *status_add_pull(struct status *s, struct status_pull *p) {
        struct status_pull *n = grow(s, (void **)&s->pulls, &s->n_pulls, sizeof *n);
        if (n) {
                *n = *p;
                *p = (struct status_pull){0};
        }
        return n;
}

struct status_unit *status_add_unit(struct status *s, struct status_app *a, const char *unit, const char *part) {
        struct status_unit *u = grow(s, (void **)&a->units, &a->n_units, sizeof *u);
        if (u) {
                u->unit = status_strdup(s, unit);
                u->part = status_strdup(s, part);
        }
        return u;
}

struct status_probe *status_add_probe(struct status *s, struct status_app *a, const char *name, const char *kind,
                                      const char *target) {
        struct status_probe *p = grow(s, (void **)&a->probes, &a->n_probes, sizeof *p);
        if (p) {
                p->name = status_strdup(s, name);
                p->kind = kind;
                p->target = status_strdup(s, target);
        }
        return p;
}

/* ---- verdict ------------------------------------------------------------------------------ */

static void problem(struct status *s, enum status_level level, struct status_app *a, const char *fmt, ...)
        _printf_(4, 5);
static void problem(struct status *s, enum status_level level, struct status_app *a, const char *fmt, ...) {
        struct status_problem *p = grow(s, (void **)&s->problems, &s->n_problems, sizeof *p);
        if (!p)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&p->text, fmt, ap) < 0) {
                p->text = NULL;
                s->oom = true;
        }
        va_end(ap);
        p->level = level;
        p->app = a ? status_strdup(s, a->name) : NULL;
        if (level > s->verdict)
                s->verdict = level;
        if (a && level > a->level)
                a->level = level;
}

static void format_time(char buf[static 32], long long t) {
        struct tm tm;
        time_t tt = (time_t)t;
        if (t <= 0 || !gmtime_r(&tt, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, 32, "an unknown time");
}

static void describe_failure(char buf[static 160], const struct status_unit *u) {
        char at[32];
        format_time(at, (long long)(u->failed_at_usec / 1000000));
        if (u->exec_main_code)
                snprintf(buf, 160, "%s, main process %s with %s %d, at %s", u->result, u->exec_main_code,
                         strcmp(u->exec_main_code, "exited") == 0 ? "status" : "signal", u->exec_main_status, at);
        else
                snprintf(buf, 160, "%s, at %s", u->result ? u->result : "unknown result", at);
}

static bool running(const struct status_unit *u) {
        return u->loaded && (strcmp(u->active_state, "active") == 0 || strcmp(u->active_state, "activating") == 0 ||
                             strcmp(u->active_state, "reloading") == 0 || strcmp(u->active_state, "refreshing") == 0);
}

static void evaluate_started_unit(struct status *s, struct status_app *a, const struct status_unit *u) {
        char why[160];
        if (!u->loaded)
                return problem(s, STATUS_ATTENTION, a, "%s is not loaded: systemd has no such unit (was it generated?)",
                               u->unit);
        if (strcmp(u->active_state, "failed") == 0) {
                describe_failure(why, u);
                return problem(s, STATUS_ATTENTION, a, "%s failed (%s) after %u automatic restarts", u->unit, why,
                               u->n_restarts);
        }
        if (strcmp(u->active_state, "active") == 0) {
                if (u->health == HEALTH_UNHEALTHY)
                        problem(s, STATUS_DEGRADED, a, "%s is unhealthy (%u failed checks in a row)", u->unit,
                                u->failing_streak);
                else if (u->health == HEALTH_STARTING)
                        problem(s, STATUS_DEGRADED, a, "%s is running, its health check has not passed yet", u->unit);
                return;
        }
        if (strcmp(u->active_state, "inactive") == 0 && u->oneshot && (!u->result || strcmp(u->result, "success") == 0))
                return; /* ran to completion */
        if (strcmp(u->sub_state, "auto-restart") == 0) {
                describe_failure(why, u);
                return problem(s, STATUS_DEGRADED, a, "%s is waiting to restart (%s; %u automatic restarts)", u->unit,
                               why, u->n_restarts);
        }
        problem(s, STATUS_DEGRADED, a, "%s is %s (%s) though %s is started", u->unit, u->active_state, u->sub_state,
                a->name);
}

static void evaluate_app(struct status *s, struct status_app *a) {
        if (a->skipped)
                return problem(s, STATUS_ATTENTION, a,
                               "the manifest has problems in app %s: it has no units until they are fixed", a->name);
        bool started = strcmp(a->desired, "started") == 0;
        for (size_t i = 0; started && i < a->n_probes; i++) {
                const struct status_probe *p = &a->probes[i];
                char at[32];
                format_time(at, p->checked_at);
                if (p->checked && !p->ok)
                        problem(s, STATUS_DEGRADED, a, "probe %s of %s (%s %s) failed at %s: %s", p->name, a->name,
                                p->kind, p->target, at, p->detail ? p->detail : "no detail");
        }
        for (size_t i = 0; i < a->n_units; i++) {
                const struct status_unit *u = &a->units[i];
                if (started)
                        evaluate_started_unit(s, a, u);
                else if (running(u))
                        problem(s, STATUS_DEGRADED, a, "%s is %s though %s is %s", u->unit, u->active_state, a->name,
                                a->desired);
        }
}

static void evaluate_manifest(struct status *s) {
        const struct status_manifest *m = &s->manifest;
        if (m->fallback)
                problem(s, STATUS_ATTENTION, NULL,
                        "the manifest %s is unusable (%zu problem%s): the last good copy %s is in use", m->path,
                        m->n_problems, m->n_problems == 1 ? "" : "s", m->last_good);
        else if (m->present && !m->in_use)
                problem(s, STATUS_ATTENTION, NULL,
                        "the manifest %s is unusable and so is its last good copy %s: no app has units", m->path,
                        m->last_good);
}

static void evaluate_podman(struct status *s) {
        const struct status_podman *p = &s->podman;
        if (!p->known) {
                if (p->error)
                        problem(s, STATUS_DEGRADED, NULL, "podman's health is unknown: %s", p->error);
                return;
        }
        if (strcmp(p->result, "gave-up") == 0)
                problem(s, STATUS_ATTENTION, NULL, "archy-podman-repair gave up: %s",
                        p->gave_up_reason ? p->gave_up_reason : "no reason given");
        else if (strcmp(p->result, "failed") == 0 || strcmp(p->result, "needs-attention") == 0)
                problem(s, STATUS_ATTENTION, NULL, "podman is %s: archy-podman-repair's result is %s",
                        p->state_now ? p->state_now : "unhealthy", p->result);
        else if (!p->healthy)
                problem(s, STATUS_DEGRADED, NULL, "podman is %s", p->state_now ? p->state_now : "not healthy");
}

static void evaluate_ota(struct status *s) {
        const struct status_ota *o = &s->ota;
        if (o->error)
                return problem(s, STATUS_ATTENTION, NULL, "the OTA verification state is unreadable: %s", o->error);
        if (!o->known)
                return;
        if (strcmp(o->phase, "rolled-back") == 0)
                problem(s, STATUS_ATTENTION, NULL, "the update to %s was rolled back to %s: %s",
                        o->new_version ? o->new_version : "?", o->previous_version ? o->previous_version : "?",
                        o->reason ? o->reason : "no reason recorded");
        else if (strcmp(o->phase, "committed") != 0)
                problem(s, STATUS_DEGRADED, NULL, "the update to %s is being verified (%s, %u attempts)",
                        o->new_version ? o->new_version : "?", o->phase, o->attempts);
}

static void evaluate_probes(struct status *s) {
        if (s->probes_error)
                problem(s, STATUS_DEGRADED, NULL, "the probe results are unknown: %s", s->probes_error);
}

static void evaluate_derive(struct status *s) {
        const struct status_helper *d = &s->helpers[HELPER_DERIVE];
        if (d->found && d->result && strcmp(d->result, "success") != 0)
                problem(s, STATUS_DEGRADED, NULL,
                        "archy-derive's last run failed (%s, status %d): see journalctl -u archy-derive.service",
                        d->result, d->exec_main_status);
}

void status_evaluate(struct status *s) {
        evaluate_manifest(s);
        for (size_t i = 0; i < s->n_apps; i++)
                evaluate_app(s, &s->apps[i]);
        evaluate_podman(s);
        evaluate_ota(s);
        evaluate_derive(s);
        evaluate_probes(s);
}

int status_exit_status(const struct status *s) {
        return s->verdict == STATUS_ATTENTION ? CTL_EXIT_ATTENTION : CTL_EXIT_OK;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void jstr(struct strbuf *b, const char *v) {
        if (v)
                strbuf_json_string(b, v, strlen(v));
        else
                strbuf_puts(b, "null");
}

static void jkey(struct strbuf *b, bool *first, const char *key) {
        strbuf_puts(b, *first ? "" : ", ");
        *first = false;
        strbuf_json_string(b, key, strlen(key));
        strbuf_puts(b, ": ");
}

static void kstr(struct strbuf *b, bool *first, const char *key, const char *v) {
        jkey(b, first, key);
        jstr(b, v);
}

static void kbool(struct strbuf *b, bool *first, const char *key, bool v) {
        jkey(b, first, key);
        strbuf_puts(b, v ? "true" : "false");
}

static void knum(struct strbuf *b, bool *first, const char *key, long long v) {
        jkey(b, first, key);
        strbuf_printf(b, "%lld", v);
}

/* "KEY": "2026-...Z", "KEY_unix": N, or both null when t is 0 */
static void ktime(struct strbuf *b, bool *first, const char *key, long long t) {
        char k[64], v[32];
        format_time(v, t);
        kstr(b, first, key, t > 0 ? v : NULL);
        snprintf(k, sizeof k, "%s_unix", key);
        jkey(b, first, k);
        if (t > 0)
                strbuf_printf(b, "%lld", t);
        else
                strbuf_puts(b, "null");
}

static void kstrv(struct strbuf *b, bool *first, const char *key, char *const *v, size_t n) {
        jkey(b, first, key);
        strbuf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
                strbuf_puts(b, i ? ", " : "");
                jstr(b, v[i]);
        }
        strbuf_putc(b, ']');
}

static void json_failure(struct strbuf *b, const struct status_unit *u) {
        if (!u->result || strcmp(u->result, "success") == 0) {
                strbuf_puts(b, "null");
                return;
        }
        bool f = true;
        strbuf_putc(b, '{');
        ktime(b, &f, "at", (long long)(u->failed_at_usec / 1000000));
        kstr(b, &f, "result", u->result);
        kstr(b, &f, "exec_main_code", u->exec_main_code);
        jkey(b, &f, "exec_main_status");
        if (u->exec_main_code)
                strbuf_printf(b, "%d", u->exec_main_status);
        else
                strbuf_puts(b, "null");
        strbuf_putc(b, '}');
}

static void json_unit(struct strbuf *b, const struct status_unit *u) {
        bool f = true;
        strbuf_puts(b, "{");
        kstr(b, &f, "unit", u->unit);
        kstr(b, &f, "container", u->part);
        kbool(b, &f, "loaded", u->loaded);
        kstr(b, &f, "active_state", u->active_state);
        kstr(b, &f, "sub_state", u->sub_state);
        ktime(b, &f, "since", (long long)(u->state_since_usec / 1000000));
        kbool(b, &f, "oneshot", u->oneshot);
        kstr(b, &f, "health", status_health_to_string(u->health));
        kstr(b, &f, "health_source", u->health_source);
        knum(b, &f, "failing_streak", u->failing_streak);
        knum(b, &f, "restarts", u->n_restarts);
        jkey(b, &f, "last_failure");
        json_failure(b, u);
        strbuf_putc(b, '}');
}

static void json_rolled_back(struct strbuf *b, const struct rollback_record *r) {
        if (!r) {
                strbuf_puts(b, "null");
                return;
        }
        bool f = true;
        strbuf_putc(b, '{');
        ktime(b, &f, "at", r->at);
        kstr(b, &f, "reason", r->reason);
        jkey(b, &f, "images");
        strbuf_putc(b, '[');
        for (size_t i = 0; i < r->n_images; i++) {
                bool g = true;
                strbuf_puts(b, i ? ", {" : "{");
                kstr(b, &g, "container", r->images[i].part);
                kstr(b, &g, "from", r->images[i].from);
                kstr(b, &g, "to", r->images[i].to);
                strbuf_putc(b, '}');
        }
        strbuf_puts(b, "]}");
}

static void json_probe(struct strbuf *b, const struct status_probe *p) {
        bool f = true;
        strbuf_putc(b, '{');
        kstr(b, &f, "name", p->name);
        kstr(b, &f, "kind", p->kind);
        kstr(b, &f, "target", p->target);
        jkey(b, &f, "ok");
        strbuf_puts(b, !p->checked ? "null" : p->ok ? "true" : "false");
        kstr(b, &f, "detail", p->checked ? p->detail : NULL);
        jkey(b, &f, "duration_ms");
        if (p->checked)
                strbuf_printf(b, "%u", p->duration_ms);
        else
                strbuf_puts(b, "null");
        ktime(b, &f, "checked_at", p->checked ? p->checked_at : 0);
        strbuf_putc(b, '}');
}

static void json_app(struct strbuf *b, const struct status_app *a) {
        bool f = true;
        strbuf_puts(b, "    {");
        kstr(b, &f, "name", a->name);
        kstr(b, &f, "desired", a->desired);
        kbool(b, &f, "skipped", a->skipped);
        kstr(b, &f, "level", status_level_to_string(a->level));
        jkey(b, &f, "reconcile");
        bool g = true;
        strbuf_putc(b, '{');
        knum(b, &g, "restarts", a->reconcile.restarts);
        ktime(b, &g, "next_retry", a->reconcile.next_retry);
        kstr(b, &g, "last_reason", a->reconcile.last_reason);
        strbuf_putc(b, '}');
        jkey(b, &f, "units");
        strbuf_putc(b, '[');
        for (size_t i = 0; i < a->n_units; i++) {
                strbuf_puts(b, i ? ",\n      " : "\n      ");
                json_unit(b, &a->units[i]);
        }
        strbuf_puts(b, a->n_units ? "\n    ]" : "]");
        jkey(b, &f, "rolled_back");
        json_rolled_back(b, a->rolled_back);
        jkey(b, &f, "probes");
        strbuf_putc(b, '[');
        for (size_t i = 0; i < a->n_probes; i++) {
                strbuf_puts(b, i ? ",\n      " : "\n      ");
                json_probe(b, &a->probes[i]);
        }
        strbuf_puts(b, a->n_probes ? "\n    ]" : "]");
        strbuf_putc(b, '}');
}

static void json_manifest(struct strbuf *b, const struct status_manifest *m) {
        bool f = true;
        strbuf_puts(b, "  \"manifest\": {");
        kstr(b, &f, "path", m->path);
        kstr(b, &f, "last_good", m->last_good);
        kstr(b, &f, "in_use", m->in_use);
        kbool(b, &f, "present", m->present);
        kbool(b, &f, "fallback", m->fallback);
        kstrv(b, &f, "problems", m->problems, m->n_problems);
        kstrv(b, &f, "last_good_problems", m->last_good_problems, m->n_last_good_problems);
        strbuf_puts(b, "},\n");
}

static void json_node(struct strbuf *b, const struct status_node *n) {
        bool f = true;
        strbuf_puts(b, "  \"node\": {");
        kstr(b, &f, "mode", n->mode ? n->mode : "rootful");
        kstr(b, &f, "user", n->user ? n->user : "root");
        strbuf_puts(b, "},\n");
}

static void json_podman(struct strbuf *b, const struct status_podman *p) {
        bool f = true;
        strbuf_puts(b, "  \"podman\": {");
        kbool(b, &f, "known", p->known);
        kstr(b, &f, "error", p->error);
        kstr(b, &f, "result", p->result);
        jkey(b, &f, "healthy");
        strbuf_puts(b, !p->known ? "null" : p->healthy ? "true" : "false");
        kstr(b, &f, "state_now", p->state_now);
        knum(b, &f, "failed_repairs_in_a_row", p->failed_repairs_in_a_row);
        kstr(b, &f, "gave_up_reason", p->gave_up_reason);
        ktime(b, &f, "checked_at", p->checked_at);
        strbuf_puts(b, "},\n");
}

static void json_ota(struct strbuf *b, const struct status_ota *o) {
        bool f = true;
        strbuf_puts(b, "  \"ota\": {");
        kbool(b, &f, "known", o->known);
        kstr(b, &f, "error", o->error);
        kstr(b, &f, "phase", o->phase);
        kstr(b, &f, "new_version", o->new_version);
        kstr(b, &f, "previous_version", o->previous_version);
        kstr(b, &f, "reason", o->reason);
        knum(b, &f, "attempts", o->attempts);
        ktime(b, &f, "applied_at", o->applied_at);
        ktime(b, &f, "decided_at", o->decided_at);
        strbuf_puts(b, "},\n");
}

static void json_derive(struct strbuf *b, const struct status_helper *d) {
        bool f = true;
        strbuf_puts(b, "  \"derive\": {");
        kbool(b, &f, "found", d->found);
        kstr(b, &f, "last_result", d->result);
        jkey(b, &f, "last_exit_status");
        if (d->found && d->last_run_usec)
                strbuf_printf(b, "%d", d->exec_main_status);
        else
                strbuf_puts(b, "null");
        ktime(b, &f, "last_run", (long long)(d->last_run_usec / 1000000));
        kstr(b, &f, "drift", "unknown");
        strbuf_puts(b, "},\n");
}

static void json_reconcile(struct strbuf *b, const struct status_reconcile *r) {
        bool f = true;
        strbuf_puts(b, "  \"reconcile\": {");
        kbool(b, &f, "known", r->known);
        kstr(b, &f, "error", r->error);
        ktime(b, &f, "last_full_scan", r->last_full_scan);
        strbuf_puts(b, "},\n");
}

static void json_problems(struct strbuf *b, const struct status *s) {
        strbuf_puts(b, "  \"problems\": [");
        for (size_t i = 0; i < s->n_problems; i++) {
                bool f = true;
                strbuf_puts(b, i ? ",\n    {" : "\n    {");
                kstr(b, &f, "level", status_level_to_string(s->problems[i].level));
                kstr(b, &f, "app", s->problems[i].app);
                kstr(b, &f, "text", s->problems[i].text);
                strbuf_putc(b, '}');
        }
        strbuf_puts(b, s->n_problems ? "\n  ],\n" : "],\n");
}

static void json_pulls(struct strbuf *b, const struct status *s) {
        strbuf_puts(b, "  \"pulls\": [");
        for (size_t i = 0; i < s->n_pulls; i++) {
                bool f = true;
                strbuf_puts(b, i ? ", {" : "{");
                kstr(b, &f, "app", s->pulls[i].app);
                kstr(b, &f, "container", s->pulls[i].part);
                kstr(b, &f, "image", s->pulls[i].image);
                ktime(b, &f, "since", s->pulls[i].since);
                strbuf_putc(b, '}');
        }
        strbuf_puts(b, "],\n");
}

char *status_render_json(const struct status *s) {
        struct strbuf b = STRBUF_INIT;
        bool f = true;
        strbuf_puts(&b, "{\n  ");
        kstr(&b, &f, "verdict", status_level_to_string(s->verdict));
        strbuf_puts(&b, ",\n  ");
        f = true;
        ktime(&b, &f, "checked_at", s->now);
        strbuf_puts(&b, ",\n");
        json_problems(&b, s);
        json_manifest(&b, &s->manifest);
        json_node(&b, &s->node);
        strbuf_puts(&b, "  \"apps\": [");
        for (size_t i = 0; i < s->n_apps; i++) {
                strbuf_puts(&b, i ? ",\n" : "\n");
                json_app(&b, &s->apps[i]);
        }
        strbuf_puts(&b, s->n_apps ? "\n  ],\n" : "],\n");
        json_pulls(&b, s);
        json_podman(&b, &s->podman);
        json_ota(&b, &s->ota);
        json_derive(&b, &s->helpers[HELPER_DERIVE]);
        json_reconcile(&b, &s->reconcile);
        /* the last member has no comma: drop the one json_reconcile() wrote */
        b.len -= 2;
        b.data[b.len] = '\0';
        strbuf_puts(&b, "\n}\n");
        if (strbuf_failed(&b)) {
                strbuf_free(&b);
                return NULL;
        }
        return strbuf_steal(&b);
}

/* ---- text --------------------------------------------------------------------------------- */

static void text_unit(struct strbuf *b, const struct status_unit *u) {
        if (!u->loaded) {
                strbuf_printf(b, "    %-34s not loaded\n", u->unit);
                return;
        }
        char state[80];
        snprintf(state, sizeof state, "%s (%s)", u->active_state, u->sub_state);
        size_t start = b->len;
        strbuf_printf(b, "    %-34s %-22s", u->unit, state);
        const char *h = status_health_to_string(u->health);
        if (h && u->health != HEALTH_NONE)
                strbuf_printf(b, " health %s", h);
        if (u->n_restarts)
                strbuf_printf(b, " restarts %u", u->n_restarts);
        if (u->result && strcmp(u->result, "success") != 0) {
                char why[160];
                describe_failure(why, u);
                strbuf_printf(b, " last failure: %s", why);
        }
        while (!strbuf_failed(b) && b->len > start && b->data[b->len - 1] == ' ')
                b->data[--b->len] = '\0';
        strbuf_putc(b, '\n');
}

static void text_node(struct strbuf *b, const struct status *s) {
        char t[32];
        const struct status_manifest *m = &s->manifest;
        if (m->fallback)
                strbuf_printf(b, "manifest:  %s (the LAST GOOD COPY: %s is unusable)\n", m->in_use, m->path);
        else
                strbuf_printf(b, "manifest:  %s\n",
                              m->in_use    ? m->in_use
                              : m->present ? "none usable"
                                           : "none (no apps)");
        for (size_t i = 0; i < m->n_problems; i++)
                strbuf_printf(b, "  %s\n", m->problems[i]);
        strbuf_printf(b, "node:      %s (apps run as %s)\n", s->node.mode ? s->node.mode : "rootful",
                      s->node.user ? s->node.user : "root");
        const struct status_podman *p = &s->podman;
        format_time(t, p->checked_at);
        if (p->known)
                strbuf_printf(b, "podman:    %s (%s, checked %s)\n", p->state_now ? p->state_now : "?", p->result, t);
        else
                strbuf_printf(b, "podman:    unknown (%s)\n",
                              p->error ? p->error : "archy-podman-repair has not run yet");
        const struct status_ota *o = &s->ota;
        format_time(t, o->decided_at ? o->decided_at : o->applied_at);
        if (o->known)
                strbuf_printf(b, "ota:       %s %s -> %s (%s)\n", o->phase,
                              o->previous_version ? o->previous_version : "?", o->new_version ? o->new_version : "?",
                              t);
        else
                strbuf_printf(b, "ota:       %s\n", o->error ? o->error : "no update verified");
        const struct status_helper *d = &s->helpers[HELPER_DERIVE];
        format_time(t, (long long)(d->last_run_usec / 1000000));
        if (d->found && d->last_run_usec)
                strbuf_printf(b, "derive:    last run %s at %s (per-file drift: unknown)\n", d->result, t);
        else
                strbuf_printf(b, "derive:    no run yet (per-file drift: unknown)\n");
}

/* "    reconcile: 2 restarts, next retry in 60 s (TIME); last: REASON" */
static void text_reconcile(struct strbuf *b, const struct status_app_reconcile *r) {
        if (r->restarts == 0 && !r->next_retry)
                return;
        strbuf_printf(b, "    reconcile: %u restart%s by archy-reconcile", r->restarts, r->restarts == 1 ? "" : "s");
        if (r->next_retry) {
                char at[32];
                format_time(at, r->next_retry);
                strbuf_printf(b, ", next retry %s", at);
        }
        if (r->last_reason)
                strbuf_printf(b, "; last: %s", r->last_reason);
        strbuf_putc(b, '\n');
}

static void text_probe(struct strbuf *b, const struct status_probe *p) {
        char t[32], who[80];
        format_time(t, p->checked_at);
        snprintf(who, sizeof who, "probe %s", p->name);
        if (!p->checked)
                strbuf_printf(b, "    %-34s not probed yet (%s %s)\n", who, p->kind, p->target);
        else
                strbuf_printf(b, "    %-34s %-4s %s (%s %s, %u ms, at %s)\n", who, p->ok ? "ok" : "FAIL", p->detail,
                              p->kind, p->target, p->duration_ms, t);
}

static void text_rolled_back(struct strbuf *b, const struct rollback_record *r) {
        if (!r)
                return;
        char t[32];
        format_time(t, r->at);
        for (size_t i = 0; i < r->n_images; i++)
                strbuf_printf(b, "    rolled back at %s: %s %s -> %s\n", t, r->images[i].part, r->images[i].from,
                              r->images[i].to);
        if (r->reason && *r->reason)
                strbuf_printf(b, "      why: %s\n", r->reason);
}

char *status_render_text(const struct status *s) {
        struct strbuf b = STRBUF_INIT;
        strbuf_printf(&b, "verdict:   %s\n", status_level_to_string(s->verdict));
        text_node(&b, s);
        strbuf_puts(&b, s->n_apps ? "apps:\n" : "apps:      none\n");
        for (size_t i = 0; i < s->n_apps; i++) {
                const struct status_app *a = &s->apps[i];
                strbuf_printf(&b, "  %-24s %-12s %s%s\n", a->name, a->desired, status_level_to_string(a->level),
                              a->skipped ? " (skipped: the manifest has problems in it)" : "");
                text_reconcile(&b, &a->reconcile);
                for (size_t j = 0; j < a->n_units; j++)
                        text_unit(&b, &a->units[j]);
                for (size_t j = 0; j < a->n_probes; j++)
                        text_probe(&b, &a->probes[j]);
                text_rolled_back(&b, a->rolled_back);
        }
        for (size_t i = 0; i < s->n_pulls; i++) {
                char t[32];
                format_time(t, s->pulls[i].since);
                strbuf_printf(&b, "pulling:   %s/%s %s since %s (archyctl apply)\n", s->pulls[i].app, s->pulls[i].part,
                              s->pulls[i].image, t);
        }
        if (s->n_problems)
                strbuf_puts(&b, "problems:\n");
        for (size_t i = 0; i < s->n_problems; i++)
                strbuf_printf(&b, "  %-9s %s\n", status_level_to_string(s->problems[i].level), s->problems[i].text);
        if (strbuf_failed(&b)) {
                strbuf_free(&b);
                return NULL;
        }
        return strbuf_steal(&b);
}

/* ---- free --------------------------------------------------------------------------------- */

static void unit_free(struct status_unit *u) {
        free(u->unit);
        free(u->part);
        free(u->active_state);
        free(u->sub_state);
        free(u->result);
        free(u->exec_main_code);
}

void status_free(struct status *s) {
        for (size_t i = 0; i < s->n_apps; i++) {
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        unit_free(&s->apps[i].units[j]);
                free(s->apps[i].units);
                for (size_t j = 0; j < s->apps[i].n_probes; j++) {
                        free(s->apps[i].probes[j].name);
                        free(s->apps[i].probes[j].target);
                        free(s->apps[i].probes[j].detail);
                }
                free(s->apps[i].probes);
                if (s->apps[i].rolled_back)
                        rollback_record_done(s->apps[i].rolled_back);
                free(s->apps[i].rolled_back);
                free(s->apps[i].name);
                free(s->apps[i].desired);
                free(s->apps[i].reconcile.last_reason);
        }
        free(s->apps);
        for (size_t i = 0; i < s->n_pulls; i++) {
                free(s->pulls[i].app);
                free(s->pulls[i].part);
                free(s->pulls[i].image);
        }
        free(s->pulls);
        for (size_t i = 0; i < s->n_problems; i++) {
                free(s->problems[i].app);
                free(s->problems[i].text);
        }
        free(s->problems);
        free(s->node.user);
        struct status_manifest *m = &s->manifest;
        free(m->path);
        free(m->last_good);
        free(m->in_use);
        strv_free(m->problems);
        strv_free(m->last_good_problems);
        struct status_podman *p = &s->podman;
        free(p->error);
        free(p->result);
        free(p->state_now);
        free(p->gave_up_reason);
        struct status_ota *o = &s->ota;
        free(o->error);
        free(o->phase);
        free(o->reason);
        free(o->new_version);
        free(o->previous_version);
        for (size_t i = 0; i < _HELPER_MAX; i++)
                free(s->helpers[i].result);
        for (size_t i = 0; i < s->n_drift; i++) {
                free(s->drift[i].app);
                free(s->drift[i].file);
        }
        free(s->drift);
        for (size_t i = 0; i < s->n_disks; i++)
                free(s->disks[i].path);
        free(s->reconcile.error);
        free(s->probes_error);
        *s = (struct status){0};
}
