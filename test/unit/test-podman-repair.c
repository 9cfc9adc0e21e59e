/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of archy-podman-repair below the state classifier: podman's info JSON, the state file
 * and its rate limit, the status report, /proc/locks, the names archy expects podman to know, and
 * spawn_capture() with real processes (timeouts must leave nothing running). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "crun-status.h"
#include "facts.h"
#include "fileio.h"
#include "podman-info.h"
#include "process.h"
#include "subid.h"
#include "repair-state.h"
#include "repair.h"
#include "report.h"
#include "strbuf.h"
#include "stuck.h"
#include "testlib.h"

/* Recorded from real podman 5.4.2 (podman-outputs/README), relative to test/unit. */
#define RECORDED_INFO "podman-outputs/info-healthy.json"
/* podman after db.sql was deleted under two running containers: a new empty database. */
#define RECORDED_INFO_DB_DELETED "podman-outputs/info-dbdeleted.json"

/* A fresh private directory under /tmp, removed by remove_tree(). */
static char *make_tmpdir(void) {
        char *dir = strdup("/tmp/archy-repair.XXXXXX");
        ck_assert_ptr_nonnull(dir);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void remove_tree(char *dir) {
        ck_assert_int_eq(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        free(dir);
}

static char *path_in(const char *dir, const char *name) {
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
        return p;
}

/* ---- JSON, read back with libyaml (JSON is YAML) ---- */

static bool yaml_load_text(const char *text, yaml_document_t *doc) {
        yaml_parser_t parser;
        ck_assert(yaml_parser_initialize(&parser));
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
        bool ok = yaml_parser_load(&parser, doc);
        yaml_parser_delete(&parser);
        if (ok && !yaml_document_get_root_node(doc)) {
                yaml_document_delete(doc);
                return false;
        }
        return ok;
}

static yaml_node_t *json_get(yaml_document_t *doc, yaml_node_t *map, const char *key) {
        ck_assert_int_eq(map->type, YAML_MAPPING_NODE);
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(doc, p->key);
                if (strcmp((const char *)k->data.scalar.value, key) == 0)
                        return yaml_document_get_node(doc, p->value);
        }
        return NULL;
}

/* A plain scalar that is a JSON literal: true, false, null or a number. */
static bool json_literal(const char *v) {
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0 || strcmp(v, "null") == 0)
                return true;
        char *end;
        (void)strtod(v, &end);
        return *v && *end == '\0' && v[strspn(v, "-0123456789.eE+")] == '\0';
}

/* YAML accepts more than JSON: every node must be a flow collection, a double-quoted string or a
 * JSON literal, every key a string. */
static bool json_node_ok(yaml_document_t *doc, yaml_node_t *n) {
        switch (n->type) {
        case YAML_SCALAR_NODE:
                return n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                       (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                        json_literal((const char *)n->data.scalar.value));
        case YAML_SEQUENCE_NODE:
                for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
                        if (!json_node_ok(doc, yaml_document_get_node(doc, *i)))
                                return false;
                return n->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE;
        case YAML_MAPPING_NODE:
                for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                        yaml_node_t *k = yaml_document_get_node(doc, p->key);
                        if (k->type != YAML_SCALAR_NODE || k->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                            !json_node_ok(doc, yaml_document_get_node(doc, p->value)))
                                return false;
                }
                return n->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
        default: return false;
        }
}

/* ---- podman info ---- */

START_TEST(info_recorded_from_a_healthy_podman) {
        _cleanup_free_ char *json = read_text_file(RECORDED_INFO);
        ck_assert_ptr_nonnull(json);
        struct podman_info info;
        ck_assert_int_eq(podman_info_parse(json, strlen(json), &info), 0);
        ck_assert_str_eq(info.graph_root, "/var/lib/containers/storage");
        ck_assert_str_eq(info.run_root, "/run/containers/storage");
        ck_assert_str_eq(info.volume_path, "/var/lib/containers/storage/volumes");
        ck_assert_str_eq(info.db_backend, "sqlite");
        ck_assert_str_eq(info.version, "5.4.2");
        ck_assert_int_eq(info.containers, 2);
        ck_assert_int_eq(info.containers_running, 2);
        podman_info_done(&info);
}
END_TEST

START_TEST(info_recorded_after_the_database_was_deleted) {
        _cleanup_free_ char *json = read_text_file(RECORDED_INFO_DB_DELETED);
        ck_assert_ptr_nonnull(json);
        struct podman_info info;
        ck_assert_int_eq(podman_info_parse(json, strlen(json), &info), 0);
        ck_assert_str_eq(info.graph_root, "/var/lib/containers/storage");
        /* what facts_gather() compares with the active app units: podman forgot both */
        ck_assert_int_eq(info.containers, 0);
        ck_assert_int_eq(info.containers_running, 0);
        podman_info_done(&info);
}
END_TEST

static const char inline_info[] = "{\n  \"host\": {\"arch\": \"amd64\", \"databaseBackend\": \"boltdb\"},\n"
                                  "  \"store\": {\n    \"containerStore\": {\"number\": 7, \"paused\": 0, "
                                  "\"running\": 3, \"stopped\": 4},\n    \"graphOptions\": {\n      \n    },\n"
                                  "    \"graphRoot\": \"/srv/storage\",\n    \"runRoot\": \"/run/user/1000/c\",\n"
                                  "    \"volumePath\": \"/srv/storage/volumes\"\n  },\n"
                                  "  \"version\": {\"APIVersion\": \"9.9.9\", \"Version\": \"5.4.0\"}\n}\n";

START_TEST(info_inline_sample) {
        struct podman_info info;
        ck_assert_int_eq(podman_info_parse(inline_info, strlen(inline_info), &info), 0);
        ck_assert_str_eq(info.graph_root, "/srv/storage");
        ck_assert_str_eq(info.run_root, "/run/user/1000/c");
        ck_assert_str_eq(info.volume_path, "/srv/storage/volumes");
        ck_assert_str_eq(info.db_backend, "boltdb");
        ck_assert_str_eq(info.version, "5.4.0");
        ck_assert_int_eq(info.containers, 7);
        ck_assert_int_eq(info.containers_running, 3);
        podman_info_done(&info);
        ck_assert_ptr_null(info.graph_root);
}
END_TEST

static void assert_not_info(const char *text) {
        struct podman_info info;
        ck_assert_msg(podman_info_parse(text, strlen(text), &info) == -EINVAL, "accepted: %s", text);
        ck_assert_ptr_null(info.graph_root);
        ck_assert_ptr_null(info.version);
        ck_assert_int_eq(info.containers, -1);
        podman_info_done(&info); /* harmless after a failure */
}

START_TEST(info_rejects_what_is_not_podman_info) {
        assert_not_info("");
        assert_not_info("Error: database disk image is malformed\n");
        assert_not_info("panic: invalid page type: 0: 4\n\ngoroutine 1 [running]:\n");
        assert_not_info("{\"store\": {\"graphRoot\": \"/x\"");                   /* cut short */
        assert_not_info("[\"store\", \"graphRoot\"]");                           /* not an object */
        assert_not_info("{\"host\": {}, \"store\": {\"runRoot\": \"/run/c\"}}"); /* no graphRoot */
        assert_not_info("{\"store\": {\"graphRoot\": {\"path\": \"/x\"}}}");     /* not a string */
        assert_not_info("{\"graphRoot\": \"/x\"}");                              /* not under store */
}
END_TEST

