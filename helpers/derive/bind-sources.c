/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bind-sources.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bind-source.h"
#include "log.h"
#include "owner-map.h"

/* 0 in place or created, 1 missing (check_only), -EIO after logging. */
static int ensure_one(const struct manifest *m, const struct node_user *u, const char *root, const struct app *a,
                      const struct container *c, const struct mount *mt, bool check_only) {
        uid_t uid;
        gid_t gid;
        if (node_user_host_owner(u, mt->create_uid, mt->create_gid, &uid, &gid) < 0) {
                char why[512];
                owner_range_error(u, m->path, mt->pos, mt->create_uid, mt->create_gid, why, sizeof(why));
                log_error("apps.%s.containers.%s.volumes: bind source %s: not created: %s", a->name, c->part,
                          mt->source, why);
                return -EIO;
        }
        if (check_only) {
                char full[4352];
                struct stat st;
                snprintf(full, sizeof(full), "%s%s", root, mt->source);
                if (lstat(full, &st) == 0 || errno != ENOENT)
                        return 0;
                log_notice("apps.%s.containers.%s.volumes: bind source %s is missing: a run without --check creates it",
                           a->name, c->part, mt->source);
                return 1;
        }
        return bind_source_ensure(root, mt->source, uid, gid, mt->create_mode) < 0 ? -EIO : 0;
}

int bind_sources_ensure_all(const struct manifest *m, const struct node_user *u, const char *root, const char *only_app,
                            bool check_only) {
        if (!m || !u || u->mode != NODE_ROOTLESS)
                return 0;
        bool failed = false, missing = false;
        for (size_t i = 0; i < m->n_apps; i++) {
                const struct app *a = &m->apps[i];
                if (a->skip || a->state == APP_STATE_UNINSTALLED || (only_app && strcmp(only_app, a->name) != 0))
                        continue;
                for (size_t c = 0; c < a->n_containers; c++)
                        for (size_t k = 0; k < a->containers[c].n_mounts; k++) {
                                const struct mount *mt = &a->containers[c].mounts[k];
                                if (mt->kind != MOUNT_HOST_PATH || !mt->create)
                                        continue;
                                int r = ensure_one(m, u, root, a, &a->containers[c], mt, check_only);
                                failed |= r < 0;
                                missing |= r > 0;
                        }
        }
        return failed ? -EIO : missing;
}
