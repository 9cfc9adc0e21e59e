/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's runtime and hardening keys (manifest-parse-runtime.c, values-container.c): what
 * they accept, how they render into Quadlet keys, and the exact message for each bad value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-number.h"
#include "quadlet-render.h"
#include "strbuf.h"
#include "testlib.h"
#include "values-container.h"

START_TEST(sizes_and_fixed_points_parse) {
        unsigned long long v = 7;
        ck_assert_int_eq(parse_size("64m", ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 64ULL << 20);
        ck_assert_int_eq(parse_size("256M", ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 256ULL << 20);
        ck_assert_int_eq(parse_size("1gb", ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 1ULL << 30);
        ck_assert_int_eq(parse_size("2KiB", ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 2048);
        ck_assert_int_eq(parse_size("1000", ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 1000);
        ck_assert_int_eq(parse_size("10b", ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 10);
        ck_assert_int_eq(parse_size("1t", 1ULL << 40, &v), 0);
        ck_assert_uint_eq(v, 1ULL << 40);
        v = 7;
        const char *bad[] = {"", "m", "1.5g", "64x", "64bb", "64mbb", "64ib", "-1", " 1", "1 m", "16777216t"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(parse_size(bad[i], ~0ULL, &v) == -EINVAL, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(parse_size("2t", 1ULL << 40, &v), -EINVAL);
        ck_assert_uint_eq(v, 7);

        ck_assert_int_eq(parse_fixed_point("1.5", 3, ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 1500);
        ck_assert_int_eq(parse_fixed_point("2", 3, ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 2000);
        ck_assert_int_eq(parse_fixed_point("0.125", 3, ~0ULL, &v), 0);
        ck_assert_uint_eq(v, 125);
        ck_assert_int_eq(parse_fixed_point("1024", 3, 1024000, &v), 0);
        ck_assert_uint_eq(v, 1024000);
        v = 7;
        const char *bad_fixed[] = {"", ".5", "1.", "1.2345", "1,5", "-1", "1e3", "1.5.0", "0x1"};
        for (size_t i = 0; i < ELEMENTSOF(bad_fixed); i++)
                ck_assert_msg(parse_fixed_point(bad_fixed[i], 3, ~0ULL, &v) == -EINVAL, "accepted \"%s\"",
                              bad_fixed[i]);
        ck_assert_int_eq(parse_fixed_point("1024.001", 3, 1024000, &v), -EINVAL);
        ck_assert_int_eq(parse_fixed_point("18446744073709552", 3, ~0ULL, &v), -EINVAL); /* overflows when scaled */
        ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(container_values_are_checked) {
        unsigned uid = 0, gid = 0;
        bool has_gid = true;
        ck_assert_int_eq(user_parse("1000", &uid, &gid, &has_gid), 0);
        ck_assert(uid == 1000 && !has_gid);
        ck_assert_int_eq(user_parse("0:4294967294", &uid, &gid, &has_gid), 0);
        ck_assert(uid == 0 && gid == 4294967294u && has_gid);
        const char *bad_users[] = {"", ":", "1000:", ":1000", "bitcoin", "1000:1000:1", "4294967295", "-1"};
        for (size_t i = 0; i < ELEMENTSOF(bad_users); i++)
                ck_assert_msg(user_parse(bad_users[i], &uid, &gid, &has_gid) == -EINVAL, "accepted \"%s\"",
                              bad_users[i]);

        ck_assert(hostname_valid("lnd"));
        ck_assert(hostname_valid("lnd.archipelago.local"));
        ck_assert(hostname_valid("A-1.b2"));
        ck_assert(hostname_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));  /* 63 */
        ck_assert(hostname_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b")); /* 64 */
        const char *bad_hosts[] = {
                "",
                "-a",
                "a-",
                "a..b",
                ".a",
                "a.",
                "a_b",
                "a b",
                "%H",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",   /* a label of 64 */
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b"}; /* 65 */
        for (size_t i = 0; i < ELEMENTSOF(bad_hosts); i++)
                ck_assert_msg(!hostname_valid(bad_hosts[i]), "accepted \"%s\"", bad_hosts[i]);

        ck_assert_str_eq(signal_canonical("SIGTERM"), "SIGTERM");
        ck_assert_str_eq(signal_canonical("TERM"), "SIGTERM");
        ck_assert_str_eq(signal_canonical("15"), "SIGTERM");
        ck_assert_str_eq(signal_canonical("SIGINT"), "SIGINT");
        ck_assert_str_eq(signal_canonical("1"), "SIGHUP");
        ck_assert_str_eq(signal_canonical("31"), "SIGSYS");
        ck_assert_str_eq(signal_canonical("WINCH"), "SIGWINCH");
        ck_assert_uint_eq(signal_number("SIGINT"), 2);
        ck_assert_uint_eq(signal_number("SIGSYS"), 31);
        ck_assert_uint_eq(signal_number("INT"), 0);
        const char *bad_signals[] = {"", "0", "32", "SIG", "sigterm", "SIGFOO", "SIGRTMIN", "+15", "SIGSIGTERM"};
        for (size_t i = 0; i < ELEMENTSOF(bad_signals); i++)
                ck_assert_msg(!signal_canonical(bad_signals[i]), "accepted \"%s\"", bad_signals[i]);

        ck_assert_str_eq(capability_canonical("NET_RAW", false), "CAP_NET_RAW");
        ck_assert_str_eq(capability_canonical("CAP_CHOWN", false), "CAP_CHOWN");
        ck_assert_str_eq(capability_canonical("CHECKPOINT_RESTORE", false), "CAP_CHECKPOINT_RESTORE");
        ck_assert_str_eq(capability_canonical("ALL", true), "ALL");
        ck_assert_ptr_null(capability_canonical("ALL", false));
        ck_assert_ptr_null(capability_canonical("CAP_ALL", true));
        ck_assert_ptr_null(capability_canonical("net_raw", true));
        ck_assert_ptr_null(capability_canonical("CAP_", true));
        ck_assert_ptr_null(capability_canonical("", true));

        ck_assert(tmpfs_valid("/tmp"));
        ck_assert(tmpfs_valid("/run/app:rw,size=64m,mode=1777,uid=1000,gid=1000,nr_inodes=4096,noexec,nosuid,nodev"));
        ck_assert(tmpfs_valid("/cache:size=1048576"));
        const char *bad_tmpfs[] = {"",
                                   "/",
                                   "tmp",
                                   "/tmp/",
                                   "/tmp:",
                                   "/tmp:,ro",
                                   "/tmp:ro,",
                                   "/tmp:size=64mb",
                                   "/tmp:size=0",
                                   "/tmp:mode=8",
                                   "/tmp:mode=01777",
                                   "/tmp:noatime",
                                   "/tmp:uid=-1",
                                   "/a b",
                                   "/tmp:size=64m%"};
        for (size_t i = 0; i < ELEMENTSOF(bad_tmpfs); i++)
                ck_assert_msg(!tmpfs_valid(bad_tmpfs[i]), "accepted \"%s\"", bad_tmpfs[i]);

        ck_assert(ulimit_name_valid("nofile"));
        ck_assert(ulimit_name_valid("as"));
        ck_assert(!ulimit_name_valid("NOFILE"));
        ck_assert(!ulimit_name_valid("nofiles"));

        ck_assert(entrypoint_arg_valid("/usr/bin/tini"));
        ck_assert(entrypoint_arg_valid("--"));
        ck_assert(entrypoint_arg_valid("--config=/data/app.conf"));
        const char *bad_args[] = {"", "a b", "\"", "\\", "$HOME", "%n", "[", "a;b"};
        for (size_t i = 0; i < ELEMENTSOF(bad_args); i++)
                ck_assert_msg(!entrypoint_arg_valid(bad_args[i]), "accepted \"%s\"", bad_args[i]);
}
END_TEST

/* One container key with a bad value: exactly one message, this one. */
static const struct {
        const char *key, *value, *message;
} bad_values[] = {
        {"user", "bitcoin",
         "test.yaml:7:15: apps.a.containers.main.user: expected a numeric UID or UID:GID such as 1000:1000, got "
         "\"bitcoin\" (a user name is looked up in the image when the container starts, which archy cannot check: "
         "write the numbers)"},
        {"user", "\"1000:\"",
         "test.yaml:7:15: apps.a.containers.main.user: expected UID or UID:GID, each from 0 to 4294967294, such as "
         "1000:1000, got \"1000:\""},
        {"user", "\"4294967295\"",
         "test.yaml:7:15: apps.a.containers.main.user: expected UID or UID:GID, each from 0 to 4294967294, such as "
         "1000:1000, got \"4294967295\""},
        {"user", "\"1000:bitcoin\"",
         "test.yaml:7:15: apps.a.containers.main.user: expected a numeric UID or UID:GID such as 1000:1000, got "
         "\"1000:bitcoin\" (a user name is looked up in the image when the container starts, which archy cannot check: "
         "write the numbers)"},
        {"entrypoint", "[]",
         "test.yaml:7:21: apps.a.containers.main.entrypoint: expected at least one argument, got an empty list"},
        {"entrypoint", "\"/bin/sh -c\"",
         "test.yaml:7:21: apps.a.containers.main.entrypoint: expected a list of arguments such as [/usr/bin/tini, --] "
         "or one word of [A-Za-z0-9._/:@+=,-], got \"/bin/sh -c\""},
        {"entrypoint", "[/bin/sh, \"a b\"]",
         "test.yaml:7:31: apps.a.containers.main.entrypoint[1]: expected an argument of 1 to 255 characters of "
         "[A-Za-z0-9._/:@+=,-], got \"a b\""},
        {"entrypoint", "{a: b}",
         "test.yaml:7:21: apps.a.containers.main.entrypoint: expected a list of arguments or one word, got a mapping"},
        {"working_dir", "data",
         "test.yaml:7:22: apps.a.containers.main.working_dir: expected an absolute, normalized path of "
         "[A-Za-z0-9._/@+-], got \"data\""},
        {"working_dir", "/data/../etc",
         "test.yaml:7:22: apps.a.containers.main.working_dir: expected an absolute, normalized path of "
         "[A-Za-z0-9._/@+-], got \"/data/../etc\""},
        {"hostname", "-lnd",
         "test.yaml:7:19: apps.a.containers.main.hostname: expected a host name of at most 64 characters: labels of "
         "letters, digits and '-' joined by dots (RFC 1123), got \"-lnd\""},
        {"hostname", "lnd_1",
         "test.yaml:7:19: apps.a.containers.main.hostname: expected a host name of at most 64 characters: labels of "
         "letters, digits and '-' joined by dots (RFC 1123), got \"lnd_1\""},
        {"hostname", "a..b",
         "test.yaml:7:19: apps.a.containers.main.hostname: expected a host name of at most 64 characters: labels of "
         "letters, digits and '-' joined by dots (RFC 1123), got \"a..b\""},
        {"hostname", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "test.yaml:7:19: apps.a.containers.main.hostname: expected a host name of at most 64 characters: labels of "
         "letters, digits and '-' joined by dots (RFC 1123), got "
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""},
        {"aliases", "[archy-bitcoin-core]",
         "test.yaml:7:19: apps.a.containers.main.aliases[0]: expected a network alias: a host name of letters, "
         "digits and '-' (RFC 1123 labels joined by dots, at most 64 characters), not starting with \"archy-\" (the "
         "container names), got \"archy-bitcoin-core\""},
        {"aliases", "[bitcoind, node_1]",
         "test.yaml:7:29: apps.a.containers.main.aliases[1]: expected a network alias: a host name of letters, "
         "digits and '-' (RFC 1123 labels joined by dots, at most 64 characters), not starting with \"archy-\" (the "
         "container names), got \"node_1\""},
        {"aliases", "bitcoind", "test.yaml:7:18: apps.a.containers.main.aliases: expected a list, got a scalar"},
        {"stop_signal", "SIGFOO",
         "test.yaml:7:22: apps.a.containers.main.stop_signal: expected a signal such as SIGTERM, TERM or 15 (signals 1 "
         "to 31), got \"SIGFOO\""},
        {"stop_signal", "\"0\"",
         "test.yaml:7:22: apps.a.containers.main.stop_signal: expected a signal such as SIGTERM, TERM or 15 (signals 1 "
         "to 31), got \"0\""},
        {"stop_signal", "\"32\"",
         "test.yaml:7:22: apps.a.containers.main.stop_signal: expected a signal such as SIGTERM, TERM or 15 (signals 1 "
         "to 31), got \"32\""},
        {"stop_signal", "sigterm",
         "test.yaml:7:22: apps.a.containers.main.stop_signal: expected a signal such as SIGTERM, TERM or 15 (signals 1 "
         "to 31), got \"sigterm\""},
        {"read_only", "yes", "test.yaml:7:20: apps.a.containers.main.read_only: expected true or false, got \"yes\""},
        {"no_new_privileges", "\"1\"",
         "test.yaml:7:28: apps.a.containers.main.no_new_privileges: expected true or false, got \"1\""},
        {"tmpfs", "/",
         "test.yaml:7:16: apps.a.containers.main.tmpfs: expected \"/path[:OPTIONS]\": an absolute, normalized path "
         "other than / and options among ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, tmpcopyup, "
         "size=N[k|m|g], mode=OCTAL, uid=N, gid=N, nr_inodes=N, got \"/\""},
        {"tmpfs", "tmp",
         "test.yaml:7:16: apps.a.containers.main.tmpfs: expected \"/path[:OPTIONS]\": an absolute, normalized path "
         "other than / and options among ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, tmpcopyup, "
         "size=N[k|m|g], mode=OCTAL, uid=N, gid=N, nr_inodes=N, got \"tmp\""},
        {"tmpfs", "\"/tmp:size=64mb\"",
         "test.yaml:7:16: apps.a.containers.main.tmpfs: expected \"/path[:OPTIONS]\": an absolute, normalized path "
         "other than / and options among ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, tmpcopyup, "
         "size=N[k|m|g], mode=OCTAL, uid=N, gid=N, nr_inodes=N, got \"/tmp:size=64mb\""},
        {"tmpfs", "[\"/tmp:noatime\"]",
         "test.yaml:7:17: apps.a.containers.main.tmpfs[0]: expected \"/path[:OPTIONS]\": an absolute, normalized path "
         "other than / and options among ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, tmpcopyup, "
         "size=N[k|m|g], mode=OCTAL, uid=N, gid=N, nr_inodes=N, got \"/tmp:noatime\""},
        {"tmpfs", "\"/tmp:mode=8\"",
         "test.yaml:7:16: apps.a.containers.main.tmpfs: expected \"/path[:OPTIONS]\": an absolute, normalized path "
         "other than / and options among ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, tmpcopyup, "
         "size=N[k|m|g], mode=OCTAL, uid=N, gid=N, nr_inodes=N, got \"/tmp:mode=8\""},
        {"tmpfs", "\"/tmp:\"",
         "test.yaml:7:16: apps.a.containers.main.tmpfs: expected \"/path[:OPTIONS]\": an absolute, normalized path "
         "other than / and options among ro, rw, nosuid, suid, nodev, dev, noexec, exec, notmpcopyup, tmpcopyup, "
         "size=N[k|m|g], mode=OCTAL, uid=N, gid=N, nr_inodes=N, got \"/tmp:\""},
        {"cap_drop", "[NET_FOO]",
         "test.yaml:7:20: apps.a.containers.main.cap_drop[0]: expected a capability such as NET_RAW or CAP_NET_RAW "
         "(capabilities(7)), or ALL, got \"NET_FOO\""},
        {"cap_drop", "ALL", "test.yaml:7:19: apps.a.containers.main.cap_drop: expected a list, got a scalar"},
        {"cap_add", "[ALL]",
         "test.yaml:7:19: apps.a.containers.main.cap_add[0]: expected a capability such as NET_BIND_SERVICE or "
         "CAP_NET_BIND_SERVICE (capabilities(7)); not ALL, which is every capability: name the ones the container "
         "needs, got \"ALL\""},
        {"cap_add", "[net_admin]",
         "test.yaml:7:19: apps.a.containers.main.cap_add[0]: expected a capability such as NET_BIND_SERVICE or "
         "CAP_NET_BIND_SERVICE (capabilities(7)); not ALL, which is every capability: name the ones the container "
         "needs, got \"net_admin\""},
        {"shm_size", "\"0\"",
         "test.yaml:7:19: apps.a.containers.main.shm_size: expected a size from 1 byte to 1t such as 64m, 512k or 1g "
         "(units b, k, m, g, t, 1024-based), got \"0\""},
        {"shm_size", "64x",
         "test.yaml:7:19: apps.a.containers.main.shm_size: expected a size from 1 byte to 1t such as 64m, 512k or 1g "
         "(units b, k, m, g, t, 1024-based), got \"64x\""},
        {"shm_size", "\"2t\"",
         "test.yaml:7:19: apps.a.containers.main.shm_size: expected a size from 1 byte to 1t such as 64m, 512k or 1g "
         "(units b, k, m, g, t, 1024-based), got \"2t\""},
        {"ulimits", "{nofiles: 1}",
         "test.yaml:7:19: apps.a.containers.main.ulimits: expected a resource among as, core, cpu, data, fsize, locks, "
         "memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack, got \"nofiles\""},
        {"ulimits", "{nofile: -1}",
         "test.yaml:7:27: apps.a.containers.main.ulimits.nofile: expected a whole number from 0 to "
         "9223372036854775807, got \"-1\""},
        {"ulimits", "{nofile: {soft: 2}}",
         "test.yaml:7:27: apps.a.containers.main.ulimits.nofile: expected both soft and hard, such as {soft: 1024, "
         "hard: 65536}"},
        {"ulimits", "{nofile: {soft: 3, hard: 2}}",
         "test.yaml:7:27: apps.a.containers.main.ulimits.nofile: expected a soft limit no higher than the hard limit, "
         "got soft 3 and hard 2"},
        {"ulimits", "{nofile: {soft: 3, hard: 4, max: 1}}",
         "test.yaml:7:46: apps.a.containers.main.ulimits.nofile: unknown key \"max\", expected one of: soft, hard"},
        {"ulimits", "[nofile]",
         "test.yaml:7:18: apps.a.containers.main.ulimits: expected a mapping (key: value), got a list"},
        {"mem_limit", "5m",
         "test.yaml:7:20: apps.a.containers.main.mem_limit: expected a size from 6m (podman's least) to 1t such as "
         "512m or 2g (units b, k, m, g, t, 1024-based), got \"5m\""},
        {"mem_limit", "1.5g",
         "test.yaml:7:20: apps.a.containers.main.mem_limit: expected a size from 6m (podman's least) to 1t such as "
         "512m or 2g (units b, k, m, g, t, 1024-based), got \"1.5g\""},
        {"mem_limit", "\"2t\"",
         "test.yaml:7:20: apps.a.containers.main.mem_limit: expected a size from 6m (podman's least) to 1t such as "
         "512m or 2g (units b, k, m, g, t, 1024-based), got \"2t\""},
        {"cpus", "\"0\"",
         "test.yaml:7:15: apps.a.containers.main.cpus: expected a number of CPUs from 0.01 to 1024 with at most 3 "
         "decimals, such as 1.5, got \"0\""},
        {"cpus", "\"0.001\"",
         "test.yaml:7:15: apps.a.containers.main.cpus: expected a number of CPUs from 0.01 to 1024 with at most 3 "
         "decimals, such as 1.5, got \"0.001\""},
        {"cpus", "\"1.2345\"",
         "test.yaml:7:15: apps.a.containers.main.cpus: expected a number of CPUs from 0.01 to 1024 with at most 3 "
         "decimals, such as 1.5, got \"1.2345\""},
        {"cpus", "\"1025\"",
         "test.yaml:7:15: apps.a.containers.main.cpus: expected a number of CPUs from 0.01 to 1024 with at most 3 "
         "decimals, such as 1.5, got \"1025\""},
        {"cpus", "\".5\"",
         "test.yaml:7:15: apps.a.containers.main.cpus: expected a number of CPUs from 0.01 to 1024 with at most 3 "
         "decimals, such as 1.5, got \".5\""},
        {"init", "false",
         "test.yaml:7:15: apps.a.containers.main.init: archy always runs an init as the container's PID 1 "
         "(RunInit=true: it passes signals on and reaps exited processes), so init: false cannot be had; remove the "
         "key"},
        {"init", "\"no\"", "test.yaml:7:15: apps.a.containers.main.init: expected true or false, got \"no\""},
        {"command", "\"\"",
         "test.yaml:7:18: apps.a.containers.main.command: expected a command for /bin/sh -c other than \"\" and \";\", "
         "got \"\""},
        {"command", "\";\"",
         "test.yaml:7:18: apps.a.containers.main.command: expected a command for /bin/sh -c other than \"\" and \";\", "
         "got \";\""},
        {"command", "{a: b}",
         "test.yaml:7:18: apps.a.containers.main.command: expected a list of arguments or a string (run as /bin/sh -c "
         "STRING), got a mapping"},
};

START_TEST(bad_value_gives_exact_message) {
        char *text;
        ck_assert_int_ge(
                asprintf(&text,
                         "version: 1\napps:\n  a:\n    containers:\n      main:\n        image: localhost/x:1\n"
                         "        %s: %s\n",
                         bad_values[_i].key, bad_values[_i].value),
                0);
        struct diag_list diags = {0};
        struct manifest *m = parse_text(text, &diags);
        char *got = diags_joined(&diags);
        char *want;
        ck_assert_int_ge(asprintf(&want, "%s\n", bad_values[_i].message), 0);
        ck_assert_msg(strcmp(got, want) == 0, "%s: %s\n--- expected\n%s--- got\n%s", bad_values[_i].key,
                      bad_values[_i].value, want, got);
        ck_assert(m && m->apps[0].skip);
        free(want), free(got), free(text);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

static char *render_main(const char *keys) {
        char *text;
        ck_assert_int_ge(
                asprintf(&text,
                         "version: 1\napps:\n  a:\n    containers:\n      main:\n        image: localhost/x:1\n%s",
                         keys),
                0);
        struct diag_list diags = {0};
        struct manifest *m = parse_text(text, &diags);
        char *problems = diags_joined(&diags);
        ck_assert_msg(m && diags.n == 0, "%s", problems);
        struct strbuf sb = STRBUF_INIT;
        render_container(m, &m->apps[0], &m->apps[0].containers[0], &sb);
        free(problems), free(text);
        manifest_free(m);
        diag_list_free(&diags);
        return strbuf_steal(&sb);
}

#define assert_has(text, line) ck_assert_msg(strstr(text, line), "no \"%s\" in:\n%s", line, text)
#define assert_lacks(text, word) ck_assert_msg(!strstr(text, word), "\"%s\" in:\n%s", word, text)

START_TEST(keys_render_into_quadlet_keys) {
        char *r =
                render_main("        user: \"1000\"\n        entrypoint: /entrypoint.sh\n        stop_signal: \"2\"\n"
                            "        cap_drop: [CAP_NET_RAW]\n        mem_limit: \"7340033\"\n        shm_size: 1536k\n"
                            "        ulimits: {nofile: 65536}\n        read_only: false\n        init: true\n"
                            "        no_new_privileges: false\n        command: 'exec app --name \"%n\" $HOME'\n");
        assert_has(r, "\nUser=1000\nEntrypoint=/entrypoint.sh\nStopSignal=SIGINT\nDropCapability=CAP_NET_RAW\n"
                      "ShmSize=1536k\nUlimit=nofile=65536:65536\nPodmanArgs=--memory=7340033 --memory-swap=7340033\n");
        /* the string form runs in a shell; specifiers and $ reach it as written */
        assert_has(r, "\nExec=/bin/sh -c \"exec app --name \\\"%%n\\\" $$HOME\"\n");
        assert_has(r, "\nSuccessExitStatus=143 137 130\n"); /* ended by its SIGINT */
        assert_lacks(r, "Group=");
        assert_lacks(r, "ReadOnly=");
        assert_lacks(r, "NoNewPrivileges=");
        ck_assert_int_eq((int)(strstr(r, "RunInit=true\n") != NULL), 1); /* init: true changes nothing */
        free(r);
        static const struct {
                const char *keys, *line;
        } limits[] = {
                {"        cpus: \"2\"\n        mem_limit: 1g\n",
                 "\nPodmanArgs=--memory=1g --memory-swap=1g --cpus=2\n"},
                {"        cpus: \"0.125\"\n", "\nPodmanArgs=--cpus=0.125\n"},
                {"        cpus: \"0.5\"\n        tmpfs: /tmp\n", "\nTmpfs=/tmp\nPodmanArgs=--cpus=0.5\n"},
        };
        for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
                r = render_main(limits[i].keys);
                assert_has(r, limits[i].line);
                free(r);
        }
        r = render_main("        aliases: [bitcoind, node.archipelago]\n");
        assert_has(r, "\nNetwork=archipelago.network\nNetworkAlias=bitcoind\nNetworkAlias=node.archipelago\n");
        free(r);
        /* none of the keys: nothing of them */
        r = render_main("");
        assert_lacks(r, "NetworkAlias=");
        free(r);
        r = render_main("");
        assert_lacks(r, "PodmanArgs=");
        assert_lacks(r, "User=");
        free(r);
}
END_TEST

/* One alias on two apps that are not uninstalled: the second is skipped; uninstalled, no conflict. */
START_TEST(alias_held_by_one_installed_app) {
        static const char *const base =
                "version: 1\napps:\n  knots:\n    containers:\n      main:\n        image: localhost/x:1\n"
                "        aliases: [bitcoind]\n  core:\n    state: %s\n    containers:\n      main:\n"
                "        image: localhost/x:1\n        aliases: [bitcoind]\n";
        static const struct {
                const char *state, *message;
        } cases[] = {
                {"stopped",
                 "test.yaml:13:18: apps.core.containers.main.aliases[0]: network alias \"bitcoind\" is already an "
                 "alias of archy-knots, expected each alias on one container of the apps that are not uninstalled "
                 "(podman's DNS would answer with both)\n"},
                {"uninstalled", ""},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *text;
                ck_assert_int_ge(asprintf(&text, base, cases[i].state), 0);
                struct diag_list diags = {0};
                struct manifest *m = parse_text(text, &diags);
                char *got = diags_joined(&diags);
                ck_assert_msg(strcmp(got, cases[i].message) == 0, "--- expected\n%s--- got\n%s", cases[i].message, got);
                ck_assert(m && !m->apps[0].skip && m->apps[1].skip == (cases[i].message[0] != '\0'));
                free(got), free(text);
                manifest_free(m);
                diag_list_free(&diags);
        }
}
END_TEST

Suite *container_keys_suite(void) {
        Suite *s = suite_create("container-keys");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, sizes_and_fixed_points_parse);
        tcase_add_test(tc, container_values_are_checked);
        tcase_add_loop_test(tc, bad_value_gives_exact_message, 0, ELEMENTSOF(bad_values));
        tcase_add_test(tc, keys_render_into_quadlet_keys);
        tcase_add_test(tc, alias_held_by_one_installed_app);
        suite_add_tcase(s, tc);
        return s;
}
