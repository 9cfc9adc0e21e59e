/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Wiring between apps: ${app:APP[.PART].host} and ${app:APP[.PART].ports.NAME} (app-ref.c), in a
 * container's env (rendered by the generator) and a derived file's content (archy-derive), and
 * bitcoin-conf's rpc_users with rpcwhitelist. Every bad input with its exact message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-ref.h"
#include "config-render.h"
#include "quadlet-render.h"
#include "strbuf.h"
#include "testlib.h"

static const char wired[] = "version: 1\n"
                            "apps:\n"
                            "  node:\n"
                            "    containers:\n"
                            "      main: {image: localhost/x:1, expose: {rpc: 8332, zmq: 28332}}\n"
                            "      ui: {image: localhost/x:1, expose: {http: 80}}\n"
                            "  ports:\n"
                            "    containers:\n"
                            "      main: {image: localhost/x:1, expose: {host: 1}}\n"
                            "      ports: {image: localhost/x:1, expose: {web: 2}}\n"
                            "  indexer:\n"
                            "    requires: [node, ports]\n"
                            "    containers:\n"
                            "      main:\n"
                            "        image: localhost/x:1\n"
                            "        expose: {api: 3000}\n"
                            "        env:\n"
                            "          RPC: \"${app:node.host}:${app:node.ports.rpc}\"\n"
                            "          UI: \"http://${app:node.ui.host}:${app:node.ui.ports.http}/\"\n"
                            "          SELF: \"${app:indexer.host}:${app:indexer.ports.api} $$ ${secret:x}\"\n"
                            "          ODD: \"${app:ports.ports.host} ${app:ports.ports.ports.web}\"\n"
                            "    derived:\n"
                            "      - kind: file\n"
                            "        path: /etc/indexer.toml\n"
                            "        content: |\n"
                            "          addr = \"${app:node.host}:${app:node.ports.rpc}\"\n"
                            "          auth = \"u:${secret:pw}\"\n"
                            "          cost = \"$$5 $${app:node.host}\"\n"
                            "      - kind: env\n"
                            "        path: /run/indexer.env\n"
                            "        vars: {URL: \"http://u:${secret:pw}@${app:node.host}:${app:node.ports.rpc}/\"}\n";

static struct manifest *load_ok(const char *text) {
        return parse_expecting(text, "");
}

static char *expand(const struct manifest *m, const char *app, const char *text, bool dollar, int want_r) {
        struct strbuf sb = STRBUF_INIT;
        struct app_ref_error err;
        ck_assert_int_eq(app_refs_expand(m, manifest_find_app(m, app), text, dollar, &sb, &err), want_r);
        return strbuf_steal(&sb) ?: strdup("");
}

START_TEST(references_resolve_to_container_names_and_exposed_ports) {
        struct manifest *m = load_ok(wired);
        const struct container *ct = &manifest_find_app(m, "indexer")->containers[0];
        _cleanup_free_ char *rpc = expand(m, "indexer", ct->env[0].value, false, 0);
        ck_assert_str_eq(rpc, "archy-node:8332");
        _cleanup_free_ char *ui = expand(m, "indexer", ct->env[1].value, false, 0);
        ck_assert_str_eq(ui, "http://archy-node-ui:80/");
        /* an app's own parts need no requires; ${secret:...} and $$ pass through untouched */
        _cleanup_free_ char *self = expand(m, "indexer", ct->env[2].value, false, 0);
        ck_assert_str_eq(self, "archy-indexer:3000 $$ ${secret:x}");
        /* APP.ports.NAME is always main's port NAME (here one named host); a part named ports is
         * reached with four names, APP.ports.ports.NAME */
        _cleanup_free_ char *odd =
                expand(m, "indexer", "${app:ports.ports.host} ${app:ports.ports.ports.web}", false, 0);
        ck_assert_str_eq(odd, "1 2");
        _cleanup_free_ char *main_host = expand(m, "indexer", "${app:ports.main.host}", false, 0);
        ck_assert_str_eq(main_host, "archy-ports");
        _cleanup_free_ char *escaped = expand(m, "indexer", "$${app:node.host} ${app:node.host}", true, 0);
        ck_assert_str_eq(escaped, "$${app:node.host} archy-node");
        _cleanup_free_ char *plain = expand(m, "indexer", "no reference, $ alone", false, 0);
        ck_assert_str_eq(plain, "no reference, $ alone");
        manifest_free(m);
}
END_TEST

