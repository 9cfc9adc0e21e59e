/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "decide.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "macro.h"
#include "naming.h"
#include "strv.h"

static const char *const kind_names[_RC_KIND_MAX] = {
        [RC_STOP_UNIT] = "stop-unit",
        [RC_STOP_CONTAINER] = "stop-container",
        [RC_REMOVE_CONTAINER] = "remove-container",
        [RC_ORPHAN_VOLUME] = "orphan-volume",
        [RC_ORPHAN_NETWORK] = "orphan-network",
        [RC_RESTART_APP] = "restart-app",
        [RC_BACKOFF] = "backoff",
};

const char *rc_kind_to_string(enum rc_kind k) {
        return k < _RC_KIND_MAX ? kind_names[k] : NULL;
}

bool rc_kind_acts(enum rc_kind k) {
        return k == RC_STOP_UNIT || k == RC_STOP_CONTAINER || k == RC_REMOVE_CONTAINER || k == RC_RESTART_APP;
}

void rc_plan_done(struct rc_plan *p) {
        for (size_t i = 0; i < p->n_actions; i++) {
                struct rc_action *a = &p->actions[i];
                free(a->target);
                free(a->app);
                free(a->reason);
                strv_free(a->units);
        }
        free(p->actions);
        *p = (struct rc_plan){0};
}

/* Append an action; the reason is printf-formatted. NULL on OOM. */
_printf_(5, 6) static struct rc_action *add(struct rc_plan *p, enum rc_kind kind, const char *target, const char *app,
                                            const char *fmt, ...) {
        struct rc_action *n = realloc(p->actions, (p->n_actions + 1) * sizeof(*n));
        if (!n)
                return NULL;
        p->actions = n;
        struct rc_action *a = &p->actions[p->n_actions];
        *a = (struct rc_action){.kind = kind, .target = strdup(target), .app = app ? strdup(app) : NULL};
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&a->reason, fmt, ap) < 0)
                a->reason = NULL;
        va_end(ap);
        p->n_actions++;
        return a->target && a->reason && (!app || a->app) ? a : NULL;
}

/* ---- what systemd shows ------------------------------------------------------------------- */

static const struct rc_unit *find_unit(const struct rc_observed *o, const char *name) {
        for (size_t i = 0; i < o->n_units; i++)
                if (strcmp(o->units[i].name, name) == 0)
                        return &o->units[i];
        return NULL;
}

/* Running or on its way there: a unit that holds (or is making) its container. */
static bool unit_running(const struct rc_unit *u) {
        return u && (strcmp(u->active_state, "active") == 0 || strcmp(u->active_state, "activating") == 0 ||
                     strcmp(u->active_state, "reloading") == 0);
}

static bool unit_failed(const struct rc_unit *u) {
        return u && strcmp(u->active_state, "failed") == 0;
}

/* The service of a container name (= its unit name, naming.h), as systemd lists it. */
static const struct rc_unit *service_of(const struct rc_observed *o, const char *unit, int *r) {
        _cleanup_free_ char *service = NULL;
        if (naming_service(unit, &service) < 0) {
                *r = -ENOMEM;
                return NULL;
        }
        return find_unit(o, service);
}

/* A stopped or uninstalled app: each of its units still running is stopped through systemd. */
static int stop_units(const struct app *a, const struct rc_observed *o, struct rc_plan *p) {
        for (size_t c = 0; c < a->n_containers; c++) {
                int r = 0;
                const struct rc_unit *u = service_of(o, a->containers[c].unit, &r);
                if (r < 0)
                        return r;
                if (unit_running(u) && !add(p, RC_STOP_UNIT, u->name, a->name, "app %s is %s in the manifest; %s is %s",
                                            a->name, app_state_to_string(a->state), u->name, u->active_state))
                        return -ENOMEM;
        }
        return 0;
}

