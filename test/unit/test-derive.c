/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-derive's engine on real files under a temporary tmproot: what it writes (content, mode,
 * owner), what it leaves alone, what it reports (drift, consumers to restart, nginx routes to
 * test), and that a run with nothing to do touches nothing. */
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "derive.h"
#include "fileio.h"
#include "log.h"
#include "managed-block.h"
#include "strbuf.h"
#include "config-render.h"
#include "rpcauth.h"
#include "secrets.h"
#include "testlib.h"
#include "tmproot.h"

#define SECRETS "/var/lib/archipelago/secrets"
#define BTC "/etc/bitcoin/bitcoin.conf"
#define LND "/etc/lnd/lnd.conf"
#define ENV "/run/archipelago/env/explorer.env"
#define CTR "/etc/containers/containers.conf.d/50-archy.conf"
#define NGX "/etc/nginx/archy.d/explorer.conf"

#define HDR(app) "# Written by archy-derive for app " app ". Edit the manifest, not this file.\n"
#define BTC_BODY_TAIL                                                                                                  \
        "server=1\nrpcbind=0.0.0.0\nrpcallowip=127.0.0.1\nrpcallowip=10.89.0.0/24\n"                                   \
        "zmqpubrawblock=tcp://0.0.0.0:28332\nzmqpubrawtx=tcp://0.0.0.0:28333\n"
#define WANT_CTR HDR("node") "[containers]\nhost_containers_internal_ip = \"10.89.0.1\"\n"
#define WANT_NGX_BODY(location, upstream)                                                                              \
        "location " location " {\n\tproxy_pass http://" upstream "/;\n\tproxy_http_version 1.1;\n"                     \
        "\tproxy_set_header Host $host;\n\tproxy_set_header X-Real-IP $remote_addr;\n"                                 \
        "\tproxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"                                             \
        "\tproxy_set_header X-Forwarded-Proto $scheme;\n\tproxy_set_header Upgrade $http_upgrade;\n"                   \
        "\tproxy_set_header Connection \"upgrade\";\n}\n"
#define WANT_NGX HDR("explorer") WANT_NGX_BODY("/apps/explorer/", "127.0.0.1:8081")

/* One entry of every kind, spread over three apps; the env file is read by two containers. */
static const char all_kinds[] =
        "version: 1\n"
        "secrets:\n"
        "  rpc-pass: {generate: false}\n"
        "apps:\n"
        "  node:\n"
        "    containers:\n"
        "      main: {image: localhost/n:1}\n"
        "      ui: {image: localhost/u:1}\n"
        "    derived:\n"
        "      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: rpc-pass}\n"
        "      - {kind: containers-conf, path: " CTR "}\n"
        "  lnd:\n"
        "    containers:\n"
        "      main: {image: localhost/l:1}\n"
        "      ui: {image: localhost/lu:1}\n"
        "    derived:\n"
        "      - {kind: lnd-conf, path: " LND ", rpc_user: archy, secret: rpc-pass, rpc_host: \"archy-node:8332\"}\n"
        "  explorer:\n"
        "    containers:\n"
        "      main: {image: localhost/e:1, env_files: [" ENV "]}\n"
        "      worker: {image: localhost/w:1, env_files: [" ENV "]}\n"
        "      web: {image: localhost/x:1}\n"
        "    derived:\n"
        "      - kind: env\n"
        "        path: " ENV "\n"
        "        vars: {RPC_URL: \"http://archy:${secret:rpc-pass}@archy-node:8332/\", PRICE: \"$5 and $HOME\"}\n"
        "      - {kind: nginx-route, path: " NGX ", location: /apps/explorer/, upstream: \"127.0.0.1:8081\"}\n";

static const char btc_only[] = "version: 1\n"
                               "apps:\n"
                               "  node:\n"
                               "    containers:\n"
                               "      main: {image: localhost/n:1}\n"
                               "      ui: {image: localhost/u:1}\n"
                               "    derived:\n"
                               "      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: rpc-pass}\n";

static void setup(void) {
        tmproot_make("archy-derive");
        log_set_max_level(LOG_LVL_ERR - 1); /* expected errors stay out of the test output */
}

static void teardown(void) {
        tmproot_remove();
}

static void put_secret(const char *name, const char *text) {
        char path[256];
        snprintf(path, sizeof(path), SECRETS "/%s", name);
        tmproot_put(path, text, 0600);
}

static char *slurp(const char *path) {
        char *text = read_text_file(tmproot_at(path));
        ck_assert_msg(text, "%s cannot be read", path);
        return text;
}

static void assert_content(const char *path, const char *want) {
        _cleanup_free_ char *text = slurp(path);
        ck_assert_str_eq(text, want);
}

static void assert_meta(const char *path, unsigned mode, unsigned uid, unsigned gid) {
        struct stat st = tmproot_lstat(path);
        ck_assert_msg(S_ISREG(st.st_mode), "%s is not a regular file", path);
        ck_assert_uint_eq(st.st_mode & 07777, mode);
        ck_assert_uint_eq(st.st_uid, uid);
        ck_assert_uint_eq(st.st_gid, gid);
}

static bool same_file(const struct stat *a, const struct stat *b) {
        return a->st_ino == b->st_ino && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
               a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static struct manifest *load(const char *yaml) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(yaml, &diags);
        if (m)
                manifest_validate(m, &diags);
        _cleanup_free_ char *text = diags_joined(&diags);
        ck_assert_msg(m && diags.n == 0, "manifest problems:\n%s", text ? text : "");
        diag_list_free(&diags);
        return m;
}

static int run(const struct manifest *m, bool check, const char *only_app, struct derive_outcome *out) {
        char secrets[1024];
        snprintf(secrets, sizeof(secrets), "%s", tmproot_at(SECRETS));
        struct derive_opts o = {.root = tmproot, .secrets_dir = secrets, .check_only = check, .only_app = only_app};
        return derive_all(m, &o, out);
}

static void assert_counts(const struct derive_outcome *out, size_t entries, size_t in_sync, size_t drifted,
                          size_t repaired, size_t errors) {
        ck_assert_uint_eq(out->entries, entries);
        ck_assert_uint_eq(out->in_sync, in_sync);
        ck_assert_uint_eq(out->drifted, drifted);
        ck_assert_uint_eq(out->repaired, repaired);
        ck_assert_uint_eq(out->errors, errors);
}

static bool has_unit(const struct derive_outcome *out, const char *unit) {
        for (size_t i = 0; i < out->n_restart; i++)
                if (strcmp(out->restart[i], unit) == 0)
                        return true;
        return false;
}

/* The restart list is exactly the units given (NULL-terminated), in any order. */
static void assert_restart(const struct derive_outcome *out, ...) {
        va_list ap;
        size_t n = 0;
        va_start(ap, out);
        for (const char *u; (u = va_arg(ap, const char *)); n++)
                ck_assert_msg(has_unit(out, u), "%s is not in the restart list", u);
        va_end(ap);
        for (size_t i = 0; i < out->n_restart; i++)
                ck_assert_msg(i < n, "unexpected unit in the restart list: %s", out->restart[i]);
        ck_assert_uint_eq(out->n_restart, n);
}

/* Whole lines of text equal to line (without its newline). */
static size_t count_lines(const char *text, const char *line) {
        size_t n = 0, len = strlen(line);
        for (const char *p = text; *p;) {
                const char *nl = strchrnul(p, '\n');
                if ((size_t)(nl - p) == len && strncmp(p, line, len) == 0)
                        n++;
                p = *nl ? nl + 1 : nl;
        }
        return n;
}

/* Lines of text that start with prefix. */
static size_t count_prefixed(const char *text, const char *prefix) {
        size_t n = 0;
        for (const char *p = text; *p;) {
                const char *nl = strchrnul(p, '\n');
                if (strncmp(p, prefix, strlen(prefix)) == 0)
                        n++;
                p = *nl ? nl + 1 : nl;
        }
        return n;
}

/* The first line of text equal to line, or NULL. */
static const char *find_line(const char *text, const char *line) {
        size_t len = strlen(line);
        for (const char *p = text; *p;) {
                const char *nl = strchrnul(p, '\n');
                if ((size_t)(nl - p) == len && strncmp(p, line, len) == 0)
                        return p;
                p = *nl ? nl + 1 : nl;
        }
        return NULL;
}

/* The value of the one rpcauth line inside the intact block of text, malloc'd. */
static char *block_rpcauth(const char *text) {
        const char *body;
        size_t body_len;
        ck_assert_int_eq(block_find(text, strlen(text), &body, &body_len), BLOCK_INTACT);
        char *found = NULL;
        for (const char *p = body, *end = body + body_len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
                if (n > 8 && strncmp(p, "rpcauth=", 8) == 0) {
                        ck_assert_msg(!found, "two rpcauth lines in the block");
                        found = strndup(p + 8, n - 8);
                }
                p += n + 1;
        }
        ck_assert_msg(found, "no rpcauth line in the block");
        return found;
}

static bool auth_matches(const char *auth, const char *password) {
        return rpcauth_matches(auth, strlen(auth), "archy", password);
}

static char *btc_block(const char *auth) {
        char *s;
        ck_assert_int_ge(asprintf(&s, BLOCK_BEGIN "\nrpcauth=%s\n" BTC_BODY_TAIL BLOCK_END "\n", auth), 0);
        return s;
}

static char *concat3(const char *a, const char *b, const char *c) {
        char *s;
        ck_assert_int_ge(asprintf(&s, "%s%s%s", a, b, c), 0);
        return s;
}

static char *want_lnd(const char *password) {
        char *s;
        ck_assert_int_ge(asprintf(&s,
                                  BLOCK_BEGIN "\n[Bitcoin]\nbitcoin.mainnet=1\nbitcoin.node=bitcoind\n\n[Bitcoind]\n"
                                              "bitcoind.rpchost=archy-node:8332\nbitcoind.rpcuser=archy\n"
                                              "bitcoind.rpcpass=%s\nbitcoind.zmqpubrawblock=tcp://archy-node:28332\n"
                                              "bitcoind.zmqpubrawtx=tcp://archy-node:28333\n" BLOCK_END "\n",
                                  password),
                         0);
        return s;
}

static char *want_env(const char *password) {
        char *s;
        ck_assert_int_ge(asprintf(&s, HDR("explorer") "RPC_URL=http://archy:%s@archy-node:8332/\nPRICE=$5 and $HOME\n",
                                  password),
                         0);
        return s;
}

/* An rpcauth value for archy with a fixed salt, as someone could have written it by hand. */
static char *fixed_auth(const char *password) {
        char *auth = rpcauth_format("archy", "0123456789abcdef0123456789abcdef", password);
        ck_assert_ptr_nonnull(auth);
        return auth;
}

