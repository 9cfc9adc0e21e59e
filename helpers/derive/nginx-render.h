/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manifest.h"
#include "strbuf.h"

/* The node's TLS certificate and key, node-wide, for every nginx-route of the port form
 * (archy-manifest(5) NGINX ROUTES). The node provides them; archy-derive does not create them. */
#define ARCHY_NGINX_TLS_CERT "/etc/archipelago/tls/node.crt"
#define ARCHY_NGINX_TLS_KEY "/etc/archipelago/tls/node.key"

/* Pure: the port form of an nginx-route, a whole server block (with its two maps) for nginx's
 * http level, after the header line. */
void nginx_render_server(struct strbuf *sb, const struct derived_nginx_route *r);
