/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "node-user.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"

#define SUBID_FILE_MAX (1U << 20)

static const char *env_or(const char *name, const char *fallback) {
        const char *v = getenv(name);
        return v && *v ? v : fallback;
}

static int read_range(const char *path, const struct node_user *u, struct subid_range *ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        mode_t type;
        int r = read_regular_file(path, SUBID_FILE_MAX, false, &text, &len, &type);
        if (r == -ENOENT)
                r = 0, len = 0;
        if (r < 0)
                return log_error_errno(r, "rootless node: cannot read %s: %m", path);
        r = subid_find(text ? text : "", len, u->name, u->uid, ret);
        if (r == -EINVAL)
                return log_error_errno(r, "rootless node: %s: the line of user %s is not NAME:START:COUNT", path,
                                       u->name);
        if (r < 0 || ret->count == 0)
                return log_error_errno(-ENXIO,
                                       "rootless node: user %s has no subordinate range in %s: rootless podman cannot "
                                       "map a container's users; run archy-setup-rootless %s (archy-setup-rootless(8))",
                                       u->name, path, u->name);
        return 0;
}

int node_user_lookup(const struct node_settings *node, struct node_user *ret) {
        *ret = (struct node_user){.mode = node ? node->mode : NODE_ROOTFUL};
        if (!node || node->mode == NODE_ROOTFUL) {
                strcpy(ret->name, "root");
                strcpy(ret->home, "/root");
                return 0;
        }
        errno = 0;
        struct passwd *pw = getpwnam(node->user);
        if (!pw)
                return log_error_errno(errno ? -errno : -ENOENT,
                                       "rootless node: no user %s (node.user): create it with archy-setup-rootless %s "
                                       "(archy-setup-rootless(8))",
                                       node->user, node->user);
        snprintf(ret->name, sizeof(ret->name), "%s", node->user);
        snprintf(ret->home, sizeof(ret->home), "%s", pw->pw_dir);
        ret->uid = pw->pw_uid;
        ret->gid = pw->pw_gid;
        snprintf(ret->runtime_dir, sizeof(ret->runtime_dir), "/run/user/%u", (unsigned)ret->uid);
        int r = read_range(env_or("ARCHY_SUBUID_FILE", "/etc/subuid"), ret, &ret->subuid);
        if (r >= 0)
                r = read_range(env_or("ARCHY_SUBGID_FILE", "/etc/subgid"), ret, &ret->subgid);
        return r;
}

bool node_user_is_self(const struct node_user *u) {
        return u->mode == NODE_ROOTLESS && geteuid() == u->uid;
}

int node_user_host_owner(const struct node_user *u, uid_t uid, gid_t gid, uid_t *ret_uid, gid_t *ret_gid) {
        if (u->mode == NODE_ROOTFUL) {
                *ret_uid = uid;
                *ret_gid = gid;
                return 0;
        }
        unsigned long hu, hg;
        if (!subid_map(u->uid, &u->subuid, uid, &hu) || !subid_map(u->gid, &u->subgid, gid, &hg))
                return -ERANGE;
        *ret_uid = (uid_t)hu;
        *ret_gid = (gid_t)hg;
        return 0;
}

enum node_units_bus node_units_target(const struct node_user *u, char machine[static NODE_UNITS_MACHINE_MAX]) {
        if (u->mode == NODE_ROOTFUL)
                return NODE_UNITS_SYSTEM;
        if (node_user_is_self(u))
                return NODE_UNITS_USER_SELF;
        snprintf(machine, NODE_UNITS_MACHINE_MAX, "%s@.host", u->name);
        return NODE_UNITS_USER_MACHINE;
}

bool node_user_exec_prepare(const struct node_user *u, struct node_user_exec *ret) {
        if (u->mode == NODE_ROOTFUL || node_user_is_self(u))
                return false;
        snprintf(ret->uid_arg, sizeof(ret->uid_arg), "--reuid=%u", (unsigned)u->uid);
        snprintf(ret->gid_arg, sizeof(ret->gid_arg), "--regid=%u", (unsigned)u->gid);
        snprintf(ret->home_env, sizeof(ret->home_env), "HOME=%s", u->home);
        snprintf(ret->runtime_env, sizeof(ret->runtime_env), "XDG_RUNTIME_DIR=%s", u->runtime_dir);
        snprintf(ret->bus_env, sizeof(ret->bus_env), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s/bus", u->runtime_dir);
        ret->envp[0] = ret->home_env;
        ret->envp[1] = ret->runtime_env;
        ret->envp[2] = ret->bus_env;
        ret->envp[3] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        ret->envp[4] = "PODMAN_IGNORE_CGROUPSV1_WARNING=1";
        ret->envp[5] = NULL;
        return true;
}
