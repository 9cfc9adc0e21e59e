/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure: archyctl doctor's checks, their verdicts and suggestions, and the renderings (doctor.h). */
#include "doctor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "macro.h"
#include "strbuf.h"
#include "strv.h"

const char *doctor_verdict_to_string(enum doctor_verdict v) {
        static const char *const names[] = {"ok", "not-checked", "warning", "attention"};
        return names[v];
}

/* ---- building a check --------------------------------------------------------------------- */

static char *vformat(struct doctor_report *r, const char *fmt, va_list ap) _printf_(2, 0);
static char *vformat(struct doctor_report *r, const char *fmt, va_list ap) {
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0) {
                r->oom = true;
                return NULL;
        }
        return s;
}

/* A new check with its verdict and detail; NULL (r->oom) when the table is full or memory is out. */
static struct doctor_check *check(struct doctor_report *r, const char *name, enum doctor_verdict v, const char *fmt,
                                  ...) _printf_(4, 5);
static struct doctor_check *check(struct doctor_report *r, const char *name, enum doctor_verdict v, const char *fmt,
                                  ...) {
        if (r->n_checks >= DOCTOR_MAX_CHECKS) {
                r->oom = true;
                return NULL;
        }
        struct doctor_check *c = &r->checks[r->n_checks++];
        *c = (struct doctor_check){.name = name, .verdict = v};
        va_list ap;
        va_start(ap, fmt);
        c->detail = vformat(r, fmt, ap);
        va_end(ap);
        return c;
}

static void suggest(struct doctor_report *r, struct doctor_check *c, const char *fmt, ...) _printf_(3, 4);
static void suggest(struct doctor_report *r, struct doctor_check *c, const char *fmt, ...) {
        if (!c)
                return;
        va_list ap;
        va_start(ap, fmt);
        free(c->suggestion);
        c->suggestion = vformat(r, fmt, ap);
        va_end(ap);
}

static void finding(struct doctor_report *r, struct doctor_check *c, const char *fmt, ...) _printf_(3, 4);
static void finding(struct doctor_report *r, struct doctor_check *c, const char *fmt, ...) {
        if (!c)
                return;
        va_list ap;
        va_start(ap, fmt);
        char *s = vformat(r, fmt, ap);
        va_end(ap);
        if (s && strv_push(&c->findings, &c->n_findings, s) < 0)
                r->oom = true;
}

static const char *plural(size_t n) {
        return n == 1 ? "" : "s";
}

/* ---- manifest ----------------------------------------------------------------------------- */

void doctor_check_manifest(struct doctor_report *r, const struct doctor_input *in) {
        const struct status_manifest *m = &in->status->manifest;
        struct doctor_check *c;
        if (m->fallback)
                c = check(r, "manifest", DOCTOR_ATTENTION,
                          "%s is unusable (%zu problem%s): the node runs its last good copy %s", m->path, m->n_problems,
                          plural(m->n_problems), m->last_good);
        else if (m->present && !m->in_use)
                c = check(r, "manifest", DOCTOR_ATTENTION,
                          "%s is unusable and so is its last good copy %s: no app has units", m->path, m->last_good);
        else if (m->n_problems)
                c = check(r, "manifest", DOCTOR_ATTENTION,
                          "%s is in use with %zu problem%s: the apps they are in are skipped (no units)", m->path,
                          m->n_problems, plural(m->n_problems));
        else {
                if (!m->present)
                        check(r, "manifest", DOCTOR_OK, "no manifest at %s: the node has no apps", m->path);
                else
                        check(r, "manifest", DOCTOR_OK, "%s is valid and in use (%zu app%s)", m->path,
                              in->status->n_apps, plural(in->status->n_apps));
                return;
        }
        for (size_t i = 0; i < m->n_problems; i++)
                finding(r, c, "%s", m->problems[i]);
        for (size_t i = 0; i < m->n_last_good_problems; i++)
                finding(r, c, "last good copy: %s", m->last_good_problems[i]);
        suggest(r, c, "archy-generator --check %s", in->manifest_path ? in->manifest_path : m->path);
}

/* ---- units generated ---------------------------------------------------------------------- */

static const char *systemd_error_text(int error) {
        return strerror(error < 0 ? -error : error);
}

