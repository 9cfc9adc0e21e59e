/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Who runs the apps (archy-manifest(5) NODE): the one place every binary learns it. Rootful: root's
 * podman and the system manager. Rootless: the apps user's podman (its storage under its home, its
 * runtime state under /run/user/UID) and its systemd --user manager. */

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "manifest.h"
#include "subid.h"

#define SETPRIV_PATH "/usr/bin/setpriv"

struct node_user {
        enum node_mode mode;
        char name[NODE_USER_MAX + 1]; /* rootful: "root" */
        uid_t uid;
        gid_t gid;
        char home[PATH_MAX];
        char runtime_dir[32]; /* /run/user/UID: podman's and the user manager's runtime state */
        struct subid_range subuid, subgid;
};

/* Fills ret for node (NULL: rootful). Rootless: the user from the password database and its ranges
 * from /etc/subuid and /etc/subgid ($ARCHY_SUBUID_FILE, $ARCHY_SUBGID_FILE for tests). -ENOENT: no
 * such user; -ENXIO: no subordinate range (rootless podman cannot map a container's users without
 * one); logged with what to do (archy-setup-rootless(8)). */
int node_user_lookup(const struct node_settings *node, struct node_user *ret);

/* Whether this process is the apps user itself (a helper run in its user manager). */
bool node_user_is_self(const struct node_user *u);

/* The host owner of a file a container reads as uid:gid (the manifest's owners are the
 * container's): itself when rootful, mapped through the user namespace when rootless. -ERANGE when
 * the id lies outside the user's ranges (logged by the caller, which knows the file). */
int node_user_host_owner(const struct node_user *u, uid_t uid, gid_t gid, uid_t *ret_uid, gid_t *ret_gid);

/* A connection to the manager that runs the apps: the system's; rootless, the user's own bus when
 * this process is the user, else (as root) USER@.host, as systemctl --user -M USER@ does
 * (node-units.c: links libsystemd). */
typedef struct sd_bus sd_bus;
int node_units_open(const struct node_user *u, sd_bus **ret);

/* Which manager node_units_open() reaches, for a caller that opens the bus itself (archy-derive
 * dlopen()s libsystemd, it runs every 30 s). NODE_UNITS_USER_MACHINE fills machine ("USER@.host"). */
enum node_units_bus { NODE_UNITS_SYSTEM, NODE_UNITS_USER_SELF, NODE_UNITS_USER_MACHINE };
#define NODE_UNITS_MACHINE_MAX (NODE_USER_MAX + 8)
enum node_units_bus node_units_target(const struct node_user *u, char machine[static NODE_UNITS_MACHINE_MAX]);

/* Rootless and not the user itself: argv to run podman as the user (setpriv to its uid, gid and
 * groups) and the environment rootless podman needs (HOME, XDG_RUNTIME_DIR, the user's bus, PATH).
 * Returns false when podman runs as this process (rootful, or the user itself): nothing filled. */
struct node_user_exec {
        char uid_arg[32], gid_arg[32];
        char home_env[PATH_MAX + 8], runtime_env[48], bus_env[96];
        const char *envp[6];
};
bool node_user_exec_prepare(const struct node_user *u, struct node_user_exec *ret);
