/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config-render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-ref.h"
#include "bitcoin-conf-syntax.h"
#include "macro.h"
#include "managed-block.h"
#include "nginx-render.h"
#include "rpcauth.h"
#include "strbuf.h"
#include "values.h"

/* The archipelago network's gateway and subnet (archy-generator renders the network). */
#define ARCHY_GATEWAY "10.89.0.1"
#define ARCHY_SUBNET "10.89.0.0/24"

const char *secret_lookup(const struct secret_set *s, const char *name) {
        for (size_t i = 0; s && i < s->n; i++)
                if (strcmp(s->items[i].name, name) == 0)
                        return s->items[i].value;
        return NULL;
}

int derived_for_each_secret(const struct derived *d, int (*fn)(const char *name, void *userdata), void *userdata) {
        const char *single = d->kind == DERIVED_BITCOIN_CONF  ? d->bitcoin_conf.secret
                             : d->kind == DERIVED_LND_CONF    ? d->lnd_conf.secret
                             : d->kind == DERIVED_SECRET_FILE ? d->secret_file.secret
                                                              : NULL;
        int r;
        if (single && (r = fn(single, userdata)) < 0)
                return r;
        for (size_t i = 0; d->kind == DERIVED_BITCOIN_CONF && i < d->bitcoin_conf.n_users; i++)
                if ((r = fn(d->bitcoin_conf.users[i].secret, userdata)) < 0)
                        return r;
        char name[SECRET_REF_NAME_MAX];
        for (size_t at = 0, n; d->kind == DERIVED_FILE && d->file.content[at]; at += n) {
                enum content_piece p = content_next(d->file.content + at, &n, name);
                if (p == CONTENT_BAD)
                        return -EINVAL; /* the parser rejected this already */
                if (p == CONTENT_SECRET && (r = fn(name, userdata)) < 0)
                        return r;
        }
        for (size_t i = 0; d->kind == DERIVED_ENV && i < d->env.n_vars; i++) {
                const char *after;
                for (const char *p = secret_ref_next(d->env.vars[i].value, name, &after); p;
                     p = secret_ref_next(after, name, &after)) {
                        if (!after)
                                return -EINVAL; /* the parser rejected this already */
                        if ((r = fn(name, userdata)) < 0)
                                return r;
                }
        }
        return 0;
}

static void header(struct strbuf *sb, const struct render_input *in) {
        /* No path here: the file must not change when the last good manifest stands in. */
        strbuf_printf(sb, "# Written by archy-derive for app %s. Edit the manifest, not this file.\n", in->app);
}

static const char *require_secret(const struct render_input *in, const char *name, char missing[SECRET_NAME_BUF]) {
        const char *v = secret_lookup(in->secrets, name);
        if (!v)
                snprintf(missing, SECRET_NAME_BUF, "%s", name);
        return v;
}

/* A salt of the block's rpcauth line for user that validates against password, or NULL: a valid
 * line keeps its salt, so the file stays byte for byte the same and nothing restarts. */
static char *valid_salt(const struct render_input *in, const char *user, const char *password) {
        const char *body;
        size_t body_len;
        if (!in->current || block_find(in->current, in->current_len, &body, &body_len) != BLOCK_INTACT)
                return NULL;
        struct text_line l;
        for (size_t pos = 0; text_next_line(body, body_len, &pos, &l);) {
                const char *value;
                size_t value_len;
                struct rpcauth_value rv;
                if (rpcauth_line_value(body + l.start, l.len, &value, &value_len) &&
                    rpcauth_matches(value, value_len, user, password) && rpcauth_parse(value, value_len, &rv) == 0)
                        return strndup(rv.salt, rv.salt_len);
        }
        return NULL;
}

struct drop_ctx {
        const char *user;
        const char *const *prefixes;
        const struct derived_bitcoin_conf *users; /* its rpc_users' stale lines go too */
        struct btc_conf_scan *syntax;             /* bitcoin.conf: a line bitcoind refuses goes too */
};