/* One hex digit of the hmac changed, still lowercase hex. */
static void corrupt_hmac(char *auth) {
        char *last = auth + strlen(auth) - 1;
        *last = *last == '0' ? '1' : '0';
}

/* Every file and directory under the tmproot, for "nothing was written" checks. */
struct snap_entry {
        char path[512];
        ino_t ino;
        struct timespec mtim;
        mode_t mode;
};
struct snap {
        struct snap_entry e[64];
        size_t n;
};
static struct snap *filling;

static int snap_one(const char *fpath, const struct stat *sb, int type, struct FTW *ftw) {
        ck_assert_uint_lt(filling->n, ELEMENTSOF(filling->e));
        struct snap_entry *e = &filling->e[filling->n++];
        snprintf(e->path, sizeof(e->path), "%s", fpath);
        e->ino = sb->st_ino;
        e->mtim = sb->st_mtim;
        e->mode = sb->st_mode;
        return 0;
}

static void snapshot(struct snap *s) {
        s->n = 0;
        filling = s;
        ck_assert_int_eq(nftw(tmproot, snap_one, 16, FTW_PHYS), 0);
}

static void assert_snapshots_equal(const struct snap *a, const struct snap *b) {
        for (size_t i = 0; i < b->n; i++) {
                bool found = false;
                for (size_t j = 0; j < a->n && !found; j++)
                        found = strcmp(a->e[j].path, b->e[i].path) == 0;
                ck_assert_msg(found, "%s appeared", b->e[i].path);
        }
        ck_assert_uint_eq(a->n, b->n);
        for (size_t i = 0; i < a->n; i++)
                for (size_t j = 0; j < b->n; j++)
                        if (strcmp(a->e[i].path, b->e[j].path) == 0) {
                                ck_assert_msg(a->e[i].ino == b->e[j].ino, "%s was replaced", a->e[i].path);
                                ck_assert_msg(a->e[i].mtim.tv_sec == b->e[j].mtim.tv_sec &&
                                                      a->e[i].mtim.tv_nsec == b->e[j].mtim.tv_nsec,
                                              "%s was modified", a->e[i].path);
                                ck_assert_msg(a->e[i].mode == b->e[j].mode, "%s changed mode", a->e[i].path);
                        }
}

/* ---- every kind from scratch ---- */