/* A started app: its failed units, started again unless its backoff says wait. */
static int restart_failed(const struct app *a, const struct rc_observed *o, struct reconcile_state *st, long long now,
                          struct rc_plan *p) {
        _cleanup_strv_ char **failed = NULL;
        size_t n_failed = 0;
        const struct rc_unit *first = NULL, *main_unit = NULL;
        for (size_t c = 0; c < a->n_containers; c++) {
                int r = 0;
                const struct rc_unit *u = service_of(o, a->containers[c].unit, &r);
                if (r < 0)
                        return r;
                if (strcmp(a->containers[c].part, ARCHY_MAIN_PART) == 0)
                        main_unit = u;
                if (!unit_failed(u))
                        continue;
                first = first ? first : u;
                if (strv_add_unique(&failed, &n_failed, u->name) < 0)
                        return -ENOMEM;
        }
        struct reconcile_app_state *e = reconcile_state_find(st, a->name);
        if (!first) {
                if (e && (main_unit ? strcmp(main_unit->active_state, "active") == 0 : true))
                        (void)backoff_healthy(e, now);
                return 0;
        }
        e = e ? e : reconcile_state_get(st, a->name);
        if (!e)
                return -ENOMEM;
        e->healthy_since = 0;
        const char *why = first->result && *first->result ? first->result : first->sub_state;
        if (!backoff_try_restart(e, now))
                return add(p, RC_BACKOFF, first->name, a->name,
                           "systemd gave up on %s (%s); %u restart%s in a row, next retry in %llds", first->name, why,
                           e->streak, e->streak == 1 ? "" : "s", e->next_retry - now)
                               ? 0
                               : -ENOMEM;
        struct rc_action *act =
                add(p, RC_RESTART_APP, first->name, a->name, "systemd gave up on %s (%s)", first->name, why);
        if (!act)
                return -ENOMEM;
        free(e->last_reason);
        e->last_reason = strdup(act->reason);
        act->units = TAKE_PTR(failed);
        act->n_units = n_failed;
        return e->last_reason ? 0 : -ENOMEM;
}

/* ---- what podman shows -------------------------------------------------------------------- */

static bool app_produces_container(const struct app *a, const char *name) {
        for (size_t c = 0; c < a->n_containers; c++)
                if (strcmp(a->containers[c].unit, name) == 0)
                        return true;
        return false;
}

static int container(const struct manifest *m, const struct rc_observed *o, const struct rc_object *c,
                     struct rc_plan *p) {
        const struct app *a = m && c->app ? manifest_find_app(m, c->app) : NULL;
        if (a && a->skip)
                return 0; /* its entry has problems: nothing known about it is touched */
        int r = 0;
        const struct rc_unit *u = service_of(o, c->name, &r);
        if (r < 0)
                return r;
        bool ours = a && app_produces_container(a, c->name);
        if (ours && (a->state == APP_STATE_STARTED || !c->running || unit_running(u)))
                return 0; /* systemd owns it; or stop_units() stops its unit */
        if (ours)
                return add(p, RC_STOP_CONTAINER, c->name, a->name, "app %s is %s in the manifest; its container runs",
                           a->name, app_state_to_string(a->state))
                               ? 0
                               : -ENOMEM;
        const char *why = !c->app ? "it has no archy.app label"
                          : !a    ? "its app is not in the manifest"
                                  : "its app does not produce a container of that name";
        if (unit_running(u))
                return add(p, RC_STOP_UNIT, u->name, c->app, "%s: %s", c->name, why) ? 0 : -ENOMEM;
        return add(p, RC_REMOVE_CONTAINER, c->name, c->app, "%s", why) ? 0 : -ENOMEM;
}

static bool app_declares_volume(const struct app *a, const char *name, int *r) {
        for (size_t c = 0; c < a->n_containers; c++)
                for (size_t v = 0; v < a->containers[c].n_mounts; v++) {
                        const struct mount *mt = &a->containers[c].mounts[v];
                        if (mt->kind != MOUNT_NAMED_VOLUME)
                                continue;
                        _cleanup_free_ char *vol = NULL;
                        if (naming_volume(a->name, mt->source, &vol) < 0) {
                                *r = -ENOMEM;
                                return true;
                        }
                        if (strcmp(vol, name) == 0)
                                return true;
                }
        return false;
}

