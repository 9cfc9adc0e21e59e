/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages for people who come from compose: pointed hints for compose keys, the string form of
 * an exec-list health test, fully qualified images, clashes inside one container, problems in
 * line order. Every message is checked to the letter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose-hints.h"
#include "testlib.h"
#include "values.h"

/* The problems of a manifest, one a line, as `archy-generator --check` prints them. */
static char *problems_of(const char *text) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(text, &diags);
        diag_sort(&diags);
        char *got = diags_joined(&diags);
        diag_list_free(&diags);
        manifest_free(m);
        return got;
}

#define ck_assert_problems(text, expected)                                                                             \
        do {                                                                                                           \
                char *_got = problems_of(text);                                                                        \
                ck_assert_str_eq(_got, expected);                                                                      \
                free(_got);                                                                                            \
        } while (0)

/* A container "main" of app "a" with one more line: KEY: VALUE at line 7, column 9. */
#define CONTAINER_WITH(line)                                                                                           \
        "version: 1\napps:\n  a:\n    containers:\n      main:\n        image: localhost/a:1\n" line "\n"

static const struct {
        const char *line, *hint;
} container_hints[] = {
        {"        environment: {A: b}", "archy calls this env (a mapping NAME: value)"},
        {"        env_file: [/etc/a.env]", "archy calls this env_files (a list of absolute paths)"},
        {"        healthcheck: {test: [CMD, \"true\"]}",
         "archy calls this health, with cmd (compose's test, as one string run by the container's shell), interval, "
         "timeout, retries and start_period"},
        {"        stop_grace_period: 1m", "archy calls this stop_timeout (a duration such as 30s)"},
        {"        requires: [bitcoin]",
         "requires belongs to the app (apps.APP.requires: other apps this one waits for); between the parts of one "
         "app use depends_on"},
        {"        container_name: a",
         "archy names every container itself, archy-APP for main and archy-APP-PART for the others: rename the part "
         "instead"},
        {"        networks: [default]",
         "every container is on archy's network \"archipelago\" and reaches the others by their container names; "
         "other networks are not offered"},
        {"        network_mode: host",
         "every container is on archy's bridge network \"archipelago\"; the host's network is not offered (it would "
         "share the node's ports and addresses with the container): publish ports with ports"},
        {"        privileged: true", "not offered: a privileged container has every power over the node"},
        {"        labels: {a: b}",
         "archy sets its own labels on every container (its app and part) and offers no others"},
        {"        logging: {driver: json-file}", "not needed: every container logs to the journal"},
        {"        build: .",
         "archy runs published images only: build the image, push it to a registry and name it in image"},
        {"        deploy: {replicas: 2}",
         "not read: archy runs each part once, under systemd; its resource limits are mem_limit and cpus"},
        {"        extra_hosts: [\"a:1.2.3.4\"]",
         "not offered: every container resolves host.archipelago (the node) and the other containers by name"},
        {"        devices: [/dev/sda]", "not offered: a device gives the container the node's hardware"},
        {"        pid: host", "not offered: sharing a process namespace breaks the isolation of the apps"},
        {"        ipc: host", "not offered: sharing an IPC namespace breaks the isolation of the apps"},
        {"        security_opt: [\"seccomp:unconfined\"]", "not offered: archy keeps podman's default confinement"},
        {"        sysctls: {a: b}", "not offered: archy keeps the node's kernel settings"},
        {"        stdin_open: true", "not needed: containers run under systemd, without a terminal"},
        {"        tty: true", "not needed: containers run under systemd, without a terminal"},
        {"        platform: linux/amd64", "not needed: podman pulls the image for the node's own architecture"},
};

START_TEST(compose_keys_of_a_container_get_a_pointed_hint) {
        char text[512], want[512], key[64];
        snprintf(text, sizeof(text), CONTAINER_WITH("%s"), container_hints[_i].line);
        sscanf(container_hints[_i].line, " %63[^:]", key);
        snprintf(want, sizeof(want), "test.yaml:7:9: apps.a.containers.main: unknown key \"%s\": %s\n", key,
                 container_hints[_i].hint);
        ck_assert_problems(text, want);
}
END_TEST