START_TEST(bitcoin_conf_is_written_from_scratch_0640_root_owned) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 5, 0, 5, 5, 0);
        _cleanup_free_ char *text = slurp(BTC);
        _cleanup_free_ char *auth = block_rpcauth(text);
        _cleanup_free_ char *want = btc_block(auth);
        ck_assert_str_eq(text, want);
        struct rpcauth_value rv;
        ck_assert_int_eq(rpcauth_parse(auth, strlen(auth), &rv), 0);
        ck_assert_uint_eq(rv.salt_len, RPCAUTH_SALT_HEX_LEN);
        ck_assert_uint_eq(rv.hmac_len, RPCAUTH_HMAC_HEX_LEN);
        ck_assert(auth_matches(auth, "hunter2"));
        assert_meta(BTC, 0640, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(lnd_conf_is_written_from_scratch_0600_root_owned) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        _cleanup_free_ char *want = want_lnd("hunter2");
        assert_content(LND, want);
        assert_meta(LND, 0600, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(env_file_is_written_from_scratch_0600_root_owned) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        _cleanup_free_ char *want = want_env("hunter2");
        assert_content(ENV, want);
        assert_meta(ENV, 0600, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(containers_conf_is_written_from_scratch_0644_root_owned) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_content(CTR, WANT_CTR);
        assert_meta(CTR, 0644, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(nginx_route_is_written_from_scratch_0644_root_owned) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_content(NGX, WANT_NGX);
        assert_meta(NGX, 0644, 0, 0);
        ck_assert_uint_eq(out.n_nginx, 1);
        ck_assert_str_eq(out.nginx[0].path, tmproot_at(NGX));
        ck_assert_ptr_null(out.nginx[0].old);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

#define NGX_PORT "/etc/nginx/archy-ports.d/explorer.conf"
#define OURS "frame-ancestors 'self' https://$host"
/* The port form: a server of its own at nginx's http level, the app at its tmproot. */
#define WANT_NGX_SERVER                                                                                                \
        HDR("explorer")                                                                                                \
        "map $http_upgrade $archy_connection_4434 {\n\tdefault upgrade;\n\t'' close;\n}\n"                             \
        "map $upstream_http_content_security_policy $archy_csp_4434 {\n\t\"\" \"" OURS "\";\n"                         \
        "\t\"~*^(?<archy_csp_head_4434>.*?)frame-ancestors[^;]*(?<archy_csp_tail_4434>.*)$\" "                         \
        "\"$archy_csp_head_4434$archy_csp_tail_4434; " OURS "\";\n"                                                    \
        "\tdefault \"$upstream_http_content_security_policy; " OURS "\";\n}\n"                                         \
        "server {\n\tlisten 4434 ssl;\n\tssl_certificate /etc/archipelago/tls/node.crt;\n"                             \
        "\tssl_certificate_key /etc/archipelago/tls/node.key;\n"                                                       \
        "\terror_page 497 =301 https://$host:$server_port$request_uri;\n"                                              \
        "\tlocation / {\n\t\tproxy_pass http://127.0.0.1:8081;\n\t\tproxy_http_version 1.1;\n"                         \
        "\t\tproxy_set_header Host $http_host;\n\t\tproxy_set_header X-Real-IP $remote_addr;\n"                        \
        "\t\tproxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"                                           \
        "\t\tproxy_set_header X-Forwarded-Proto https;\n\t\tproxy_set_header X-Forwarded-Host $http_host;\n"           \
        "\t\tproxy_set_header X-Forwarded-Port $server_port;\n\t\tproxy_set_header Upgrade $http_upgrade;\n"           \
        "\t\tproxy_set_header Connection $archy_connection_4434;\n\t\tproxy_read_timeout 1h;\n"                        \
        "\t\tproxy_redirect default;\n\t\tproxy_redirect http://$http_host/ /;\n"                                      \
        "\t\tproxy_hide_header X-Frame-Options;\n\t\tproxy_hide_header Content-Security-Policy;\n"                     \
        "\t\tadd_header Content-Security-Policy $archy_csp_4434 always;\n\t}\n}\n"

START_TEST(nginx_route_port_form_is_a_server_block_tested_like_a_location) {
        struct manifest *m =
                load("version: 1\napps:\n  explorer:\n    containers: {main: {image: localhost/e:1}}\n"
                     "    derived:\n"
                     "      - {kind: nginx-route, path: " NGX_PORT ", port: 4434, upstream: \"127.0.0.1:8081\"}\n"
                     "      - {kind: nginx-route, path: /etc/nginx/archy-ports.d/tls.conf, port: 4435, "
                     "upstream: \"127.0.0.1:8443\", upstream_tls: true}\n"
                     "      - {kind: nginx-route, path: /etc/nginx/archy-ports.d/pay.conf, port: 4436, "
                     "upstream: \"127.0.0.1:23000\", base_path: /btcpay/}\n");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_content(NGX_PORT, WANT_NGX_SERVER);
        assert_meta(NGX_PORT, 0644, 0, 0);
        ck_assert_uint_eq(out.n_nginx, 3); /* each one tested with nginx -t, put back if refused */
        _cleanup_free_ char *tls = slurp("/etc/nginx/archy-ports.d/tls.conf");
        ck_assert_ptr_nonnull(strstr(tls, "\t\tproxy_pass https://127.0.0.1:8443;\n"));
        ck_assert_ptr_nonnull(strstr(tls, "\t\tproxy_ssl_verify off;\n\t\tproxy_ssl_server_name off;\n"));
        _cleanup_free_ char *pay = slurp("/etc/nginx/archy-ports.d/pay.conf");
        /* the prefix is kept (no URI on proxy_pass): the app knows its base path */
        ck_assert_ptr_nonnull(strstr(pay,
                                     "\tlocation = / {\n\t\treturn 302 /btcpay/;\n\t}\n\tlocation / {\n\t\treturn "
                                     "404;\n\t}\n\tlocation /btcpay/ {\n\t\tproxy_pass http://127.0.0.1:23000;\n"));
        ck_assert_ptr_null(strstr(pay, "proxy_ssl_verify"));
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(owner_and_mode_settings_are_honoured_and_kept) {
        struct manifest *m = load(
                "version: 1\napps:\n  node:\n    containers: {main: {image: localhost/n:1}}\n    derived:\n"
                "      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: rpc-pass, owner: \"1000:1001\", "
                "mode: \"0600\"}\n"
                "      - {kind: lnd-conf, path: " LND
                ", rpc_user: archy, secret: rpc-pass, rpc_host: \"archy-node:8332\", "
                "owner: \"1002:1002\", mode: \"0640\"}\n"
                "      - {kind: env, path: " ENV ", vars: {A: b}, owner: \"33:34\", mode: \"0440\"}\n"
                "      - {kind: containers-conf, path: " CTR ", mode: \"0600\"}\n"
                "      - {kind: nginx-route, path: " NGX
                ", location: /x/, upstream: \"127.0.0.1:1\", mode: \"0640\"}\n");
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 5, 0, 5, 5, 0);
        derive_outcome_free(&out);
        assert_meta(BTC, 0600, 1000, 1001);
        assert_meta(LND, 0640, 1002, 1002);
        assert_meta(ENV, 0440, 33, 34);
        assert_meta(CTR, 0600, 0, 0);
        assert_meta(NGX, 0640, 0, 0);

        /* Honoured means kept: the next run finds them in sync. */
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 5, 5, 0, 0, 0);
        derive_outcome_free(&out);

        /* Put back when someone changes them. */
        ck_assert_int_eq(chown(tmproot_at(BTC), 0, 0), 0);
        ck_assert_int_eq(chmod(tmproot_at(ENV), 0644), 0);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 5, 3, 2, 2, 0);
        assert_meta(BTC, 0600, 1000, 1001);
        assert_meta(ENV, 0440, 33, 34);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* ---- bitcoin-conf ---- */

START_TEST(bitcoin_conf_valid_rpcauth_line_is_kept_byte_for_byte) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        _cleanup_free_ char *auth = fixed_auth("hunter2");
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *text = concat3("# mine\ndbcache=4000\n", block, "txindex=1\n");
        tmproot_put(BTC, text, 0640);
        struct stat before = tmproot_lstat(BTC);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 1, 0, 0, 0);
        assert_restart(&out, NULL);
        struct stat after = tmproot_lstat(BTC);
        ck_assert(same_file(&before, &after));
        assert_content(BTC, text);
        derive_outcome_free(&out);

        /* The same holds for a line archy-derive wrote itself with its random salt. */
        ck_assert_int_eq(unlink(tmproot_at(BTC)), 0);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *first = slurp(BTC);
        before = tmproot_lstat(BTC);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 1, 0, 0, 0);
        after = tmproot_lstat(BTC);
        ck_assert(same_file(&before, &after));
        assert_content(BTC, first);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_corrupted_hmac_is_repaired_with_a_validating_line) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        _cleanup_free_ char *auth = fixed_auth("hunter2");
        corrupt_hmac(auth);
        ck_assert(!auth_matches(auth, "hunter2"));
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *text = concat3("dbcache=4000\n", block, "txindex=1\n");
        tmproot_put(BTC, text, 0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        assert_restart(&out, "archy-node.service", NULL);
        _cleanup_free_ char *now = slurp(BTC);
        _cleanup_free_ char *fixed = block_rpcauth(now);
        ck_assert_str_ne(fixed, auth);
        ck_assert(auth_matches(fixed, "hunter2"));
        _cleanup_free_ char *new_block = btc_block(fixed);
        _cleanup_free_ char *want = concat3("dbcache=4000\n", new_block, "txindex=1\n");
        ck_assert_str_eq(now, want);
        assert_meta(BTC, 0640, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_changed_secret_is_drift_and_the_old_password_stops_working) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *first = slurp(BTC);
        _cleanup_free_ char *old_auth = block_rpcauth(first);
        ck_assert(auth_matches(old_auth, "hunter2"));

        put_secret("rpc-pass", "correct-horse-battery");
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        assert_restart(&out, "archy-node.service", NULL);
        _cleanup_free_ char *second = slurp(BTC);
        _cleanup_free_ char *new_auth = block_rpcauth(second);
        ck_assert(auth_matches(new_auth, "correct-horse-battery"));
        ck_assert(!auth_matches(new_auth, "hunter2"));
        ck_assert_uint_eq(count_prefixed(second, "rpcauth="), 1);
        ck_assert_ptr_null(strstr(second, old_auth));
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_user_lines_around_the_block_survive_every_rewrite) {
        static const char before[] = "# my own settings\n\ndbcache=4000   \nmaxconnections=40\r\n"
                                     "rpcauth=alice:00112233445566778899aabbccddeeff$abcdef\n#rpcauth=archy:x$y\n";
        static const char after[] = "\n[test]\nrpcport=18332\ntxindex=1"; /* last line without newline */
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        _cleanup_free_ char *auth = fixed_auth("hunter2");
        corrupt_hmac(auth);
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *text = concat3(before, block, after);
        tmproot_put(BTC, text, 0640);
        struct derive_outcome out;

        for (int round = 0; round < 4; round++) {
                if (round == 1)
                        put_secret("rpc-pass", "another-password");
                if (round == 2) { /* hand edit inside the block */
                        _cleanup_free_ char *cur = slurp(BTC);
                        _cleanup_free_ char *cur_auth = block_rpcauth(cur);
                        _cleanup_free_ char *edited_block = btc_block(cur_auth);
                        *strstr(edited_block, "server=1\n") = 0;
                        _cleanup_free_ char *edited =
                                concat3(edited_block, "rpcallowip=0.0.0.0/0\nserver=1\n", strstr(block, "rpcbind="));
                        _cleanup_free_ char *whole = concat3(before, edited, after);
                        tmproot_put(BTC, whole, 0640);
                }
                if (round == 3) { /* the damaged original again, over a missing file */
                        ck_assert_int_eq(unlink(tmproot_at(BTC)), 0);
                        tmproot_put(BTC, text, 0640);
                }
                ck_assert_int_eq(run(m, false, NULL, &out), 0);
                ck_assert_msg(out.repaired == 1, "round %d: nothing repaired", round);
                derive_outcome_free(&out);
                _cleanup_free_ char *now = slurp(BTC);
                _cleanup_free_ char *now_auth = block_rpcauth(now);
                ck_assert(auth_matches(now_auth, round == 0 ? "hunter2" : "another-password"));
                _cleanup_free_ char *now_block = btc_block(now_auth);
                _cleanup_free_ char *want = concat3(before, now_block, after);
                ck_assert_str_eq(now, want);
        }
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_stale_rpcauth_of_our_user_outside_the_block_is_removed) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        _cleanup_free_ char *auth = fixed_auth("hunter2");
        _cleanup_free_ char *old = fixed_auth("the-old-password");
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *stale = NULL;
        ck_assert_int_ge(asprintf(&stale, "dbcache=4000\nrpcauth=%s\nrpcauth=alice:0011$2233\n", old), 0);
        _cleanup_free_ char *text = concat3(stale, block, "  rpcauth = archy:feed$beef # forgotten\ntxindex=1\n");
        tmproot_put(BTC, text, 0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        _cleanup_free_ char *want = concat3("dbcache=4000\nrpcauth=alice:0011$2233\n", block, "txindex=1\n");
        assert_content(BTC, want); /* the block, valid, kept as it was */
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_hand_edited_block_is_repaired) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        _cleanup_free_ char *auth = fixed_auth("hunter2");
        _cleanup_free_ char *edited = NULL;
        ck_assert_int_ge(asprintf(&edited,
                                  "dbcache=4000\n" BLOCK_BEGIN
                                  "\nrpcauth=%s\nrpcallowip=0.0.0.0/0\n" BTC_BODY_TAIL BLOCK_END "\ntxindex=1\n",
                                  auth),
                         0);
        tmproot_put(BTC, edited, 0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        assert_restart(&out, "archy-node.service", NULL);
        _cleanup_free_ char *block = btc_block(auth); /* the valid line keeps its salt */
        _cleanup_free_ char *want = concat3("dbcache=4000\n", block, "txindex=1\n");
        assert_content(BTC, want);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

static void assert_one_block_after_damage(const char *damaged, const char *want_user_lines) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        tmproot_put(BTC, damaged, 0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *now = slurp(BTC);
        ck_assert_int_eq(block_find(now, strlen(now), NULL, NULL), BLOCK_INTACT);
        ck_assert_uint_eq(count_lines(now, BLOCK_BEGIN), 1);
        ck_assert_uint_eq(count_lines(now, BLOCK_END), 1);
        _cleanup_free_ char *auth = block_rpcauth(now);
        ck_assert(auth_matches(auth, "hunter2"));
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *want = concat3(want_user_lines, block, "");
        ck_assert_str_eq(now, want);

        /* and it stays repaired */
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 1, 0, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}

START_TEST(bitcoin_conf_lone_begin_marker_is_repaired_into_one_block) {
        _cleanup_free_ char *auth = fixed_auth("hunter2");
        _cleanup_free_ char *damaged = NULL;
        ck_assert_int_ge(asprintf(&damaged, "dbcache=4000\n" BLOCK_BEGIN "\nrpcauth=%s\nserver=1\ntxindex=1\n", auth),
                         0);
        /* every line but the marker and the rpcauth line of our user stays, in order */
        assert_one_block_after_damage(damaged, "dbcache=4000\nserver=1\ntxindex=1\n");
}
END_TEST

START_TEST(bitcoin_conf_lone_end_marker_is_repaired_into_one_block) {
        assert_one_block_after_damage("dbcache=4000\n" BLOCK_END "\ntxindex=1\n", "dbcache=4000\ntxindex=1\n");
}
END_TEST

/* Found by test/fuzz/fuzz-derive-render.c: a block that looks intact in the top-level part alone
 * but is damaged in the whole file (a stray END in a section) lost the lines between its markers. */
START_TEST(bitcoin_conf_stray_end_marker_in_a_section_keeps_every_user_line) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        tmproot_put(BTC,
                    "dbcache=4000\n" BLOCK_BEGIN "\nmaxconnections=8\n" BLOCK_END "\n[test]\nrpcport=18332\n" BLOCK_END
                    "\n",
                    0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *now = slurp(BTC);
        _cleanup_free_ char *auth = block_rpcauth(now);
        ck_assert(auth_matches(auth, "hunter2"));
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *want = concat3("dbcache=4000\nmaxconnections=8\n", block, "[test]\nrpcport=18332\n");
        ck_assert_str_eq(now, want);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 1, 0, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_end_before_begin_is_repaired_into_one_block) {
        assert_one_block_after_damage("a=1\n" BLOCK_END "\nb=2\n" BLOCK_BEGIN "\nc=3", "a=1\nb=2\nc=3\n");
}
END_TEST

START_TEST(bitcoin_conf_missing_file_is_recreated) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        ck_assert_int_eq(unlink(tmproot_at(BTC)), 0);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        assert_restart(&out, "archy-node.service", NULL);
        _cleanup_free_ char *now = slurp(BTC);
        _cleanup_free_ char *auth = block_rpcauth(now);
        ck_assert(auth_matches(auth, "hunter2"));
        assert_meta(BTC, 0640, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_path_that_is_a_directory_is_an_error_and_left_alone) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        tmproot_put(BTC "/keep", "mine\n", 0644);
        struct stat before = tmproot_lstat(BTC), keep_before = tmproot_lstat(BTC "/keep");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), -EIO);
        assert_counts(&out, 5, 0, 4, 4, 1);
        struct stat after = tmproot_lstat(BTC), keep_after = tmproot_lstat(BTC "/keep");
        ck_assert(S_ISDIR(after.st_mode));
        ck_assert(same_file(&before, &after));
        ck_assert(same_file(&keep_before, &keep_after));
        assert_content(BTC "/keep", "mine\n");
        ck_assert(!has_unit(&out, "archy-node.service"));
        ck_assert(tmproot_present(LND) && tmproot_present(ENV) && tmproot_present(CTR) && tmproot_present(NGX));
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_symlink_is_replaced_and_its_target_left_alone) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        tmproot_put("/etc/shadow-like", "precious\n", 0600);
        tmproot_put("/etc/bitcoin/placeholder", "", 0644);
        ck_assert_int_eq(symlink(tmproot_at("/etc/shadow-like"), tmproot_at(BTC)), 0);
        struct stat target_before = tmproot_lstat("/etc/shadow-like");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        assert_meta(BTC, 0640, 0, 0); /* a regular file now */
        _cleanup_free_ char *now = slurp(BTC);
        _cleanup_free_ char *auth = block_rpcauth(now);
        _cleanup_free_ char *want = btc_block(auth);
        ck_assert_str_eq(now, want);
        struct stat target_after = tmproot_lstat("/etc/shadow-like");
        ck_assert(same_file(&target_before, &target_after));
        ck_assert_uint_eq(target_after.st_mode & 07777, 0600);
        assert_content("/etc/shadow-like", "precious\n");
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* bitcoind reads options under [test], [signet], [regtest] or [main] only for that network: the block
 * must not be appended after the user's section header, or mainnet loses rpcauth, server and rpcbind. */
