/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The top-level node key (lib/model/manifest-parse-node.c): the one place a node is made rootless,
 * and what a rootless node refuses (lib/model/manifest-check-rootless.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "subid.h"
#include "testlib.h"

#define APPS "apps:\n  web:\n    containers:\n      main: {image: localhost/x:1, ports: [\"%s\"]}\n"

static struct manifest *node_manifest(const char *node, const char *port, const char *want) {
        char text[512];
        snprintf(text, sizeof(text), "version: 1\n%s" APPS, node, port);
        return parse_expecting(text, want);
}

static void expect_unusable(const char *node, const char *want) {
        char text[512];
        snprintf(text, sizeof(text), "version: 1\n%s" APPS, node, "8080:80");
        struct diag_list diags = {0};
        ck_assert_ptr_null(parse_text(text, &diags));
        char *got = diags_joined(&diags);
        assert_text_eq(got, want);
        free(got);
        diag_list_free(&diags);
}

START_TEST(rootful_without_the_key) {
        struct manifest *m = node_manifest("", "80:80", "");
        ck_assert_int_eq(m->node.mode, NODE_ROOTFUL);
        ck_assert_ptr_null(m->node.user);
        ck_assert(!manifest_find_app(m, "web")->skip); /* rootful: port 80 is fine */
        manifest_free(m);
}
END_TEST

START_TEST(rootless_user_defaults_and_is_named) {
        struct manifest *m = node_manifest("node: {mode: rootless}\n", "8080:80", "");
        ck_assert_int_eq(m->node.mode, NODE_ROOTLESS);
        ck_assert_str_eq(m->node.user, "archipelago");
        ck_assert_str_eq(node_mode_to_string(m->node.mode), "rootless");
        manifest_free(m);
        m = node_manifest("node: {mode: rootless, user: apps_1}\n", "8080:80", "");
        ck_assert_str_eq(m->node.user, "apps_1");
        manifest_free(m);
        m = node_manifest("node: {mode: rootful}\n", "8080:80", "");
        ck_assert_int_eq(m->node.mode, NODE_ROOTFUL);
        manifest_free(m);
}
END_TEST

START_TEST(rootless_refuses_ports_below_1024) {
        struct manifest *m = node_manifest(
                "node: {mode: rootless}\n", "127.0.0.1:443:80",
                "test.yaml:6:44: apps.web.containers.main.ports: host port 443 is below 1024, which the rootless apps "
                "user \"archipelago\" cannot bind; publish a port of 1024 or above (the node's nginx can serve it on "
                "443: archy-manifest(5) NGINX ROUTES) or run the node rootful\n");
        ck_assert(manifest_find_app(m, "web")->skip);
        manifest_free(m);
        m = node_manifest("node: {mode: rootless}\n", "1024:80", "");
        ck_assert(!manifest_find_app(m, "web")->skip);
        manifest_free(m);
}
END_TEST

START_TEST(rootless_refuses_the_containers_conf_drop_in) {
        static const char text[] =
                "version: 1\nnode: {mode: rootless}\napps:\n  web:\n    containers:\n"
                "      main: {image: localhost/x:1}\n    derived:\n"
                "      - {kind: containers-conf, path: /etc/containers/containers.conf.d/50-a.conf}\n";
        struct manifest *m = parse_expecting(
                text, "test.yaml:8:9: apps.web.derived: kind containers-conf on a rootless node: the drop-in would "
                      "change every user's podman and pin host.archipelago to an address the apps user's containers "
                      "cannot reach; remove it (podman's host-gateway gives host.archipelago in both modes)\n");
        ck_assert(manifest_find_app(m, "web")->skip);
        manifest_free(m);
}
END_TEST

START_TEST(bad_node_settings_make_the_manifest_unusable) {
        expect_unusable("node: {mode: rootles}\n",
                        "test.yaml:2:14: node.mode: expected one of rootful, rootless, got \"rootles\"\n");
        expect_unusable("node: {mode: rootful, user: archipelago}\n",
                        "test.yaml:2:29: node.user: only a rootless node has an apps user; expected node.mode: "
                        "rootless with it, or no node.user\n");
        expect_unusable("node: {user: archipelago}\n",
                        "test.yaml:2:14: node.user: only a rootless node has an apps user; expected node.mode: "
                        "rootless with it, or no node.user\n");
        static const char *const bad[] = {"root", "Archipelago", "1apps",
                                          "a b",  "apps$",       "abcdefghijklmnopqrstuvwxyz0123456"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(!node_user_valid(bad[i]), "%s", bad[i]);
        ck_assert(node_user_valid("archipelago") && node_user_valid("_apps-2"));
        expect_unusable("node: {mode: rootless, user: root}\n",
                        "test.yaml:2:30: node.user: expected a user name ([a-z_][a-z0-9_-]*, at most 32 characters, "
                        "not root), got \"root\"\n");
        expect_unusable("node: {mode: rootless, owner: x}\n",
                        "test.yaml:2:24: node: unknown key \"owner\", expected one of: mode, user\n");
        expect_unusable("node: rootless\n", "test.yaml:2:7: node: expected a mapping (key: value), got a scalar\n");
}
END_TEST

START_TEST(subordinate_ranges_are_found_and_mapped) {
        static const char text[] = "root:100000:65536\nbad line\narchipelago:524288:65536\n996:1:2\n";
        struct subid_range r;
        ck_assert_int_eq(subid_find(text, strlen(text), "archipelago", 996, &r), 0);
        ck_assert_uint_eq(r.start, 524288);
        ck_assert_uint_eq(r.count, 65536);
        /* by numeric id, as shadow's tools accept it: the first line for the user wins */
        ck_assert_int_eq(subid_find("996:7:8\n", 8, "archipelago", 996, &r), 0);
        ck_assert_uint_eq(r.start, 7);
        ck_assert_int_eq(subid_find(text, strlen(text), "nobody", 65534, &r), -ENOENT);
        ck_assert_int_eq(subid_find("archipelago:x:1\n", 16, "archipelago", 996, &r), -EINVAL);
        ck_assert_int_eq(subid_find("archipelago:4294967295:2", 24, "archipelago", 996, &r), -EINVAL);
        ck_assert_int_eq(subid_find("archipelagos:1:2\n", 17, "archipelago", 996, &r), -ENOENT);
        unsigned long host;
        struct subid_range range = {.start = 524288, .count = 65536};
        ck_assert(subid_map(996, &range, 0, &host) && host == 996);
        ck_assert(subid_map(996, &range, 1, &host) && host == 524288);
        ck_assert(subid_map(996, &range, 1000, &host) && host == 525287);
        ck_assert(subid_map(996, &range, 65536, &host) && host == 589823);
        ck_assert(!subid_map(996, &range, 65537, &host));
}
END_TEST

Suite *node_mode_suite(void) {
        Suite *s = suite_create("node-mode");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, rootful_without_the_key);
        tcase_add_test(tc, rootless_user_defaults_and_is_named);
        tcase_add_test(tc, rootless_refuses_ports_below_1024);
        tcase_add_test(tc, rootless_refuses_the_containers_conf_drop_in);
        tcase_add_test(tc, bad_node_settings_make_the_manifest_unusable);
        tcase_add_test(tc, subordinate_ranges_are_found_and_mapped);
        suite_add_tcase(s, tc);
        return s;
}