START_TEST(info_without_numbers_counts_minus_one) {
        static const char *const texts[] = {
                "{\"store\": {\"graphRoot\": \"/x\"}}",
                "{\"store\": {\"graphRoot\": \"/x\", \"containerStore\": {}}}",
                "{\"store\": {\"graphRoot\": \"/x\", \"containerStore\": {\"number\": \"many\", \"running\": -2}}}",
                "{\"store\": {\"graphRoot\": \"/x\", \"containerStore\": {\"number\": 2.5, \"running\": null}}}",
        };
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                struct podman_info info;
                ck_assert_int_eq(podman_info_parse(texts[i], strlen(texts[i]), &info), 0);
                ck_assert_str_eq(info.graph_root, "/x");
                ck_assert_msg(info.containers == -1 && info.containers_running == -1, "case %zu", i);
                ck_assert_ptr_null(info.version);
                ck_assert_ptr_null(info.db_backend);
                podman_info_done(&info);
        }
}
END_TEST

START_TEST(info_decodes_json_escapes) {
        /* Go's encoder writes <, > and & as \u003c, \u003e, \u0026; compact output has no spaces. */
        static const char text[] = "{\"store\":{\"graphRoot\":\"/srv/a\\u0026b \\u003cc\\u003e\",\"runRoot\":"
                                   "\"/run/caf\\u00e9\\/x\\\\y\"},\"version\":{\"Version\":\"5.4\\u002e2\"}}";
        struct podman_info info;
        ck_assert_int_eq(podman_info_parse(text, strlen(text), &info), 0);
        ck_assert_str_eq(info.graph_root, "/srv/a&b <c>");
        ck_assert_str_eq(info.run_root, "/run/caf\xc3\xa9/x\\y");
        ck_assert_str_eq(info.version, "5.4.2");
        podman_info_done(&info);
}
END_TEST

START_TEST(db_path_follows_the_backend) {
        _cleanup_free_ char *sqlite = podman_db_path("sqlite", "/var/lib/containers/storage");
        _cleanup_free_ char *bolt = podman_db_path("boltdb", "/var/lib/containers/storage");
        _cleanup_free_ char *unknown = podman_db_path(NULL, "/home/u/.local/share/containers/storage");
        ck_assert_str_eq(sqlite, "/var/lib/containers/storage/db.sql");
        ck_assert_str_eq(bolt, "/var/lib/containers/storage/libpod/bolt_state.db");
        ck_assert_str_eq(unknown, "/home/u/.local/share/containers/storage/db.sql");
}
END_TEST

/* ---- the state file and the rate limit ---- */

START_TEST(state_format_parse_round_trip) {
        struct repair_state s = {.failures = 2, .n_repairs = 3, .db_dev = 64769, .db_ino = 1310731, .volume_dirs = 4};
        s.repairs[0] = 1795780800, s.repairs[1] = 1795777200, s.repairs[2] = -5;
        ck_assert_int_eq(repair_state_set(&s.graph_root, "/var/lib/containers/storage"), 0);
        ck_assert_int_eq(repair_state_set(&s.volume_path, "/var/lib/containers/storage/volumes"), 0);
        ck_assert_int_eq(repair_state_set(&s.db_backend, "sqlite"), 0);
        _cleanup_free_ char *text = repair_state_format(&s);
        ck_assert_ptr_nonnull(text);
        struct repair_state back;
        ck_assert_int_eq(repair_state_parse(text, &back), 0);
        ck_assert_uint_eq(back.failures, s.failures);
        ck_assert_uint_eq(back.n_repairs, s.n_repairs);
        for (size_t i = 0; i < s.n_repairs; i++)
                ck_assert_int_eq(back.repairs[i], s.repairs[i]);
        ck_assert_str_eq(back.graph_root, s.graph_root);
        ck_assert_str_eq(back.volume_path, s.volume_path);
        ck_assert_str_eq(back.db_backend, s.db_backend);
        ck_assert_uint_eq(back.db_dev, s.db_dev);
        ck_assert_uint_eq(back.db_ino, s.db_ino);
        ck_assert_int_eq(back.volume_dirs, s.volume_dirs);
        repair_state_done(&back);
        repair_state_done(&s);
}
END_TEST

START_TEST(state_empty_round_trip) {
        struct repair_state s;
        ck_assert_int_eq(repair_state_parse("", &s), 0);
        ck_assert_int_eq(s.volume_dirs, -1);
        _cleanup_free_ char *text = repair_state_format(&s);
        struct repair_state back;
        ck_assert_int_eq(repair_state_parse(text, &back), 0);
        ck_assert_uint_eq(back.failures, 0);
        ck_assert_uint_eq(back.n_repairs, 0);
        ck_assert_ptr_null(back.graph_root);
        ck_assert_int_eq(back.volume_dirs, -1);
        repair_state_done(&back);
}
END_TEST

START_TEST(state_skips_garbage_lines) {
        static const char text[] = "# comment\n"
                                   "failures=3\n"
                                   "nonsense\n"
                                   "failures=lots\n"
                                   "graph_root=relative/path\n"
                                   "db_backend=ext4\n"
                                   "colour=blue\n"
                                   "volume_dirs=-3\n"
                                   "\n"
                                   "graph_root=/srv/storage\n"
                                   "repairs=100,200\n"
                                   "repairs_total=41\n"
                                   "db_ino=12x\n";
        struct repair_state s;
        ck_assert_int_eq(repair_state_parse(text, &s), 7);
        ck_assert_uint_eq(s.failures, 3);
        ck_assert_str_eq(s.graph_root, "/srv/storage");
        ck_assert_ptr_null(s.db_backend);
        ck_assert_uint_eq(s.n_repairs, 2);
        ck_assert_int_eq(s.repairs[0], 100);
        ck_assert_int_eq(s.repairs[1], 200);
        ck_assert_uint_eq(s.repairs_total, 41);
        repair_state_record(&s, 300, "database-missing", true);
        ck_assert_uint_eq(s.repairs_total, 42); /* every repair counts, the history keeps 16 */
        ck_assert_int_eq(s.volume_dirs, -1);
        ck_assert_uint_eq(s.db_ino, 0);
        repair_state_done(&s);
}
END_TEST

static struct repair_state with_repairs(const long long *when, size_t n, unsigned failures) {
        struct repair_state s = {.failures = failures, .volume_dirs = -1};
        for (size_t i = 0; i < n; i++)
                s.repairs[s.n_repairs++] = when[i];
        return s;
}

START_TEST(rate_limit_after_failures) {
        const long long now = 1795780800;
        struct repair_state s = with_repairs(NULL, 0, 2);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_ALLOWED);
        s.failures = 3;
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_GIVE_UP_FAILED);
        s.failures = 9;
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_GIVE_UP_FAILED);
}
END_TEST

START_TEST(rate_limit_per_hour) {
        const long long now = 1795780800;
        const long long four[] = {now - 10, now - 600, now - 1800, now - 3599};
        struct repair_state s = with_repairs(four, 4, 0);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 5), REPAIR_ALLOWED);
        /* one of them an hour old or older: only three recent ones */
        const long long old[] = {now - 10, now - 600, now - 1800, now - 3600, now - 86400};
        s = with_repairs(old, 5, 0);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_ALLOWED);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 3), REPAIR_GIVE_UP_TOO_OFTEN);
}
END_TEST