/* lnd.conf lines outside the block that would compete with it. */
static const char *const lnd_competing[] = {
        "bitcoind.rpcuser", "bitcoind.rpcpass", "bitcoind.rpchost", "bitcoind.zmqpub", "bitcoin.node",
        "bitcoin.mainnet",  "bitcoin.testnet",  "bitcoin.signet",   "bitcoin.regtest", NULL};

/* bitcoin.conf lines that pick a network: bitcoind refuses two, so with a chain the block sets,
 * the user's go. */
static const char *const bitcoin_chain_competing[] = {"chain=", "testnet=", "signet=", "regtest=", NULL};

/* Outside the block, a line that would compete with it goes: a stale rpcauth line of our user
 * would keep an old password working, a second rpcpass would override ours. */
static bool drop_competing(const char *line, size_t len, void *userdata) {
        const struct drop_ctx *ctx = userdata;
        /* First, and for every line in order: a section line changes what the next lines mean. */
        if (ctx->syntax && btc_conf_refused(btc_conf_classify(ctx->syntax, line, len)))
                return true;
        if (ctx->user && rpcauth_line_is_for_user(line, len, ctx->user))
                return true;
        for (size_t i = 0; ctx->users && i < ctx->users->n_users; i++)
                if (rpcauth_line_is_for_user(line, len, ctx->users->users[i].user))
                        return true;
        while (len > 0 && (*line == ' ' || *line == '\t'))
                line++, len--;
        for (const char *const *p = ctx->prefixes; p && *p; p++)
                if (len >= strlen(*p) && strncmp(line, *p, strlen(*p)) == 0)
                        return true;
        return false;
}

static int compose(const struct render_input *in, struct strbuf *body, struct drop_ctx *ctx, char **ret) {
        if (strbuf_failed(body))
                return -ENOMEM;
        *ret = block_compose(in->current ?: "", in->current ? in->current_len : 0, body->data ?: "", drop_competing,
                             ctx);
        return *ret ? 0 : -ENOMEM;
}

/* Where a new block must go in bitcoin.conf: before the first [section] header, because options
 * after one apply to that network only. */
static size_t top_level_end(const char *text, size_t len) {
        struct text_line l;
        for (size_t pos = 0; text_next_line(text, len, &pos, &l);) {
                size_t i = 0;
                while (i < l.len && (text[l.start + i] == ' ' || text[l.start + i] == '\t'))
                        i++; /* by length: text need not end in a NUL byte */
                if (i < l.len && text[l.start + i] == '[')
                        return l.start;
        }
        return len;
}

/* The user's lines of text, without markers of a damaged block and without what drop rejects. */
static void append_kept_lines(struct strbuf *out, const char *text, size_t len, struct drop_ctx *ctx) {
        struct text_line l;
        for (size_t pos = 0; text_next_line(text, len, &pos, &l);)
                if (!block_is_marker_line(text + l.start, l.len) && !drop_competing(text + l.start, l.len, ctx))
                        strbuf_add(out, text + l.start, l.end - l.start);
}

/* An intact block stays where it is; a new one goes at the end of the top-level section. */
static int compose_top_level(const struct render_input *in, struct strbuf *body, struct drop_ctx *ctx, char **ret) {
        if (!in->current || block_find(in->current, in->current_len, NULL, NULL) == BLOCK_INTACT)
                return compose(in, body, ctx, ret);
        size_t split = top_level_end(in->current, in->current_len);
        /* The block is absent or damaged in the whole file: every line but a marker is the user's,
         * also between markers that look intact within the top-level part alone (found by
         * test/fuzz/fuzz-derive-render.c: a stray END marker in a later section). */
        struct strbuf kept = STRBUF_INIT;
        append_kept_lines(&kept, in->current, split, ctx);
        _cleanup_free_ char *top = strbuf_failed(body) || strbuf_failed(&kept)
                                           ? NULL
                                           : block_compose(kept.data ?: "", kept.len, body->data ?: "", NULL, NULL);
        strbuf_free(&kept);
        if (!top)
                return -ENOMEM;
        struct strbuf out = STRBUF_INIT;
        strbuf_puts(&out, top); /* holds no NUL byte: derived_render() took them out */
        append_kept_lines(&out, in->current + split, in->current_len - split, ctx);
        if (strbuf_failed(&out)) {
                strbuf_free(&out);
                return -ENOMEM;
        }
        *ret = strbuf_steal(&out);
        return 0;
}