START_TEST(compose_expose_list_gets_archy_expose_form) {
        ck_assert_problems("version: 1\napps:\n  a:\n    containers:\n      main:\n        image: localhost/a:1\n"
                           "        expose: [\"80\"]\n",
                           "test.yaml:7:17: apps.a.containers.main.expose: expected a mapping NAME: PORT naming the "
                           "ports other apps refer to (${app:APP.ports.NAME}); compose's list of ports is not needed: "
                           "the containers of the network \"archipelago\" reach each other on every port\n");
}
END_TEST

START_TEST(compose_keys_of_an_app_and_of_the_top_level_get_a_pointed_hint) {
        ck_assert_problems(
                "version: 1\napps:\n  a:\n    depends_on: [b]\n    containers: {main: {image: localhost/a:1}}\n",
                "test.yaml:4:5: apps.a: unknown key \"depends_on\": depends_on belongs to a container (it "
                "orders the parts of one app); to wait for another app, use the app's requires\n");
        ck_assert_problems(
                "version: 1\napps:\n  a:\n    image: localhost/a:1\n    containers: {main: {image: localhost/a:1}}\n",
                "test.yaml:4:5: apps.a: unknown key \"image\": image belongs to a container: "
                "apps.APP.containers.main.image\n");
        ck_assert_problems(
                "version: 1\napps:\n  a:\n    environment: {A: b}\n    containers: {main: {image: localhost/a:1}}\n",
                "test.yaml:4:5: apps.a: unknown key \"environment\": archy calls this env, and it belongs "
                "to a container: apps.APP.containers.main.env\n");
        ck_assert_problems("version: 1\nservices: {}\n",
                           "test.yaml:2:1: (top level): unknown key \"services\": archy calls this apps (each app has "
                           "containers, one of them named main)\n");
        ck_assert_problems(
                "version: 1\nnetworks: {}\n",
                "test.yaml:2:1: (top level): unknown key \"networks\": every container is on archy's network "
                "\"archipelago\" and reaches the node as host.archipelago; other networks are not offered\n");
        ck_assert_problems("version: 1\nvolumes: {}\n",
                           "test.yaml:2:1: (top level): unknown key \"volumes\": volumes are declared per app: a "
                           "container's volumes entry \"NAME:/path\" creates the volume archy-APP-NAME, and "
                           "apps.APP.volumes gives it an owner\n");
}
END_TEST

START_TEST(compose_keys_of_a_health_check_get_a_pointed_hint) {
        ck_assert_problems(
                CONTAINER_WITH("        health: {cmd: \"true\", test: \"true\"}"),
                "test.yaml:7:31: apps.a.containers.main.health: unknown key \"test\": archy calls this cmd: "
                "one string run by the container's shell, such as cmd: \"curl -f http://localhost:8080/\"\n");
        ck_assert_problems(CONTAINER_WITH("        health: {cmd: \"true\", disable: true}"),
                           "test.yaml:7:31: apps.a.containers.main.health: unknown key \"disable\": to check nothing, "
                           "leave out health\n");
        ck_assert_problems(
                CONTAINER_WITH("        health: {cmd: \"true\", start_interval: 5s}"),
                "test.yaml:7:31: apps.a.containers.main.health: unknown key \"start_interval\": not offered: "
                "the check runs every interval, from the start\n");
}
END_TEST

/* Keys archy reads, now or with the container keys of issue 12, never get a compose hint: the hint
 * is for keys unknown at their level only. */
START_TEST(keys_archy_reads_get_no_hint) {
        static const char *const keys[] = {
                "image",        "command",    "volumes", "ports",    "env",        "env_files",         "health",
                "stop_timeout", "depends_on", "restart", "user",     "entrypoint", "working_dir",       "hostname",
                "stop_signal",  "read_only",  "tmpfs",   "cap_drop", "cap_add",    "no_new_privileges", "shm_size",
                "ulimits",      "mem_limit",  "cpus",    "init",     NULL,
        };
        for (const char *const *k = keys; *k; k++)
                ck_assert_msg(!compose_hint("apps.a.containers.main", *k), "%s got a hint", *k);
        ck_assert_ptr_null(compose_hint("apps.a", "volumes"));
        ck_assert_ptr_null(compose_hint("apps.a", "requires"));
        ck_assert_ptr_null(compose_hint("apps.a.containers.main.health", "interval"));
        ck_assert_ptr_null(compose_hint("(top level)", "apps"));
        /* A hint of one level is not given at another. */
        ck_assert_ptr_null(compose_hint("apps.a.derived", "environment"));
        ck_assert_ptr_null(compose_hint("apps.a.containers.main.depends_on.db", "environment"));
        ck_assert_ptr_null(compose_hint("apps.a.containers.main.health", "environment"));
        ck_assert_ptr_null(compose_hint("apps.a", "healthcheck"));
}
END_TEST