/* Chaos scenario 7 after other faults in the same hour (310-rootless-repair, rows 23 and 28: four
 * repairs of the database and the run root, then "gave up" on a revoked network namespace without
 * a step): a loop is one breakage coming back, other faults' repairs spend none of its budget. */
START_TEST(rate_limit_counts_repairs_of_the_same_state) {
        const long long now = 1795780800;
        struct repair_state s = {.volume_dirs = -1};
        repair_state_record(&s, now - 900, "database-missing", true);
        repair_state_record(&s, now - 800, "database-corrupt", true);
        repair_state_record(&s, now - 700, "database-missing", true);
        repair_state_record(&s, now - 600, "network-namespace-broken", true);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&s, now, "network-namespace-broken", 3, 4), REPAIR_ALLOWED);
        ck_assert_int_eq(repair_allowed(&s, now, "pause-process", 3, 4), REPAIR_ALLOWED);
        ck_assert_int_eq(repair_allowed(&s, now, "database-missing", 3, 2), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&s, now, "database-missing", 3, 3), REPAIR_ALLOWED);
        /* the same breakage four times in the hour: a loop */
        for (int i = 0; i < 3; i++)
                repair_state_record(&s, now - 500 + i, "network-namespace-broken", true);
        ck_assert_int_eq(repair_allowed(&s, now, "network-namespace-broken", 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&s, now, "database-corrupt", 3, 4), REPAIR_ALLOWED);
        /* the kinds survive the file; a file from before (no repair_states=) counts every repair */
        _cleanup_free_ char *text = repair_state_format(&s);
        ck_assert_ptr_nonnull(strstr(text, "\nrepair_states=network-namespace-broken,network-namespace-broken,"));
        struct repair_state back;
        ck_assert_int_eq(repair_state_parse(text, &back), 0);
        ck_assert_int_eq(repair_allowed(&back, now, "network-namespace-broken", 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&back, now, "database-corrupt", 3, 4), REPAIR_ALLOWED);
        ck_assert_int_eq(repair_state_parse("repairs=1795780000,1795780100,1795780200,1795780300\n", &back), 0);
        ck_assert_int_eq(repair_allowed(&back, now, "network-namespace-broken", 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        /* an unknown kind among known ones counts for every state; a bad name drops the line */
        ck_assert_int_eq(repair_state_parse("repairs=1795780000,1795780100,1795780200,1795780300\n"
                                            "repair_states=hung,,hung,hung\n",
                                            &back),
                         0);
        ck_assert_int_eq(repair_allowed(&back, now, "hung", 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&back, now, "database-corrupt", 3, 2), REPAIR_ALLOWED);
        ck_assert_int_eq(repair_allowed(&back, now, "database-corrupt", 3, 1), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_state_parse("repairs=1795780000,1795780100\nrepair_states=hung,Bad\n", &back), 1);
        ck_assert_int_eq(repair_allowed(&back, now, "database-corrupt", 3, 2), REPAIR_GIVE_UP_TOO_OFTEN);
        repair_state_done(&back);
        repair_state_done(&s);
}
END_TEST

START_TEST(rate_limit_counts_repairs_from_the_future) {
        /* the clock jumped back: a repair "in an hour" is recent, not free */
        const long long now = 1795780800;
        const long long future[] = {now + 7200, now + 100000, now - 10, now - 20};
        struct repair_state s = with_repairs(future, 4, 0);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
}
END_TEST

START_TEST(repairs_from_the_future_are_brought_back_to_now) {
        /* four repairs, then the clock was set back a day: without the clamp they would stop every
         * repair for a day and an hour; brought back to now, the limit lifts an hour from now */
        const long long now = 1795780800;
        const long long future[] = {now + 86400, now + 86000, now - 10, now + 85000};
        struct repair_state s = with_repairs(future, 4, 0);
        ck_assert_uint_eq(repair_state_clamp_future(&s, now), 3);
        ck_assert_int_eq(s.repairs[0], now);
        ck_assert_int_eq(s.repairs[1], now);
        ck_assert_int_eq(s.repairs[2], now - 10);
        ck_assert_int_eq(s.repairs[3], now);
        /* still recent: fewer repairs, never more */
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&s, now + 3589, NULL, 3, 4), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&s, now + 3600, NULL, 3, 4), REPAIR_ALLOWED);
        /* a second run changes nothing; a -30 min jump is a -30 min clamp */
        ck_assert_uint_eq(repair_state_clamp_future(&s, now), 0);
        ck_assert_uint_eq(repair_state_clamp_future(&s, now - 1800), 4);
        ck_assert_int_eq(s.repairs[2], now - 1800);
        /* a forward jump changes nothing in the state; failures never depend on the clock */
        s.failures = 3;
        ck_assert_uint_eq(repair_state_clamp_future(&s, now + 1800), 0);
        ck_assert_int_eq(repair_allowed(&s, now + 1800 + 7200, NULL, 3, 4), REPAIR_GIVE_UP_FAILED);
}
END_TEST

START_TEST(rate_limit_survives_absurd_timestamps) {
        /* a damaged state file: the extremes of long long, without overflowing (UBSan) */
        const long long now = 1795780800;
        struct repair_state s;
        ck_assert_int_eq(repair_state_parse("repairs=-9223372036854775808,-9223372036854775807,-1,0\n", &s), 0);
        ck_assert_uint_eq(s.n_repairs, 4);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 1), REPAIR_ALLOWED);
        ck_assert_int_eq(repair_state_parse("repairs=9223372036854775807\n", &s), 0);
        ck_assert_int_eq(repair_allowed(&s, now, NULL, 3, 1), REPAIR_GIVE_UP_TOO_OFTEN);
        ck_assert_int_eq(repair_allowed(&s, -now, NULL, 3, 1), REPAIR_GIVE_UP_TOO_OFTEN);
}
END_TEST

START_TEST(record_keeps_newest_first_and_caps_history) {
        struct repair_state s = {.volume_dirs = -1};
        const long long t0 = 1795780800;
        for (long long i = 0; i < REPAIR_HISTORY + 3; i++) {
                repair_state_record(&s, t0 + i, "database-missing", false);
                ck_assert_uint_eq(s.failures, (unsigned)i + 1);
                ck_assert_uint_eq(s.n_repairs, (size_t)i + 1 < REPAIR_HISTORY ? (size_t)i + 1 : REPAIR_HISTORY);
                ck_assert_int_eq(s.repairs[0], t0 + i);
        }
        for (size_t i = 0; i < REPAIR_HISTORY; i++)
                ck_assert_int_eq(s.repairs[i], t0 + REPAIR_HISTORY + 2 - (long long)i);
        repair_state_record(&s, t0 + 100, "database-missing", true);
        ck_assert_uint_eq(s.failures, 0);
        ck_assert_int_eq(s.repairs[0], t0 + 100);
        ck_assert_int_eq(s.repairs[1], t0 + REPAIR_HISTORY + 2);
        ck_assert_uint_eq(s.n_repairs, REPAIR_HISTORY);
}
END_TEST

/* ---- the report ---- */

static const char nasty_evidence[] =
        "Error: \"quoted\" back\\slash C:\\\\ \nsecond line\x01\x1f\ttab del\x7f caf\xc3\xa9";

