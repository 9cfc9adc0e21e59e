/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-node.h"

#include <stdlib.h>
#include <string.h>

#include "manifest-source.h"
#include "units.h"

int ctl_node_init(const struct node_settings *node, struct ctl_node *ret) {
        *ret = (struct ctl_node){0};
        int r = node_user_lookup(node, &ret->user);
        if (r < 0)
                return r;
        ret->as_user = node_user_exec_prepare(&ret->user, &ret->exec);
        return 0;
}

int ctl_node_load(const char *manifest_path, const struct manifest *m, struct ctl_node *ret) {
        if (m)
                return ctl_node_init(&m->node, ret);
        struct manifest_source src;
        (void)manifest_source_load(manifest_path, manifest_last_good_path(), &src);
        int r = ctl_node_init(src.manifest ? &src.manifest->node : NULL, ret);
        manifest_source_done(&src);
        return r;
}

bool ctl_node_same(const struct node_settings *a, const struct node_settings *b) {
        if (a->mode != b->mode)
                return false;
        return a->mode == NODE_ROOTFUL || strcmp(a->user, b->user) == 0;
}

struct podman ctl_node_podman(const struct ctl_node *n, long timeout_ms) {
        const char *path = getenv("ARCHY_PODMAN");
        return (struct podman){.path = path && *path ? path : "/usr/bin/podman",
                               .timeout_ms = timeout_ms,
                               .as_user = n && n->as_user ? &n->exec : NULL};
}

int ctl_node_podman_run(const struct ctl_node *n, const char *const *args, long timeout_ms, struct spawn_result *ret) {
        struct podman p = ctl_node_podman(n, timeout_ms);
        return podman_run(&p, args, ret);
}

int ctl_node_apps_bus(const struct ctl_node *n, const char *address, sd_bus **ret) {
        if (address)
                return units_open_address(address, ret);
        if (!n)
                return units_open_system(ret);
        return node_units_open(&n->user, ret);
}

int ctl_node_system_bus(const struct ctl_node *n, const char *address, sd_bus **ret) {
        *ret = NULL;
        if (address || !n || n->user.mode == NODE_ROOTFUL)
                return 0;
        return units_open_system(ret);
}