void doctor_check_units(struct doctor_report *r, const struct doctor_input *in) {
        const struct status *s = in->status;
        if (in->systemd_error < 0) {
                struct doctor_check *c = check(r, "units", DOCTOR_ATTENTION, "systemd could not be asked: %s",
                                               systemd_error_text(in->systemd_error));
                suggest(r, c, "systemctl status");
                return;
        }
        size_t n = 0, apps = 0, missing = 0;
        for (size_t i = 0; i < s->n_apps; i++) {
                const struct status_app *a = &s->apps[i];
                if (a->skipped || strcmp(a->desired, "uninstalled") == 0)
                        continue;
                apps++;
                for (size_t j = 0; j < a->n_units; j++, n++)
                        missing += !a->units[j].loaded;
        }
        if (!missing) {
                check(r, "units", DOCTOR_OK, "all %zu unit%s of the %zu started or stopped app%s are loaded", n,
                      plural(n), apps, plural(apps));
                return;
        }
        struct doctor_check *c = check(r, "units", DOCTOR_ATTENTION, "%zu of %zu unit%s not generated (not loaded)",
                                       missing, n, plural(n));
        for (size_t i = 0; i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        if (!s->apps[i].skipped && strcmp(s->apps[i].desired, "uninstalled") != 0 &&
                            !s->apps[i].units[j].loaded)
                                finding(r, c, "%s (app %s, %s): systemd has no such unit", s->apps[i].units[j].unit,
                                        s->apps[i].name, s->apps[i].desired);
        suggest(r, c, "systemctl daemon-reload; journalctl -b -t archy-generator");
}

/* ---- drift -------------------------------------------------------------------------------- */

/* Each line of archy-derive's log that names a drifted file. */
static void drift_findings(struct doctor_report *r, struct doctor_check *c, const char *err) {
        for (const char *p = err; p && *p;) {
                size_t len = strcspn(p, "\n");
                if (memmem(p, len, ": drift", 7))
                        finding(r, c, "%.*s", (int)len, p);
                p += len + (p[len] == '\n');
        }
}

/* The first line of what it wrote, for a failure's detail. */
static int first_line_len(const char *s) {
        return s ? (int)strcspn(s, "\n") : 0;
}

void doctor_check_drift(struct doctor_report *r, const struct doctor_input *in) {
        const struct doctor_run *d = &in->derive;
        struct doctor_check *c;
        if (d->error == -ENOENT) {
                check(r, "drift", DOCTOR_NOT_CHECKED, "archy-derive is not installed");
                return;
        }
        if (d->error < 0)
                c = check(r, "drift", DOCTOR_WARNING, "archy-derive --check could not run: %s", strerror(-d->error));
        else if (d->timed_out)
                c = check(r, "drift", DOCTOR_WARNING, "archy-derive --check did not finish in time");
        else if (!d->signaled && d->exit_status == 0) {
                check(r, "drift", DOCTOR_OK, "every derived file matches the manifest");
                return;
        } else if (!d->signaled && d->exit_status == 3) {
                c = check(r, "drift", DOCTOR_WARNING, "derived files differ from what the manifest derives");
                drift_findings(r, c, d->err);
                suggest(r, c, "systemctl start archy-derive.service");
                return;
        } else
                c = check(r, "drift", DOCTOR_WARNING, "archy-derive --check %s %d: %.*s",
                          d->signaled ? "was killed by signal" : "failed with status", d->exit_status,
                          first_line_len(d->err), d->err ? d->err : "");
        suggest(r, c, "archy-derive --check; journalctl -u archy-derive.service");
}

/* ---- podman ------------------------------------------------------------------------------- */

void doctor_check_podman(struct doctor_report *r, const struct doctor_input *in) {
        const struct status_podman *p = &in->status->podman;
        struct doctor_check *c;
        if (!p->known && !p->error) {
                c = check(r, "podman", DOCTOR_WARNING, "archy-podman-repair has not reported yet");
        } else if (!p->known) {
                c = check(r, "podman", DOCTOR_WARNING, "podman's health is unknown: %s", p->error);
        } else if (strcmp(p->result, "gave-up") == 0) {
                c = check(r, "podman", DOCTOR_ATTENTION, "archy-podman-repair gave up: %s",
                          p->gave_up_reason ? p->gave_up_reason : "no reason given");
        } else if (strcmp(p->result, "failed") == 0 || strcmp(p->result, "needs-attention") == 0) {
                c = check(r, "podman", DOCTOR_ATTENTION,
                          "podman is %s: archy-podman-repair's result is %s (%u failed repair%s in a row)",
                          p->state_now ? p->state_now : "broken", p->result, p->failed_repairs_in_a_row,
                          plural(p->failed_repairs_in_a_row));
        } else if (!p->healthy) {
                c = check(r, "podman", DOCTOR_WARNING, "podman is %s (%s)", p->state_now ? p->state_now : "not healthy",
                          p->result);
        } else {
                check(r, "podman", DOCTOR_OK, "podman is %s (%s)", p->state_now ? p->state_now : "healthy", p->result);
                return;
        }
        /* A rootless node's podman-repair is a unit of the apps user's manager. */
        const struct status_node *n = &in->status->node;
        if (n->mode && strcmp(n->mode, "rootless") == 0 && n->user)
                suggest(r, c,
                        "systemctl --user -M %s@ start archy-podman-repair.service; journalctl _UID=$(id -u %s) "
                        "_SYSTEMD_USER_UNIT=archy-podman-repair.service",
                        n->user, n->user);
        else
                suggest(r, c, "systemctl start archy-podman-repair.service; journalctl -u archy-podman-repair.service");
}

/* ---- orphans ------------------------------------------------------------------------------ */

void doctor_check_orphans(struct doctor_report *r, const struct doctor_input *in) {
        const struct doctor_run *d = &in->reconcile;
        if (d->error == -ENOENT) {
                check(r, "orphans", DOCTOR_NOT_CHECKED, "archy-reconcile is not installed");
                return;
        }
        struct doctor_check *c;
        /* archy-reconcile --dry-run exits 3 when it found work: its lines say which. */
        if (d->error < 0 || d->timed_out || d->signaled || (d->exit_status != 0 && d->exit_status != 3)) {
                if (d->error < 0)
                        c = check(r, "orphans", DOCTOR_WARNING, "archy-reconcile --dry-run could not run: %s",
                                  strerror(-d->error));
                else if (d->timed_out)
                        c = check(r, "orphans", DOCTOR_WARNING, "archy-reconcile --dry-run did not finish in time");
                else
                        c = check(r, "orphans", DOCTOR_WARNING, "archy-reconcile --dry-run %s %d: %.*s",
                                  d->signaled ? "was killed by signal" : "failed with status", d->exit_status,
                                  first_line_len(d->err), d->err ? d->err : "");
                suggest(r, c, "archy-reconcile --dry-run; journalctl -u archy-reconcile.service");
                return;
        }
        char **findings = NULL;
        size_t n = 0;
        const char *why = NULL;
        int k = doctor_parse_reconcile(d->out, &findings, &n, &why);
        if (k == -ENOMEM)
                r->oom = true;
        if (k < 0) {
                c = check(r, "orphans", DOCTOR_WARNING,
                          "archy-reconcile --dry-run --json's output is not understood: %s",
                          why ? why : "out of memory");
                suggest(r, c, "archy-reconcile --dry-run");
        } else if (k == 0)
                check(r, "orphans", DOCTOR_OK, "nothing runs that the manifest does not ask for");
        else {
                c = check(r, "orphans", DOCTOR_WARNING, "archy-reconcile would take %d action%s", k, plural((size_t)k));
                if (c) {
                        c->findings = findings;
                        c->n_findings = n;
                        findings = NULL;
                }
                suggest(r, c, "systemctl start archy-reconcile.service");
        }
        strv_free(findings);
}

/* ---- failed units ------------------------------------------------------------------------- */

/* The app whose unit this is, or NULL. */
static const char *app_of(const struct status *s, const char *unit) {
        for (size_t i = 0; i < s->n_apps; i++)
                for (size_t j = 0; j < s->apps[i].n_units; j++)
                        if (strcmp(s->apps[i].units[j].unit, unit) == 0)
                                return s->apps[i].name;
        return NULL;
}

/* Where failed unit i logs: a rootless node's user units are the apps user's, found by _UID and
 * _SYSTEMD_USER_UNIT (journalctl -u matches system units only). */
static void unit_journal_hint(const struct doctor_input *in, size_t i, char *buf, size_t size) {
        const struct status_node *n = &in->status->node;
        if (i < in->n_failed_user_units && n->user)
                snprintf(buf, size, "journalctl _UID=$(id -u %s) _SYSTEMD_USER_UNIT=%s", n->user, in->failed_units[i]);
        else
                snprintf(buf, size, "journalctl -u %s", in->failed_units[i]);
}

void doctor_check_failed_units(struct doctor_report *r, const struct doctor_input *in) {
        if (in->systemd_error < 0) {
                struct doctor_check *c = check(r, "failed-units", DOCTOR_ATTENTION, "systemd could not be asked: %s",
                                               systemd_error_text(in->systemd_error));
                suggest(r, c, "systemctl status");
                return;
        }
        if (!in->n_failed_units) {
                check(r, "failed-units", DOCTOR_OK, "no archy unit is failed");
                return;
        }
        struct doctor_check *c = check(r, "failed-units", DOCTOR_ATTENTION, "%zu archy unit%s failed",
                                       in->n_failed_units, plural(in->n_failed_units));
        char journal[512];
        for (size_t i = 0; i < in->n_failed_units; i++) {
                const char *app = app_of(in->status, in->failed_units[i]);
                unit_journal_hint(in, i, journal, sizeof(journal));
                if (app)
                        finding(r, c, "%s (app %s): archyctl status %s; %s", in->failed_units[i], app, app, journal);
                else
                        finding(r, c, "%s: %s", in->failed_units[i], journal);
        }
        const char *app = app_of(in->status, in->failed_units[0]);
        unit_journal_hint(in, 0, journal, sizeof(journal));
        if (app)
                suggest(r, c, "archyctl status %s; %s", app, journal);
        else
                suggest(r, c, "%s", journal);
}

/* ---- disk space --------------------------------------------------------------------------- */

/* avail < percent % of total, without overflow */
static bool under_percent(uint64_t avail, uint64_t total, unsigned percent) {
        return total > 0 && (double)avail * 100.0 < (double)total * percent;
}

enum doctor_verdict doctor_disk_verdict(uint64_t avail, uint64_t total) {
        if (avail < DOCTOR_DISK_ATTENTION_BYTES || under_percent(avail, total, DOCTOR_DISK_ATTENTION_PERCENT))
                return DOCTOR_ATTENTION;
        if (avail < DOCTOR_DISK_WARNING_BYTES || under_percent(avail, total, DOCTOR_DISK_WARNING_PERCENT))
                return DOCTOR_WARNING;
        return DOCTOR_OK;
}

/* 12.3 GiB, 512.0 MiB */
static void human(char buf[static 32], uint64_t bytes) {
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = (double)bytes;
        size_t u = 0;
        while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
                v /= 1024.0;
                u++;
        }
        snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void doctor_check_disk(struct doctor_report *r, const struct doctor_disk *d) {
        if (d->error == -ENOENT) {
                check(r, d->name, DOCTOR_NOT_CHECKED, "%s does not exist", d->path);
                return;
        }
        if (d->error < 0) {
                struct doctor_check *c = check(r, d->name, DOCTOR_WARNING, "cannot tell the free space of %s: %s",
                                               d->path, strerror(-d->error));
                suggest(r, c, "df -h %s", d->path);
                return;
        }
        char avail[32], total[32];
        human(avail, d->avail_bytes);
        human(total, d->total_bytes);
        unsigned pct = d->total_bytes ? (unsigned)((double)d->avail_bytes * 100.0 / (double)d->total_bytes) : 0;
        enum doctor_verdict v = doctor_disk_verdict(d->avail_bytes, d->total_bytes);
        struct doctor_check *c;
        if (d->avail_bytes == 0) {
                /* Full for users; root's reserved blocks may still hold a few writes (archy-manifest(5),
                 * FULL DISK). */
                char root[32];
                human(root, d->root_free_bytes);
                c = check(r, d->name, v, "%s: the disk is full: nothing free of %s (%s left for root)", d->path, total,
                          root);
        } else
                c = check(r, d->name, v, "%s: %s free of %s (%u %%)", d->path, avail, total, pct);
        if (v != DOCTOR_OK)
                suggest(r, c, "df -h %s; du -xsh %s/* | sort -h", d->path, strcmp(d->path, "/") == 0 ? "" : d->path);
}

/* ---- time --------------------------------------------------------------------------------- */

void doctor_check_time(struct doctor_report *r, const struct doctor_input *in) {
        struct doctor_check *c;
        if (in->ntp_synchronized > 0) {
                check(r, "time-sync", DOCTOR_OK, "the clock is synchronized (NTP)");
                return;
        }
        if (in->ntp_synchronized == 0)
                c = check(r, "time-sync", DOCTOR_WARNING,
                          "the clock is not synchronized (systemd-timedated: NTPSynchronized=no)");
        else
                c = check(r, "time-sync", DOCTOR_WARNING, "unknown: systemd-timedated could not be asked: %s",
                          strerror(-in->ntp_synchronized));
        suggest(r, c, "timedatectl timesync-status");
}

/* ---- OTA ---------------------------------------------------------------------------------- */

void doctor_check_ota(struct doctor_report *r, const struct doctor_input *in) {
        const struct status_ota *o = &in->status->ota;
        const char *to = o->new_version ? o->new_version : "?", *from = o->previous_version ? o->previous_version : "?";
        struct doctor_check *c;
        if (o->error)
                c = check(r, "ota", DOCTOR_ATTENTION, "the update verifier's state is unreadable: %s", o->error);
        else if (!o->known) {
                check(r, "ota", DOCTOR_OK, "no update is being verified");
                return;
        } else if (strcmp(o->phase, "committed") == 0) {
                check(r, "ota", DOCTOR_OK, "the update to %s was verified and committed", to);
                return;
        } else if (strcmp(o->phase, "rolled-back") == 0)
                c = check(r, "ota", DOCTOR_ATTENTION, "the update to %s was rolled back to %s: %s", to, from,
                          o->reason ? o->reason : "no reason recorded");
        else
                c = check(r, "ota", DOCTOR_WARNING, "the update from %s to %s is not verified yet (%s, %u attempt%s)",
                          from, to, o->phase, o->attempts, plural(o->attempts));
        suggest(r, c, "archy-verify-ota --status; journalctl -u archy-verify-ota.service");
}

/* ---- resource limits ---------------------------------------------------------------------- */

/* Whether the space-separated list has the word. */
static bool has_word(const char *list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list; p && *p;) {
                p += strspn(p, " \t\n");
                size_t len = strcspn(p, " \t\n");
                if (len == n && strncmp(p, word, n) == 0)
                        return true;
                p += len;
        }
        return false;
}

