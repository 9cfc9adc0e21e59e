/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Pure (in lib/model: archy-reconcile writes it, archyctl status reads it): archy-reconcile's
 * persisted state, /var/lib/archipelago/reconcile/state.json (archy-reconcile(8), FILES):
 *
 *   {"last_full_scan_unix": N, "apps": [{"app": "lnd", "restarts": N, "streak": N,
 *    "last_restart_unix": N, "next_retry_unix": N, "healthy_since_unix": N, "last_reason": "..."}]}
 *
 * Times are seconds since the epoch, 0 for "never" / "not set". */

#define RECONCILE_STATE_PATH "/var/lib/archipelago/reconcile/state.json"
/* Rootless node: in the apps user's manager, the file is under the user's home (this, after HOME/). */
#define RECONCILE_USER_STATE ".local/state/archipelago/reconcile/state.json"
/* The file is small: one entry per app that systemd gave up on once. */
#define RECONCILE_STATE_MAX ((size_t)1 << 20)

struct reconcile_app_state {
        char *app;
        unsigned restarts;       /* restart-app actions taken for the app, ever (while it is in the manifest) */
        unsigned streak;         /* restarts since it was last healthy for BACKOFF_RESET_SEC */
        long long last_restart;  /* the last restart-app */
        long long next_retry;    /* no restart before this; 0: the next failure is retried at once */
        long long healthy_since; /* seen active since, after a restart; 0: not seen healthy yet */
        char *last_reason;       /* why the last restart-app was taken; NULL: none */
};

struct reconcile_state {
        long long last_full_scan; /* the last run that asked podman for its containers, volumes, networks */
        struct reconcile_app_state *apps;
        size_t n_apps;
};

/* Parse the file's text: 0, -EINVAL (with *error set to why when error is not NULL) or -ENOMEM.
 * *ret is to be released with reconcile_state_done() in every case. */
int reconcile_state_parse(const char *text, size_t len, struct reconcile_state *ret, const char **error);
/* The file's text (one JSON object and a newline), NULL on OOM. */
char *reconcile_state_render(const struct reconcile_state *s);
/* The entry of app, or NULL. */
struct reconcile_app_state *reconcile_state_find(const struct reconcile_state *s, const char *app);
/* The entry of app, added (zeroed) when missing; NULL on OOM. */
struct reconcile_app_state *reconcile_state_get(struct reconcile_state *s, const char *app);
/* A deep copy: 0 or -ENOMEM (dst then holds what was copied, to be released). */
int reconcile_state_copy(const struct reconcile_state *src, struct reconcile_state *dst);
/* Drop the entry at index i. */
void reconcile_state_remove(struct reconcile_state *s, size_t i);
void reconcile_state_done(struct reconcile_state *s);
