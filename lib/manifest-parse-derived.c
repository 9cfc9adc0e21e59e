/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-parse.h"
#include "suggest.h"
#include "values.h"

/* The keys each kind of derived config takes besides kind and path; archy-derive(8) documents
 * what they mean. "vars" is the one mapping (kind env); every other setting is a string. */
static const char *const derived_keys[_DERIVED_KIND_MAX][8] = {
        [DERIVED_BITCOIN_CONF] = {"kind", "path", "rpc_user", "secret", "consumers", NULL},
        [DERIVED_LND_CONF] = {"kind", "path", "rpc_user", "secret", "rpc_host", "consumers", NULL},
        [DERIVED_ENV] = {"kind", "path", "vars", "consumers", NULL},
        [DERIVED_CONTAINERS_CONF] = {"kind", "path", NULL},
        [DERIVED_NGINX_ROUTE] = {"kind", "path", "location", "upstream", NULL},
};

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
                if (s && strcmp(name, "path") == 0 && !abs_path_valid(s)) {
                        yerror(c, v, "%s: expected an absolute, normalized path of [A-Za-z0-9._/@+-], got \"%s\"", k,
                               s);
                        s = NULL;
                }
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
        return ok;
}
