/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"

/* Pure: what `archyctl apply` must do to take the node from the installed manifest to a new one,
 * given which units run now. The plan names systemd services (the naming contract, naming.h);
 * the executor (apply.c) carries it out in this order: stop, install the manifest, daemon-reload,
 * restart, start, wait. */

enum plan_action {
        PLAN_UNCHANGED, /* same rendered units and state, and running as its state says */
        PLAN_INSTALL,   /* absent or uninstalled before, started (or stopped) now */
        PLAN_UNINSTALL, /* uninstalled (or absent) now: its units stop, then vanish; volumes kept */
        PLAN_START,     /* stopped -> started, or started but some of its units are not running */
        PLAN_STOP,      /* started -> stopped */
        PLAN_RESTART,   /* started before and now, its rendered units changed: restarted after the reload */
        _PLAN_ACTION_MAX,
};

struct plan_app {
        const char *name; /* points into the new manifest, or the old one for an app it dropped */
        enum plan_action action;
        enum app_state from, to; /* APP_STATE_UNINSTALLED for an app absent from that manifest */
        bool in_old, in_new;     /* whether that manifest names the app (false: "absent") */
        char **stop;             /* services to stop before the manifest changes (NULL-terminated) */
        size_t n_stop;
        char **restart; /* services to restart after the reload */
        size_t n_restart;
        char **start; /* services to start after the reload */
        size_t n_start;
        bool wait; /* wait until its started units are active and healthy */
};

struct plan {
        struct plan_app *apps; /* the new manifest's apps in its order, then the apps only the old one has */
        size_t n_apps;
        bool network_stop; /* no app is left: archipelago-network.service stops with the rest */
};

/* running(service, ctx): whether the service is active or activating now (the executor asks
 * systemd; tests pass a table). NULL: every service counts as running. */
typedef bool (*plan_running_fn)(const char *service, void *ctx);

/* old: the installed manifest, or NULL when there is none; new: the manifest to apply. Apps with
 * skip set (invalid) in new are the caller's to refuse before planning; one it lets through is
 * planned as uninstalled (the generator gives it no units), as is one skipped in old (it had none).
 * The plan's names point into both manifests: keep them until plan_free(). 0 or -ENOMEM. */
int plan_compute(const struct manifest *old, const struct manifest *new, plan_running_fn running, void *ctx,
                 struct plan *ret);
/* archyctl restart APP: a pure post-step on a plan computed with the manifest unchanged. APP's
 * container services all restart (taken off its start list), it is waited for, and every app
 * that requires it, directly or not, and is started gets its services started again (the
 * restart's stop of APP's main unit stops them, ExecStopPost=). 0, -ENOENT (no such app in new),
 * -EINVAL (APP is not started in new: nothing to restart), -ENOMEM. */
int plan_force_restart(struct plan *p, const struct manifest *new, const char *app);
void plan_free(struct plan *p);
/* Whether carrying the plan out would change nothing. */
bool plan_is_noop(const struct plan *p);
/* "unchanged", "install", "uninstall", "start", "stop", "restart" */
const char *plan_action_to_string(enum plan_action a);
