/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest-checks.h"

/* The apps' user binds the published ports itself (pasta or rootlessport), and the kernel lets an
 * unprivileged process bind no port below net.ipv4.ip_unprivileged_port_start (1024). archy does
 * not lower that node-wide: it would hand every local user the privileged ports. */
/* A containers.conf drop-in changes every user's podman on the machine, and its
 * host_containers_internal_ip also feeds host-gateway, which is what gives a rootless container
 * host.archipelago (pasta's mapped host address): pinning it breaks FM4 instead of fixing it. */
static void check_containers_conf(struct app *a, struct diag_list *diags) {
        for (size_t d = 0; d < a->n_derived; d++) {
                const struct derived *dv = &a->derived[d];
                if (dv->kind != DERIVED_CONTAINERS_CONF)
                        continue;
                diag_add(diags, a->name, dv->pos.line, dv->pos.col,
                         "apps.%s.derived: kind containers-conf on a rootless node: the drop-in would change "
                         "every user's podman and pin host.archipelago to an address the apps user's containers "
                         "cannot reach; remove it (podman's host-gateway gives host.archipelago in both modes)",
                         a->name);
                a->skip = true;
        }
}

void manifest_check_rootless(struct manifest *m, struct diag_list *diags) {
        if (m->node.mode != NODE_ROOTLESS)
                return;
        for (size_t i = 0; i < m->n_apps; i++) {
                struct app *a = &m->apps[i];
                if (a->state == APP_STATE_UNINSTALLED)
                        continue;
                check_containers_conf(a, diags);
                for (size_t c = 0; c < a->n_containers; c++) {
                        const struct container *ct = &a->containers[c];
                        for (size_t p = 0; p < ct->n_ports; p++) {
                                const struct port *pt = &ct->ports[p];
                                if (pt->host_port >= ROOTLESS_PORT_MIN)
                                        continue;
                                diag_add(diags, a->name, pt->pos.line, pt->pos.col,
                                         "apps.%s.containers.%s.ports: host port %u is below %u, which the rootless "
                                         "apps user \"%s\" cannot bind; publish a port of %u or above (the node's "
                                         "nginx can serve it on %u: archy-manifest(5) NGINX ROUTES) or run the node "
                                         "rootful",
                                         a->name, ct->part, pt->host_port, ROOTLESS_PORT_MIN, m->node.user,
                                         ROOTLESS_PORT_MIN, pt->host_port);
                                a->skip = true;
                        }
                }
        }
}
