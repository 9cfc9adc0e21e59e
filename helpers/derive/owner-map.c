/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "owner-map.h"

#include <errno.h>
#include <stdio.h>

bool derived_kind_read_by_apps(enum derived_kind kind) {
        return kind == DERIVED_BITCOIN_CONF || kind == DERIVED_LND_CONF || kind == DERIVED_ENV ||
               kind == DERIVED_FILE || kind == DERIVED_SECRET_FILE;
}

int derived_host_owner(const struct node_user *u, enum derived_kind kind, uid_t uid, gid_t gid, uid_t *ret_uid,
                       gid_t *ret_gid) {
        if (!u || u->mode == NODE_ROOTFUL || !derived_kind_read_by_apps(kind)) {
                *ret_uid = uid;
                *ret_gid = gid;
                return 0;
        }
        return node_user_host_owner(u, uid, gid, ret_uid, ret_gid);
}

void owner_range_error(const struct node_user *u, const char *manifest, struct mpos pos, unsigned uid, unsigned gid,
                       char *buf, size_t size) {
        snprintf(buf, size,
                 "owner %u:%u (%s line %zu) is outside the ids the rootless apps user %s maps: uids 0 to %lu "
                 "(0 is %s itself, 1 to %lu its subordinate uids %lu to %lu) and gids 0 to %lu (subordinate gids %lu "
                 "to %lu); expected an owner within them",
                 uid, gid, manifest ? manifest : "the manifest", pos.line, u->name, u->subuid.count, u->name,
                 u->subuid.count, u->subuid.start, u->subuid.start + u->subuid.count - 1, u->subgid.count,
                 u->subgid.start, u->subgid.start + u->subgid.count - 1);
}