void doctor_check_limits(struct doctor_report *r, const struct doctor_input *in) {
        if (!in->n_limits) {
                check(r, "limits", DOCTOR_OK, "no container has a memory or CPU limit");
                return;
        }
        if (in->controllers_error < 0 || !in->controllers) {
                check(r, "limits", DOCTOR_NOT_CHECKED, "cannot read %s: %s",
                      in->controllers_path ? in->controllers_path : "the apps' cgroup.controllers",
                      strerror(-(in->controllers_error < 0 ? in->controllers_error : -ENOENT)));
                return;
        }
        bool memory = has_word(in->controllers, "memory"), cpu = has_word(in->controllers, "cpu");
        size_t refused = 0;
        for (size_t i = 0; i < in->n_limits; i++)
                refused += (in->limits[i].memory && !memory) || (in->limits[i].cpu && !cpu);
        if (!refused) {
                check(r, "limits", DOCTOR_OK, "the limits of %zu container%s are enforced (%s: %s)", in->n_limits,
                      plural(in->n_limits), in->controllers_path, in->controllers);
                return;
        }
        const char *who = in->rootless ? "the apps user's manager (not delegated)" : "the node's cgroups";
        const char *missing = memory ? "cpu" : cpu ? "memory" : "memory or cpu";
        struct doctor_check *c = check(r, "limits", DOCTOR_ATTENTION,
                                       "%zu container%s cannot start: %s ha%s no %s controller, which %s (%s: %s)",
                                       refused, plural(refused), who, in->rootless ? "s" : "ve", missing,
                                       refused == 1 ? "its limit needs" : "their limits need", in->controllers_path,
                                       *in->controllers ? in->controllers : "none");
        for (size_t i = 0; i < in->n_limits; i++) {
                const struct doctor_limit *l = &in->limits[i];
                if (l->memory && !memory)
                        finding(r, c, "%s: mem_limit needs the memory controller", l->unit);
                if (l->cpu && !cpu)
                        finding(r, c, "%s: cpus needs the cpu controller", l->unit);
        }
        if (in->rootless)
                suggest(r, c,
                        "delegate them (systemctl edit user@.service: [Service] Delegate=pids memory cpu), "
                        "or drop the limits from the manifest");
        else
                suggest(r, c,
                        "enable the controller in the kernel (cgroup_enable=memory), or drop the limits from "
                        "the manifest");
}

