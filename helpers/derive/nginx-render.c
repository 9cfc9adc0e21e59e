/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nginx-render.h"

/* Map names carry the port: it is unique across the manifest's routes, and nginx refuses a
 * variable defined by two maps. */

/* Connection: upgrade only when the browser asks for one (a WebSocket), else close, as nginx's
 * own WebSocket proxying documentation does. */
static void upgrade_map(struct strbuf *sb, unsigned port) {
        strbuf_printf(sb, "map $http_upgrade $archy_connection_%u {\n\tdefault upgrade;\n\t'' close;\n}\n", port);
}

/* The app's own Content-Security-Policy is kept (its script-src and the rest protect it), without
 * its frame-ancestors; then the one frame-ancestors the node wants. An app with none gets only it. */
static void csp_map(struct strbuf *sb, unsigned port) {
        static const char ours[] = "frame-ancestors 'self' https://$host";
        strbuf_printf(sb,
                      "map $upstream_http_content_security_policy $archy_csp_%u {\n"
                      "\t\"\" \"%s\";\n"
                      "\t\"~*^(?<archy_csp_head_%u>.*?)frame-ancestors[^;]*(?<archy_csp_tail_%u>.*)$\" "
                      "\"$archy_csp_head_%u$archy_csp_tail_%u; %s\";\n"
                      "\tdefault \"$upstream_http_content_security_policy; %s\";\n}\n",
                      port, ours, port, port, port, port, ours, ours);
}

static void proxy_block(struct strbuf *sb, const struct derived_nginx_route *r) {
        strbuf_printf(
                sb,
                "\tlocation %s {\n\t\tproxy_pass %s://%s;\n\t\tproxy_http_version 1.1;\n"
                "\t\tproxy_set_header Host $http_host;\n\t\tproxy_set_header X-Real-IP $remote_addr;\n"
                "\t\tproxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                "\t\tproxy_set_header X-Forwarded-Proto https;\n\t\tproxy_set_header X-Forwarded-Host $http_host;\n"
                "\t\tproxy_set_header X-Forwarded-Port $server_port;\n"
                "\t\tproxy_set_header Upgrade $http_upgrade;\n"
                "\t\tproxy_set_header Connection $archy_connection_%u;\n\t\tproxy_read_timeout 1h;\n",
                r->base_path ?: "/", r->upstream_tls ? "https" : "http", r->upstream, r->port);
        if (r->upstream_tls)
                /* The app's self-signed certificate on the loopback or the node's own network. */
                strbuf_puts(sb, "\t\tproxy_ssl_verify off;\n\t\tproxy_ssl_server_name off;\n");
        strbuf_printf(sb,
                      "\t\tproxy_redirect default;\n\t\tproxy_redirect http://$http_host/ /;\n"
                      "\t\tproxy_hide_header X-Frame-Options;\n\t\tproxy_hide_header Content-Security-Policy;\n"
                      "\t\tadd_header Content-Security-Policy $archy_csp_%u always;\n\t}\n",
                      r->port);
}

void nginx_render_server(struct strbuf *sb, const struct derived_nginx_route *r) {
        upgrade_map(sb, r->port);
        csp_map(sb, r->port);
        strbuf_printf(sb,
                      "server {\n\tlisten %u ssl;\n\tssl_certificate " ARCHY_NGINX_TLS_CERT
                      ";\n\tssl_certificate_key " ARCHY_NGINX_TLS_KEY ";\n"
                      "\terror_page 497 =301 https://$host:$server_port$request_uri;\n",
                      r->port);
        if (r->base_path)
                strbuf_printf(sb, "\tlocation = / {\n\t\treturn 302 %s;\n\t}\n\tlocation / {\n\t\treturn 404;\n\t}\n",
                              r->base_path);
        proxy_block(sb, r);
        strbuf_puts(sb, "}\n");
}