START_TEST(bitcoin_conf_block_is_not_appended_inside_a_network_section) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        tmproot_put(BTC, "dbcache=4000\n[test]\nrpcport=18332\n", 0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        manifest_free(m);
        _cleanup_free_ char *now = slurp(BTC);
        const char *begin = find_line(now, BLOCK_BEGIN), *section = find_line(now, "[test]");
        ck_assert_ptr_nonnull(begin);
        ck_assert_ptr_nonnull(section);
        ck_assert_ptr_nonnull(find_line(now, "dbcache=4000"));
        ck_assert_ptr_nonnull(find_line(now, "rpcport=18332"));
        ck_assert(find_line(now, "dbcache=4000") < section && section < find_line(now, "rpcport=18332"));
        /* checked last, with nothing left to free: a failure here leaks nothing under CK_FORK=no */
        static char shown[2048];
        snprintf(shown, sizeof(shown), "%s", now);
        bool in_section = section < begin;
        free(TAKE_PTR(now));
        tmproot_remove(); /* a failed test skips the teardown */
        ck_assert_msg(!in_section, "the managed block landed in the [test] section:\n%s", shown);
}
END_TEST

/* ---- lnd-conf ---- */

START_TEST(lnd_conf_competing_credentials_outside_the_block_are_removed) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        tmproot_put(LND,
                    "[Application Options]\nalias=mynode\n\n[Bitcoind]\nbitcoind.rpcpass=old\n  bitcoind.rpcuser=old\n"
                    "bitcoind.rpchost=elsewhere:8332\nbitcoind.estimatemode=CONSERVATIVE\n",
                    0600);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        ck_assert(has_unit(&out, "archy-lnd.service"));
        _cleanup_free_ char *block = want_lnd("hunter2");
        _cleanup_free_ char *want = concat3(
                "[Application Options]\nalias=mynode\n\n[Bitcoind]\nbitcoind.estimatemode=CONSERVATIVE\n", block, "");
        assert_content(LND, want);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* go-flags (lnd's INI reader) unquotes a value that starts with '"' and fails on an invalid one */
START_TEST(lnd_conf_quotes_a_password_that_starts_with_a_quote) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "\"a\\b\"c");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        _cleanup_free_ char *want = want_lnd("\"\\\"a\\\\b\\\"c\"");
        assert_content(LND, want);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(lnd_conf_keeps_a_quote_inside_a_password_raw) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "a\"b\\c\"");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        _cleanup_free_ char *want = want_lnd("a\"b\\c\"");
        assert_content(LND, want);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* ---- secrets ---- */

START_TEST(missing_secret_without_generate_is_an_error_and_leaves_the_file_alone) {
        struct manifest *m = load("version: 1\nsecrets: {gone: {generate: false}}\napps:\n"
                                  "  node:\n    containers: {main: {image: localhost/n:1}}\n    derived:\n"
                                  "      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: gone}\n"
                                  "      - {kind: containers-conf, path: " CTR "}\n"
                                  "  explorer:\n    containers: {main: {image: localhost/e:1, env_files: [" ENV "]}}\n"
                                  "    derived:\n"
                                  "      - {kind: env, path: /run/archipelago/env/other.env, vars: {B: "
                                  "\"${secret:undeclared}\"}}\n"
                                  "      - {kind: env, path: " ENV ", vars: {A: \"${secret:here}\"}}\n");
        put_secret("here", "value1");
        tmproot_put(BTC, "old content\n", 0640);
        tmproot_put("/run/archipelago/env/other.env", "B=old\n", 0600);
        struct stat btc_before = tmproot_lstat(BTC);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), -EIO);
        assert_counts(&out, 4, 0, 2, 2, 2);
        struct stat btc_after = tmproot_lstat(BTC);
        ck_assert(same_file(&btc_before, &btc_after));
        assert_content(BTC, "old content\n");
        assert_content("/run/archipelago/env/other.env", "B=old\n");
        assert_content(CTR, WANT_CTR); /* the same app's other entry */
        assert_content(ENV, HDR("explorer") "A=value1\n");
        assert_restart(&out, "archy-explorer.service", NULL);
        ck_assert(!tmproot_present(SECRETS "/gone"));
        ck_assert(!tmproot_present(SECRETS "/undeclared"));
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

static const char generated[] = "version: 1\nsecrets:\n  rpc-pass: {generate: true}\napps:\n"
                                "  node:\n    containers: {main: {image: localhost/n:1}}\n    derived:\n"
                                "      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: rpc-pass}\n"
                                "  explorer:\n    containers: {main: {image: localhost/e:1, env_files: [" ENV "]}}\n"
                                "    derived:\n"
                                "      - kind: env\n        path: " ENV "\n"
                                "        vars: {RPC_URL: \"http://archy:${secret:rpc-pass}@archy-node:8332/\", PRICE: "
                                "\"$5 and $HOME\"}\n";

static void assert_alnum(const char *s, size_t len) {
        ck_assert_uint_eq(strlen(s), len);
        for (size_t i = 0; i < len; i++)
                ck_assert_msg((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                                      (s[i] >= '0' && s[i] <= '9'),
                              "%s: not [A-Za-z0-9]", s);
}

START_TEST(missing_secret_with_generate_is_generated_used_and_reused) {
        struct manifest *m = load(generated);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 2, 0, 2, 2, 0);
        derive_outcome_free(&out);
        struct stat dir = tmproot_lstat(SECRETS);
        ck_assert(S_ISDIR(dir.st_mode));
        ck_assert_uint_eq(dir.st_mode & 0077, 0);
        assert_meta(SECRETS "/rpc-pass", 0600, 0, 0);
        _cleanup_free_ char *raw = slurp(SECRETS "/rpc-pass");
        ck_assert_uint_eq(strlen(raw), SECRET_GENERATED_LEN + 1);
        ck_assert_int_eq(raw[SECRET_GENERATED_LEN], '\n');
        raw[SECRET_GENERATED_LEN] = 0;
        assert_alnum(raw, SECRET_GENERATED_LEN);
        _cleanup_free_ char *env = want_env(raw);
        assert_content(ENV, env);
        _cleanup_free_ char *btc = slurp(BTC);
        _cleanup_free_ char *auth = block_rpcauth(btc);
        ck_assert(auth_matches(auth, raw));

        struct stat secret_before = tmproot_lstat(SECRETS "/rpc-pass");
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 2, 2, 0, 0, 0);
        struct stat secret_after = tmproot_lstat(SECRETS "/rpc-pass");
        ck_assert(same_file(&secret_before, &secret_after));
        assert_content(ENV, env);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(generate_never_replaces_an_existing_unusable_secret) {
        struct manifest *m = load(generated);
        put_secret("rpc-pass", "");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), -EIO);
        assert_counts(&out, 2, 0, 0, 0, 2);
        assert_content(SECRETS "/rpc-pass", "");
        ck_assert(!tmproot_present(BTC) && !tmproot_present(ENV));
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(check_mode_with_a_missing_generatable_secret_is_drift_and_creates_nothing) {
        struct manifest *m = load(generated);
        struct derive_outcome out;
        struct snap before, after;

        /* no secrets directory at all */
        snapshot(&before);
        ck_assert_int_eq(run(m, true, NULL, &out), 0);
        assert_counts(&out, 2, 0, 2, 0, 0);
        assert_restart(&out, NULL);
        derive_outcome_free(&out);
        snapshot(&after);
        assert_snapshots_equal(&before, &after);
        ck_assert(!tmproot_present(SECRETS));

        /* an empty secrets directory */
        ck_assert_int_eq(mkdir_p(tmproot_at(SECRETS), 0700), 0);
        snapshot(&before);
        ck_assert_int_eq(run(m, true, NULL, &out), 0);
        assert_counts(&out, 2, 0, 2, 0, 0);
        derive_outcome_free(&out);
        snapshot(&after);
        assert_snapshots_equal(&before, &after);
        ck_assert(!tmproot_present(SECRETS "/rpc-pass"));
        ck_assert(!tmproot_present(BTC) && !tmproot_present(ENV));
        manifest_free(m);
}
END_TEST

static void assert_secret_is_refused(const char *label) {
        struct manifest *m = load(all_kinds);
        tmproot_put(LND, "untouched\n", 0600);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), -EIO);
        /* bitcoin-conf, lnd-conf and env need the secret; containers-conf and nginx-route do not */
        ck_assert_msg(out.errors == 3, "%s: %zu errors", label, out.errors);
        ck_assert_uint_eq(out.repaired, 2);
        ck_assert_msg(!tmproot_present(BTC) && !tmproot_present(ENV), "%s: derived with a bad secret", label);
        assert_content(LND, "untouched\n");
        assert_restart(&out, NULL);
        derive_outcome_free(&out);
        manifest_free(m);
        ck_assert_int_eq(unlink(tmproot_at(CTR)), 0);
        ck_assert_int_eq(unlink(tmproot_at(NGX)), 0);
}

START_TEST(empty_secret_is_an_error) {
        put_secret("rpc-pass", "");
        assert_secret_is_refused("empty");
        put_secret("rpc-pass", "\n");
        assert_secret_is_refused("a lone newline");
}
END_TEST

START_TEST(unreadable_secret_is_an_error) {
        ck_assert_int_eq(mkdir_p(tmproot_at(SECRETS "/rpc-pass"), 0700), 0);
        assert_secret_is_refused("a directory");
        ck_assert_int_eq(rmdir(tmproot_at(SECRETS "/rpc-pass")), 0);

        ck_assert_int_eq(mkfifo(tmproot_at(SECRETS "/rpc-pass"), 0600), 0);
        assert_secret_is_refused("a fifo");
        ck_assert_int_eq(unlink(tmproot_at(SECRETS "/rpc-pass")), 0);

        put_secret("elsewhere", "hunter2");
        ck_assert_int_eq(symlink("elsewhere", tmproot_at(SECRETS "/rpc-pass")), 0);
        assert_secret_is_refused("a symlink");
        ck_assert_int_eq(unlink(tmproot_at(SECRETS "/rpc-pass")), 0);

        char big[SECRET_MAX + 2];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        put_secret("rpc-pass", big);
        assert_secret_is_refused("longer than SECRET_MAX");
}
END_TEST

START_TEST(secret_with_a_space_or_control_character_is_an_error) {
        put_secret("rpc-pass", "hunter 2\n");
        assert_secret_is_refused("internal space");
        put_secret("rpc-pass", "hunter2\n\n");
        assert_secret_is_refused("two trailing newlines");
        put_secret("rpc-pass", "hunter2 ");
        assert_secret_is_refused("trailing space");
        put_secret("rpc-pass", "hun\tter2");
        assert_secret_is_refused("tab");
        put_secret("rpc-pass", "hunter2\r\n");
        assert_secret_is_refused("CRLF");
        put_secret("rpc-pass", "h\xc3\xbcnter2");
        assert_secret_is_refused("non-ASCII");
}
END_TEST