/* Options bitcoind applies to mainnet only, from a configuration file, unless a network is named. */
static bool network_only(const char *name) {
        static const char *const names[] = {"addnode", "connect", "port", "bind", "rpcport", "wallet", NULL};
        for (const char *const *n = names; *n; n++)
                if (strcmp(name, *n) == 0)
                        return true;
        return false;
}

/* An rpcauth line for each of rpc_users, then their whitelists. bitcoind (src/httprpc.cpp, v28)
 * defaults rpcwhitelistdefault to 1 as soon as one rpcwhitelist is set: every user without a
 * whitelist, the main rpc_user too, could then call nothing. So with a whitelist the block sets
 * rpcwhitelistdefault=0: a listed user may call only what the list names, the others everything. */
static int render_rpc_users(const struct render_input *in, struct strbuf *body, char missing[SECRET_NAME_BUF]) {
        const struct derived_bitcoin_conf *b = &in->d->bitcoin_conf;
        bool any_whitelist = false;
        for (size_t i = 0; i < b->n_users; i++) {
                const struct bitcoin_rpc_user *u = &b->users[i];
                const char *password = require_secret(in, u->secret, missing);
                if (!password)
                        return -EINVAL;
                _cleanup_free_ char *salt = valid_salt(in, u->user, password);
                const char *fresh = in->user_salts ? in->user_salts[i] : in->new_salt;
                _cleanup_free_ char *auth = rpcauth_format(u->user, salt ?: fresh, password);
                if (!auth)
                        return -ENOMEM;
                strbuf_printf(body, "rpcauth=%s\n", auth);
                any_whitelist = any_whitelist || u->n_whitelist > 0;
        }
        if (any_whitelist)
                strbuf_puts(body, "rpcwhitelistdefault=0\n");
        for (size_t i = 0; i < b->n_users; i++) {
                const struct bitcoin_rpc_user *u = &b->users[i];
                if (u->n_whitelist == 0)
                        continue;
                strbuf_printf(body, "rpcwhitelist=%s:", u->user);
                for (size_t w = 0; w < u->n_whitelist; w++)
                        strbuf_printf(body, "%s%s", w ? "," : "", u->whitelist[w]);
                strbuf_putc(body, '\n');
        }
        return 0;
}

static int render_bitcoin_conf(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]) {
        const struct derived_bitcoin_conf *b = &in->d->bitcoin_conf;
        const char *user = b->rpc_user, *password;
        if (!(password = require_secret(in, b->secret, missing)))
                return -EINVAL;
        _cleanup_free_ char *salt = valid_salt(in, user, password);
        _cleanup_free_ char *auth = rpcauth_format(user, salt ?: in->new_salt, password);
        if (!auth)
                return -ENOMEM;
        struct strbuf body = STRBUF_INIT;
        /* rpcbind applies to mainnet only unless a network is named: bitcoind reads
         * "signet.rpcbind=" like rpcbind= in a [signet] section, and the block stays one block. */
        const char *net = chain_to_string(in->chain);
        bool main = in->chain == CHAIN_MAIN;
        strbuf_printf(&body, "rpcauth=%s\nserver=1\n", auth);
        if (!main)
                strbuf_printf(&body, "chain=%s\n", net);
        strbuf_printf(&body,
                      "%s%srpcbind=0.0.0.0\nrpcallowip=127.0.0.1\nrpcallowip=" ARCHY_SUBNET
                      "\nzmqpubrawblock=tcp://0.0.0.0:28332\nzmqpubrawtx=tcp://0.0.0.0:28333\n",
                      main ? "" : net, main ? "" : ".");
        for (size_t i = 0; i < b->n_options; i++) {
                bool prefix = !main && network_only(b->options[i].name);
                strbuf_printf(&body, "%s%s%s=%s\n", prefix ? net : "", prefix ? "." : "", b->options[i].name,
                              b->options[i].value);
        }
        int r = render_rpc_users(in, &body, missing);
        if (r < 0) {
                strbuf_free(&body);
                return r;
        }
        struct btc_conf_scan syntax = {0};
        struct drop_ctx ctx = {
                .user = user, .prefixes = main ? NULL : bitcoin_chain_competing, .users = b, .syntax = &syntax};
        r = compose_top_level(in, &body, &ctx, ret);
        strbuf_free(&body);
        return r;
}

