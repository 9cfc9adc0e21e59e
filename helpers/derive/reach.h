/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "node-user.h"

/* On a rootless node the apps user's podman opens an env file itself, and its crun resolves a bind
 * mount's source as the user: every directory on the way must let the user through. */

/* Pure: whether the host user uid (primary group gid) may search (X_OK) or read (R_OK) what st
 * describes, by its owner, group and other bits (no ACLs, no supplementary groups). */
bool reach_allows(const struct stat *st, uid_t uid, gid_t gid, int what);

/* Warns (once, naming it) about the first directory of path (under root, "" for /) that the apps
 * user cannot search, and with read_file about the file when the user cannot read it. */
void reach_warn(const char *root, const char *path, const struct node_user *u, bool read_file);