START_TEST(the_generator_renders_env_with_references_resolved) {
        struct manifest *m = load_ok(wired);
        const struct app *a = manifest_find_app(m, "indexer");
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        render_container(m, a, &a->containers[0], &out);
        ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\nEnvironment=RPC=archy-node:8332\n"
                                                       "Environment=UI=http://archy-node-ui:80/\n"
                                                       "Environment=\"SELF=archy-indexer:3000 $$$$ $${secret:x}\"\n"
                                                       "Environment=\"ODD=1 2\"\n"));
        manifest_free(m);
}
END_TEST

START_TEST(a_file_s_content_gets_references_and_secrets) {
        struct manifest *m = load_ok(wired);
        const struct app *a = manifest_find_app(m, "indexer");
        struct secret_value items[] = {{"pw", "s3cret"}};
        struct secret_set set = {items, 1};
        char missing[SECRET_NAME_BUF] = "";
        struct render_input in = {.d = &a->derived[0], .app = "indexer", .secrets = &set, .m = m};
        _cleanup_free_ char *text = NULL;
        ck_assert_int_eq(derived_render(&in, &text, missing), 0);
        ck_assert_str_eq(text, "addr = \"archy-node:8332\"\nauth = \"u:s3cret\"\ncost = \"$5 ${app:node.host}\"\n");
        /* a derived env file's values too */
        in.d = &a->derived[1];
        _cleanup_free_ char *env = NULL;
        ck_assert_int_eq(derived_render(&in, &env, missing), 0);
        ck_assert_str_eq(env, "# Written by archy-derive for app indexer. Edit the manifest, not this file.\n"
                              "URL=http://u:s3cret@archy-node:8332/\n");
        in.d = &a->derived[0];
        /* without the manifest no reference can be resolved: nothing is written */
        in.m = NULL;
        _cleanup_free_ char *none = NULL;
        ck_assert_int_eq(derived_render(&in, &none, missing), -EINVAL);
        manifest_free(m);
}
END_TEST

static const char bad_refs[] =
        "version: 1\n"
        "apps:\n"
        "  node:\n"
        "    containers:\n"
        "      main: {image: localhost/x:1, expose: {rpc: 8332}}\n"
        "      ui: {image: localhost/x:1}\n"
        "  gone:\n"
        "    state: uninstalled\n"
        "    containers: {main: {image: localhost/x:1}}\n"
        "  a1:\n"
        "    requires: [node]\n"
        "    containers: {main: {image: localhost/x:1, env: {U: \"${app:nodee.host}\"}}}\n"
        "  a2:\n"
        "    containers: {main: {image: localhost/x:1, env: {U: \"x ${app:gone.host}\"}}}\n"
        "  a3:\n"
        "    containers: {main: {image: localhost/x:1, env: {NR: \"${app:node.host}\"}}}\n"
        "  a4:\n"
        "    requires: [node]\n"
        "    containers: {main: {image: localhost/x:1, env: {P: \"${app:node.db.host}\"}}}\n"
        "  a5:\n"
        "    requires: [node]\n"
        "    containers: {main: {image: localhost/x:1, env: {P: \"${app:node.ports.p2p}\", Q: "
        "\"${app:node.ui.ports.http}\"}}}\n"
        "  a6:\n"
        "    requires: [node]\n"
        "    containers: {main: {image: localhost/x:1, env: {S: \"${app:node}\", T: \"${app:node.host\", V: "
        "\"${app:node.Host}\"}}}\n"
        "  a7:\n"
        "    requires: [node]\n"
        "    containers: {main: {image: localhost/x:1}}\n"
        "    derived:\n"
        "      - kind: file\n"
        "        path: /etc/a7.conf\n"
        "        content: |\n"
        "          rpc = ${app:node.ports.rpc}\n"
        "          zmq = ${app:node.ports.zmq}\n"
        "  a9:\n"
        "    requires: [node]\n"
        "    containers: {main: {image: localhost/x:1}}\n"
        "    derived: [{kind: env, path: /run/a9.env, vars: {U: \"${app:node.ports.web}\"}}]\n"
        "  a8:\n"
        "    containers: {main: {image: localhost/x:1, expose: {http: 80, \"Bad\": 1, big: \"65536\", zero: \"0\"}}}\n";