START_TEST(secret_trailing_newline_is_not_part_of_the_secret) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "s3cret\n");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        _cleanup_free_ char *env = want_env("s3cret");
        assert_content(ENV, env);
        _cleanup_free_ char *lnd = want_lnd("s3cret");
        assert_content(LND, lnd);
        _cleanup_free_ char *btc = slurp(BTC);
        _cleanup_free_ char *auth = block_rpcauth(btc);
        ck_assert(auth_matches(auth, "s3cret"));
        ck_assert(!auth_matches(auth, "s3cret\n"));
        derive_outcome_free(&out);

        /* the same secret without the newline is the same secret: nothing changes */
        put_secret("rpc-pass", "s3cret");
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 5, 5, 0, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(secret_read_and_generate_on_a_directory) {
        ck_assert_int_eq(mkdir_p(tmproot_at(SECRETS), 0700), 0);
        _cleanup_close_ int dfd = open(tmproot_at(SECRETS), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(dfd, 0);
        char *v = NULL;
        const char *why = NULL;
        ck_assert_int_eq(secret_read(dfd, "nope", &v, &why), -ENOENT);

        put_secret("one", "abc\n");
        ck_assert_int_eq(secret_read(dfd, "one", &v, &why), 0);
        ck_assert_str_eq(v, "abc");
        free(v);
        put_secret("one", "abc");
        ck_assert_int_eq(secret_read(dfd, "one", &v, &why), 0);
        ck_assert_str_eq(v, "abc");
        free(v);
        put_secret("one", "abc\n\n");
        why = NULL;
        ck_assert_int_eq(secret_read(dfd, "one", &v, &why), -EINVAL);
        ck_assert_ptr_nonnull(why);
        put_secret("one", "a b");
        why = NULL;
        ck_assert_int_eq(secret_read(dfd, "one", &v, &why), -EINVAL);
        ck_assert_ptr_nonnull(why);
        put_secret("one", "");
        why = NULL;
        ck_assert_int_eq(secret_read(dfd, "one", &v, &why), -EINVAL);
        ck_assert_ptr_nonnull(why);

        char *g = NULL, *g2 = NULL;
        ck_assert_int_eq(secret_generate(dfd, "fresh", &g), 0);
        assert_alnum(g, SECRET_GENERATED_LEN);
        assert_meta(SECRETS "/fresh", 0600, 0, 0);
        ck_assert_int_eq(secret_read(dfd, "fresh", &v, &why), 0);
        ck_assert_str_eq(v, g);
        free(v);
        /* it exists now: generating again returns it instead of replacing it */
        struct stat before = tmproot_lstat(SECRETS "/fresh");
        ck_assert_int_eq(secret_generate(dfd, "fresh", &g2), 0);
        ck_assert_str_eq(g2, g);
        struct stat after = tmproot_lstat(SECRETS "/fresh");
        ck_assert(same_file(&before, &after));
        free(g);
        free(g2);
        /* two generated secrets differ */
        ck_assert_int_eq(secret_generate(dfd, "other", &g), 0);
        ck_assert_int_eq(secret_read(dfd, "fresh", &v, &why), 0);
        ck_assert_str_ne(g, v);
        free(g);
        free(v);

        /* no temporary file left behind */
        struct snap s;
        snapshot(&s);
        for (size_t i = 0; i < s.n; i++)
                ck_assert_msg(!strstr(s.e[i].path + strlen(tmproot), ".tmp"), "left behind: %s", s.e[i].path);
}
END_TEST

/* ---- env ---- */

START_TEST(env_substitutes_secrets_and_keeps_other_dollar_text_literal) {
        struct manifest *m =
                load("version: 1\napps:\n  app:\n    containers: {main: {image: localhost/a:1}}\n    derived:\n"
                     "      - kind: env\n        path: " ENV "\n        vars:\n"
                     "          URL: \"http://u:${secret:pw}@h/\"\n"
                     "          TWO: \"${secret:pw}${secret:other}-${secret:pw}\"\n"
                     "          LIT: \"$HOME $5 $$ $ {x} $secret:pw {secret:pw} 100%\"\n"
                     "          PLAIN: plain\n");
        put_secret("pw", "p1");
        put_secret("other", "p2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_content(ENV, HDR("app") "URL=http://u:p1@h/\nTWO=p1p2-p1\nLIT=$HOME $5 $$ $ {x} $secret:pw {secret:pw} "
                                       "100%\nPLAIN=plain\n");
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(env_consumers_are_every_container_listing_the_file_across_apps) {
        struct manifest *m =
                load("version: 1\napps:\n"
                     "  db:\n    containers:\n"
                     "      main: {image: localhost/d:1, env_files: [/run/archipelago/env/db.env]}\n"
                     "      backup: {image: localhost/b:1}\n"
                     "    derived:\n"
                     "      - {kind: env, path: /run/archipelago/env/db.env, vars: {PW: \"${secret:db-pass}\"}}\n"
                     "  web:\n    state: stopped\n    containers:\n"
                     "      main: {image: localhost/w:1, env_files: [/run/archipelago/env/x.env, "
                     "/run/archipelago/env/db.env]}\n"
                     "      api: {image: localhost/a:1, env_files: [/run/archipelago/env/db.env]}\n"
                     "      static: {image: localhost/s:1, env_files: [/run/archipelago/env/x.env]}\n"
                     "  gone:\n    state: uninstalled\n    containers:\n"
                     "      main: {image: localhost/g:1, env_files: [/run/archipelago/env/db.env]}\n");
        put_secret("db-pass", "one");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_restart(&out, "archy-db.service", "archy-web.service", "archy-web-api.service", NULL);
        derive_outcome_free(&out);

        ck_assert_int_eq(run(m, false, NULL, &out), 0); /* nothing changed */
        assert_restart(&out, NULL);
        derive_outcome_free(&out);

        put_secret("db-pass", "two");
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_restart(&out, "archy-db.service", "archy-web.service", "archy-web-api.service", NULL);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_and_lnd_conf_consumers_default_to_the_main_unit) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        /* node and lnd have a ui part too; containers-conf and nginx-route have no consumers */
        assert_restart(&out, "archy-node.service", "archy-lnd.service", "archy-explorer.service",
                       "archy-explorer-worker.service", NULL);
        derive_outcome_free(&out);

        ck_assert_int_eq(unlink(tmproot_at(BTC)), 0);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_restart(&out, "archy-node.service", NULL);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(consumers_setting_names_the_units_to_restart) {
        struct manifest *m = load("version: 1\napps:\n  node:\n    containers:\n"
                                  "      main: {image: localhost/n:1}\n      ui: {image: localhost/u:1}\n"
                                  "      cli: {image: localhost/c:1}\n    derived:\n"
                                  "      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: rpc-pass, "
                                  "consumers: \"main ui\"}\n"
                                  "      - {kind: env, path: " ENV ", vars: {A: b}, consumers: cli}\n");
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_restart(&out, "archy-node.service", "archy-node-ui.service", "archy-node-cli.service", NULL);
        derive_outcome_free(&out);

        put_secret("rpc-pass", "changed");
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_restart(&out, "archy-node.service", "archy-node-ui.service", NULL);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* ---- whole runs ---- */

START_TEST(second_run_writes_nothing) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        struct snap before, after;
        snapshot(&before);
        ck_assert_uint_ge(before.n, 5 + 1);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 5, 5, 0, 0, 0);
        assert_restart(&out, NULL);
        ck_assert_uint_eq(out.n_nginx, 0);
        derive_outcome_free(&out);
        snapshot(&after);
        assert_snapshots_equal(&before, &after);

        ck_assert_int_eq(run(m, true, NULL, &out), 0); /* and --check agrees */
        assert_counts(&out, 5, 5, 0, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(check_mode_reports_drift_and_writes_nothing) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        struct snap before, after;

        snapshot(&before);
        ck_assert_int_eq(run(m, true, NULL, &out), 0);
        assert_counts(&out, 5, 0, 5, 0, 0);
        assert_restart(&out, NULL);
        ck_assert_uint_eq(out.n_nginx, 0);
        derive_outcome_free(&out);
        snapshot(&after);
        assert_snapshots_equal(&before, &after);
        ck_assert(!tmproot_present(BTC) && !tmproot_present(LND) && !tmproot_present(ENV) && !tmproot_present(CTR) &&
                  !tmproot_present(NGX));

        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *btc = slurp(BTC);
        _cleanup_free_ char *auth = block_rpcauth(btc);
        _cleanup_free_ char *bad_auth = strdup(auth);
        corrupt_hmac(bad_auth);
        _cleanup_free_ char *bad_block = btc_block(bad_auth);
        tmproot_put(BTC, bad_block, 0640);
        tmproot_put(ENV, "RPC_URL=stale\n", 0600);
        ck_assert_int_eq(chmod(tmproot_at(LND), 0644), 0);
        snapshot(&before);
        ck_assert_int_eq(run(m, true, NULL, &out), 0);
        assert_counts(&out, 5, 2, 3, 0, 0);
        assert_restart(&out, NULL);
        derive_outcome_free(&out);
        snapshot(&after);
        assert_snapshots_equal(&before, &after);
        assert_content(BTC, bad_block);
        assert_content(ENV, "RPC_URL=stale\n");
        assert_meta(LND, 0644, 0, 0);
        manifest_free(m);
}
END_TEST

START_TEST(metadata_only_drift_is_fixed_in_place_without_consumers) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        ck_assert_int_eq(chmod(tmproot_at(ENV), 0644), 0);
        ck_assert_int_eq(chown(tmproot_at(LND), 1000, 1000), 0);
        ck_assert_int_eq(chmod(tmproot_at(NGX), 0600), 0);
        struct stat env_before = tmproot_lstat(ENV), lnd_before = tmproot_lstat(LND), ngx_before = tmproot_lstat(NGX);
        _cleanup_free_ char *env_text = slurp(ENV);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 5, 2, 3, 3, 0);
        assert_restart(&out, NULL);
        ck_assert_uint_eq(out.n_nginx, 0);
        struct stat env_after = tmproot_lstat(ENV), lnd_after = tmproot_lstat(LND), ngx_after = tmproot_lstat(NGX);
        ck_assert(same_file(&env_before, &env_after));
        ck_assert(same_file(&lnd_before, &lnd_after));
        ck_assert(same_file(&ngx_before, &ngx_after));
        assert_meta(ENV, 0600, 0, 0);
        assert_meta(LND, 0600, 0, 0);
        assert_meta(NGX, 0644, 0, 0);
        assert_content(ENV, env_text);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(only_app_limits_the_run_to_that_app) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, "lnd", &out), 0);
        assert_counts(&out, 1, 0, 1, 1, 0);
        assert_restart(&out, "archy-lnd.service", NULL);
        ck_assert(tmproot_present(LND));
        ck_assert(!tmproot_present(BTC) && !tmproot_present(ENV) && !tmproot_present(CTR) && !tmproot_present(NGX));
        derive_outcome_free(&out);

        ck_assert_int_eq(run(m, true, "explorer", &out), 0);
        assert_counts(&out, 2, 0, 2, 0, 0);
        derive_outcome_free(&out);
        ck_assert_int_eq(run(m, false, "explorer", &out), 0);
        assert_counts(&out, 2, 0, 2, 2, 0);
        ck_assert(tmproot_present(ENV) && tmproot_present(NGX) && !tmproot_present(BTC) && !tmproot_present(CTR));
        derive_outcome_free(&out);

        ck_assert_int_eq(run(m, false, "no-such-app", &out), 0);
        assert_counts(&out, 0, 0, 0, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(uninstalled_apps_and_no_manifest_derive_nothing) {
        struct manifest *m = load("version: 1\napps:\n  node:\n    state: uninstalled\n"
                                  "    containers: {main: {image: localhost/n:1}}\n    derived:\n"
                                  "      - {kind: containers-conf, path: " CTR "}\n");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 1, 0, 0, 0);
        ck_assert(!tmproot_present(CTR));
        derive_outcome_free(&out);
        ck_assert_int_eq(run(NULL, false, NULL, &out), 0);
        assert_counts(&out, 0, 0, 0, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* ---- NUL bytes: what a power cut during a write leaves ---- */

static void put_bytes(const char *path, const char *data, size_t len, mode_t mode) {
        tmproot_put(path, "", mode);
        ck_assert_int_eq(write_file_atomic(tmproot_at(path), data, len, mode), 0);
}

static char *slurp_bytes(const char *path, size_t *len) {
        int fd = open(tmproot_at(path), O_RDONLY | O_CLOEXEC);
        ck_assert_msg(fd >= 0, "%s cannot be opened", path);
        char *text;
        ck_assert_int_eq(read_file_fd(fd, 1 << 20, &text, len), 0);
        close(fd);
        return text;
}

static void assert_bytes(const char *path, const char *want, size_t want_len) {
        size_t len;
        _cleanup_free_ char *text = slurp_bytes(path, &len);
        ck_assert_uint_eq(len, want_len);
        ck_assert_msg(memcmp(text, want, len) == 0, "%s differs", path);
}

/* One run repairs, keeps the damaged file next to it, restarts the consumer once; the next run finds
 * nothing to do. Returns the repaired text. */
static char *repair_damaged(const struct manifest *m, const char *path, const char *damaged, size_t len,
                            const char *unit) {
        put_bytes(path, damaged, len, 0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        ck_assert_uint_eq(out.repaired, 1);
        assert_restart(&out, unit, NULL);
        derive_outcome_free(&out);
        char backup[256];
        snprintf(backup, sizeof(backup), "%s" DAMAGED_SUFFIX, path);
        assert_bytes(backup, damaged, len);
        assert_meta(backup, 0640, 0, 0);
        size_t now_len;
        char *now = slurp_bytes(path, &now_len);
        ck_assert_uint_eq(now_len, strlen(now)); /* no NUL left */
        struct snap before, after;
        snapshot(&before);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 1, 1, 0, 0, 0);
        assert_restart(&out, NULL);
        derive_outcome_free(&out);
        snapshot(&after);
        assert_snapshots_equal(&before, &after);
        return now;
}

START_TEST(bitcoin_conf_nul_in_the_middle_keeps_every_user_line) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        static const char damaged[] = "dbcache=4000\nprune=0\0\0\0\0\ntxindex=1\n";
        _cleanup_free_ char *now = repair_damaged(m, BTC, damaged, sizeof(damaged) - 1, "archy-node.service");
        _cleanup_free_ char *auth = block_rpcauth(now);
        ck_assert(auth_matches(auth, "hunter2"));
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *want = concat3("dbcache=4000\nprune=0\ntxindex=1\n", block, "");
        ck_assert_str_eq(now, want);
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_nul_at_the_start_keeps_every_user_line) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        static const char damaged[] = "\0\0\0dbcache=4000\n[test]\nrpcport=18332\n";
        _cleanup_free_ char *now = repair_damaged(m, BTC, damaged, sizeof(damaged) - 1, "archy-node.service");
        _cleanup_free_ char *auth = block_rpcauth(now);
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *want = concat3("dbcache=4000\n", block, "[test]\nrpcport=18332\n");
        ck_assert_str_eq(now, want);
        manifest_free(m);
}
END_TEST

