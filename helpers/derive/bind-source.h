/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* archy-derive --bind-source PATH --owner UID:GID --mode MODE, which a container's unit runs
 * before each start (ExecStartPre=) for a host path the manifest asks archy to create: podman
 * does not create a missing bind source, and the container would fail to start.
 *
 * A missing directory is created with that owner and mode, missing parents root's 0755. An
 * existing one is left exactly as it is (never chowned, least of all recursively: it holds the
 * app's data). Refused (a directory it just made is removed again): a symbolic link anywhere on the way or at PATH
 * itself, something other than a directory at PATH, and a parent that someone other than root can write (path-trust.h),
 * who could swap the directory for a link and have root chown where they like. PATH is taken under root ("" for /). 0
 * (created or already there), or a negative errno after logging why. */
int bind_source_ensure(const char *root, const char *path, uid_t uid, gid_t gid, mode_t mode);