/* lnd v0.18 refuses to start without one of these ([Bitcoin] in its sample-lnd.conf). */
static const char *const lnd_network[] = {
        [CHAIN_MAIN] = "mainnet", [CHAIN_TEST] = "testnet", [CHAIN_SIGNET] = "signet", [CHAIN_REGTEST] = "regtest"};

/* lnd reads lnd.conf with go-flags (github.com/jessevdk/go-flags v1.4.0 ini.go): the value is trimmed,
 * and one that starts with '"' is taken as a Go quoted string, an error when it is not one (lnd
 * exits). Such a value is written quoted, with \ and " escaped; any other printable one stays raw. */
static void lnd_value(struct strbuf *sb, const char *v) {
        if (v[0] != '"') {
                strbuf_puts(sb, v);
                return;
        }
        strbuf_puts(sb, "\"");
        for (const char *p = v; *p; p++) {
                if (*p == '"' || *p == '\\')
                        strbuf_puts(sb, "\\");
                strbuf_add(sb, p, 1);
        }
        strbuf_puts(sb, "\"");
}

static int render_lnd_conf(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]) {
        const struct derived_lnd_conf *l = &in->d->lnd_conf;
        const char *user = l->rpc_user, *host = l->rpc_host, *password;
        if (!(password = require_secret(in, l->secret, missing)))
                return -EINVAL;
        size_t host_len = (size_t)(strrchr(host, ':') - host);
        struct strbuf body = STRBUF_INIT;
        strbuf_printf(&body,
                      "[Bitcoin]\nbitcoin.%s=1\nbitcoin.node=bitcoind\n\n[Bitcoind]\nbitcoind.rpchost=%s\n"
                      "bitcoind.rpcuser=%s\nbitcoind.rpcpass=",
                      lnd_network[in->chain], host, user);
        lnd_value(&body, password);
        strbuf_printf(&body, "\nbitcoind.zmqpubrawblock=tcp://%.*s:28332\nbitcoind.zmqpubrawtx=tcp://%.*s:28333\n",
                      (int)host_len, host, (int)host_len, host);
        struct drop_ctx ctx = {.prefixes = lnd_competing};
        int r = compose(in, &body, &ctx, ret);
        strbuf_free(&body);
        return r;
}

/* ${app:...} of text resolved first (into host names and port numbers, which hold no $), into
 * wired; *ret is the text to use. Without a manifest (or the app in it) a reference stays, and
 * the caller refuses it. */
static int wire_text(const struct render_input *in, const char *text, bool dollar_escape, struct strbuf *wired,
                     const char **ret) {
        const struct app *a = in->m ? manifest_find_app(in->m, in->app) : NULL;
        struct app_ref_error err;
        *ret = text;
        if (!strstr(text, "${app:"))
                return 0;
        if (!a)
                return -EINVAL;
        int r = app_refs_expand(in->m, a, text, dollar_escape, wired, &err);
        *ret = strbuf_str(wired);
        return r;
}

static void put_secret(struct strbuf *out, const char *secret, enum secret_form form) {
        if (form == SECRET_FORM_URL)
                secret_url_encode(secret, out);
        else
                strbuf_puts(out, secret);
}

/* ${secret:NAME} replaced (percent-encoded for ${secret:NAME:url}); everything else as written. podman reads an env
 * file's value as the rest of the line, literally: no quoting to add, and no newline can occur (both checked). */