/* ---- all ---------------------------------------------------------------------------------- */

void doctor_run_checks(struct doctor_report *r, const struct doctor_input *in) {
        doctor_check_manifest(r, in);
        doctor_check_units(r, in);
        doctor_check_failed_units(r, in);
        doctor_check_drift(r, in);
        doctor_check_podman(r, in);
        doctor_check_orphans(r, in);
        for (size_t i = 0; i < in->n_disks; i++)
                doctor_check_disk(r, &in->disks[i]);
        doctor_check_time(r, in);
        doctor_check_ota(r, in);
        doctor_check_limits(r, in);
}

enum doctor_verdict doctor_overall(const struct doctor_report *r) {
        enum doctor_verdict v = DOCTOR_OK;
        for (size_t i = 0; i < r->n_checks; i++)
                if (r->checks[i].verdict > v && r->checks[i].verdict != DOCTOR_NOT_CHECKED)
                        v = r->checks[i].verdict;
        return v;
}

int doctor_exit_status(const struct doctor_report *r) {
        return doctor_overall(r) == DOCTOR_ATTENTION ? CTL_EXIT_ATTENTION : CTL_EXIT_OK;
}

/* ---- renderings --------------------------------------------------------------------------- */

static void jstr(struct strbuf *b, const char *v) {
        if (v)
                strbuf_json_string(b, v, strlen(v));
        else
                strbuf_puts(b, "null");
}

