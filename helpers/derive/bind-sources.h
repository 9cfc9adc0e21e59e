/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "manifest.h"
#include "node-user.h"

/* A rootless node's bind sources with create: (archy-manifest(5)): the apps user cannot chown to its
 * subordinate ids, so its units carry no ExecStartPre= for them; archy-derive's normal run, before
 * the user manager starts, creates each missing one of every installed app (bind_source_ensure())
 * with the host ids behind the manifest's owner (owner-map.h) and its mode. An existing one is left
 * as it is. Rootful: nothing (each unit's ExecStartPre= does it).
 *
 * only_app NULL: every app. check_only: create nothing, report a missing one. 0; 1 with check_only
 * when one is missing; -EIO when one could not be created or its owner cannot be mapped (logged). */
int bind_sources_ensure_all(const struct manifest *m, const struct node_user *u, const char *root, const char *only_app,
                            bool check_only);