static int substitute(const struct render_input *in, const char *value, struct strbuf *out,
                      char missing[SECRET_NAME_BUF]) {
        char name[SECRET_REF_NAME_MAX];
        const char *after;
        for (const char *p = value;; p = after) {
                enum secret_form form;
                const char *ref = secret_ref_next_form(p, name, &form, &after);
                if (!ref) {
                        strbuf_puts(out, p);
                        return 0;
                }
                if (!after)
                        return -EINVAL; /* the parser rejected this already */
                strbuf_add(out, p, (size_t)(ref - p));
                const char *secret = require_secret(in, name, missing);
                if (!secret)
                        return -EINVAL;
                put_secret(out, secret, form);
        }
}

static int render_env(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]) {
        struct strbuf sb = STRBUF_INIT;
        header(&sb, in);
        int r = 0;
        const struct derived_env *e = &in->d->env;
        for (size_t i = 0; i < e->n_vars && r == 0; i++) {
                _cleanup_strbuf_ struct strbuf wired = STRBUF_INIT;
                const char *value;
                strbuf_printf(&sb, "%s=", e->vars[i].name);
                r = wire_text(in, e->vars[i].value, false, &wired, &value);
                if (r == 0)
                        r = substitute(in, value, &sb, missing);
                strbuf_putc(&sb, '\n');
        }
        if (r == 0 && strbuf_failed(&sb))
                r = -ENOMEM;
        if (r == 0)
                *ret = strbuf_steal(&sb);
        strbuf_free(&sb);
        return r;
}

/* FM4: host.containers.internal must be the archipelago gateway, never the LAN's. */
static int render_containers_conf(const struct render_input *in, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        header(&sb, in);
        strbuf_puts(&sb, "[containers]\nhost_containers_internal_ip = \"" ARCHY_GATEWAY "\"\n");
        *ret = strbuf_failed(&sb) ? NULL : strbuf_steal(&sb);
        strbuf_free(&sb);
        return *ret ? 0 : -ENOMEM;
}

/* The trailing slash of proxy_pass strips the location's prefix: the app sees its own paths. */
static int render_nginx_route(const struct render_input *in, char **ret) {
        struct strbuf sb = STRBUF_INIT;
        header(&sb, in);
        if (in->d->nginx_route.port)
                nginx_render_server(&sb, &in->d->nginx_route);
        else
                strbuf_printf(
                        &sb,
                        "location %s {\n\tproxy_pass http://%s/;\n\tproxy_http_version 1.1;\n"
                        "\tproxy_set_header Host $host;\n\tproxy_set_header X-Real-IP $remote_addr;\n"
                        "\tproxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                        "\tproxy_set_header X-Forwarded-Proto $scheme;\n\tproxy_set_header Upgrade $http_upgrade;\n"
                        "\tproxy_set_header Connection \"upgrade\";\n}\n",
                        in->d->nginx_route.location, in->d->nginx_route.upstream);
        *ret = strbuf_failed(&sb) ? NULL : strbuf_steal(&sb);
        strbuf_free(&sb);
        return *ret ? 0 : -ENOMEM;
}

/* The file is the manifest's text, secrets put in, $$ made $: archy-derive's whole, with no
 * header line (JSON and TOML files could not take one). */

static enum secret_form content_secret_form(const char *piece) {
        char name[SECRET_REF_NAME_MAX];
        enum secret_form form;
        const char *after;
        secret_ref_next_form(piece, name, &form, &after);
        return form;
}

static int render_file(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]) {
        struct strbuf sb = STRBUF_INIT;
        _cleanup_strbuf_ struct strbuf wired = STRBUF_INIT;
        char name[SECRET_REF_NAME_MAX];
        const char *content;
        int r = wire_text(in, in->d->file.content, true, &wired, &content);
        for (size_t at = 0, n; r == 0 && content[at]; at += n) {
                const char *p = content + at, *secret;
                switch (content_next(p, &n, name)) {
                case CONTENT_TEXT: strbuf_add(&sb, p, n); break;
                case CONTENT_DOLLAR: strbuf_putc(&sb, '$'); break;
                case CONTENT_SECRET:
                        if ((secret = require_secret(in, name, missing)))
                                put_secret(&sb, secret, content_secret_form(p));
                        else
                                r = -EINVAL;
                        break;
                default: r = -EINVAL; /* the parser rejected this already, or no manifest to resolve it */
                }
        }
        if (r == 0 && strbuf_failed(&sb))
                r = -ENOMEM;
        if (r == 0)
                *ret = strbuf_steal(&sb) ?: strdup("");
        strbuf_free(&sb);
        return r == 0 && !*ret ? -ENOMEM : r;
}