START_TEST(a_key_without_a_compose_hint_gets_did_you_mean) {
        ck_assert_problems(CONTAINER_WITH("        imgae: localhost/a:1"),
                           "test.yaml:7:9: apps.a.containers.main: unknown key \"imgae\", did you mean \"image\"?\n");
        ck_assert_problems(
                CONTAINER_WITH("        comand: [a]"),
                "test.yaml:7:9: apps.a.containers.main: unknown key \"comand\", did you mean \"command\"?\n");
}
END_TEST

START_TEST(compose_restart_policies_get_a_hint) {
        ck_assert_problems(CONTAINER_WITH("        restart: on-failure"),
                           "test.yaml:7:18: apps.a.containers.main.restart: expected \"always\" (the default: "
                           "restarted whenever it stops) or \"no\" (a one-shot part that runs to completion), got "
                           "\"on-failure\" (archy restarts every other part whenever it stops: leave restart out)\n");
        ck_assert_problems(
                CONTAINER_WITH("        restart: unless-stopped"),
                "test.yaml:7:18: apps.a.containers.main.restart: expected \"always\" (the default: "
                "restarted whenever it stops) or \"no\" (a one-shot part that runs to completion), got "
                "\"unless-stopped\" (archy restarts every other part whenever it stops: leave restart out)\n");
        ck_assert_problems(CONTAINER_WITH("        restart: sometimes"),
                           "test.yaml:7:18: apps.a.containers.main.restart: expected \"always\" (the default: "
                           "restarted whenever it stops) or \"no\" (a one-shot part that runs to completion), got "
                           "\"sometimes\"\n");
}
END_TEST

START_TEST(an_exec_list_health_cmd_gets_its_string_form) {
        ck_assert_problems(CONTAINER_WITH("        health: {cmd: [CMD, curl, -f, \"http://localhost/\"]}"),
                           "test.yaml:7:23: apps.a.containers.main.health.cmd: expected one string run by the "
                           "container's shell, got compose's list form: write cmd: \"curl -f http://localhost/\"\n");
        ck_assert_problems(
                CONTAINER_WITH("        health: {cmd: [CMD-SHELL, \"pg_isready -U \\\"$USER\\\" || exit 1\"]}"),
                "test.yaml:7:23: apps.a.containers.main.health.cmd: expected one string run by the "
                "container's shell, got compose's list form: write cmd: \"pg_isready -U \\\"$USER\\\" || "
                "exit 1\"\n");
        /* Arguments the shell would split or expand are quoted. */
        ck_assert_problems(CONTAINER_WITH("        health: {cmd: [CMD, sh, -c, \"test -f /x && echo it's\"]}"),
                           "test.yaml:7:23: apps.a.containers.main.health.cmd: expected one string run by the "
                           "container's shell, got compose's list form: write cmd: \"sh -c 'test -f /x && echo "
                           "it'\\\\''s'\"\n");
        ck_assert_problems(CONTAINER_WITH("        health: {cmd: [NONE]}"),
                           "test.yaml:7:23: apps.a.containers.main.health.cmd: expected one string run by the "
                           "container's shell, got a list (to check nothing, leave out health)\n");
}
END_TEST

