/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "suggest.h"
#include "values.h"

/* The keys each kind of derived config takes besides kind and path; archy-derive(8) documents
 * what they mean. "vars" is the one mapping (kind env); every other setting is a string. */
static const char *const derived_keys[_DERIVED_KIND_MAX][10] = {
        [DERIVED_BITCOIN_CONF] = {"kind", "path", "rpc_user", "secret", "consumers", "owner", "mode", NULL},
        [DERIVED_LND_CONF] = {"kind", "path", "rpc_user", "secret", "rpc_host", "consumers", "owner", "mode", NULL},
        [DERIVED_ENV] = {"kind", "path", "vars", "consumers", "owner", "mode", NULL},
        [DERIVED_CONTAINERS_CONF] = {"kind", "path", "mode", NULL},
        [DERIVED_NGINX_ROUTE] = {"kind", "path", "location", "upstream", "mode", NULL},
};

/* Keys a kind cannot do without (besides kind and path). */
static const char *const derived_required[_DERIVED_KIND_MAX][4] = {
        [DERIVED_BITCOIN_CONF] = {"rpc_user", "secret", NULL},
        [DERIVED_LND_CONF] = {"rpc_user", "secret", "rpc_host", NULL},
        [DERIVED_ENV] = {"vars", NULL},
        [DERIVED_NGINX_ROUTE] = {"location", "upstream", NULL},
};

static bool owner_valid(const char *s) {
        unsigned uid, gid;
        return owner_parse(s, &uid, &gid) == 0;
}

static bool mode_valid(const char *s) {
        unsigned mode;
        return mode_parse(s, &mode) == 0;
}

/* What each scalar setting must look like, and how the error says so. */
static const struct {
        const char *key;
        bool (*valid)(const char *s);
        const char *expected;
} setting_rules[] = {
        {"path", abs_path_valid, "an absolute, normalized path of [A-Za-z0-9._/@+-]"},
        {"rpc_user", rpc_user_valid, "a user name of [A-Za-z0-9_.-], 1 to 64 characters"},
        {"secret", name_valid, "a secret name matching [a-z][a-z0-9-]{0,47}"},
        {"rpc_host", host_port_valid, "host:port, e.g. archy-bitcoin-knots:8332"},
        {"upstream", host_port_valid, "host:port, e.g. 127.0.0.1:8081"},
        {"location", url_path_valid, "a URL path of [A-Za-z0-9._/-] starting with /, e.g. /apps/mempool/"},
        {"consumers", part_list_valid, "container parts of this app separated by single spaces, e.g. \"main ui\""},
        {"owner", owner_valid, "UID:GID in numbers, e.g. 0:0"},
        {"mode", mode_valid, "an octal mode from 0400 to 0777, e.g. 0600"},
};