START_TEST(each_bad_reference_names_the_reference_and_what_is_missing) {
        struct manifest *m = parse_expecting(
                bad_refs,
                "test.yaml:40:66: apps.a8.containers.main.expose: expected a port name matching [a-z][a-z0-9-]{0,47}, "
                "got \"Bad\"\n"
                "test.yaml:40:81: apps.a8.containers.main.expose.big: expected a port from 1 to 65535 inside the "
                "container, got \"65536\"\n"
                "test.yaml:40:96: apps.a8.containers.main.expose.zero: expected a port from 1 to 65535 inside the "
                "container, got \"0\"\n"
                "test.yaml:12:56: apps.a1.containers.main.env.U: ${app:nodee.host}: unknown app \"nodee\" (did you "
                "mean \"node\"?), expected an app defined under apps\n"
                "test.yaml:14:56: apps.a2.containers.main.env.U: ${app:gone.host}: app \"gone\" is uninstalled, "
                "expected an installed app (it has a host and ports only while installed)\n"
                "test.yaml:16:57: apps.a3.containers.main.env.NR: ${app:node.host}: app a3 does not require app "
                "\"node\", expected it in apps.a3.requires (add node there: archy then starts it first and checks "
                "that it stays installed)\n"
                "test.yaml:19:56: apps.a4.containers.main.env.P: ${app:node.db.host}: app node has no container "
                "\"db\", expected one of main, ui\n"
                "test.yaml:22:56: apps.a5.containers.main.env.P: ${app:node.ports.p2p}: container main of app node "
                "exposes no port \"p2p\", expected one of rpc\n"
                "test.yaml:22:84: apps.a5.containers.main.env.Q: ${app:node.ui.ports.http}: container ui of app node "
                "exposes no port \"http\", expected a port its expose names (add expose: {http: PORT} to "
                "apps.node.containers.ui)\n"
                "test.yaml:25:56: apps.a6.containers.main.env.S: expected ${app:APP.host}, ${app:APP.PART.host}, "
                "${app:APP.ports.NAME} or ${app:APP.PART.ports.NAME} with names matching [a-z][a-z0-9-]{0,47}, got "
                "\"${app:node}\"\n"
                "test.yaml:25:74: apps.a6.containers.main.env.T: expected ${app:APP.host}, ${app:APP.PART.host}, "
                "${app:APP.ports.NAME} or ${app:APP.PART.ports.NAME} with names matching [a-z][a-z0-9-]{0,47}, got "
                "\"${app:node.host\"\n"
                "test.yaml:25:96: apps.a6.containers.main.env.V: expected ${app:APP.host}, ${app:APP.PART.host}, "
                "${app:APP.ports.NAME} or ${app:APP.PART.ports.NAME} with names matching [a-z][a-z0-9-]{0,47}, got "
                "\"${app:node.Host}\"\n"
                "test.yaml:32:18: apps.a7.derived[0].content: ${app:node.ports.zmq}: container main of app node "
                "exposes no port \"zmq\", expected one of rpc\n"
                "test.yaml:38:56: apps.a9.derived[0].vars.U: ${app:node.ports.web}: container main of app node "
                "exposes no port \"web\", expected one of rpc\n");
        for (size_t i = 0; i < m->n_apps; i++)
                ck_assert_msg(m->apps[i].skip == (m->apps[i].name[0] == 'a'), "%s", m->apps[i].name);
        manifest_free(m);
}
END_TEST

/* ---- bitcoin-conf: more RPC users with rpcwhitelist ---- */

static const char users[] = "version: 1\n"
                            "apps:\n"
                            "  node:\n"
                            "    containers: {main: {image: localhost/x:1}}\n"
                            "    derived:\n"
                            "      - kind: bitcoin-conf\n"
                            "        path: /etc/bitcoin.conf\n"
                            "        rpc_user: archy\n"
                            "        secret: main-pw\n"
                            "        rpc_users:\n"
                            "          - {user: electrs, secret: e-pw, whitelist: [getblock, getblockhash]}\n"
                            "          - {user: admin, secret: a-pw}\n"
                            "          - {user: mempool, secret: m-pw, whitelist: [getmempoolinfo]}\n";