static void json_check(struct strbuf *b, const struct doctor_check *c) {
        strbuf_puts(b, "{\"name\": ");
        jstr(b, c->name);
        strbuf_puts(b, ", \"verdict\": ");
        jstr(b, doctor_verdict_to_string(c->verdict));
        strbuf_puts(b, ", \"detail\": ");
        jstr(b, c->detail);
        strbuf_puts(b, ", \"suggestion\": ");
        jstr(b, c->suggestion);
        strbuf_puts(b, ", \"findings\": [");
        for (size_t i = 0; i < c->n_findings; i++) {
                strbuf_puts(b, i ? ", " : "");
                jstr(b, c->findings[i]);
        }
        strbuf_puts(b, "]}");
}

static char *finish(struct strbuf *b) {
        if (strbuf_failed(b)) {
                strbuf_free(b);
                return NULL;
        }
        return strbuf_steal(b);
}

char *doctor_render_json(const struct doctor_report *r) {
        struct strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "{\"verdict\": ");
        jstr(&b, doctor_verdict_to_string(doctor_overall(r)));
        strbuf_puts(&b, ", \"checks\": [");
        for (size_t i = 0; i < r->n_checks; i++) {
                strbuf_puts(&b, i ? ",\n  " : "\n  ");
                json_check(&b, &r->checks[i]);
        }
        strbuf_puts(&b, r->n_checks ? "\n]}\n" : "]}\n");
        return finish(&b);
}