static int volume(const struct manifest *m, const struct rc_object *v, struct rc_plan *p) {
        const struct app *a = m && v->app ? manifest_find_app(m, v->app) : NULL;
        int r = 0;
        if (a && (a->skip || app_declares_volume(a, v->name, &r)))
                return r;
        return add(p, RC_ORPHAN_VOLUME, v->name, v->app, "%s; its data is kept (removed only by a purge)",
                   !v->app ? "it has no archy.app label"
                   : !a    ? "its app is not in the manifest"
                           : "its app declares no volume of that name")
                       ? 0
                       : -ENOMEM;
}

static int network(const struct rc_object *n, struct rc_plan *p) {
        if (strcmp(n->name, ARCHY_NETWORK_NAME) == 0)
                return 0;
        return add(p, RC_ORPHAN_NETWORK, n->name, n->app, "archy makes only the network " ARCHY_NETWORK_NAME) ? 0
                                                                                                              : -ENOMEM;
}

/* ---- the whole run ------------------------------------------------------------------------ */

/* Entries of apps gone from the manifest are dropped; a stopped app forgets its streak. */
static void prune_state(const struct manifest *m, struct reconcile_state *st) {
        for (size_t i = st->n_apps; i-- > 0;) {
                const struct app *a = m ? manifest_find_app(m, st->apps[i].app) : NULL;
                if (!a)
                        reconcile_state_remove(st, i);
                else if (a->state != APP_STATE_STARTED) {
                        st->apps[i].streak = 0;
                        st->apps[i].next_retry = 0;
                        st->apps[i].healthy_since = 0;
                }
        }
}

static int decide_apps(const struct manifest *m, const struct rc_observed *o, struct reconcile_state *st, long long now,
                       struct rc_plan *p) {
        for (size_t i = 0; m && i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                if (a->skip)
                        continue;
                int r = a->state == APP_STATE_STARTED ? restart_failed(a, o, st, now, p) : stop_units(a, o, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int decide_podman(const struct manifest *m, const struct rc_observed *o, struct rc_plan *p) {
        int r = 0;
        for (size_t i = 0; r >= 0 && i < o->n_containers; i++)
                r = container(m, o, &o->containers[i], p);
        for (size_t i = 0; r >= 0 && i < o->n_volumes; i++)
                r = volume(m, &o->volumes[i], p);
        for (size_t i = 0; r >= 0 && i < o->n_networks; i++)
                r = network(&o->networks[i], p);
        return r;
}

int reconcile_decide(const struct manifest *m, const struct rc_observed *o, const struct reconcile_state *old,
                     long long now, struct rc_plan *plan, struct reconcile_state *new_state) {
        *plan = (struct rc_plan){0};
        int r = reconcile_state_copy(old, new_state);
        if (r < 0)
                return r;
        prune_state(m, new_state);
        if (o->scanned)
                new_state->last_full_scan = now;
        r = decide_apps(m, o, new_state, now, plan);
        if (r >= 0 && o->scanned)
                r = decide_podman(m, o, plan);
        return r;
}

/* ---- the idle path ------------------------------------------------------------------------ */

const char *rc_scope_container_id(const char *unit, size_t *len) {
        static const char prefix[] = "libpod-", suffix[] = ".scope";
        size_t n = strlen(unit);
        if (strncmp(unit, prefix, sizeof prefix - 1) != 0 || n < sizeof prefix + sizeof suffix - 1 ||
            strcmp(unit + n - (sizeof suffix - 1), suffix) != 0)
                return NULL;
        const char *id = unit + sizeof prefix - 1;
        *len = n - (sizeof prefix - 1) - (sizeof suffix - 1);
        return strspn(id, "0123456789abcdef") >= *len ? id : NULL; /* libpod-conmon-<id>: not hex */
}

bool rc_unit_is_leftover(const struct rc_unit *u) {
        return strcmp(u->load_state, "not-found") == 0 && unit_running(u);
}

bool rc_scan_due(const struct reconcile_state *s, long long now, bool forced, size_t unaccounted, size_t leftovers) {
        return forced || unaccounted > 0 || leftovers > 0 || s->last_full_scan > now ||
               now - s->last_full_scan >= RECONCILE_FULL_SCAN_SEC;
}
