/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manifest-checks.h"

/* nginx-route's port form: nginx listens on the port on every address, so no other route and no
 * container of an installed app may have it (a container publishing 127.0.0.1:N blocks nginx's
 * 0.0.0.0:N, and `nginx -t` does not bind, so only the reload would fail). The route later in the
 * manifest is the one reported; its app is skipped. Routes are few: pairs are compared. */

static bool app_counts(const struct app *a) {
        return a->state != APP_STATE_UNINSTALLED;
}

static bool route_port(const struct derived *d, unsigned port) {
        return d->kind == DERIVED_NGINX_ROUTE && d->nginx_route.port == port;
}

/* An earlier route with the same port: *ret_app and *ret_index say which. */
static bool earlier_route(const struct manifest *m, size_t app, size_t index, unsigned port, size_t *ret_app,
                          size_t *ret_index) {
        for (size_t i = 0; i <= app; i++) {
                if (!app_counts(&m->apps[i]))
                        continue;
                for (size_t j = 0; j < (i == app ? index : m->apps[i].n_derived); j++)
                        if (route_port(&m->apps[i].derived[j], port)) {
                                *ret_app = i;
                                *ret_index = j;
                                return true;
                        }
        }
        return false;
}

static const struct container *publisher(const struct manifest *m, unsigned port, const struct app **ret_app,
                                         size_t *ret_index) {
        for (size_t i = 0; i < m->n_apps; i++) {
                if (!app_counts(&m->apps[i]))
                        continue;
                for (size_t c = 0; c < m->apps[i].n_containers; c++)
                        for (size_t p = 0; p < m->apps[i].containers[c].n_ports; p++) {
                                const struct port *pp = &m->apps[i].containers[c].ports[p];
                                if (pp->host_port == port && pp->proto && pp->proto[0] == 't') {
                                        *ret_app = &m->apps[i];
                                        *ret_index = p;
                                        return &m->apps[i].containers[c];
                                }
                        }
        }
        return NULL;
}

static void check_route(struct manifest *m, size_t app, size_t index, struct diag_list *diags) {
        struct app *a = &m->apps[app];
        const struct derived_nginx_route *r = &a->derived[index].nginx_route;
        size_t other, other_index;
        const struct app *pa;
        const struct container *ct;
        if (earlier_route(m, app, index, r->port, &other, &other_index)) {
                diag_add(diags, a->name, r->port_pos.line, r->port_pos.col,
                         "apps.%s.derived[%zu].port: port %u is already the port of apps.%s.derived[%zu], expected "
                         "each nginx-route port to be used once",
                         a->name, index, r->port, m->apps[other].name, other_index);
                a->skip = true;
        } else if ((ct = publisher(m, r->port, &pa, &other_index))) {
                diag_add(diags, a->name, r->port_pos.line, r->port_pos.col,
                         "apps.%s.derived[%zu].port: port %u is also published by %s "
                         "(apps.%s.containers.%s.ports[%zu]), "
                         "expected a port no container publishes (nginx listens on it on every address)",
                         a->name, index, r->port, ct->unit, pa->name, ct->part, other_index);
                a->skip = true;
        }
}

void manifest_check_nginx_ports(struct manifest *m, struct diag_list *diags) {
        for (size_t i = 0; i < m->n_apps; i++) {
                if (!app_counts(&m->apps[i]))
                        continue;
                for (size_t j = 0; j < m->apps[i].n_derived; j++)
                        if (m->apps[i].derived[j].kind == DERIVED_NGINX_ROUTE && m->apps[i].derived[j].nginx_route.port)
                                check_route(m, i, j, diags);
        }
}