START_TEST(compose_health_string_forms) {
        char *s = NULL;
        ck_assert_int_eq(compose_health_string((const char *[]){"CMD", "curl", "-f", "x"}, 4, &s), 0);
        ck_assert_str_eq(s, "curl -f x");
        free(s);
        ck_assert_int_eq(compose_health_string((const char *[]){"CMD-SHELL", "a | b"}, 2, &s), 0);
        ck_assert_str_eq(s, "a | b");
        free(s);
        ck_assert_int_eq(compose_health_string((const char *[]){"wget", "-q", "", "a b"}, 4, &s), 0);
        ck_assert_str_eq(s, "wget -q '' 'a b'");
        free(s);
        ck_assert_int_lt(compose_health_string((const char *[]){"NONE"}, 1, &s), 0);
        ck_assert_int_lt(compose_health_string((const char *[]){"CMD"}, 1, &s), 0);
        ck_assert_int_lt(compose_health_string((const char *[]){"CMD-SHELL", "a", "b"}, 3, &s), 0);
        ck_assert_int_lt(compose_health_string(NULL, 0, &s), 0);
}
END_TEST

#define IMAGE(ref) "version: 1\napps:\n  a: {containers: {main: {image: \"" ref "\"}}}\n"
#define SHORT(ref, want)                                                                                               \
        "test.yaml:3:34: apps.a.containers.main.image: expected a fully qualified image (REGISTRY/NAME:TAG or "        \
        "@DIGEST), got the short name \"" ref "\" (podman's short-name resolution is off on the node): write \"" want  \
        "\"\n"
#define UNTAGGED(ref, want)                                                                                            \
        "test.yaml:3:34: apps.a.containers.main.image: expected an image with a tag or digest, got \"" ref             \
        "\" (it would run whatever \"latest\" is at the time of the pull): write \"" want "\"\n"

START_TEST(images_must_be_fully_qualified_and_tagged) {
        ck_assert_problems(IMAGE("postgres"), SHORT("postgres", "docker.io/library/postgres:TAG"));
        ck_assert_problems(IMAGE("postgres:16"), SHORT("postgres:16", "docker.io/library/postgres:16"));
        ck_assert_problems(IMAGE("lightninglabs/lnd:v0.18.4-beta"),
                           SHORT("lightninglabs/lnd:v0.18.4-beta", "docker.io/lightninglabs/lnd:v0.18.4-beta"));
        ck_assert_problems(IMAGE("getumbrel/tor@sha256:2ace83f22501"),
                           SHORT("getumbrel/tor@sha256:2ace83f22501", "docker.io/getumbrel/tor@sha256:2ace83f22501"));
        ck_assert_problems(IMAGE("docker.io/postgres"),
                           UNTAGGED("docker.io/postgres", "docker.io/library/postgres:TAG"));
        ck_assert_problems(IMAGE("ghcr.io/x/y"), UNTAGGED("ghcr.io/x/y", "ghcr.io/x/y:TAG"));
        ck_assert_problems(IMAGE("ghcr.io/x/y:"), UNTAGGED("ghcr.io/x/y:", "ghcr.io/x/y:TAG"));
        ck_assert_problems(IMAGE("localhost:5000/x"), UNTAGGED("localhost:5000/x", "localhost:5000/x:TAG"));
        ck_assert_problems(IMAGE("localhost/x@"), UNTAGGED("localhost/x@", "localhost/x:TAG"));
        /* What the node can pull as written. */
        ck_assert_problems(IMAGE("docker.io/library/postgres:16"), "");
        ck_assert_problems(IMAGE("docker.io/postgres:16"), "");
        ck_assert_problems(IMAGE("localhost/x:1"), "");
        ck_assert_problems(IMAGE("localhost:5000/x:1"), "");
        ck_assert_problems(IMAGE("ghcr.io/x/y@sha256:0123456789abcdef"), "");
        ck_assert_problems(IMAGE("ghcr.io/x/y:1@sha256:0123456789abcdef"), "");
        ck_assert_int_eq(image_ref_check("registry.example:5000/a/b:c"), IMAGE_OK);
}
END_TEST

START_TEST(a_target_mounted_twice_in_one_container_is_reported_at_the_second) {
        ck_assert_problems(CONTAINER_WITH("        volumes:\n          - data:/data\n          - /srv/a:/x\n"
                                          "          - /srv/b:/data:ro"),
                           "test.yaml:10:13: apps.a.containers.main.volumes[2]: /data is also mounted by volumes[0], "
                           "expected each target to be mounted once\n");
        /* Two containers may mount one target each. */
        ck_assert_problems("version: 1\napps:\n  a:\n    containers:\n      main: {image: localhost/a:1, volumes: "
                           "[\"d:/data\"]}\n      b: {image: localhost/b:1, volumes: [\"d:/data\"]}\n",
                           "");
}
END_TEST