static struct repair_report sample_report(enum repair_result result) {
        struct repair_report r = {
                .mode = "system",
                .when = 1795780800,
                .found = PODMAN_DB_CORRUPT,
                .evidence = nasty_evidence,
                .evidence_len = sizeof(nasty_evidence) - 1,
                .steps = {STEP_STOP_APP_UNITS, STEP_MOVE_DATABASE_ASIDE, STEP_START_APP_UNITS},
                .step_ok = {true, false, true},
                .n_steps = 3,
                .after = result == RESULT_REPAIRED ? PODMAN_HEALTHY : PODMAN_DB_CORRUPT,
                .result = result,
                .podman_version = "5.4.2",
                .moved_aside = "/var/lib/containers/storage/db.sql.archy-broken-20261127T120000Z",
                .units_stopped = 3,
                .volumes_reregistered = 2,
                .orphans_removed = 1,
                .failures = 1,
                .probe_ms = 412,
        };
        return r;
}

static const char *json_str(yaml_document_t *doc, const char *key) {
        yaml_node_t *n = json_get(doc, yaml_document_get_root_node(doc), key);
        ck_assert_msg(n && n->type == YAML_SCALAR_NODE, "no scalar %s", key);
        return (const char *)n->data.scalar.value;
}

START_TEST(status_json_is_valid_json) {
        struct repair_report r = sample_report(RESULT_REPAIRED);
        _cleanup_free_ char *json = report_status_json(&r);
        ck_assert_ptr_nonnull(json);
        yaml_document_t doc;
        ck_assert_msg(yaml_load_text(json, &doc), "not JSON:\n%s", json);
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        ck_assert_msg(json_node_ok(&doc, root), "not plain JSON:\n%s", json);
        yaml_node_t *ev = json_get(&doc, root, "evidence");
        ck_assert_uint_eq(ev->data.scalar.length, r.evidence_len);
        ck_assert_mem_eq(ev->data.scalar.value, r.evidence, r.evidence_len);
        ck_assert_str_eq(json_str(&doc, "result"), "repaired");
        ck_assert_str_eq(json_str(&doc, "healthy"), "true");
        ck_assert_str_eq(json_str(&doc, "found"), podman_state_to_string(r.found));
        ck_assert_str_eq(json_str(&doc, "moved_aside"), r.moved_aside);
        ck_assert_str_eq(json_str(&doc, "podman_version"), "5.4.2");
        ck_assert_str_eq(json_str(&doc, "gave_up_reason"), "null");
        ck_assert_str_eq(json_str(&doc, "checked_at"), "2026-11-27T12:00:00Z");
        yaml_node_t *steps = json_get(&doc, root, "steps");
        ck_assert_int_eq(steps->type, YAML_SEQUENCE_NODE);
        ck_assert_int_eq(steps->data.sequence.items.top - steps->data.sequence.items.start, 3);
        yaml_node_t *second = yaml_document_get_node(&doc, steps->data.sequence.items.start[1]);
        ck_assert_str_eq((const char *)json_get(&doc, second, "ok")->data.scalar.value, "false");
        yaml_document_delete(&doc);
}
END_TEST

START_TEST(status_json_for_every_result_and_state) {
        for (int res = 0; res < _RESULT_MAX; res++)
                for (int st = 0; st < _PODMAN_STATE_MAX; st++) {
                        struct repair_report r = {.result = (enum repair_result)res,
                                                  .found = (enum podman_state)st,
                                                  .after = (enum podman_state)st};
                        _cleanup_free_ char *json = report_status_json(&r);
                        yaml_document_t doc;
                        ck_assert_msg(yaml_load_text(json, &doc), "not JSON:\n%s", json);
                        ck_assert(json_node_ok(&doc, yaml_document_get_root_node(&doc)));
                        ck_assert_str_eq(json_str(&doc, "result"), repair_result_to_string(r.result));
                        ck_assert_str_eq(json_str(&doc, "state_now"), podman_state_to_string(r.after));
                        ck_assert_str_eq(json_str(&doc, "evidence"), "null");
                        yaml_document_delete(&doc);
                }
}
END_TEST

START_TEST(summary_is_one_line) {
        static const char multi[] = "Error: first problem\nError: second problem\n";
        for (int res = 0; res < _RESULT_MAX; res++) {
                struct repair_report r = sample_report((enum repair_result)res);
                _cleanup_free_ char *nasty = report_summary(&r);
                r.evidence = multi, r.evidence_len = sizeof(multi) - 1;
                _cleanup_free_ char *two = report_summary(&r);
                ck_assert_ptr_nonnull(nasty);
                ck_assert_ptr_nonnull(two);
                ck_assert_msg(!strpbrk(nasty, "\n\r\x01\x1f"), "result %d: %s", res, nasty);
                ck_assert_msg(!strchr(two, '\n'), "result %d: %s", res, two);
                if (res != RESULT_HEALTHY)
                        ck_assert_ptr_nonnull(strstr(two, "Error: first problem"));
        }
}
END_TEST

START_TEST(summary_says_what_happened) {
        struct repair_report r = sample_report(RESULT_REPAIRED);
        _cleanup_free_ char *repaired = report_summary(&r);
        ck_assert_ptr_nonnull(strstr(repaired, podman_state_to_string(PODMAN_DB_CORRUPT)));
        ck_assert_ptr_nonnull(strstr(repaired, r.moved_aside));
        char failed_step[64];
        snprintf(failed_step, sizeof(failed_step), "%s(failed)", repair_step_to_string(STEP_MOVE_DATABASE_ASIDE));
        ck_assert_ptr_nonnull(strstr(repaired, failed_step));
        r = sample_report(RESULT_GAVE_UP);
        r.gave_up_reason = "it keeps breaking";
        _cleanup_free_ char *gave_up = report_summary(&r);
        ck_assert_ptr_nonnull(strstr(gave_up, "it keeps breaking"));
}
END_TEST

START_TEST(exit_status_for_every_result) {
        static const int want[_RESULT_MAX] = {
                [RESULT_HEALTHY] = 0,
                [RESULT_UNHEALTHY] = EXIT_REPAIR_UNHEALTHY,
                [RESULT_REPAIRED] = EXIT_REPAIR_REPAIRED,
                [RESULT_FAILED] = EXIT_REPAIR_FAILED,
                [RESULT_REPORTED] = EXIT_REPAIR_FAILED,
                [RESULT_GAVE_UP] = EXIT_REPAIR_GAVE_UP,
        };
        ck_assert_int_eq(EXIT_REPAIR_UNHEALTHY, 3);
        ck_assert_int_eq(EXIT_REPAIR_REPAIRED, 4);
        ck_assert_int_eq(EXIT_REPAIR_FAILED, 5);
        ck_assert_int_eq(EXIT_REPAIR_GAVE_UP, 6);
        for (int r = 0; r < _RESULT_MAX; r++) {
                ck_assert_msg(report_exit_status((enum repair_result)r) == want[r], "result %d", r);
                ck_assert_ptr_nonnull(repair_result_to_string((enum repair_result)r));
                for (int o = 0; o < r; o++)
                        ck_assert_str_ne(repair_result_to_string((enum repair_result)r),
                                         repair_result_to_string((enum repair_result)o));
        }
}
END_TEST

/* ---- strbuf_json_string ---- */

static char *json_string(const char *s, size_t len) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_json_string(&sb, s, len);
        return strbuf_steal(&sb);
}