/* The secret's bytes alone: no newline (lnd reads a wallet password file whole). */
static int render_secret_file(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]) {
        const char *secret = require_secret(in, in->d->secret_file.secret, missing);
        if (!secret)
                return -EINVAL;
        *ret = strdup(secret);
        return *ret ? 0 : -ENOMEM;
}

static int render_kind(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]) {
        switch (in->d->kind) {
        case DERIVED_BITCOIN_CONF: return render_bitcoin_conf(in, ret, missing);
        case DERIVED_LND_CONF: return render_lnd_conf(in, ret, missing);
        case DERIVED_ENV: return render_env(in, ret, missing);
        case DERIVED_CONTAINERS_CONF: return render_containers_conf(in, ret);
        case DERIVED_NGINX_ROUTE: return render_nginx_route(in, ret);
        case DERIVED_FILE: return render_file(in, ret, missing);
        case DERIVED_SECRET_FILE: return render_secret_file(in, ret, missing);
        default: return -EINVAL;
        }
}

int derived_render(const struct render_input *in, char **ret, char missing[SECRET_NAME_BUF]) {
        *ret = NULL;
        if (!in->current || !memchr(in->current, '\0', in->current_len))
                return render_kind(in, ret, missing);
        struct render_input clean = *in;
        _cleanup_free_ char *text = text_without_nul(in->current, in->current_len, &clean.current_len);
        if (!text)
                return -ENOMEM;
        clean.current = text;
        return render_kind(&clean, ret, missing);
}

int derived_render_uninstalled(const struct render_input *in, char **ret, size_t *ret_len) {
        *ret = NULL;
        *ret_len = 0;
        struct drop_ctx ctx = {0};
        if (in->d->kind == DERIVED_BITCOIN_CONF) {
                ctx.user = in->d->bitcoin_conf.rpc_user;
                ctx.users = &in->d->bitcoin_conf;
                ctx.prefixes = in->chain == CHAIN_MAIN ? NULL : bitcoin_chain_competing;
        } else if (in->d->kind == DERIVED_LND_CONF)
                ctx.prefixes = lnd_competing;
        else
                return -EINVAL;
        if (!in->current)
                return 0;
        size_t len;
        _cleanup_free_ char *text = text_without_nul(in->current, in->current_len, &len);
        if (!text)
                return -ENOMEM;
        *ret = block_remove(text, len, drop_competing, &ctx, ret_len);
        return *ret ? 0 : -ENOMEM;
}

bool derived_written_by_archy(const char *text, size_t len, const char *app) {
        struct strbuf sb = STRBUF_INIT;
        header(&sb, &(struct render_input){.app = app});
        bool ours = !strbuf_failed(&sb) && len >= sb.len && memcmp(text, sb.data, sb.len) == 0;
        strbuf_free(&sb);
        return ours;
}

bool containers_conf_is_archys(const char *text, size_t len) {
        static const char prefix[] = "# Written by archy-derive for app ";
        if (!text || len < sizeof(prefix) - 1 || memcmp(text, prefix, sizeof(prefix) - 1) != 0)
                return false;
        const char *name = text + sizeof(prefix) - 1, *end = memchr(name, '.', len - (sizeof(prefix) - 1));
        char app[128];
        if (!end || (size_t)(end - name) >= sizeof(app))
                return false;
        memcpy(app, name, (size_t)(end - name));
        app[end - name] = '\0';
        _cleanup_free_ char *want = NULL;
        if (!name_valid(app) || render_containers_conf(&(struct render_input){.app = app}, &want) < 0)
                return false;
        return strlen(want) == len && memcmp(want, text, len) == 0;
}