START_TEST(a_host_port_twice_in_one_container_is_reported_as_such) {
        ck_assert_problems(CONTAINER_WITH("        ports:\n          - \"8080:80\"\n          - \"127.0.0.1:9000:90\"\n"
                                          "          - \"127.0.0.1:8080:81\""),
                           "test.yaml:10:13: apps.a.containers.main.ports[2]: host port 127.0.0.1:8080/tcp is also "
                           "published by ports[0] of this container, expected each host port to be used once\n");
        /* A third one is reported once, against the first. */
        ck_assert_problems(CONTAINER_WITH("        ports: [\"80:1\", \"80:2\", \"80:3\"]"),
                           "test.yaml:7:25: apps.a.containers.main.ports[1]: host port 80/tcp is also published by "
                           "ports[0] of this container, expected each host port to be used once\n"
                           "test.yaml:7:33: apps.a.containers.main.ports[2]: host port 80/tcp is also published by "
                           "ports[0] of this container, expected each host port to be used once\n");
        /* udp and tcp are two ports; another container of the app is named by its unit. */
        ck_assert_problems("version: 1\napps:\n  a:\n    containers:\n      main: {image: localhost/a:1, ports: "
                           "[\"53:53\", \"53:53/udp\"]}\n      dns: {image: localhost/b:1, ports: [\"53:54/udp\"]}\n",
                           "test.yaml:6:43: apps.a.containers.dns.ports[0]: host port 53/udp is already published by "
                           "archy-a, expected each host port to be used once\n");
}
END_TEST

START_TEST(diag_sort_orders_by_file_line_and_column_and_is_stable) {
        struct diag_list dl = {.file = "b.yaml"};
        diag_add(&dl, "x", 9, 1, "nine");
        diag_add(&dl, "x", 2, 5, "two-five");
        diag_add(&dl, NULL, 0, 0, "no position");
        diag_add(&dl, "x", 2, 5, "two-five again");
        diag_add(&dl, "x", 2, 1, "two-one");
        dl.file = "a.yaml";
        diag_add(&dl, "x", 30, 1, "other file");
        diag_sort(&dl);
        char *got = diags_joined(&dl);
        ck_assert_str_eq(got, "a.yaml:30:1: other file\nb.yaml: no position\nb.yaml:2:1: two-one\nb.yaml:2:5: "
                              "two-five\nb.yaml:2:5: two-five again\nb.yaml:9:1: nine\n");
        free(got);
        diag_list_free(&dl);
}
END_TEST

Suite *messages_suite(void) {
        Suite *s = suite_create("messages");
        TCase *tc = tcase_create("messages");
        tcase_add_loop_test(tc, compose_keys_of_a_container_get_a_pointed_hint, 0, (int)ELEMENTSOF(container_hints));
        tcase_add_test(tc, compose_keys_of_an_app_and_of_the_top_level_get_a_pointed_hint);
        tcase_add_test(tc, compose_expose_list_gets_archy_expose_form);
        tcase_add_test(tc, compose_keys_of_a_health_check_get_a_pointed_hint);
        tcase_add_test(tc, keys_archy_reads_get_no_hint);
        tcase_add_test(tc, a_key_without_a_compose_hint_gets_did_you_mean);
        tcase_add_test(tc, compose_restart_policies_get_a_hint);
        tcase_add_test(tc, an_exec_list_health_cmd_gets_its_string_form);
        tcase_add_test(tc, compose_health_string_forms);
        tcase_add_test(tc, images_must_be_fully_qualified_and_tagged);
        tcase_add_test(tc, a_target_mounted_twice_in_one_container_is_reported_at_the_second);
        tcase_add_test(tc, a_host_port_twice_in_one_container_is_reported_as_such);
        tcase_add_test(tc, diag_sort_orders_by_file_line_and_column_and_is_stable);
        suite_add_tcase(s, tc);
        return s;
}