START_TEST(json_string_escapes) {
        _cleanup_free_ char *plain = json_string("abc", 3);
        _cleanup_free_ char *special = json_string("a\"b\\c\nd\x01\x7f", 9);
        _cleanup_free_ char *empty = json_string("", 0);
        _cleanup_free_ char *nul = json_string("a\0b", 3);
        _cleanup_free_ char *utf8 = json_string("caf\xc3\xa9", 5);
        ck_assert_str_eq(plain, "\"abc\"");
        ck_assert_str_eq(special, "\"a\\\"b\\\\c\\nd\\u0001\\u007f\"");
        ck_assert_str_eq(empty, "\"\"");
        ck_assert_str_eq(nul, "\"a\\u0000b\"");
        ck_assert_str_eq(utf8, "\"caf\xc3\xa9\"");
}
END_TEST

START_TEST(json_string_every_ascii_byte_reads_back) {
        char all[127];
        for (int c = 1; c < 128; c++)
                all[c - 1] = (char)c;
        _cleanup_free_ char *lit = json_string(all, sizeof(all));
        for (const char *p = lit; *p; p++)
                ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f, "raw control byte %#x", *p);
        yaml_document_t doc;
        ck_assert(yaml_load_text(lit, &doc));
        yaml_node_t *n = yaml_document_get_root_node(&doc);
        ck_assert_int_eq(n->data.scalar.style, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
        ck_assert_uint_eq(n->data.scalar.length, sizeof(all));
        ck_assert_mem_eq(n->data.scalar.value, all, sizeof(all));
        yaml_document_delete(&doc);
}
END_TEST

/* ---- /proc/locks ---- */

START_TEST(locks_holder_lines) {
        struct proc_lock l;
        ck_assert(proc_locks_parse_line("1: POSIX  ADVISORY  WRITE 1234 00:1a:5678 0 EOF\n", &l));
        ck_assert_int_eq(l.pid, 1234);
        ck_assert_uint_eq(l.major, 0);
        ck_assert_uint_eq(l.minor, 0x1a);
        ck_assert_uint_eq(l.inode, 5678);
        ck_assert(proc_locks_parse_line("2: FLOCK  ADVISORY  WRITE 99 fd:01:131081 0 EOF", &l));
        ck_assert_int_eq(l.pid, 99);
        ck_assert_uint_eq(l.major, 253);
        ck_assert_uint_eq(l.minor, 1);
        ck_assert_uint_eq(l.inode, 131081);
        ck_assert(proc_locks_parse_line("12: POSIX  ADVISORY  READ 4242 103:02:18446744073709 1073741824 "
                                        "1073742335\n",
                                        &l));
        ck_assert_int_eq(l.pid, 4242);
        ck_assert_uint_eq(l.major, 0x103);
        ck_assert_uint_eq(l.minor, 2);
        ck_assert_uint_eq(l.inode, 18446744073709UL);
}
END_TEST

START_TEST(locks_waiters_and_ofd_locks_are_not_holders) {
        struct proc_lock l = {.pid = 77};
        ck_assert(!proc_locks_parse_line("1: -> POSIX  ADVISORY  WRITE 4321 00:1a:5678 0 EOF", &l));
        ck_assert(!proc_locks_parse_line("3: OFDLCK ADVISORY  READ  -1 00:05:3 0 EOF", &l));
        ck_assert(!proc_locks_parse_line("4: POSIX  ADVISORY  WRITE 0 00:05:3 0 EOF", &l));
        ck_assert(!proc_locks_parse_line("", &l));
        ck_assert(!proc_locks_parse_line("garbage", &l));
        ck_assert(!proc_locks_parse_line("5: POSIX  ADVISORY  WRITE 12 00:1a", &l));
        ck_assert_int_eq(l.pid, 77); /* untouched */
}
END_TEST

/* The child holds a write lock on fd until it is killed (at most 60 s). */
static _Noreturn void hold_lock(int fd, int ready) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        char ok = fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
        if (write(ready, &ok, 1) != 1)
                _exit(1);
        alarm(60);
        for (;;)
                pause();
}

static bool find_lock_of(pid_t pid, struct proc_lock *ret) {
        _cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
        char line[256];
        while (f && fgets(line, sizeof(line), f))
                if (proc_locks_parse_line(line, ret) && ret->pid == pid)
                        return true;
        return false;
}

START_TEST(locks_real_fcntl_lock) {
        char path[] = "/tmp/archy-lock.XXXXXX";
        int fd = mkstemp(path), ready[2];
        ck_assert_int_ge(fd, 0);
        struct stat st;
        ck_assert_int_eq(fstat(fd, &st), 0);
        ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
        pid_t child = fork();
        ck_assert_int_ge(child, 0);
        if (child == 0)
                hold_lock(fd, ready[1]);
        close(ready[1]);
        char ok = 0;
        ssize_t n = read(ready[0], &ok, 1);
        struct proc_lock l = {0};
        bool found = n == 1 && ok == 'y' && find_lock_of(child, &l);
        kill(child, SIGKILL);
        ck_assert_int_eq(waitpid(child, NULL, 0), child);
        close(ready[0]);
        close(fd);
        unlink(path);
        ck_assert_msg(found, "no lock of %d in /proc/locks", (int)child);
        ck_assert_uint_eq(l.major, major(st.st_dev));
        ck_assert_uint_eq(l.minor, minor(st.st_dev));
        ck_assert_uint_eq(l.inode, st.st_ino);
}
END_TEST

/* ---- aside_name ---- */

START_TEST(aside_name_is_utc) {
        _cleanup_free_ char *a = aside_name("/var/lib/containers/storage/db.sql", 1795780800);
        ck_assert_str_eq(a, "/var/lib/containers/storage/db.sql.archy-broken-20261127T120000Z");
        struct tm tm = {.tm_year = 2027 - 1900, .tm_mon = 0, .tm_mday = 2, .tm_hour = 3, .tm_min = 4, .tm_sec = 5};
        _cleanup_free_ char *b = aside_name("x/bolt_state.db", (long long)timegm(&tm));
        ck_assert_str_eq(b, "x/bolt_state.db.archy-broken-20270102T030405Z");
}
END_TEST

/* ---- crun's state ---- */

#define CRUN_ID "4c1f0e7a9b2d3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"

START_TEST(crun_status_of_a_podman_container) {
        /* the fields crun's status.c writes (pid, process-start-time, bundle, among others) */
        static const char text[] =
                "{\n  \"pid\": 4242,\n  \"process-start-time\": 987654,\n  \"cgroup-path\": \"x\",\n"
                "  \"rootfs\": \"/var/lib/containers/storage/overlay/abc/merged\",\n"
                "  \"systemd-cgroup\": true,\n"
                "  \"bundle\": \"/var/lib/containers/storage/overlay-containers/" CRUN_ID "/userdata\",\n"
                "  \"created\": \"2026-12-04T10:00:00.000Z\",\n  \"detached\": true\n}\n";
        struct crun_status s;
        ck_assert_int_eq(crun_status_parse(text, sizeof(text) - 1, &s), 0);
        ck_assert_int_eq(s.pid, 4242);
        ck_assert(s.has_start_time);
        ck_assert_uint_eq(s.start_time, 987654);
        ck_assert(crun_state_is_podmans(CRUN_ID, &s));
        /* the directory's name must be the id in the bundle */
        ck_assert(!crun_state_is_podmans("5c1f0e7a9b2d3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6", &s));
        crun_status_done(&s);
}
END_TEST