char *doctor_render_text(const struct doctor_report *r) {
        struct strbuf b = STRBUF_INIT;
        size_t count[DOCTOR_ATTENTION + 1] = {0};
        for (size_t i = 0; i < r->n_checks; i++) {
                const struct doctor_check *c = &r->checks[i];
                count[c->verdict]++;
                strbuf_printf(&b, "%-11s %-16s %s\n", doctor_verdict_to_string(c->verdict), c->name,
                              c->detail ? c->detail : "");
                for (size_t j = 0; j < c->n_findings; j++)
                        strbuf_printf(&b, "    %s\n", c->findings[j]);
                if (c->suggestion)
                        strbuf_printf(&b, "  \u2192 %s\n", c->suggestion);
        }
        strbuf_printf(&b, "doctor: %s (%zu attention, %zu warning%s, %zu ok, %zu not checked)\n",
                      doctor_verdict_to_string(doctor_overall(r)), count[DOCTOR_ATTENTION], count[DOCTOR_WARNING],
                      plural(count[DOCTOR_WARNING]), count[DOCTOR_OK], count[DOCTOR_NOT_CHECKED]);
        return finish(&b);
}

void doctor_report_free(struct doctor_report *r) {
        for (size_t i = 0; i < r->n_checks; i++) {
                free(r->checks[i].detail);
                free(r->checks[i].suggestion);
                strv_free(r->checks[i].findings);
        }
        *r = (struct doctor_report){0};
}