START_TEST(rpc_users_get_rpcauth_lines_and_their_whitelists) {
        struct manifest *m = load_ok(users);
        const struct derived *d = &m->apps[0].derived[0];
        ck_assert_uint_eq(d->bitcoin_conf.n_users, 3);
        struct secret_value items[] = {{"main-pw", "p0"}, {"e-pw", "p1"}, {"a-pw", "p2"}, {"m-pw", "p3"}};
        struct secret_set set = {items, 4};
        const char *const salts[] = {"11111111111111111111111111111111", "22222222222222222222222222222222",
                                     "33333333333333333333333333333333"};
        struct render_input in = {.d = d,
                                  .app = "node",
                                  .secrets = &set,
                                  .new_salt = "00000000000000000000000000000000",
                                  .user_salts = salts};
        char missing[SECRET_NAME_BUF] = "";
        _cleanup_free_ char *text = NULL;
        ck_assert_int_eq(derived_render(&in, &text, missing), 0);
        const char *body = strstr(text, "zmqpubrawtx=tcp://0.0.0.0:28333\n");
        ck_assert_ptr_nonnull(body);
        body += strlen("zmqpubrawtx=tcp://0.0.0.0:28333\n");
        /* each user its own salt; whitelists after rpcwhitelistdefault=0, so that archy and admin,
         * listed in no rpcwhitelist, keep every RPC (bitcoind's default turns to 1 with one) */
        ck_assert_ptr_nonnull(strstr(body, "rpcauth=electrs:11111111111111111111111111111111$"));
        ck_assert_ptr_nonnull(strstr(body, "rpcauth=admin:22222222222222222222222222222222$"));
        const char *tail = strstr(body, "rpcwhitelistdefault=0\n");
        ck_assert_ptr_nonnull(tail);
        ck_assert_str_eq(tail, "rpcwhitelistdefault=0\nrpcwhitelist=electrs:getblock,getblockhash\n"
                               "rpcwhitelist=mempool:getmempoolinfo\n# END archy-derive\n");
        /* a second run keeps every valid salt: the same bytes, nothing restarts */
        in.current = text;
        in.current_len = strlen(text);
        const char *other[] = {"44444444444444444444444444444444", "55555555555555555555555555555555",
                               "66666666666666666666666666666666"};
        in.user_salts = other;
        _cleanup_free_ char *again = NULL;
        ck_assert_int_eq(derived_render(&in, &again, missing), 0);
        ck_assert_str_eq(again, text);
        /* a missing secret of a user is named */
        set.n = 3;
        in.current = NULL;
        _cleanup_free_ char *none = NULL;
        ck_assert_int_eq(derived_render(&in, &none, missing), -EINVAL);
        ck_assert_str_eq(missing, "m-pw");
        manifest_free(m);
}
END_TEST

START_TEST(without_a_whitelist_no_rpcwhitelist_line) {
        static const char one[] = "version: 1\napps:\n  node:\n    containers: {main: {image: localhost/x:1}}\n"
                                  "    derived:\n      - {kind: bitcoin-conf, path: /etc/b.conf, rpc_user: archy, "
                                  "secret: pw, rpc_users: [{user: two, secret: pw2}]}\n";
        struct manifest *m = load_ok(one);
        struct secret_value items[] = {{"pw", "p0"}, {"pw2", "p1"}};
        struct secret_set set = {items, 2};
        struct render_input in = {.d = &m->apps[0].derived[0],
                                  .app = "node",
                                  .secrets = &set,
                                  .new_salt = "00000000000000000000000000000000"};
        char missing[SECRET_NAME_BUF] = "";
        _cleanup_free_ char *text = NULL;
        ck_assert_int_eq(derived_render(&in, &text, missing), 0);
        ck_assert_ptr_null(strstr(text, "rpcwhitelist"));
        ck_assert_ptr_nonnull(strstr(text, "\nrpcauth=two:00000000000000000000000000000000$"));
        manifest_free(m);
}
END_TEST

