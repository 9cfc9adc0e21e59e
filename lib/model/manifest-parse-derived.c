/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "manifest-parse.h"
#include "suggest.h"
#include "values.h"

/* A validated scalar setting of one entry, before it lands in its typed field. */
struct setting {
        const char *name;
        const char *value;
};

struct settings {
        struct setting *items;
        size_t n;
};

static const char *setting(const struct settings *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->items[i].name, name) == 0)
                        return s->items[i].value;
        return NULL;
}

/* Lines of bitcoin.conf that archy-derive writes itself, or that would undo them. */
static const char *const bitcoin_managed[] = {
        "rpcauth",    "rpcuser",        "rpcpassword", "server",       "rpcbind",
        "rpcallowip", "zmqpubrawblock", "zmqpubrawtx", "chain",        "testnet",
        "signet",     "regtest",        "includeconf", "rpcwhitelist", "rpcwhitelistdefault",
        NULL};

static bool bitcoin_option_valid(const struct yctx *c, const yaml_node_t *kn, const yaml_node_t *v, const char *key,
                                 const char *name, const char *value) {
        char k[MANIFEST_KEY_MAX], shown[96];
        ykeyf(k, sizeof(k), "%s.%.64s", key, name);
        if (!bitcoin_option_name_valid(name)) {
                yerror(c, kn, "%s: expected a bitcoind option name matching [a-z][a-z0-9]{0,63}, got \"%s\"", key,
                       value_for_message(name, kn->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        for (const char *const *m = bitcoin_managed; *m; m++)
                if (strcmp(name, *m) == 0) {
                        yerror(c, kn,
                               "%s: archy-derive manages this line itself (or it would undo one it writes), expected "
                               "an option other than rpcauth, rpcuser, rpcpassword, server, rpcbind, rpcallowip, "
                               "zmqpubrawblock, zmqpubrawtx, chain, testnet, signet, regtest, includeconf, "
                               "rpcwhitelist, "
                               "rpcwhitelistdefault",
                               k);
                        return false;
                }
        if (value && !bitcoin_option_value_valid(value)) {
                yerror(c, v, "%s: expected a value of 1 to 255 characters of [A-Za-z0-9._:/,@+-], got \"%s\"", k,
                       value_for_message(value, v->data.scalar.length, shown, sizeof(shown)));
                return false;
        }
        return value;
}

static bool parse_bitcoin_options(const struct yctx *c, const yaml_node_t *n, const char *key,
                                  struct derived_bitcoin_conf *b) {
        if (!yexpect_mapping(c, n, key) || !ycheck_keys(c, n, key, NULL))
                return false;
        if (!(b->options = calloc_items(ymapping_len(n), sizeof(*b->options))))
                return false;
        bool ok = true;
        ymapping_foreach (pair, n) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *v = ynode(c, pair->value);
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%.64s", key, name);
                const char *value = bitcoin_option_name_valid(name) ? yexpect_text(c, v, k) : NULL;
                if (!bitcoin_option_valid(c, ynode(c, pair->key), v, key, name, value)) {
                        ok = false;
                        continue;
                }
                b->options[b->n_options++] = (struct env_var){name, value, ypos(v)};
        }
        return ok;
}

static const char *const rpc_user_keys[] = {"user", "secret", "whitelist", NULL};

/* An RPC method name as bitcoind registers them: lowercase letters and digits. */
static bool rpc_name_valid(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

static bool parse_rpc_whitelist(const struct yctx *c, const yaml_node_t *n, const char *key,
                                struct bitcoin_rpc_user *u) {
        if (!yexpect_sequence(c, n, key))
                return false;
        if (ysequence_len(n) == 0) {
                yerror(c, n, "%s: expected at least one RPC name (leave whitelist out to allow every RPC)", key);
                return false;
        }
        return parse_text_list(c, n, key, rpc_name_valid, "an RPC name of [a-z0-9], e.g. getblockchaininfo",
                               &u->whitelist, &u->n_whitelist);
}

static const char *rpc_user_text(const struct yctx *c, const yaml_node_t *map, const char *key, const char *name,
                                 bool (*valid)(const char *), const char *what) {
        yaml_node_t *n = ylookup(c, map, name);
        char k[MANIFEST_KEY_MAX], shown[96];
        ykeyf(k, sizeof(k), "%s.%s", key, name);
        if (!n) {
                yerror(c, map, "%s: missing required key \"%s\" (%s)", key, name, what);
                return NULL;
        }
        const char *s = yexpect_text(c, n, k);
        if (s && !valid(s)) {
                yerror(c, n, "%s: expected %s, got \"%s\"", k, what,
                       value_for_message(s, n->data.scalar.length, shown, sizeof(shown)));
                return NULL;
        }
        return s;
}

/* A user named twice, or the main rpc_user again, would get two rpcauth lines. */
static bool rpc_user_unique(const struct yctx *c, const yaml_node_t *n, const char *key,
                            const struct derived_bitcoin_conf *b, const char *user) {
        bool dup = b->rpc_user && strcmp(b->rpc_user, user) == 0;
        for (size_t i = 0; i < b->n_users && !dup; i++)
                dup = b->users[i].user && strcmp(b->users[i].user, user) == 0;
        if (dup)
                yerror(c, ylookup(c, n, "user"), "%s.user: user \"%s\" is named twice, expected each RPC user once",
                       key, user);
        return !dup;
}

static bool parse_rpc_users(const struct yctx *c, const yaml_node_t *n, const char *key,
                            struct derived_bitcoin_conf *b) {
        if (!yexpect_sequence(c, n, key))
                return false;
        if (!(b->users = calloc_items(ysequence_len(n), sizeof(*b->users))))
                return false;
        bool ok = true;
        ysequence_foreach (it, n) {
                char k[MANIFEST_KEY_MAX];
                yaml_node_t *item = yitem(c, n, it, key, k);
                if (!yexpect_mapping(c, item, k)) {
                        ok = false;
                        continue;
                }
                struct bitcoin_rpc_user u = {.pos = ypos(item)};
                bool good = ycheck_keys(c, item, k, rpc_user_keys);
                u.user = rpc_user_text(c, item, k, "user", rpc_user_valid,
                                       "a user name of [A-Za-z0-9_.-], 1 to 64 characters");
                u.secret =
                        rpc_user_text(c, item, k, "secret", name_valid, "a secret name matching [a-z][a-z0-9-]{0,47}");
                yaml_node_t *wl = ylookup(c, item, "whitelist");
                char wk[MANIFEST_KEY_MAX];
                ykeyf(wk, sizeof(wk), "%s.whitelist", k);
                good = (!wl || parse_rpc_whitelist(c, wl, wk, &u)) && good;
                good = u.user && u.secret && rpc_user_unique(c, item, k, b, u.user) && good;
                b->users[b->n_users++] = u; /* freed with the others, good or not */
                ok = good && ok;
        }
        return ok;
}

static bool parse_bitcoin_conf(const struct yctx *c, const yaml_node_t *map, const char *key, const struct settings *s,
                               struct derived *d) {
        d->bitcoin_conf =
                (struct derived_bitcoin_conf){.rpc_user = setting(s, "rpc_user"), .secret = setting(s, "secret")};
        yaml_node_t *options = ylookup(c, map, "options"), *users = ylookup(c, map, "rpc_users");
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.options", key);
        bool ok = !options || parse_bitcoin_options(c, options, k, &d->bitcoin_conf);
        ykeyf(k, sizeof(k), "%s.rpc_users", key);
        return (!users || parse_rpc_users(c, users, k, &d->bitcoin_conf)) && ok;
}

static bool parse_lnd_conf(const struct yctx *c, const yaml_node_t *map, const char *key, const struct settings *s,
                           struct derived *d) {
        (void)c, (void)map, (void)key;
        d->lnd_conf = (struct derived_lnd_conf){setting(s, "rpc_user"), setting(s, "secret"), setting(s, "rpc_host")};
        return true;
}

static bool vars_valid(const struct yctx *c, const yaml_node_t *map, const char *key, const struct derived_env *e);

static bool parse_env(const struct yctx *c, const yaml_node_t *map, const char *key, const struct settings *s,
                      struct derived *d) {
        (void)s;
        yaml_node_t *vars = ylookup(c, map, "vars");
        if (!vars)
                return true; /* reported as a missing required key */
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.vars", key);
        bool ok = parse_env_mapping(c, vars, k, &d->env.vars, &d->env.n_vars);
        return (vars->type != YAML_MAPPING_NODE || vars_valid(c, vars, k, &d->env)) && ok;
}

static bool parse_containers_conf(const struct yctx *c, const yaml_node_t *map, const char *key,
                                  const struct settings *s, struct derived *d) {
        (void)c, (void)map, (void)key, (void)s, (void)d;
        return true;
}

/* upstream_tls and base_path belong to the port form. */
static bool nginx_port_only(const struct yctx *c, const yaml_node_t *map, const char *key, const char *name) {
        yaml_node_t *n = ylookup(c, map, name);
        if (n)
                yerror(c, n,
                       "%s.%s: only with port (the location form proxies to http:// and strips its path), expected "
                       "port: N next to it, or no %s",
                       key, name, name);
        return !n;
}

/* Either form, never both nor none; the values were validated by setting_rules already. */
static bool parse_nginx_route(const struct yctx *c, const yaml_node_t *map, const char *key, const struct settings *s,
                              struct derived *d) {
        yaml_node_t *location = ylookup(c, map, "location"), *port = ylookup(c, map, "port");
        const char *tls = setting(s, "upstream_tls"), *p = setting(s, "port");
        d->nginx_route = (struct derived_nginx_route){.location = setting(s, "location"),
                                                      .upstream = setting(s, "upstream"),
                                                      .upstream_tls = tls && strcmp(tls, "true") == 0,
                                                      .base_path = setting(s, "base_path")};
        if (p)
                (void)nginx_port_parse(p, &d->nginx_route.port);
        if (port)
                d->nginx_route.port_pos = ypos(port);
        if (location && port) {
                yerror(c, port,
                       "%s.port: expected either port (a server of its own on that HTTPS port, the app at its root) "
                       "or location (a path of the node's port-80 server), not both",
                       key);
                return false;
        }
        if (!location && !port) {
                yerror(c, map,
                       "%s: missing required key \"port\" (the app's own HTTPS port) or \"location\" (a path for an "
                       "app with a base path) (kind nginx-route)",
                       key);
                return false;
        }
        if (port)
                return true;
        bool ok = nginx_port_only(c, map, key, "upstream_tls");
        return nginx_port_only(c, map, key, "base_path") && ok;
}

/* Others could read the secrets a file holds. */
static bool secret_mode_valid(const struct yctx *c, const yaml_node_t *map, const char *key, const struct derived *d) {
        if (!(d->mode & 0007))
                return true;
        yaml_node_t *mode = ylookup(c, map, "mode");
        yerror(c, mode ?: map,
               "%s.mode: %04o lets every user read the secret, expected a mode without permissions for others, e.g. "
               "0600 or 0640",
               key, (unsigned)d->mode);
        return false;
}

static bool content_valid(const struct yctx *c, const yaml_node_t *v, const char *k) {
        char shown[96], form[SECRET_REF_NAME_MAX];
        size_t at = 0, n = 0, len = v->data.scalar.length;
        uint32_t ch = 0;
        const char *s = yscalar(v);
        if (len > ARCHY_VALUE_MAX)
                yerror(c, v, "%s: expected a value of at most %u bytes, got %zu bytes", k, ARCHY_VALUE_MAX, len);
        else if (content_text_check(s, len, &at, &ch) != TEXT_OK)
                yerror(c, v,
                       "%s: expected UTF-8 text without control characters other than newline and tab, got byte "
                       "0x%02x at byte %zu",
                       k, (unsigned)(ch & 0xff), at);
        else if (!content_refs_valid(s, &at, &n) && secret_ref_form_unknown(s + at, form))
                yerror(c, v, "%s: expected the secret form \"url\" after the name's ':', got \"%s\"", k,
                       value_for_message(form, strlen(form), shown, 24));
        else if (!content_refs_valid(s, &at, &n))
                yerror(c, v,
                       "%s: expected ${secret:NAME} with NAME matching [a-z][a-z0-9-]{0,47} or ${app:...} at \"%s\" "
                       "(every ${ starts a secret or app reference; write $$ for a literal $)",
                       k, value_for_message(s + at, n, shown, 40));
        else
                return true;
        return false;
}

static bool parse_file(const struct yctx *c, const yaml_node_t *map, const char *key, const struct settings *s,
                       struct derived *d) {
        (void)s;
        yaml_node_t *v = ylookup(c, map, "content");
        if (!v)
                return true; /* reported as a missing required key */
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.content", key);
        if (v->type != YAML_SCALAR_NODE) {
                yerror(c, v, "%s: expected a string, got %s", k, ynode_kind(v));
                return false;
        }
        if (!content_valid(c, v, k))
                return false;
        d->file.content = yscalar(v);
        d->file.content_pos = ypos(v);
        size_t at, n;
        char name[SECRET_REF_NAME_MAX];
        for (at = 0; d->file.content[at]; at += n)
                if (content_next(d->file.content + at, &n, name) == CONTENT_SECRET)
                        return secret_mode_valid(c, map, key, d);
        return true;
}

static bool parse_secret_file(const struct yctx *c, const yaml_node_t *map, const char *key, const struct settings *s,
                              struct derived *d) {
        d->secret_file.secret = setting(s, "secret");
        return secret_mode_valid(c, map, key, d);
}

/* Per kind: the keys it takes (kind, path and the common ones included), those it cannot do
 * without besides kind and path, the mode of its file unless the manifest says otherwise, and
 * what fills its typed settings. Scalar keys are validated by setting_rules below first; a key
 * with a mapping or list value is the kind's parse function's alone. */
static const struct derived_kind_info {
        const char *name;
        const char *const keys[12];
        const char *const required[4];
        mode_t default_mode;
        bool (*parse)(const struct yctx *c, const yaml_node_t *map, const char *key, const struct settings *s,
                      struct derived *d);
} kinds[_DERIVED_KIND_MAX] = {
        [DERIVED_BITCOIN_CONF] = {"bitcoin-conf",
                                  {"kind", "path", "rpc_user", "secret", "options", "consumers", "owner", "mode",
                                   "rpc_users", NULL},
                                  {"rpc_user", "secret", NULL},
                                  0640, /* rpcauth holds only a salted hash */
                                  parse_bitcoin_conf},
        [DERIVED_LND_CONF] = {"lnd-conf",
                              {"kind", "path", "rpc_user", "secret", "rpc_host", "consumers", "owner", "mode", NULL},
                              {"rpc_user", "secret", "rpc_host", NULL},
                              0600,
                              parse_lnd_conf},
        [DERIVED_ENV] =
                {"env", {"kind", "path", "vars", "consumers", "owner", "mode", NULL}, {"vars", NULL}, 0600, parse_env},
        [DERIVED_CONTAINERS_CONF] =
                {"containers-conf", {"kind", "path", "mode", NULL}, {NULL}, 0644, parse_containers_conf},
        [DERIVED_NGINX_ROUTE] = {"nginx-route",
                                 {"kind", "path", "location", "port", "upstream", "upstream_tls", "base_path", "mode",
                                  NULL},
                                 {"upstream", NULL}, /* and port or location: parse_nginx_route */
                                 0644,
                                 parse_nginx_route},
        [DERIVED_FILE] = {"file",
                          {"kind", "path", "content", "consumers", "owner", "mode", NULL},
                          {"content", NULL},
                          0600,
                          parse_file},
        [DERIVED_SECRET_FILE] = {"secret-file",
                                 {"kind", "path", "secret", "consumers", "owner", "mode", NULL},
                                 {"secret", NULL},
                                 0600,
                                 parse_secret_file},
};

/* Keys whose value is not a string: the kind's parse function reads them. */
static bool structured_key(const char *name) {
        return strcmp(name, "vars") == 0 || strcmp(name, "content") == 0 || strcmp(name, "options") == 0 ||
               strcmp(name, "rpc_users") == 0;
}

static bool owner_valid(const char *s) {
        unsigned uid, gid;
        return owner_parse(s, &uid, &gid) == 0;
}

static bool nginx_port_valid(const char *s) {
        unsigned port;
        return nginx_port_parse(s, &port) == 0;
}

static bool bool_valid(const char *s) {
        return strcmp(s, "true") == 0 || strcmp(s, "false") == 0;
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
        {"port", nginx_port_valid,
         "a port from 1 to 65535 other than 80 and 443 (the node's HTTP server and dashboard), e.g. 4434"},
        {"upstream_tls", bool_valid, "true or false"},
        {"base_path", base_path_valid,
         "a URL path of [A-Za-z0-9._/-] that starts and ends with /, other than /, without . or .. segments, e.g. "
         "/btcpay/"},
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

static bool vars_valid(const struct yctx *c, const yaml_node_t *map, const char *key, const struct derived_env *d) {
        bool ok = true;
        for (size_t i = 0; i < d->n_vars; i++) {
                size_t bad_at;
                if (secret_refs_valid(d->vars[i].value, &bad_at))
                        continue;
                char k[MANIFEST_KEY_MAX], shown[96], form[SECRET_REF_NAME_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, d->vars[i].name);
                if (secret_ref_form_unknown(d->vars[i].value + bad_at, form)) {
                        yerror(c, ylookup(c, map, d->vars[i].name) ?: map,
                               "%s: expected the secret form \"url\" after the name's ':', got \"%s\"", k,
                               value_for_message(form, strlen(form), shown, 24));
                        ok = false;
                        continue;
                }
                yerror(c, ylookup(c, map, d->vars[i].name) ?: map,
                       "%s: expected ${secret:NAME} with NAME matching [a-z][a-z0-9-]{0,47} or ${app:...} at \"%s\" "
                       "(every ${ starts a secret or app reference)",
                       k, value_for_message(d->vars[i].value + bad_at, strlen(d->vars[i].value + bad_at), shown, 24));
                ok = false;
        }
        return ok;
}

const char *derived_kind_to_string(enum derived_kind k) {
        return k < _DERIVED_KIND_MAX ? kinds[k].name : NULL;
}

static bool parse_kind(const struct yctx *c, const yaml_node_t *map, const char *key, enum derived_kind *ret) {
        yaml_node_t *n = ylookup(c, map, "kind");
        if (!n) {
                yerror(c, map,
                       "%s: missing required key \"kind\" (one of bitcoin-conf, lnd-conf, env, "
                       "containers-conf, nginx-route, file, secret-file)",
                       key);
                return false;
        }
        char k[MANIFEST_KEY_MAX];
        ykeyf(k, sizeof(k), "%s.kind", key);
        const char *s = yexpect_text(c, n, k);
        if (!s)
                return false;
        const char *names[_DERIVED_KIND_MAX + 1] = {NULL};
        for (int i = 0; i < _DERIVED_KIND_MAX; i++)
                if (strcmp(s, names[i] = kinds[i].name) == 0) {
                        *ret = (enum derived_kind)i;
                        return true;
                }
        const char *hint = suggest_closest(s, names);
        yerror(c, n,
               "%s: unknown kind \"%s\"%s%s%s, expected one of bitcoin-conf, lnd-conf, env, "
               "containers-conf, nginx-route, file, secret-file",
               k, s, hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
        return false;
}

/* consumers "main ui" as a list of parts. */
static bool split_consumers(const char *text, struct derived *d) {
        d->consumers = calloc(strlen(text) / 2 + 2, sizeof(*d->consumers));
        if (!d->consumers)
                return false;
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, " ");
                if (!(d->consumers[d->n_consumers++] = strndup(p, n)))
                        return false;
                p += n + (p[n] ? 1 : 0);
        }
        return true;
}

/* The settings every kind may take: path, consumers, owner, mode. */
static bool fill_common(const struct settings *s, struct derived *d) {
        const char *owner = setting(s, "owner"), *mode = setting(s, "mode"), *consumers = setting(s, "consumers");
        unsigned uid = 0, gid = 0, m = kinds[d->kind].default_mode;
        d->path = setting(s, "path");
        /* Validated in the loop already: these parse. */
        if (owner)
                (void)owner_parse(owner, &uid, &gid);
        if (mode)
                (void)mode_parse(mode, &m);
        d->uid = (uid_t)uid;
        d->gid = (gid_t)gid;
        d->mode = (mode_t)m;
        return !consumers || split_consumers(consumers, d);
}

/* Every scalar setting, validated; then the common ones and the kind's into their fields. */
static bool parse_settings(const struct yctx *c, const yaml_node_t *map, const char *key, struct derived *d) {
        _cleanup_free_ struct setting *items = calloc(ymapping_len(map) + 1, sizeof(*items));
        struct settings s = {items, 0};
        if (!items)
                return false;
        bool ok = true;
        ymapping_foreach (pair, map) {
                const char *name = ykey_text(c, pair);
                yaml_node_t *v = ynode(c, pair->value);
                char k[MANIFEST_KEY_MAX];
                ykeyf(k, sizeof(k), "%s.%s", key, name);
                if (strcmp(name, "kind") == 0 || structured_key(name))
                        continue;
                const char *text = yexpect_text(c, v, k);
                if (text && !setting_valid(c, v, k, name, text))
                        text = NULL;
                if (!text) {
                        ok = false;
                        continue;
                }
                items[s.n++] = (struct setting){name, text};
        }
        ok = fill_common(&s, d) && ok;
        return kinds[d->kind].parse(c, map, key, &s, d) && ok;
}

void derived_done(struct derived *d) {
        for (size_t i = 0; i < d->n_consumers; i++)
                free(d->consumers[i]);
        free(d->consumers);
        if (d->kind == DERIVED_ENV)
                free(d->env.vars);
        if (d->kind == DERIVED_BITCOIN_CONF) {
                free(d->bitcoin_conf.options);
                for (size_t i = 0; i < d->bitcoin_conf.n_users; i++)
                        free(d->bitcoin_conf.users[i].whitelist);
                free(d->bitcoin_conf.users);
        }
}

bool parse_derived(const struct yctx *c, const char *app, size_t index, const yaml_node_t *n, struct derived *d) {
        char key[MANIFEST_KEY_MAX];
        ykeyf(key, sizeof(key), "apps.%s.derived[%zu]", app, index);
        d->pos = ypos(n);
        if (!yexpect_mapping(c, n, key) || !parse_kind(c, n, key, &d->kind))
                return false;
        bool ok = ycheck_keys(c, n, key, kinds[d->kind].keys);
        ok = parse_settings(c, n, key, d) && ok;
        if (!ylookup(c, n, "path")) {
                yerror(c, n, "%s: missing required key \"path\" (where archy-derive writes the file)", key);
                ok = false;
        }
        for (const char *const *r = kinds[d->kind].required; *r; r++)
                if (!ylookup(c, n, *r)) {
                        yerror(c, n, "%s: missing required key \"%s\" (kind %s)", key, *r, kinds[d->kind].name);
                        ok = false;
                }
        return ok;
}