/* The most common shape: the file's size was updated, its data never written. */
START_TEST(bitcoin_conf_zero_filled_tail_is_dropped_and_the_block_kept_byte_for_byte) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        tmproot_put(BTC, "dbcache=4000\n", 0640);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *good = slurp(BTC);
        size_t len = strlen(good) + 4096;
        _cleanup_free_ char *damaged = calloc(1, len);
        memcpy(damaged, good, strlen(good));
        _cleanup_free_ char *now = repair_damaged(m, BTC, damaged, len, "archy-node.service");
        ck_assert_str_eq(now, good); /* same salt: the valid line is kept */
        manifest_free(m);
}
END_TEST

START_TEST(bitcoin_conf_nul_inside_the_managed_block_is_repaired) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        _cleanup_free_ char *auth = fixed_auth("hunter2");
        _cleanup_free_ char *block = btc_block(auth);
        _cleanup_free_ char *good = concat3("dbcache=4000\n", block, "txindex=1\n");
        size_t len = strlen(good) + 2;
        _cleanup_free_ char *damaged = malloc(len);
        const char *in_line = strstr(good, "rpcauth=") + 4; /* "rpca" NUL NUL "uth=..." */
        size_t cut = (size_t)(in_line - good);
        memcpy(damaged, good, cut);
        damaged[cut] = damaged[cut + 1] = '\0';
        memcpy(damaged + cut + 2, good + cut, strlen(good) - cut);
        _cleanup_free_ char *now = repair_damaged(m, BTC, damaged, len, "archy-node.service");
        ck_assert_str_eq(now, good);
        manifest_free(m);
}
END_TEST

START_TEST(lnd_conf_nul_bytes_are_dropped_and_user_lines_kept) {
        struct manifest *m = load("version: 1\napps:\n  lnd:\n    containers: {main: {image: localhost/l:1}}\n"
                                  "    derived:\n      - {kind: lnd-conf, path: " LND ", rpc_user: archy, secret: "
                                  "rpc-pass, rpc_host: \"archy-node:8332\"}\n");
        put_secret("rpc-pass", "hunter2");
        static const char damaged[] = "[Application Options]\0\0\ndebuglevel=info\n\0\0\0\0";
        _cleanup_free_ char *now = repair_damaged(m, LND, damaged, sizeof(damaged) - 1, "archy-lnd.service");
        _cleanup_free_ char *block = want_lnd("hunter2");
        _cleanup_free_ char *want = concat3("[Application Options]\ndebuglevel=info\n", block, "");
        ck_assert_str_eq(now, want);
        manifest_free(m);
}
END_TEST

/* ---- symbolic links among the parent directories ---- */

static size_t dir_entries(const char *path) {
        char cmd[1200];
        snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 0", tmproot_at(path));
        return system(cmd) == 0 ? 0 : 1;
}

START_TEST(symlinked_parent_directory_is_refused_and_nothing_written_through_it) {
        struct manifest *m = load(all_kinds);
        put_secret("rpc-pass", "hunter2");
        tmproot_put("/elsewhere/placeholder", "", 0644);
        ck_assert_int_eq(unlink(tmproot_at("/elsewhere/placeholder")), 0);
        tmproot_put("/etc/placeholder", "", 0644);
        ck_assert_int_eq(symlink(tmproot_at("/elsewhere"), tmproot_at("/etc/bitcoin")), 0); /* an existing parent */
        ck_assert_int_eq(mkdir(tmproot_at("/other"), 0755), 0);
        ck_assert_int_eq(symlink(tmproot_at("/other"), tmproot_at("/run")), 0); /* a parent above missing ones */
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), -EIO);
        assert_counts(&out, 5, 0, 3, 3, 2);
        ck_assert_uint_eq(dir_entries("/elsewhere"), 0);
        ck_assert_uint_eq(dir_entries("/other"), 0);
        ck_assert(tmproot_present(LND) && tmproot_present(CTR) &&
                  tmproot_present(NGX)); /* the other files are derived */
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

START_TEST(parent_that_is_a_file_is_refused) {
        struct manifest *m = load(btc_only);
        put_secret("rpc-pass", "hunter2");
        tmproot_put("/etc/bitcoin", "a file\n", 0644);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), -EIO);
        assert_counts(&out, 1, 0, 0, 0, 1);
        assert_content("/etc/bitcoin", "a file\n");
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* ---- uninstall: what archy-derive wrote goes, the user's lines stay ---- */

/* all_kinds with every app in state. */
static struct manifest *all_kinds_in(const char *state) {
        struct strbuf sb = STRBUF_INIT;
        for (const char *p = all_kinds; *p;) {
                const char *nl = strchrnul(p, '\n');
                strbuf_add(&sb, p, (size_t)(nl - p) + (*nl ? 1 : 0));
                /* an app's name line: "  name:" */
                if (nl - p > 3 && p[0] == ' ' && p[1] == ' ' && p[2] != ' ' && nl[-1] == ':')
                        strbuf_printf(&sb, "    state: %s\n", state);
                p = *nl ? nl + 1 : nl;
        }
        _cleanup_free_ char *yaml = strbuf_steal(&sb);
        return load(yaml);
}