START_TEST(crun_status_without_start_time) {
        static const char text[] =
                "{\"pid\": 7, \"bundle\": \"/home/a/.local/share/containers/storage/vfs-containers/" CRUN_ID
                "/userdata\"}";
        struct crun_status s;
        ck_assert_int_eq(crun_status_parse(text, sizeof(text) - 1, &s), 0);
        ck_assert(!s.has_start_time);
        ck_assert(crun_state_is_podmans(CRUN_ID, &s));
        crun_status_done(&s);
}
END_TEST

START_TEST(crun_status_rejects_what_is_not_crun_state) {
        static const char *const bad[] = {"",
                                          "[]",
                                          "{}",
                                          "{\"pid\": 0}",
                                          "{\"pid\": -3}",
                                          "{\"pid\": \"12\"}",
                                          "{\"pid\": 99999999999}",
                                          "not json",
                                          "{\"pid\": 1",
                                          NULL};
        for (const char *const *t = bad; *t; t++) {
                struct crun_status s;
                ck_assert_msg(crun_status_parse(*t, strlen(*t), &s) == -EINVAL, "accepted: %s", *t);
                ck_assert_ptr_null(s.bundle);
        }
}
END_TEST

START_TEST(crun_state_of_others_is_not_podmans) {
        struct crun_status s = {.pid = 1};
        ck_assert(!crun_state_is_podmans(CRUN_ID, &s)); /* no bundle */
        static const char *const bundles[] = {
                "/home/u/my_container",                                       /* crun run by hand */
                "/run/containerd/io.containerd.runtime.v2.task/k8s/" CRUN_ID, /* another engine */
                "/overlay-containers/" CRUN_ID "/userdata/x",                 /* deeper */
                "-containers/" CRUN_ID "/userdata",                           /* no storage around it */
                "/var/lib/containers/storage/overlay-containers/" CRUN_ID "/userdat",
                NULL};
        for (const char *const *b = bundles; *b; b++) {
                s.bundle = (char *)*b;
                ck_assert_msg(!crun_state_is_podmans(CRUN_ID, &s), "taken as podman's: %s", *b);
        }
        s.bundle = "/var/lib/containers/storage/overlay-containers/" CRUN_ID "/userdata";
        ck_assert(crun_state_is_podmans(CRUN_ID, &s));
        ck_assert(!crun_state_is_podmans("archy-bitcoind", &s));
        ck_assert(!crun_state_is_podmans("4C1F0E7A9B2D3C5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6", &s));
}
END_TEST