START_TEST(bad_rpc_users_give_exact_errors) {
        static const char bad[] = "version: 1\n"
                                  "apps:\n"
                                  "  node:\n"
                                  "    containers: {main: {image: localhost/x:1}}\n"
                                  "    derived:\n"
                                  "      - kind: bitcoin-conf\n"
                                  "        path: /etc/b.conf\n"
                                  "        rpc_user: archy\n"
                                  "        secret: pw\n"
                                  "        options: {rpcwhitelist: \"x:getblock\"}\n"
                                  "        rpc_users:\n"
                                  "          - {user: archy, secret: pw2}\n"
                                  "          - {user: two, secret: pw2, whitelist: []}\n"
                                  "          - {user: two, secret: pw2, whitelist: [getBlock, \"get block\"]}\n"
                                  "          - {user: \"a:b\", secret: Pw}\n"
                                  "          - {secret: pw3, whitelist: getblock, users: x}\n"
                                  "          - plain\n";
        struct manifest *m = parse_expecting(
                bad,
                "test.yaml:10:19: apps.node.derived[0].options.rpcwhitelist: archy-derive manages this line itself (or "
                "it would undo one it writes), expected an option other than rpcauth, rpcuser, rpcpassword, server, "
                "rpcbind, rpcallowip, zmqpubrawblock, zmqpubrawtx, chain, testnet, signet, regtest, includeconf, "
                "rpcwhitelist, rpcwhitelistdefault\n"
                "test.yaml:12:20: apps.node.derived[0].rpc_users[0].user: user \"archy\" is named twice, expected "
                "each RPC user once\n"
                "test.yaml:13:49: apps.node.derived[0].rpc_users[1].whitelist: expected at least one RPC name (leave "
                "whitelist out to allow every RPC)\n"
                "test.yaml:14:50: apps.node.derived[0].rpc_users[2].whitelist[0]: expected an RPC name of [a-z0-9], "
                "e.g. getblockchaininfo, got \"getBlock\"\n"
                "test.yaml:14:60: apps.node.derived[0].rpc_users[2].whitelist[1]: expected an RPC name of [a-z0-9], "
                "e.g. getblockchaininfo, got \"get block\"\n"
                "test.yaml:14:20: apps.node.derived[0].rpc_users[2].user: user \"two\" is named twice, expected each "
                "RPC user once\n"
                "test.yaml:15:20: apps.node.derived[0].rpc_users[3].user: expected a user name of [A-Za-z0-9_.-], 1 "
                "to 64 characters, got \"a:b\"\n"
                "test.yaml:15:35: apps.node.derived[0].rpc_users[3].secret: expected a secret name matching "
                "[a-z][a-z0-9-]{0,47}, got \"Pw\"\n"
                "test.yaml:16:48: apps.node.derived[0].rpc_users[4]: unknown key \"users\", did you mean \"user\"?\n"
                "test.yaml:16:13: apps.node.derived[0].rpc_users[4]: missing required key \"user\" (a user name of "
                "[A-Za-z0-9_.-], 1 to 64 characters)\n"
                "test.yaml:16:38: apps.node.derived[0].rpc_users[4].whitelist: expected a list, got a scalar\n"
                "test.yaml:17:13: apps.node.derived[0].rpc_users[5]: expected a mapping (key: value), got a scalar\n");
        ck_assert(m->apps[0].skip);
        manifest_free(m);
}
END_TEST

Suite *app_ref_suite(void) {
        Suite *s = suite_create("app-ref");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, references_resolve_to_container_names_and_exposed_ports);
        tcase_add_test(tc, the_generator_renders_env_with_references_resolved);
        tcase_add_test(tc, a_file_s_content_gets_references_and_secrets);
        tcase_add_test(tc, each_bad_reference_names_the_reference_and_what_is_missing);
        tcase_add_test(tc, rpc_users_get_rpcauth_lines_and_their_whitelists);
        tcase_add_test(tc, without_a_whitelist_no_rpcwhitelist_line);
        tcase_add_test(tc, bad_rpc_users_give_exact_errors);
        suite_add_tcase(s, tc);
        return s;
}