START_TEST(uninstall_removes_archy_files_and_block_keeps_user_lines_and_reinstall_restores) {
        struct manifest *m = load(all_kinds), *gone = all_kinds_in("uninstalled");
        put_secret("rpc-pass", "hunter2");
        tmproot_put(BTC, "dbcache=4000\n", 0644);
        tmproot_put(LND, "[Application Options]\ndebuglevel=info\n", 0600);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *route = slurp(NGX);

        ck_assert_int_eq(run(gone, true, NULL, &out), 0); /* --check: drift, nothing changed */
        assert_counts(&out, 5, 1, 4, 0, 0);
        derive_outcome_free(&out);
        ck_assert(tmproot_present(ENV) && tmproot_present(NGX));

        ck_assert_int_eq(run(gone, false, NULL, &out), 0);
        assert_counts(&out, 5, 1, 4, 4, 0);
        assert_restart(&out, NULL);
        ck_assert_uint_eq(out.n_nginx, 1); /* tested and reloaded, or put back */
        ck_assert_str_eq(out.nginx[0].old, route);
        derive_outcome_free(&out);
        assert_content(BTC, "dbcache=4000\n");
        assert_meta(BTC, 0640, 0, 0); /* the mode archy-derive gave it stays */
        assert_content(LND, "[Application Options]\ndebuglevel=info\n");
        ck_assert(!tmproot_present(ENV) && !tmproot_present(NGX));
        assert_content(CTR, WANT_CTR); /* the node's, not the app's */

        struct snap before, after;
        snapshot(&before);
        ck_assert_int_eq(run(gone, false, NULL, &out), 0);
        assert_counts(&out, 5, 5, 0, 0, 0);
        ck_assert_uint_eq(out.n_nginx, 0);
        derive_outcome_free(&out);
        snapshot(&after);
        assert_snapshots_equal(&before, &after);

        ck_assert_int_eq(run(m, false, NULL, &out), 0); /* reinstall */
        assert_counts(&out, 5, 1, 4, 4, 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *env = want_env("hunter2"), *lnd = want_lnd("hunter2");
        assert_content(ENV, env);
        assert_content(NGX, route);
        _cleanup_free_ char *lnd_now = slurp(LND);
        _cleanup_free_ char *lnd_want = concat3("[Application Options]\ndebuglevel=info\n", lnd, "");
        ck_assert_str_eq(lnd_now, lnd_want);
        _cleanup_free_ char *btc_now = slurp(BTC);
        _cleanup_free_ char *btc_auth = block_rpcauth(btc_now);
        ck_assert(auth_matches(btc_auth, "hunter2"));
        manifest_free(m);
        manifest_free(gone);
}
END_TEST

START_TEST(uninstall_removes_a_file_that_held_only_the_block_and_competing_lines_outside_it) {
        struct manifest *m = load(all_kinds), *gone = all_kinds_in("uninstalled");
        put_secret("rpc-pass", "hunter2");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        /* a damaged block: the credential lines between the markers still go */
        _cleanup_free_ char *lnd = slurp(LND);
        *strstr(lnd, BLOCK_END) = 0;
        _cleanup_free_ char *damaged = concat3("alias=mine\n", lnd, "");
        tmproot_put(LND, damaged, 0600);
        ck_assert_int_eq(run(gone, false, NULL, &out), 0);
        derive_outcome_free(&out);
        ck_assert(!tmproot_present(BTC));
        assert_content(LND, "alias=mine\n[Bitcoin]\n\n[Bitcoind]\n");
        manifest_free(m);
        manifest_free(gone);
}
END_TEST

START_TEST(uninstall_never_removes_a_file_archy_did_not_write_or_another_app_uses) {
        struct manifest *gone =
                load("version: 1\napps:\n"
                     "  explorer:\n    state: uninstalled\n    containers: {main: {image: localhost/e:1}}\n"
                     "    derived:\n"
                     "      - {kind: env, path: " ENV ", vars: {A: b}}\n"
                     "      - {kind: env, path: /run/archipelago/env/shared.env, vars: {A: b}}\n"
                     "      - {kind: nginx-route, path: " NGX ", location: /e/, upstream: \"127.0.0.1:1\"}\n"
                     "  other:\n    containers: {main: {image: localhost/o:1, env_files: "
                     "[/run/archipelago/env/shared.env]}}\n");
        tmproot_put(ENV, "A=mine\n", 0600);                                            /* no header: the user's */
        tmproot_put("/run/archipelago/env/shared.env", HDR("explorer") "A=b\n", 0600); /* read by other */
        tmproot_put(NGX, "# Written by archy-derive for app other. Edit the manifest, not this file.\n", 0644);
        struct derive_outcome out;
        ck_assert_int_eq(run(gone, false, NULL, &out), 0);
        assert_counts(&out, 3, 3, 0, 0, 0);
        derive_outcome_free(&out);
        assert_content(ENV, "A=mine\n");
        assert_content("/run/archipelago/env/shared.env", HDR("explorer") "A=b\n");
        ck_assert(tmproot_present(NGX));
        manifest_free(gone);
}
END_TEST

/* ---- nginx routes ---- */

START_TEST(nginx_route_changes_are_recorded_and_can_be_restored) {
        struct manifest *m =
                load("version: 1\napps:\n  web:\n    containers: {main: {image: localhost/w:1}}\n    derived:\n"
                     "      - {kind: nginx-route, path: /etc/nginx/archy.d/a.conf, location: /a/, upstream: "
                     "\"127.0.0.1:8001\"}\n"
                     "      - {kind: nginx-route, path: /etc/nginx/archy.d/b.conf, location: /b/, upstream: "
                     "\"127.0.0.1:8002\"}\n"
                     "      - {kind: nginx-route, path: /etc/nginx/archy.d/c.conf, location: /c/, upstream: "
                     "\"127.0.0.1:8003\"}\n");
        tmproot_put("/etc/nginx/archy.d/a.conf", "location /a/ { return 404; }\n", 0640);
        ck_assert_int_eq(chown(tmproot_at("/etc/nginx/archy.d/a.conf"), 33, 34), 0);
        tmproot_put("/etc/nginx/archy.d/c.conf", HDR("web") WANT_NGX_BODY("/c/", "127.0.0.1:8003"), 0644);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 3, 1, 2, 2, 0);
        assert_restart(&out, NULL);
        ck_assert_uint_eq(out.n_nginx, 2);
        const struct changed_file *a = NULL, *b = NULL;
        for (size_t i = 0; i < out.n_nginx; i++) {
                if (strcmp(out.nginx[i].path, tmproot_at("/etc/nginx/archy.d/a.conf")) == 0)
                        a = &out.nginx[i];
                if (strcmp(out.nginx[i].path, tmproot_at("/etc/nginx/archy.d/b.conf")) == 0)
                        b = &out.nginx[i];
        }
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_str_eq(a->old, "location /a/ { return 404; }\n");
        ck_assert_uint_eq(a->old_len, strlen("location /a/ { return 404; }\n"));
        ck_assert_ptr_null(b->old);
        assert_content("/etc/nginx/archy.d/a.conf", HDR("web") WANT_NGX_BODY("/a/", "127.0.0.1:8001"));
        assert_meta("/etc/nginx/archy.d/a.conf", 0644, 0, 0);
        assert_content("/etc/nginx/archy.d/b.conf", HDR("web") WANT_NGX_BODY("/b/", "127.0.0.1:8002"));

        ck_assert_int_eq(derive_restore(a), 0);
        ck_assert_int_eq(derive_restore(b), 0);
        assert_content("/etc/nginx/archy.d/a.conf", "location /a/ { return 404; }\n");
        assert_meta("/etc/nginx/archy.d/a.conf", 0640, 33, 34); /* put back as it was */
        ck_assert(!tmproot_present("/etc/nginx/archy.d/b.conf"));
        assert_content("/etc/nginx/archy.d/c.conf", HDR("web") WANT_NGX_BODY("/c/", "127.0.0.1:8003"));
        ck_assert_int_eq(derive_restore(b), 0); /* already gone: fine */
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

/* ---- the pure renderer ---- */

START_TEST(derived_render_names_the_missing_secret) {
        struct manifest *m = load(all_kinds);
        struct secret_value items[] = {{"unrelated", "x"}};
        struct secret_set set = {items, ELEMENTSOF(items)};
        char missing[SECRET_NAME_BUF] = "";
        char *text = (char *)1;
        struct render_input in = {.d = &manifest_find_app(m, "node")->derived[0],
                                  .app = "node",

                                  .secrets = &set,
                                  .new_salt = "0123456789abcdef0123456789abcdef"};
        ck_assert_int_eq(derived_render(&in, &text, missing), -EINVAL);
        ck_assert_ptr_null(text);
        ck_assert_str_eq(missing, "rpc-pass");

        const struct app *explorer = manifest_find_app(m, "explorer");
        in.d = &explorer->derived[0];
        in.app = "explorer";
        missing[0] = 0;
        ck_assert_int_eq(derived_render(&in, &text, missing), -EINVAL);
        ck_assert_ptr_null(text);
        ck_assert_str_eq(missing, "rpc-pass");

        in.d = &explorer->derived[1]; /* nginx-route: no secret */
        ck_assert_int_eq(derived_render(&in, &text, missing), 0);
        ck_assert_str_eq(text, WANT_NGX);
        free(text);
        manifest_free(m);
}
END_TEST

START_TEST(derived_render_keeps_a_valid_salt_and_uses_the_new_one_otherwise) {
        struct manifest *m = load(btc_only);
        struct secret_value items[] = {{"rpc-pass", "hunter2"}};
        struct secret_set set = {items, ELEMENTSOF(items)};
        char missing[SECRET_NAME_BUF] = "";
        static const char new_salt[] = "fedcba9876543210fedcba9876543210";
        _cleanup_free_ char *valid = fixed_auth("hunter2");
        _cleanup_free_ char *block = btc_block(valid);
        _cleanup_free_ char *current = concat3("dbcache=1\n", block, "txindex=1\n");
        struct render_input in = {.d = &m->apps[0].derived[0],
                                  .app = "node",

                                  .secrets = &set,
                                  .current = current,
                                  .current_len = strlen(current),
                                  .new_salt = new_salt};
        char *text = NULL;
        ck_assert_int_eq(derived_render(&in, &text, missing), 0);
        ck_assert_str_eq(text, current);
        free(text);

        items[0].value = "other";
        ck_assert_int_eq(derived_render(&in, &text, missing), 0);
        _cleanup_free_ char *fresh = rpcauth_format("archy", new_salt, "other");
        _cleanup_free_ char *fresh_block = btc_block(fresh);
        _cleanup_free_ char *want = concat3("dbcache=1\n", fresh_block, "txindex=1\n");
        ck_assert_str_eq(text, want);
        free(text);

        in.current = NULL, in.current_len = 0;
        ck_assert_int_eq(derived_render(&in, &text, missing), 0);
        ck_assert_str_eq(text, fresh_block);
        free(text);
        manifest_free(m);
}
END_TEST

#define TOR "/etc/tor/torrc"
#define UNLOCK "/var/lib/archipelago/lnd/wallet-unlock-password"

static const char files_yaml[] =
        "version: 1\napps:\n  tor:\n    containers: {main: {image: localhost/t:1}, ui: {image: localhost/u:1}}\n"
        "    derived:\n"
        "      - kind: file\n        path: " TOR "\n        owner: \"1000:1000\"\n        consumers: ui\n"
        "        content: |\n          HashedControlPassword ${secret:tor-pass}\n          Price $$5 and $HOME\n"
        "      - {kind: secret-file, path: " UNLOCK ", secret: tor-pass, owner: \"1000:1000\"}\n";

START_TEST(file_and_secret_file_are_written_repaired_and_restart_their_consumers) {
        struct manifest *m = load(files_yaml);
        put_secret("tor-pass", "s3cret\n");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 2, 0, 2, 2, 0);
        assert_restart(&out, "archy-tor-ui.service", "archy-tor.service", NULL);
        derive_outcome_free(&out);
        assert_content(TOR, "HashedControlPassword s3cret\nPrice $5 and $HOME\n");
        assert_content(UNLOCK, "s3cret"); /* raw: no newline */
        assert_meta(TOR, 0600, 1000, 1000);
        assert_meta(UNLOCK, 0600, 1000, 1000);

        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 2, 2, 0, 0, 0);
        derive_outcome_free(&out);

        /* Drift: content and metadata put back; only the changed file's consumers restart. */
        tmproot_put(TOR, "HashedControlPassword old\n", 0644);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 2, 1, 1, 1, 0);
        assert_restart(&out, "archy-tor-ui.service", NULL);
        derive_outcome_free(&out);
        assert_content(TOR, "HashedControlPassword s3cret\nPrice $5 and $HOME\n");
        assert_meta(TOR, 0600, 1000, 1000);
        manifest_free(m);
}
END_TEST