START_TEST(remove_tree_at_stays_inside) {
        char dir[] = "/tmp/archy-tree-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        char path[PATH_MAX];
        /* keep/file is outside; gone/ holds a file, a subdirectory and a link to keep/ */
        snprintf(path, sizeof(path), "%s/keep", dir);
        ck_assert_int_eq(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/keep/file", dir);
        ck_assert_int_eq(write_file_atomic(path, "x", 1, 0600), 0);
        snprintf(path, sizeof(path), "%s/gone", dir);
        ck_assert_int_eq(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/gone/sub", dir);
        ck_assert_int_eq(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/gone/sub/config.json", dir);
        ck_assert_int_eq(write_file_atomic(path, "{}", 2, 0600), 0);
        snprintf(path, sizeof(path), "%s/gone/link", dir);
        ck_assert_int_eq(symlink("../keep", path), 0);
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(remove_tree_at(fd, "gone", 0), -ENOTEMPTY); /* sub is one level down */
        ck_assert_int_eq(remove_tree_at(fd, "gone", 1), 0);
        ck_assert_int_eq(remove_tree_at(fd, "gone", 1), 0); /* already gone */
        ck_assert_int_eq(remove_tree_at(fd, "keep/file", 1), -ENOTDIR);
        close(fd);
        struct stat st;
        snprintf(path, sizeof(path), "%s/gone", dir);
        ck_assert_int_eq(lstat(path, &st), -1);
        snprintf(path, sizeof(path), "%s/keep/file", dir);
        ck_assert_int_eq(lstat(path, &st), 0);
        snprintf(path, sizeof(path), "%s/keep/file", dir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/keep", dir);
        rmdir(path);
        rmdir(dir);
}
END_TEST

/* ---- facts ---- */

START_TEST(names_missing_from_records) {
        char *dirs[] = {"archy-a-data", "archy-b-data", "archy-c-data", NULL};
        char *records[] = {"archy-b-data", "other", NULL};
        _cleanup_strv_ char **missing = NULL, **all = NULL, **none = NULL;
        ck_assert_int_eq(names_missing(dirs, records, &missing), 0);
        ck_assert_uint_eq(strv_length(missing), 2);
        ck_assert_str_eq(missing[0], "archy-a-data");
        ck_assert_str_eq(missing[1], "archy-c-data");
        ck_assert_int_eq(names_missing(dirs, NULL, &all), 0);
        ck_assert_uint_eq(strv_length(all), 3);
        ck_assert_int_eq(names_missing(NULL, records, &none), 0);
        ck_assert_ptr_nonnull(none);
        ck_assert_uint_eq(strv_length(none), 0);
}
END_TEST

static void mkdir_in(const char *dir, const char *name) {
        _cleanup_free_ char *p = path_in(dir, name);
        ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void touch_in(const char *dir, const char *name) {
        _cleanup_free_ char *p = path_in(dir, name);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        close(fd);
}

START_TEST(volume_dirs_with_data_only) {
        char *dir = make_tmpdir();
        mkdir_in(dir, "archy-a-data");
        mkdir_in(dir, "archy-a-data/_data");
        mkdir_in(dir, "archy-b-data");
        mkdir_in(dir, "archy-b-data/_data");
        mkdir_in(dir, "no-data");      /* a volume without _data */
        mkdir_in(dir, "no-data/data"); /* ... nor under another name */
        mkdir_in(dir, "link");         /* _data is a symlink to a directory */
        mkdir_in(dir, "filedata");     /* _data is a file */
        mkdir_in(dir, "-x");           /* not a podman name: it would be read as an option */
        mkdir_in(dir, "-x/_data");
        mkdir_in(dir, ".hidden");
        mkdir_in(dir, ".hidden/_data");
        _cleanup_free_ char *link = path_in(dir, "link/_data");
        ck_assert_int_eq(symlink("/", link), 0);
        touch_in(dir, "filedata/_data");
        touch_in(dir, "file");
        _cleanup_strv_ char **names = NULL;
        ck_assert_int_eq(volume_dirs_list(dir, &names), 0);
        ck_assert_uint_eq(strv_length(names), 2);
        ck_assert(strv_contains(names, "archy-a-data") && strv_contains(names, "archy-b-data"));
        remove_tree(dir);
}
END_TEST

START_TEST(volume_names_follow_podman) {
        ck_assert(volume_name_valid("archy-node-node-data"));
        ck_assert(volume_name_valid("a") && volume_name_valid("0_x.y-z"));
        ck_assert(!volume_name_valid(""));
        ck_assert(!volume_name_valid("-rf"));
        ck_assert(!volume_name_valid("--label=x"));
        ck_assert(!volume_name_valid(".x") && !volume_name_valid("_x"));
        ck_assert(!volume_name_valid("a b") && !volume_name_valid("a/b") && !volume_name_valid("a\nb"));
}
END_TEST

START_TEST(volume_dirs_of_a_missing_path) {
        char *dir = make_tmpdir();
        _cleanup_free_ char *missing = path_in(dir, "volumes");
        _cleanup_strv_ char **names = NULL;
        ck_assert_int_eq(volume_dirs_list(missing, &names), 0);
        ck_assert_ptr_nonnull(names);
        ck_assert_uint_eq(strv_length(names), 0);
        remove_tree(dir);
}
END_TEST

START_TEST(volume_dirs_of_an_unreadable_path) {
        /* the way facts_gather() calls it: the list is freed by cleanup, also after an error */
        char *dir = make_tmpdir();
        touch_in(dir, "volumes");
        _cleanup_free_ char *file = path_in(dir, "volumes");
        {
                _cleanup_strv_ char **names = NULL;
                ck_assert_int_eq(volume_dirs_list(file, &names), -ENOTDIR);
        }
        remove_tree(dir);
}
END_TEST

static const char apps_manifest[] = "version: 1\n"
                                    "apps:\n"
                                    "  node:\n"
                                    "    containers:\n"
                                    "      main: {image: localhost/n:1, volumes: [\"data:/d\", \"/srv/x:/x\"]}\n"
                                    "      ui: {image: localhost/u:1, volumes: [\"data:/d:ro\", \"cache:/c\"]}\n"
                                    "  web:\n"
                                    "    containers:\n"
                                    "      main: {image: localhost/w:1, volumes: [\"data:/data\"]}\n"
                                    "  broken:\n"
                                    "    containers:\n"
                                    "      main: {volumes: [\"lost:/l\"]}\n";

static size_t index_in(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return i;
        ck_abort_msg("%s is not listed", s);
        return n;
}

START_TEST(app_units_of_a_manifest) {
        struct diag_list diags = {0};
        struct manifest *m = parse_text(apps_manifest, &diags);
        ck_assert_ptr_nonnull(m);
        ck_assert(manifest_find_app(m, "broken")->skip); /* no image */
        struct app_units au;
        ck_assert_int_eq(app_units_from_manifest(m, &au), 0);
        ck_assert_uint_eq(au.n, 3);
        ck_assert_str_eq(au.containers[index_in(au.units, au.n, "archy-node.service")], "archy-node");
        ck_assert_str_eq(au.containers[index_in(au.units, au.n, "archy-node-ui.service")], "archy-node-ui");
        ck_assert_str_eq(au.containers[index_in(au.units, au.n, "archy-web.service")], "archy-web");
        ck_assert_ptr_null(au.units[au.n]);
        ck_assert_ptr_null(au.containers[au.n]);
        for (size_t i = 0; i < au.n; i++)
                ck_assert(!au.active[i]);
        ck_assert_uint_eq(au.n_volumes, 3); /* node's data once, node's cache, web's data */
        ck_assert_str_eq(au.volume_apps[index_in(au.volumes, au.n_volumes, "archy-node-data")], "node");
        ck_assert_str_eq(au.volume_apps[index_in(au.volumes, au.n_volumes, "archy-node-cache")], "node");
        ck_assert_str_eq(au.volume_apps[index_in(au.volumes, au.n_volumes, "archy-web-data")], "web");
        ck_assert(!strv_contains(au.volumes, "archy-broken-lost"));
        app_units_done(&au);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

/* A one-shot part's unit stays active after podman removed its container: not a lost container. */
START_TEST(app_units_know_one_shot_parts) {
        struct diag_list diags = {0};
        struct manifest *m =
                parse_text("version: 1\napps:\n  shop:\n    containers:\n"
                           "      main: {image: localhost/s:1, depends_on: {init: {condition: completed}}}\n"
                           "      init: {image: localhost/i:1, restart: \"no\"}\n",
                           &diags);
        ck_assert_ptr_nonnull(m);
        struct app_units au;
        ck_assert_int_eq(app_units_from_manifest(m, &au), 0);
        ck_assert_uint_eq(au.n, 2);
        ck_assert_uint_eq(au.n_oneshot, 1);
        ck_assert(strv_contains(au.oneshot_containers, "archy-shop-init"));
        ck_assert(!strv_contains(au.oneshot_containers, "archy-shop"));
        app_units_done(&au);
        manifest_free(m);
        diag_list_free(&diags);
}
END_TEST

START_TEST(app_units_without_manifest) {
        struct app_units au;
        ck_assert_int_eq(app_units_from_manifest(NULL, &au), 0);
        ck_assert_uint_eq(au.n, 0);
        ck_assert_uint_eq(au.n_volumes, 0);
        ck_assert_uint_eq(strv_length(au.units), 0);
        app_units_done(&au);
}
END_TEST

/* ---- spawn_capture with real processes ---- */

static char *const sh_env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};

static int sh(const char *script, long timeout_ms, struct spawn_result *ret) {
        char *const argv[] = {"sh", "-c", (char *)script, NULL};
        return spawn_capture("/bin/sh", argv, sh_env, timeout_ms, ret);
}

static long mono_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static bool gone(pid_t pid) {
        return kill(pid, 0) == -1 && errno == ESRCH;
}

START_TEST(spawn_captures_both_streams_and_the_status) {
        struct spawn_result r;
        ck_assert_int_eq(sh("echo out; echo err >&2; printf 'no newline'; exit 7", 5000, &r), 0);
        ck_assert_int_eq(r.end, SPAWN_EXITED);
        ck_assert_int_eq(r.status, 7);
        ck_assert_str_eq(r.out, "out\nno newline");
        ck_assert_str_eq(r.err, "err\n");
        spawn_result_done(&r);
        ck_assert_int_eq(sh("true", 5000, &r), 0);
        ck_assert_int_eq(r.end, SPAWN_EXITED);
        ck_assert_int_eq(r.status, 0);
        ck_assert_str_eq(r.out, "");
        ck_assert_str_eq(r.err, "");
        spawn_result_done(&r);
}
END_TEST

START_TEST(spawn_reports_the_signal) {
        struct spawn_result r;
        ck_assert_int_eq(sh("echo before; kill -TERM $$; echo after", 5000, &r), 0);
        ck_assert_int_eq(r.end, SPAWN_SIGNALED);
        ck_assert_int_eq(r.status, SIGTERM);
        ck_assert_str_eq(r.out, "before\n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(spawn_of_a_missing_program) {
        char *const argv[] = {"archy-no-such-program", NULL};
        struct spawn_result r;
        ck_assert_int_eq(spawn_capture("/nonexistent/archy-no-such-program", argv, sh_env, 1000, &r), -ENOENT);
        ck_assert_ptr_null(r.out);
        spawn_result_done(&r);
}
END_TEST

START_TEST(spawn_timeout_kills_the_whole_tree) {
        struct spawn_result r;
        long t0 = mono_ms();
        ck_assert_int_eq(sh("echo $$; sleep 30 & echo $!; setsid sleep 31 & echo $!; echo started; sleep 32", 500, &r),
                         0);
        long took = mono_ms() - t0;
        int shell = 0, bg = 0, detached = 0;
        ck_assert_int_eq(r.end, SPAWN_TIMED_OUT);
        ck_assert_msg(sscanf(r.out, "%d\n%d\n%d\nstarted\n", &shell, &bg, &detached) == 3, "out: %s", r.out);
        ck_assert_ptr_nonnull(strstr(r.out, "started\n"));
        ck_assert_int_ge(r.elapsed_ms, 500);
        ck_assert_int_lt(took, 1500);
        ck_assert_msg(gone(shell), "the shell %d survived", shell);
        ck_assert_msg(gone(bg), "sleep 30 (%d) survived", bg);
        ck_assert_msg(gone(detached), "setsid sleep 31 (%d) survived", detached);
        spawn_result_done(&r);
}
END_TEST

START_TEST(spawn_kills_a_child_that_closed_its_output) {
        struct spawn_result r;
        long t0 = mono_ms();
        ck_assert_int_eq(sh("echo $$; exec >&- 2>&-; exec sleep 30", 500, &r), 0);
        long took = mono_ms() - t0;
        int pid = 0;
        ck_assert_int_eq(r.end, SPAWN_TIMED_OUT);
        ck_assert_int_eq(sscanf(r.out, "%d", &pid), 1);
        ck_assert_int_lt(took, 1500);
        ck_assert_msg(gone(pid), "%d survived", pid);
        spawn_result_done(&r);
}
END_TEST

START_TEST(spawn_captures_large_output) {
        struct spawn_result r;
        ck_assert_int_eq(sh("head -c 200000 /dev/zero | tr '\\0' x; echo done >&2", 10000, &r), 0);
        ck_assert_int_eq(r.end, SPAWN_EXITED);
        ck_assert_int_eq(r.status, 0);
        ck_assert_uint_eq(strlen(r.out), 200000);
        ck_assert_uint_eq(strspn(r.out, "x"), 200000);
        ck_assert_str_eq(r.err, "done\n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(spawn_drops_output_beyond_the_cap) {
        /* a chatty child is read to its end, never left blocked on a full pipe */
        struct spawn_result r;
        ck_assert_int_eq(sh("head -c 3000000 /dev/zero | tr '\\0' y; echo done >&2", 10000, &r), 0);
        ck_assert_int_eq(r.end, SPAWN_EXITED);
        ck_assert_int_eq(r.status, 0);
        ck_assert_uint_ge(strlen(r.out), SPAWN_CAPTURE_MAX);
        ck_assert_uint_lt(strlen(r.out), 3000000);
        ck_assert_str_eq(r.err, "done\n");
        spawn_result_done(&r);
}
END_TEST

/* A rootless volume's owner is put back through the user namespace: the host ids it had become the
 * container's ids again (repair.c restore_owner_userns), the reverse of node_user_host_owner(). */
START_TEST(subid_unmap_is_the_reverse_of_the_mapping) {
        const struct subid_range r = {.start = 524288, .count = 65536};
        unsigned long id, host;
        ck_assert(subid_unmap(996, &r, 996, &id));
        ck_assert_uint_eq(id, 0);
        ck_assert(subid_unmap(996, &r, 524288, &id));
        ck_assert_uint_eq(id, 1);
        ck_assert(subid_unmap(996, &r, 524288 + 998, &id)); /* mariadb's 999 */
        ck_assert_uint_eq(id, 999);
        ck_assert(subid_unmap(996, &r, 524288 + 65535, &id));
        ck_assert_uint_eq(id, 65536);
        /* no id of the namespace holds these */
        ck_assert(!subid_unmap(996, &r, 524288 + 65536, &id));
        ck_assert(!subid_unmap(996, &r, 524287, &id));
        ck_assert(!subid_unmap(996, &r, 0, &id));
        const struct subid_range none = {0};
        ck_assert(!subid_unmap(996, &none, 524288, &id));
        ck_assert(subid_unmap(996, &none, 996, &id));
        for (unsigned long i = 0; i <= 65536; i += 4099) {
                ck_assert(subid_map(996, &r, i, &host));
                ck_assert(subid_unmap(996, &r, host, &id));
                ck_assert_uint_eq(id, i);
        }
}
END_TEST

Suite *podman_repair_suite(void) {
        Suite *s = suite_create("podman_repair");
        TCase *info = tcase_create("info");
        tcase_add_test(info, info_recorded_from_a_healthy_podman);
        tcase_add_test(info, subid_unmap_is_the_reverse_of_the_mapping);
        tcase_add_test(info, info_recorded_after_the_database_was_deleted);
        tcase_add_test(info, info_inline_sample);
        tcase_add_test(info, info_rejects_what_is_not_podman_info);
        tcase_add_test(info, info_without_numbers_counts_minus_one);
        tcase_add_test(info, info_decodes_json_escapes);
        tcase_add_test(info, db_path_follows_the_backend);
        suite_add_tcase(s, info);
        TCase *state = tcase_create("state");
        tcase_add_test(state, state_format_parse_round_trip);
        tcase_add_test(state, state_empty_round_trip);
        tcase_add_test(state, state_skips_garbage_lines);
        tcase_add_test(state, rate_limit_after_failures);
        tcase_add_test(state, rate_limit_per_hour);
        tcase_add_test(state, rate_limit_counts_repairs_of_the_same_state);
        tcase_add_test(state, rate_limit_counts_repairs_from_the_future);
        tcase_add_test(state, repairs_from_the_future_are_brought_back_to_now);
        tcase_add_test(state, rate_limit_survives_absurd_timestamps);
        tcase_add_test(state, record_keeps_newest_first_and_caps_history);
        suite_add_tcase(s, state);
        TCase *report = tcase_create("report");
        tcase_add_test(report, status_json_is_valid_json);
        tcase_add_test(report, status_json_for_every_result_and_state);
        tcase_add_test(report, summary_is_one_line);
        tcase_add_test(report, summary_says_what_happened);
        tcase_add_test(report, exit_status_for_every_result);
        tcase_add_test(report, json_string_escapes);
        tcase_add_test(report, json_string_every_ascii_byte_reads_back);
        suite_add_tcase(s, report);
        TCase *stuck = tcase_create("stuck");
        tcase_add_test(stuck, locks_holder_lines);
        tcase_add_test(stuck, locks_waiters_and_ofd_locks_are_not_holders);
        tcase_add_test(stuck, locks_real_fcntl_lock);
        tcase_add_test(stuck, aside_name_is_utc);
        suite_add_tcase(s, stuck);
        TCase *crun = tcase_create("crun");
        tcase_add_test(crun, crun_status_of_a_podman_container);
        tcase_add_test(crun, crun_status_without_start_time);
        tcase_add_test(crun, crun_status_rejects_what_is_not_crun_state);
        tcase_add_test(crun, crun_state_of_others_is_not_podmans);
        tcase_add_test(crun, remove_tree_at_stays_inside);
        suite_add_tcase(s, crun);
        TCase *facts = tcase_create("facts");
        tcase_add_test(facts, names_missing_from_records);
        tcase_add_test(facts, volume_dirs_with_data_only);
        tcase_add_test(facts, volume_names_follow_podman);
        tcase_add_test(facts, volume_dirs_of_a_missing_path);
        tcase_add_test(facts, volume_dirs_of_an_unreadable_path);
        tcase_add_test(facts, app_units_of_a_manifest);
        tcase_add_test(facts, app_units_without_manifest);
        tcase_add_test(facts, app_units_know_one_shot_parts);
        suite_add_tcase(s, facts);
        TCase *spawn = tcase_create("spawn");
        tcase_add_test(spawn, spawn_captures_both_streams_and_the_status);
        tcase_add_test(spawn, spawn_reports_the_signal);
        tcase_add_test(spawn, spawn_of_a_missing_program);
        tcase_add_test(spawn, spawn_timeout_kills_the_whole_tree);
        tcase_add_test(spawn, spawn_kills_a_child_that_closed_its_output);
        tcase_add_test(spawn, spawn_captures_large_output);
        tcase_add_test(spawn, spawn_drops_output_beyond_the_cap);
        suite_add_tcase(s, spawn);
        return s;
}
