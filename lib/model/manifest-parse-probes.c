/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apps.APP.probes: what archyctl probe and the metrics timer check of a started app, a TCP port
 * that accepts a connection or a URL that answers an expected HTTP status (archy-manifest(5)). */
#include "manifest-parse-probes.h"

#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "parse-number.h"
#include "url.h"
#include "values-probe.h"
#include "values.h"

static const char *const probe_keys[] = {"name", "tcp", "http", "expect", "timeout", NULL};

static bool parse_name(const struct yctx *c, const yaml_node_t *n, const char *key, const struct app *a,
                       struct probe *p) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        char shown[96];
        if (!probe_name_valid(s)) {
                yerror(c, n, "%s: expected a probe name of 1 to %d characters of [a-z0-9-], got \"%s\"", key,
                       ARCHY_NAME_MAX, value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        for (size_t i = 0; i < a->n_probes; i++)
                if (a->probes[i].name && strcmp(a->probes[i].name, s) == 0) {
                        yerror(c, n, "%s: expected a name no other probe of %s has, got \"%s\" (line %zu has it too)",
                               key, a->name, s, a->probes[i].pos.line);
                        return false;
                }
        p->name = s;
        return true;
}

static bool parse_tcp(const struct yctx *c, const yaml_node_t *n, const char *key, struct probe *p) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        char host[PROBE_HOST_MAX], shown[96];
        unsigned port;
        if (probe_tcp_target_parse(s, host, &port) < 0) {
                yerror(c, n,
                       "%s: expected HOST:PORT with HOST an IPv4 address, an IPv6 address in brackets or a host "
                       "name and PORT from 1 to 65535, such as 127.0.0.1:8332 or [::1]:8332, got \"%s\"",
                       key, value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        p->kind = PROBE_TCP;
        p->target = s;
        return true;
}

static bool parse_http(const struct yctx *c, const yaml_node_t *n, const char *key, struct probe *p) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        if (!probe_url_valid(s)) {
                char shown[96];
                yerror(c, n,
                       "%s: expected an http:// or https:// URL of at most %d characters with a host (name, IPv4 "
                       "or [IPv6]), an optional port from 1 to 65535, no user:password@, no blank and no control "
                       "character, "
                       "such as http://127.0.0.1:8081/, got \"%s\"",
                       key, URL_MAX, value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        p->kind = PROBE_HTTP;
        p->target = s;
        return true;
}

static bool parse_status(const struct yctx *c, const yaml_node_t *n, const char *key, unsigned *ret) {
        const char *s = yexpect_text(c, n, key);
        unsigned long long v;
        if (!s)
                return false;
        if (parse_unsigned(s, 599, &v) < 0 || v < 100) {
                char shown[96];
                yerror(c, n, "%s: expected an HTTP status from 100 to 599, such as 200, got \"%s\"", key,
                       value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        *ret = (unsigned)v;
        return true;
}

/* One status or a list of 1 to PROBE_EXPECT_MAX. */
static bool parse_expect(const struct yctx *c, const yaml_node_t *n, const char *key, struct probe *p) {
        if (n->type != YAML_SEQUENCE_NODE) {
                p->n_expect = 1;
                return parse_status(c, n, key, &p->expect[0]);
        }
        size_t len = ysequence_len(n);
        if (len == 0 || len > PROBE_EXPECT_MAX) {
                yerror(c, n, "%s: expected 1 to %d HTTP statuses, such as [200, 401], got %zu", key, PROBE_EXPECT_MAX,
                       len);
                return false;
        }
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                ok = parse_status(c, item, k, &p->expect[p->n_expect++]) && ok;
        }
        return ok;
}

static bool parse_timeout(const struct yctx *c, const yaml_node_t *n, const char *key, struct probe *p) {
        const char *s = yexpect_text(c, n, key);
        if (!s)
                return false;
        if (probe_timeout_parse(s, &p->timeout_ms) < 0) {
                char shown[96];
                yerror(c, n, "%s: expected a timeout from 1ms to %us such as 2s or 500ms, got \"%s\"", key,
                       PROBE_TIMEOUT_MAX_MS / 1000, value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        return true;
}

/* Exactly one of tcp and http; expect only with http. */
static bool check_kind(const struct yctx *c, const yaml_node_t *n, const char *key) {
        const yaml_node_t *tcp = ylookup(c, n, "tcp"), *http = ylookup(c, n, "http"), *expect = ylookup(c, n, "expect");
        if (tcp && http) {
                yerror(c, n, "%s: expected exactly one of tcp and http, got both", key);
                return false;
        }
        if (!tcp && !http) {
                yerror(c, n, "%s: expected exactly one of tcp (HOST:PORT) and http (a URL), got neither", key);
                return false;
        }
        if (tcp && expect) {
                yerror(c, expect, "%s.expect: expected only with http (a tcp probe has no HTTP status)", key);
                return false;
        }
        return true;
}

static bool parse_probe(const struct yctx *c, const yaml_node_t *n, const char *key, const struct app *a,
                        struct probe *p) {
        *p = (struct probe){.timeout_ms = PROBE_TIMEOUT_DEFAULT_MS, .pos = ypos(n)};
        if (!yexpect_mapping(c, n, key))
                return false;
        bool ok = ycheck_keys(c, n, key, probe_keys);
        if (!ylookup(c, n, "name")) {
                yerror(c, n, "%s: missing required key \"name\" (a name of [a-z0-9-] for the probe)", key);
                ok = false;
        }
        if (!check_kind(c, n, key))
                return false;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *v = ynode(c, pair->value);
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                if (strcmp(name, "name") == 0)
                        ok = parse_name(c, v, k, a, p) && ok;
                else if (strcmp(name, "tcp") == 0)
                        ok = parse_tcp(c, v, k, p) && ok;
                else if (strcmp(name, "http") == 0)
                        ok = parse_http(c, v, k, p) && ok;
                else if (strcmp(name, "expect") == 0)
                        ok = parse_expect(c, v, k, p) && ok;
                else if (strcmp(name, "timeout") == 0)
                        ok = parse_timeout(c, v, k, p) && ok;
        }
        return ok;
}

bool parse_probes(const struct yctx *c, const yaml_node_t *n, const char *key, struct app *a) {
        if (!yexpect_sequence(c, n, key))
                return false;
        a->probes = calloc_items(ysequence_len(n), sizeof(*a->probes));
        if (!a->probes)
                return false;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                struct probe *p = &a->probes[a->n_probes];
                if (parse_probe(c, item, k, a, p))
                        a->n_probes++;
                else {
                        *p = (struct probe){0};
                        ok = false;
                }
        }
        return ok;
}
