/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "manifest.h"
#include "node-user.h"

/* Pure: the host owner of what archy-derive writes or creates. The manifest's owners are the
 * container's ids (0:0 by default). On a rootless node a file a container or the apps user's podman
 * reads (bitcoin-conf, lnd-conf, env, file, secret-file) and a bind source get the host ids that
 * hold those ids in the apps user's user namespace (node_user_host_owner(): 0 is the user itself);
 * what the host reads (nginx-route, containers-conf) stays as written. */

/* Whether a file of this kind is read by a container or by the apps user's podman. */
bool derived_kind_read_by_apps(enum derived_kind kind);

/* The host owner of a file of kind `kind` that the manifest gives uid:gid; u NULL: rootful.
 * -ERANGE: an id outside the user's ranges (why: owner_range_error()). */
int derived_host_owner(const struct node_user *u, enum derived_kind kind, uid_t uid, gid_t gid, uid_t *ret_uid,
                       gid_t *ret_gid);

/* The error for an owner uid:gid, given at manifest:pos, that the rootless apps user cannot map:
 * which ids it maps, and the host ranges behind them. */
void owner_range_error(const struct node_user *u, const char *manifest, struct mpos pos, unsigned uid, unsigned gid,
                       char *buf, size_t size);
