/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which manager a generator run renders for (archy-manifest(5) NODE): the same binary is the system
 * generator and, on a rootless node, the apps user's user generator. */

#include <stdbool.h>

#include "manifest.h"

enum gen_scope { GEN_SCOPE_SYSTEM, GEN_SCOPE_USER };

/* From $SYSTEMD_SCOPE, which systemd (>= 251) sets for generators: "user" for user generators. */
enum gen_scope gen_scope_from_env(void);

/* Whether this run renders the apps' units: the system generator of a rootful node (and, with no
 * usable manifest m, the system generator: no apps), the user generator of the apps user
 * (self_user) of a rootless node. Otherwise *ret_why says why not, for a debug line. Pure. */
bool gen_scope_renders_apps(const struct manifest *m, enum gen_scope scope, const char *self_user,
                            const char **ret_why);

/* The system generator of a rootless node: a drop-in for user@UID.service (the apps user's
 * manager) in outdir, ordering it after archy-derive.service, which writes what the apps read.
 * Returns 0 or negative errno (logged). */
int gen_scope_write_user_manager_dropin(const struct manifest *m, const char *outdir);

/* The system generator of a rootless node: masks the system's archy-reconcile.timer (a link to
 * /dev/null in early_dir, the generator's early directory, which wins over /etc): the apps user's
 * manager runs the node's reconcile, and a system run every minute would only skip. The service
 * itself stays startable by hand. Returns 0 or negative errno (logged). */
int gen_scope_mask_system_timers(const char *early_dir);

/* Where the user units archy ships live (make install USERUNITDIR=). */
#ifndef ARCHY_USER_UNIT_DIR
#define ARCHY_USER_UNIT_DIR "/usr/lib/systemd/user"
#endif

/* The user generator of the apps user: enables archy's user units for this manager only (links in
 * outdir: default.target.wants/archy-apps.target, timers.target.wants/archy-podman-repair.timer
 * and archy-reconcile.timer); no other user's manager gets them. Returns 0 or negative errno (logged). */
int gen_scope_write_user_links(const char *outdir);