static bool setting_valid(const struct yctx *c, const yaml_node_t *v, const char *k, const char *name, const char *s) {
        for (size_t i = 0; i < sizeof(setting_rules) / sizeof(setting_rules[0]); i++) {
                if (strcmp(setting_rules[i].key, name) != 0 || setting_rules[i].valid(s))
                        continue;
                char shown[96];
                yerror(c, v, "%s: expected %s, got \"%s\"", k, setting_rules[i].expected,
                       value_for_message(s, v->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        return true;
}

static bool vars_valid(const struct yctx *c, const yaml_node_t *map, const char *key, const struct derived *d) {
        bool ok = true;
        for (size_t i = 0; i < d->n_vars; i++) {
                size_t bad_at;
                if (secret_refs_valid(d->vars[i].value, &bad_at))
                        continue;
                char k[MANIFEST_KEY_MAX], shown[96];
                ykeyf(k, sizeof(k), "%s.%s", key, d->vars[i].name);
                yerror(c, ylookup(c, map, d->vars[i].name) ?: map,
                       "%s: expected ${secret:NAME} with NAME matching [a-z][a-z0-9-]{0,47} at \"%s\" (every ${ "
                       "starts a secret reference)",
                       k, value_for_message(d->vars[i].value + bad_at, strlen(d->vars[i].value + bad_at), shown, 24));
                ok = false;
        }
        return ok;
}

static const char *const derived_kind_names[] = {
        [DERIVED_BITCOIN_CONF] = "bitcoin-conf",       [DERIVED_LND_CONF] = "lnd-conf",       [DERIVED_ENV] = "env",
        [DERIVED_CONTAINERS_CONF] = "containers-conf", [DERIVED_NGINX_ROUTE] = "nginx-route", NULL,
};

const char *derived_kind_to_string(enum derived_kind k) {
        return k < _DERIVED_KIND_MAX ? derived_kind_names[k] : NULL;
}

static bool parse_kind(const struct yctx *c, const yaml_node_t *map, const char *key, enum derived_kind *ret) {
        yaml_node_t *n = ylookup(c, map, "kind");
        if (!n) {
                yerror(c, map,
                       "%s: missing required key \"kind\" (one of bitcoin-conf, lnd-conf, env, "
                       "containers-conf, nginx-route)",
                       key);
                return false;
        }
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.kind", key);
        const char *s = yexpect_text(c, n, k);
        if (!s)
                return false;
        for (int i = 0; i < _DERIVED_KIND_MAX; i++)
                if (strcmp(s, derived_kind_names[i]) == 0) {
                        *ret = (enum derived_kind)i;
                        return true;
                }
        const char *hint = suggest_closest(s, derived_kind_names);
        yerror(c, n,
               "%s: unknown kind \"%s\"%s%s%s, expected one of bitcoin-conf, lnd-conf, env, "
               "containers-conf, nginx-route",
               k, s, hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
        return false;
}

static bool parse_settings(const struct yctx *c, const yaml_node_t *map, const char *key, struct derived *d) {
        d->settings = calloc(ymapping_len(map) + 1, sizeof(*d->settings));
        if (!d->settings)
                return false;
        bool ok = true;
        ymapping_foreach (pair, map) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *v = ynode(c, pair->value);
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                if (strcmp(name, "kind") == 0)
                        continue;
                if (strcmp(name, "vars") == 0) {
                        ok = parse_env_mapping(c, v, k, &d->vars, &d->n_vars) && ok;
                        continue;
                }
                const char *s = yexpect_text(c, v, k);
                if (s && !setting_valid(c, v, k, name, s))
                        s = NULL;
                if (!s) {
                        ok = false;
                        continue;
                }
                if (strcmp(name, "path") == 0)
                        d->path = s;
                else
                        d->settings[d->n_settings++] = (struct env_var){name, s};
        }
        return ok;
}

bool parse_derived(const struct yctx *c, const char *app, size_t index, const yaml_node_t *n, struct derived *d) {
        char key[MANIFEST_KEY_MAX];
        ykeyf(key, sizeof(key), "apps.%s.derived[%zu]", app, index);
        d->pos = ypos(n);
        if (!yexpect_mapping(c, n, key) || !parse_kind(c, n, key, &d->kind))
                return false;
        bool ok = ycheck_keys(c, n, key, derived_keys[d->kind]);
        ok = parse_settings(c, n, key, d) && ok;
        if (!ylookup(c, n, "path")) {
                yerror(c, n, "%s: missing required key \"path\" (where archy-derive writes the file)", key);
                ok = false;
        }
        for (const char *const *r = derived_required[d->kind]; *r; r++)
                if (!ylookup(c, n, *r)) {
                        yerror(c, n, "%s: missing required key \"%s\" (kind %s)", key, *r, derived_kind_names[d->kind]);
                        ok = false;
                }
        yaml_node_t *vars = ylookup(c, n, "vars");
        if (vars && vars->type == YAML_MAPPING_NODE) {
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.vars", key);
                ok = vars_valid(c, vars, k, d) && ok;
        }
        return ok;
}