START_TEST(uninstalled_file_goes_only_when_it_holds_what_archy_wrote) {
        struct manifest *m = load(files_yaml);
        put_secret("tor-pass", "s3cret");
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        manifest_free(m);
        _cleanup_free_ char *gone = strdup(files_yaml);
        char *state = strstr(gone, "    containers:");
        ck_assert_ptr_nonnull(state);
        _cleanup_free_ char *yaml = NULL;
        ck_assert_int_ge(asprintf(&yaml, "%.*s    state: uninstalled\n%s", (int)(state - gone), gone, state), 0);
        tmproot_put(UNLOCK, "mine", 0600); /* the user's own now: kept */
        m = load(yaml);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_restart(&out, NULL);
        derive_outcome_free(&out);
        ck_assert(!tmproot_present(TOR));
        assert_content(UNLOCK, "mine");
        manifest_free(m);
}
END_TEST

START_TEST(chain_signet_and_options_go_into_bitcoin_conf_and_lnd_conf) {
        struct manifest *m = load(
                "version: 1\nchain: signet\napps:\n  node:\n    containers: {main: {image: localhost/n:1}}\n"
                "    derived:\n      - {kind: bitcoin-conf, path: " BTC ", rpc_user: archy, secret: rpc-pass, options: "
                "{txindex: \"1\", port: \"38333\", whitelist: \"download@10.89.0.0/24\"}}\n"
                "      - {kind: lnd-conf, path: " LND ", rpc_user: archy, secret: rpc-pass, rpc_host: "
                "\"archy-node:8332\"}\n");
        put_secret("rpc-pass", "hunter2");
        tmproot_put(BTC, "chain=main\ndbcache=100\n", 0640);
        tmproot_put(LND, "bitcoin.mainnet=1\nalias=x\n", 0600);
        struct derive_outcome out;
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        derive_outcome_free(&out);
        _cleanup_free_ char *btc = slurp(BTC);
        _cleanup_free_ char *lnd = slurp(LND);
        ck_assert_uint_eq(count_lines(btc, "chain=signet"), 1);
        ck_assert_uint_eq(count_lines(btc, "signet.rpcbind=0.0.0.0"), 1);
        ck_assert_uint_eq(count_prefixed(btc, "rpcbind="), 0); /* mainnet-only without the prefix */
        ck_assert_uint_eq(count_prefixed(btc, "chain=main"), 0);
        ck_assert_uint_eq(count_lines(btc, "dbcache=100"), 1);
        /* options inside the block, after archy's lines; port is network-only: prefixed */
        ck_assert_uint_eq(count_lines(btc, "txindex=1"), 1);
        ck_assert_uint_eq(count_lines(btc, "signet.port=38333"), 1);
        ck_assert_uint_eq(count_lines(btc, "whitelist=download@10.89.0.0/24"), 1);
        ck_assert(find_line(btc, "zmqpubrawtx=tcp://0.0.0.0:28333") < find_line(btc, "txindex=1"));
        ck_assert(find_line(btc, "whitelist=download@10.89.0.0/24") < find_line(btc, BLOCK_END));
        ck_assert_uint_eq(count_lines(lnd, "bitcoin.signet=1"), 1);
        ck_assert_uint_eq(count_prefixed(lnd, "bitcoin.mainnet"), 0);
        ck_assert_uint_eq(count_lines(lnd, "alias=x"), 1);
        ck_assert_int_eq(run(m, false, NULL, &out), 0);
        assert_counts(&out, 2, 2, 0, 0, 0);
        derive_outcome_free(&out);
        manifest_free(m);
}
END_TEST

Suite *derive_suite(void) {
        Suite *s = suite_create("derive");
        TCase *tc = tcase_create("derive");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, bitcoin_conf_is_written_from_scratch_0640_root_owned);
        tcase_add_test(tc, lnd_conf_is_written_from_scratch_0600_root_owned);
        tcase_add_test(tc, env_file_is_written_from_scratch_0600_root_owned);
        tcase_add_test(tc, containers_conf_is_written_from_scratch_0644_root_owned);
        tcase_add_test(tc, nginx_route_is_written_from_scratch_0644_root_owned);
        tcase_add_test(tc, nginx_route_port_form_is_a_server_block_tested_like_a_location);
        tcase_add_test(tc, owner_and_mode_settings_are_honoured_and_kept);
        tcase_add_test(tc, bitcoin_conf_valid_rpcauth_line_is_kept_byte_for_byte);
        tcase_add_test(tc, bitcoin_conf_corrupted_hmac_is_repaired_with_a_validating_line);
        tcase_add_test(tc, bitcoin_conf_changed_secret_is_drift_and_the_old_password_stops_working);
        tcase_add_test(tc, bitcoin_conf_user_lines_around_the_block_survive_every_rewrite);
        tcase_add_test(tc, bitcoin_conf_stale_rpcauth_of_our_user_outside_the_block_is_removed);
        tcase_add_test(tc, bitcoin_conf_hand_edited_block_is_repaired);
        tcase_add_test(tc, bitcoin_conf_stray_end_marker_in_a_section_keeps_every_user_line);
        tcase_add_test(tc, bitcoin_conf_lone_begin_marker_is_repaired_into_one_block);
        tcase_add_test(tc, bitcoin_conf_lone_end_marker_is_repaired_into_one_block);
        tcase_add_test(tc, bitcoin_conf_end_before_begin_is_repaired_into_one_block);
        tcase_add_test(tc, bitcoin_conf_missing_file_is_recreated);
        tcase_add_test(tc, bitcoin_conf_path_that_is_a_directory_is_an_error_and_left_alone);
        tcase_add_test(tc, bitcoin_conf_symlink_is_replaced_and_its_target_left_alone);
        tcase_add_test(tc, bitcoin_conf_block_is_not_appended_inside_a_network_section);
        tcase_add_test(tc, lnd_conf_competing_credentials_outside_the_block_are_removed);
        tcase_add_test(tc, lnd_conf_quotes_a_password_that_starts_with_a_quote);
        tcase_add_test(tc, lnd_conf_keeps_a_quote_inside_a_password_raw);
        tcase_add_test(tc, missing_secret_without_generate_is_an_error_and_leaves_the_file_alone);
        tcase_add_test(tc, missing_secret_with_generate_is_generated_used_and_reused);
        tcase_add_test(tc, generate_never_replaces_an_existing_unusable_secret);
        tcase_add_test(tc, check_mode_with_a_missing_generatable_secret_is_drift_and_creates_nothing);
        tcase_add_test(tc, empty_secret_is_an_error);
        tcase_add_test(tc, unreadable_secret_is_an_error);
        tcase_add_test(tc, secret_with_a_space_or_control_character_is_an_error);
        tcase_add_test(tc, secret_trailing_newline_is_not_part_of_the_secret);
        tcase_add_test(tc, secret_read_and_generate_on_a_directory);
        tcase_add_test(tc, env_substitutes_secrets_and_keeps_other_dollar_text_literal);
        tcase_add_test(tc, env_consumers_are_every_container_listing_the_file_across_apps);
        tcase_add_test(tc, bitcoin_and_lnd_conf_consumers_default_to_the_main_unit);
        tcase_add_test(tc, consumers_setting_names_the_units_to_restart);
        tcase_add_test(tc, second_run_writes_nothing);
        tcase_add_test(tc, check_mode_reports_drift_and_writes_nothing);
        tcase_add_test(tc, metadata_only_drift_is_fixed_in_place_without_consumers);
        tcase_add_test(tc, only_app_limits_the_run_to_that_app);
        tcase_add_test(tc, uninstalled_apps_and_no_manifest_derive_nothing);
        tcase_add_test(tc, bitcoin_conf_nul_in_the_middle_keeps_every_user_line);
        tcase_add_test(tc, bitcoin_conf_nul_at_the_start_keeps_every_user_line);
        tcase_add_test(tc, bitcoin_conf_zero_filled_tail_is_dropped_and_the_block_kept_byte_for_byte);
        tcase_add_test(tc, bitcoin_conf_nul_inside_the_managed_block_is_repaired);
        tcase_add_test(tc, lnd_conf_nul_bytes_are_dropped_and_user_lines_kept);
        tcase_add_test(tc, symlinked_parent_directory_is_refused_and_nothing_written_through_it);
        tcase_add_test(tc, parent_that_is_a_file_is_refused);
        tcase_add_test(tc, uninstall_removes_archy_files_and_block_keeps_user_lines_and_reinstall_restores);
        tcase_add_test(tc, uninstall_removes_a_file_that_held_only_the_block_and_competing_lines_outside_it);
        tcase_add_test(tc, uninstall_never_removes_a_file_archy_did_not_write_or_another_app_uses);
        tcase_add_test(tc, nginx_route_changes_are_recorded_and_can_be_restored);
        tcase_add_test(tc, derived_render_names_the_missing_secret);
        tcase_add_test(tc, derived_render_keeps_a_valid_salt_and_uses_the_new_one_otherwise);
        tcase_add_test(tc, file_and_secret_file_are_written_repaired_and_restart_their_consumers);
        tcase_add_test(tc, uninstalled_file_goes_only_when_it_holds_what_archy_wrote);
        tcase_add_test(tc, chain_signet_and_options_go_into_bitcoin_conf_and_lnd_conf);
        suite_add_tcase(s, tc);
        return s;
}
