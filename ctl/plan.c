/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan of `archyctl apply` (archy-manifest(5), "Applying a change"): per app, what stops
 * before the manifest changes, and what restarts and starts after the reload. Pure.
 *
 * An app's units are the services of its containers (naming_service() of each container's unit)
 * and the services of the named volumes they mount (naming_volume_service(), one per volume, as
 * the generator writes one .volume file per volume). Every unit the new manifest no longer
 * produces is stopped first: systemd forgets a unit's stop commands when its file vanishes.
 *
 * An edit is a change of a unit's rendered text (the generator's own renderer, both manifests),
 * ignoring two kinds of line that a daemon-reload alone brings into effect and that say nothing
 * about the running container: comments (the header names the manifest's path, which differs
 * between the installed manifest and the file being applied) and ExecStopPost= (the main unit's
 * list of the apps that require it, render_order_stop(): it changes whenever a dependent is
 * installed or uninstalled, and restarting bitcoind because mempool was installed is not what
 * anybody wants).
 *
 * Dependencies: an explicit stop of an app's main unit stops the apps that require it
 * (ExecStopPost=, archy-manifest(5) "requires"), and theirs in turn. The stop runs with the
 * old units, so the old manifest's required_by says who goes down; a dependent that stays
 * started is started again after the reload. The node switch (bitcoin-knots uninstalled,
 * bitcoin-core started, every dependent's requires naming bitcoin-core) therefore plans: knots'
 * units (and its volume service) stop, core installs, and each direct dependent restarts, since
 * its Wants=/After= changed: the dependents are down anyway after knots' stop took them with it,
 * so the restart costs nothing a start would not, and it brings them up with the new requires
 * ordered after bitcoin-core. The apps that require a dependent (not knots) keep their text and
 * are started again.
 */
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "naming.h"
#include "quadlet-render.h"
#include "strbuf.h"
#include "strv.h"

const char *plan_action_to_string(enum plan_action a) {
        static const char *const names[_PLAN_ACTION_MAX] = {
                [PLAN_UNCHANGED] = "unchanged", [PLAN_INSTALL] = "install", [PLAN_UNINSTALL] = "uninstall",
                [PLAN_START] = "start",         [PLAN_STOP] = "stop",       [PLAN_RESTART] = "restart",
        };
        return a >= 0 && a < _PLAN_ACTION_MAX ? names[a] : NULL;
}

/* The state whose units the generator writes: a skipped app gets none, like an uninstalled one. */
static enum app_state effective_state(const struct app *a) {
        return !a || a->skip ? APP_STATE_UNINSTALLED : a->state;
}

/* ---- an app's units ---- */

static int add_service(char ***v, size_t *n, const char *unit) {
        _cleanup_free_ char *s = NULL;
        if (naming_service(unit, &s) < 0)
                return -ENOMEM;
        return strv_add_unique(v, n, s) < 0 ? -ENOMEM : 0;
}

static int add_volume_service(char ***v, size_t *n, const struct app *a, const char *volume) {
        _cleanup_free_ char *s = NULL;
        if (naming_volume_service(a->name, volume, &s) < 0)
                return -ENOMEM;
        return strv_add_unique(v, n, s) < 0 ? -ENOMEM : 0;
}

/* Every service of app a (containers, then its volumes) that app b does not produce (b NULL:
 * none), appended to *v. */
static int add_units_not_in(const struct app *a, const struct app *b, char ***v, size_t *n) {
        for (size_t c = 0; c < a->n_containers; c++)
                if ((!b || !app_find_container(b, a->containers[c].part)) &&
                    add_service(v, n, a->containers[c].unit) < 0)
                        return -ENOMEM;
        for (size_t c = 0; c < a->n_containers; c++)
                for (size_t m = 0; m < a->containers[c].n_mounts; m++) {
                        const struct mount *mt = &a->containers[c].mounts[m];
                        if (mt->kind != MOUNT_NAMED_VOLUME || app_volume_seen_before(a, c, m) ||
                            (b && app_mounts_volume(b, mt->source)))
                                continue;
                        if (add_volume_service(v, n, a, mt->source) < 0)
                                return -ENOMEM;
                }
        return 0;
}

static int add_container_services(const struct app *a, char ***v, size_t *n) {
        for (size_t c = 0; c < a->n_containers; c++)
                if (add_service(v, n, a->containers[c].unit) < 0)
                        return -ENOMEM;
        return 0;
}

/* ---- rendered text ---- */

/* The lines of a rendered unit that need a restart to take effect (see the top of the file). */
static void put_significant(const char *text, struct strbuf *out) {
        for (const char *l = text; *l;) {
                const char *e = strchrnul(l, '\n');
                if (*l != '#' && strncmp(l, "ExecStopPost=", strlen("ExecStopPost=")) != 0)
                        strbuf_add(out, l, (size_t)(e - l) + (*e ? 1 : 0));
                l = *e ? e + 1 : e;
        }
}

/* 1 the same, 0 different, -ENOMEM. */
static int same_text(struct strbuf *old_text, struct strbuf *new_text) {
        _cleanup_strbuf_ struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
        put_significant(strbuf_str(old_text), &a);
        put_significant(strbuf_str(new_text), &b);
        if (strbuf_failed(old_text) || strbuf_failed(new_text) || strbuf_failed(&a) || strbuf_failed(&b))
                return -ENOMEM;
        return strcmp(strbuf_str(&a), strbuf_str(&b)) == 0;
}

static int same_container(const struct manifest *om, const struct app *oa, const struct container *oc,
                          const struct manifest *nm, const struct app *na, const struct container *nc) {
        _cleanup_strbuf_ struct strbuf o = STRBUF_INIT, n = STRBUF_INIT;
        render_container(om, oa, oc, &o);
        render_container(nm, na, nc, &n);
        return same_text(&o, &n);
}

static int same_volume(const struct manifest *om, const struct app *oa, const struct manifest *nm, const struct app *na,
                       const char *volume) {
        _cleanup_strbuf_ struct strbuf o = STRBUF_INIT, n = STRBUF_INIT;
        render_volume(om, oa, volume, &o);
        render_volume(nm, na, volume, &n);
        return same_text(&o, &n);
}

/* ---- one app ---- */

struct plan_input {
        const struct manifest *old, *new;
        plan_running_fn running;
        void *ctx;
};

static bool is_running(const struct plan_input *in, const char *service) {
        return !in->running || in->running(service, in->ctx);
}

/* Started before and now: changed parts restart, added ones start, removed ones stopped already
 * (add_units_not_in()); an unchanged part that should run and does not starts. */
static int plan_started_both(const struct plan_input *in, const struct app *oa, const struct app *na,
                             struct plan_app *p) {
        bool edited = p->n_stop > 0;
        for (size_t c = 0; c < na->n_containers; c++) {
                const struct container *nc = &na->containers[c], *oc = app_find_container(oa, nc->part);
                _cleanup_free_ char *svc = NULL;
                if (naming_service(nc->unit, &svc) < 0)
                        return -ENOMEM;
                int same = oc ? same_container(in->old, oa, oc, in->new, na, nc) : 0;
                if (same < 0)
                        return same;
                char ***list = &p->start;
                size_t *n = &p->n_start;
                if (!oc)
                        edited = true;
                else if (!same) {
                        edited = true;
                        list = &p->restart;
                        n = &p->n_restart;
                } else if (nc->oneshot || is_running(in, svc))
                        continue; /* a one-shot part ran to completion: nothing needs to run */
                if (strv_push(list, n, TAKE_PTR(svc)) < 0)
                        return -ENOMEM;
        }
        for (size_t c = 0; c < na->n_containers; c++)
                for (size_t m = 0; m < na->containers[c].n_mounts; m++) {
                        const struct mount *mt = &na->containers[c].mounts[m];
                        if (mt->kind != MOUNT_NAMED_VOLUME || app_volume_seen_before(na, c, m) ||
                            !app_mounts_volume(oa, mt->source))
                                continue; /* a new volume's service starts with the containers that mount it */
                        int same = same_volume(in->old, oa, in->new, na, mt->source);
                        if (same < 0)
                                return same;
                        if (!same) {
                                edited = true;
                                if (add_volume_service(&p->restart, &p->n_restart, na, mt->source) < 0)
                                        return -ENOMEM;
                        }
                }
        p->action = edited ? PLAN_RESTART : p->n_start > 0 ? PLAN_START : PLAN_UNCHANGED;
        return 0;
}

static int plan_app_compute(const struct plan_input *in, const char *name, struct plan_app *p) {
        const struct app *oa = in->old ? manifest_find_app(in->old, name) : NULL;
        const struct app *na = manifest_find_app(in->new, name);
        *p = (struct plan_app){.name = name, .in_old = oa != NULL, .in_new = na != NULL};
        p->from = effective_state(oa);
        p->to = effective_state(na);
        bool had = p->from != APP_STATE_UNINSTALLED, has = p->to != APP_STATE_UNINSTALLED;
        if (had && add_units_not_in(oa, has ? na : NULL, &p->stop, &p->n_stop) < 0)
                return -ENOMEM;

        if (!had && !has)
                p->action = PLAN_UNCHANGED;
        else if (!had) {
                p->action = PLAN_INSTALL;
                if (p->to == APP_STATE_STARTED && add_container_services(na, &p->start, &p->n_start) < 0)
                        return -ENOMEM;
        } else if (!has)
                p->action = PLAN_UNINSTALL;
        else if (p->from == APP_STATE_STARTED && p->to == APP_STATE_STOPPED) {
                p->action = PLAN_STOP;
                if (add_container_services(oa, &p->stop, &p->n_stop) < 0)
                        return -ENOMEM;
        } else if (p->from == APP_STATE_STOPPED && p->to == APP_STATE_STARTED) {
                p->action = PLAN_START;
                if (add_container_services(na, &p->start, &p->n_start) < 0)
                        return -ENOMEM;
        } else if (p->from == APP_STATE_STOPPED)
                /* stopped in both: a changed unit takes effect at its next start; a part or a
                 * volume it no longer has is stopped all the same */
                p->action = p->n_stop > 0 ? PLAN_STOP : PLAN_UNCHANGED;
        else if (plan_started_both(in, oa, na, p) < 0)
                return -ENOMEM;
        p->wait = p->to == APP_STATE_STARTED && (p->action == PLAN_RESTART || p->n_start > 0 || p->n_restart > 0);
        return 0;
}

/* ---- dependencies ---- */

/* Whether the main unit of app oa (old manifest) runs now, and, with stop_listed, whether the plan
 * stops it explicitly: a stop job for an inactive unit runs no ExecStopPost=, passes nothing on. */
static bool main_goes_down(const struct plan_input *in, const struct plan_app *pa, const struct app *oa,
                           bool stop_listed) {
        const struct container *main = app_find_container(oa, ARCHY_MAIN_PART);
        _cleanup_free_ char *svc = NULL;
        if (!main || naming_service(main->unit, &svc) < 0)
                return false;
        return (!stop_listed || strv_contains(pa->stop, svc)) && is_running(in, svc);
}

/* Dependent d (in the old manifest) was stopped along with an app it requires: if it stays
 * started, its services start again after the reload (those that do not restart anyway). */
static int start_again(const struct manifest *new, struct plan_app *pd) {
        if (pd->to != APP_STATE_STARTED)
                return 0; /* stopped or uninstalled now: down is where it goes */
        const struct app *na = manifest_find_app(new, pd->name);
        for (size_t c = 0; c < na->n_containers; c++) {
                _cleanup_free_ char *svc = NULL;
                if (naming_service(na->containers[c].unit, &svc) < 0)
                        return -ENOMEM;
                if (strv_contains(pd->restart, svc))
                        continue;
                if (strv_add_unique(&pd->start, &pd->n_start, svc) < 0)
                        return -ENOMEM;
        }
        if (pd->action == PLAN_UNCHANGED)
                pd->action = PLAN_START;
        pd->wait = true;
        return 0;
}

/* of_old[i]: the index in the plan of app i of the old manifest */
static int pass_on_stops(const struct plan_input *in, struct plan *p, const size_t *of_old) {
        const struct manifest *old = in->old;
        if (!old)
                return 0;
        /* down[i]: app i of the old manifest goes down with its main unit; a worklist over them */
        _cleanup_free_ bool *down = calloc_items(old->n_apps, sizeof(bool));
        _cleanup_free_ size_t *queue = calloc_items(old->n_apps, sizeof(size_t));
        if (!down || !queue)
                return -ENOMEM;
        size_t head = 0, tail = 0;
        for (size_t i = 0; i < old->n_apps; i++) {
                const struct app *a = &old->apps[i];
                if (effective_state(a) != APP_STATE_UNINSTALLED && main_goes_down(in, &p->apps[of_old[i]], a, true)) {
                        down[i] = true;
                        queue[tail++] = i;
                }
        }
        while (head < tail) {
                const struct app *a = &old->apps[queue[head++]];
                for (size_t k = 0; k < a->n_required_by; k++) {
                        const struct app *d = a->required_by[k];
                        size_t di = (size_t)(d - old->apps);
                        /* render_order_stop() lists the dependents that get units */
                        if (down[di] || effective_state(d) == APP_STATE_UNINSTALLED)
                                continue;
                        down[di] = true;
                        struct plan_app *pd = &p->apps[of_old[di]];
                        if (start_again(in->new, pd) < 0)
                                return -ENOMEM;
                        /* its own main unit, if it ran, passes the stop on in turn */
                        if (main_goes_down(in, pd, d, false))
                                queue[tail++] = di;
                }
        }
        return 0;
}

/* ---- the plan ---- */

static bool any_units(const struct manifest *m) {
        for (size_t i = 0; m && i < m->n_apps; i++)
                if (effective_state(&m->apps[i]) != APP_STATE_UNINSTALLED)
                        return true;
        return false;
}

static int plan_fill(const struct plan_input *in, struct plan *p) {
        size_t n_old = in->old ? in->old->n_apps : 0;
        p->apps = calloc_items(in->new->n_apps + n_old, sizeof(struct plan_app));
        _cleanup_free_ size_t *of_old = calloc_items(n_old, sizeof(size_t));
        if (!p->apps || !of_old)
                return -ENOMEM;
        for (size_t i = 0; i < in->new->n_apps; i++)
                if (plan_app_compute(in, in->new->apps[i].name, &p->apps[p->n_apps++]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < n_old; i++) {
                const struct app *na = manifest_find_app(in->new, in->old->apps[i].name);
                if (na) {
                        of_old[i] = (size_t)(na - in->new->apps);
                        continue;
                }
                of_old[i] = p->n_apps;
                if (plan_app_compute(in, in->old->apps[i].name, &p->apps[p->n_apps++]) < 0)
                        return -ENOMEM;
        }
        if (pass_on_stops(in, p, of_old) < 0)
                return -ENOMEM;
        p->network_stop = any_units(in->old) && !any_units(in->new);
        return 0;
}

int plan_compute(const struct manifest *old, const struct manifest *new, plan_running_fn running, void *ctx,
                 struct plan *ret) {
        const struct plan_input in = {.old = old, .new = new, .running = running, .ctx = ctx};
        struct plan p = {0};
        int r = plan_fill(&in, &p);
        if (r < 0) {
                plan_free(&p);
                return r;
        }
        *ret = p;
        return 0;
}

/* Drop s from the NULL-terminated v (*n its length). */
static void strv_drop(char **v, size_t *n, const char *s) {
        size_t k = 0;
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        free(v[i]);
                else
                        v[k++] = v[i];
        if (v)
                v[k] = NULL;
        *n = k;
}

static struct plan_app *plan_find(struct plan *p, const char *name) {
        for (size_t i = 0; i < p->n_apps; i++)
                if (strcmp(p->apps[i].name, name) == 0)
                        return &p->apps[i];
        return NULL;
}

/* The dependents of a (new manifest), transitively, started again (start_again()). */
static int restart_dependents(struct plan *p, const struct manifest *new, const struct app *a, bool *seen) {
        for (size_t k = 0; k < a->n_required_by; k++) {
                const struct app *d = a->required_by[k];
                size_t di = (size_t)(d - new->apps);
                if (seen[di] || effective_state(d) != APP_STATE_STARTED)
                        continue;
                seen[di] = true;
                struct plan_app *pd = plan_find(p, d->name);
                if (!pd || start_again(new, pd) < 0 || restart_dependents(p, new, d, seen) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int plan_force_restart(struct plan *p, const struct manifest *new, const char *app) {
        const struct app *a = manifest_find_app(new, app);
        struct plan_app *pa = plan_find(p, app);
        if (!a || !pa)
                return -ENOENT;
        if (effective_state(a) != APP_STATE_STARTED || pa->to != APP_STATE_STARTED)
                return -EINVAL;
        for (size_t c = 0; c < a->n_containers; c++) {
                _cleanup_free_ char *svc = NULL;
                if (naming_service(a->containers[c].unit, &svc) < 0)
                        return -ENOMEM;
                strv_drop(pa->start, &pa->n_start, svc);
                if (strv_add_unique(&pa->restart, &pa->n_restart, svc) < 0)
                        return -ENOMEM;
        }
        pa->action = PLAN_RESTART;
        pa->wait = true;
        _cleanup_free_ bool *seen = calloc_items(new->n_apps, sizeof(bool));
        if (!seen)
                return -ENOMEM;
        seen[a - new->apps] = true;
        return restart_dependents(p, new, a, seen);
}

void plan_free(struct plan *p) {
        for (size_t i = 0; i < p->n_apps; i++) {
                strv_free(p->apps[i].stop);
                strv_free(p->apps[i].restart);
                strv_free(p->apps[i].start);
        }
        free(p->apps);
        *p = (struct plan){0};
}

bool plan_is_noop(const struct plan *p) {
        if (p->network_stop)
                return false;
        for (size_t i = 0; i < p->n_apps; i++) {
                const struct plan_app *a = &p->apps[i];
                if (a->action != PLAN_UNCHANGED || a->n_stop > 0 || a->n_restart > 0 || a->n_start > 0)
                        return false;
        }
        return true;
}
