/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live probes: their settings' checks (values-probe.h), the manifest's probes as parsed, the
 * probe record's format (a round trip, and what it refuses), and the runner against real
 * listeners on the loopback (a port that accepts, one that refuses, an HTTP server that answers
 * 200 or 500, one that never answers), with the record it writes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe-record.h"
#include "probe-run.h"
#include "testlib.h"
#include "values-probe.h"

START_TEST(test_tcp_targets) {
        static const char *const good[] = {"127.0.0.1:8332", "[::1]:1", "archy-node:65535", "node.example.org:80",
                                           "0.0.0.0:10009"};
        static const char *const bad[] = {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:80",  "[::1:80",
                                          "[zz]:80",   ":80",         "bad_host:80",     "host:-1", "host:8a",
                                          "1.2.3:80",  "-x:80",       "host.:80",        "a b:80",  ""};
        char host[PROBE_HOST_MAX];
        unsigned port;
        for (size_t i = 0; i < sizeof good / sizeof *good; i++)
                ck_assert_msg(probe_tcp_target_parse(good[i], host, &port) == 0, "%s refused", good[i]);
        ck_assert_int_eq(probe_tcp_target_parse("[::1]:8332", host, &port), 0);
        ck_assert_str_eq(host, "::1");
        ck_assert_uint_eq(port, 8332);
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
                ck_assert_msg(probe_tcp_target_parse(bad[i], host, &port) == -EINVAL, "%s accepted", bad[i]);
}
END_TEST

START_TEST(test_urls_timeouts_statuses) {
        ck_assert(probe_url_valid("http://127.0.0.1:8081/"));
        ck_assert(probe_url_valid("https://[::1]:8443/api?x=1"));
        ck_assert(probe_url_valid("http://localhost"));
        ck_assert(!probe_url_valid("ftp://127.0.0.1/"));
        ck_assert(!probe_url_valid("http://u:p@127.0.0.1/"));
        ck_assert(!probe_url_valid("http://127.0.0.1:0/"));
        ck_assert(!probe_url_valid("http://127.0.0.1/a b"));
        ck_assert(!probe_url_valid("http:///"));
        unsigned ms;
        ck_assert_int_eq(probe_timeout_parse("2s", &ms), 0);
        ck_assert_uint_eq(ms, 2000);
        ck_assert_int_eq(probe_timeout_parse("500ms", &ms), 0);
        ck_assert_uint_eq(ms, 500);
        ck_assert_int_eq(probe_timeout_parse("10", &ms), 0);
        ck_assert_uint_eq(ms, 10000);
        static const char *const bad[] = {"0s", "11s", "10001ms", "2m", "", "s", "-1s", "1.5s", "2 s"};
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
                ck_assert_msg(probe_timeout_parse(bad[i], &ms) == -EINVAL, "%s accepted", bad[i]);
        struct probe any = {.kind = PROBE_HTTP}, one = {.kind = PROBE_HTTP, .expect = {401, 200}, .n_expect = 2};
        ck_assert(probe_status_expected(&any, 200) && probe_status_expected(&any, 302));
        ck_assert(!probe_status_expected(&any, 199) && !probe_status_expected(&any, 404));
        ck_assert(probe_status_expected(&one, 401) && !probe_status_expected(&one, 204));
}
END_TEST

static const char manifest_text[] = "version: 1\n"
                                    "apps:\n"
                                    "  web:\n"
                                    "    containers:\n"
                                    "      main: {image: docker.io/library/nginx:1}\n"
                                    "    probes:\n"
                                    "      - {name: port, tcp: \"127.0.0.1:8081\"}\n"
                                    "      - {name: ui, http: \"http://127.0.0.1:8081/\", expect: [200, 401], "
                                    "timeout: 500ms}\n";

START_TEST(test_parsed) {
        struct manifest *m = parse_expecting(manifest_text, "");
        const struct app *a = manifest_find_app(m, "web");
        ck_assert_uint_eq(a->n_probes, 2);
        ck_assert_str_eq(a->probes[0].name, "port");
        ck_assert_int_eq(a->probes[0].kind, PROBE_TCP);
        ck_assert_str_eq(a->probes[0].target, "127.0.0.1:8081");
        ck_assert_uint_eq(a->probes[0].timeout_ms, PROBE_TIMEOUT_DEFAULT_MS);
        ck_assert_uint_eq(a->probes[0].n_expect, 0);
        ck_assert_int_eq(a->probes[1].kind, PROBE_HTTP);
        ck_assert_uint_eq(a->probes[1].timeout_ms, 500);
        ck_assert_uint_eq(a->probes[1].n_expect, 2);
        ck_assert_uint_eq(a->probes[1].expect[1], 401);
        ck_assert(!a->skip);
        manifest_free(m);
}
END_TEST

static struct probe_outcome outcome(const char *app, const char *name, enum probe_kind kind, const char *target,
                                    bool ok, const char *detail) {
        return (struct probe_outcome){.app = (char *)app,
                                      .name = (char *)name,
                                      .kind = kind,
                                      .target = (char *)target,
                                      .ok = ok,
                                      .duration_ms = 12,
                                      .checked_at = 1795780800,
                                      .detail = (char *)detail};
}

START_TEST(test_record_round_trip) {
        struct probe_record r = {0}, back;
        struct probe_outcome a = outcome("node", "rpc", PROBE_TCP, "[::1]:8332", true, "connected"),
                             b = outcome("node", "ui", PROBE_HTTP, "http://127.0.0.1:8081/", false,
                                         "HTTP 503, expected 200 \"quoted\" \\ é");
        ck_assert_ptr_nonnull(probe_record_add(&r, &a));
        ck_assert_ptr_nonnull(probe_record_add(&r, &b));
        char *text = probe_record_render(&r), *why = NULL;
        ck_assert_ptr_nonnull(text);
        ck_assert_int_eq(probe_record_parse(text, strlen(text), &back, &why), 0);
        ck_assert_uint_eq(back.n, 2);
        const struct probe_outcome *o = probe_record_find(&back, "node", "ui");
        ck_assert_ptr_nonnull(o);
        ck_assert(!o->ok);
        ck_assert_int_eq(o->kind, PROBE_HTTP);
        ck_assert_str_eq(o->detail, b.detail);
        ck_assert_uint_eq(o->duration_ms, 12);
        ck_assert_int_eq(o->checked_at, 1795780800);
        char *again = probe_record_render(&back);
        assert_text_eq(again, text);
        free(again);
        free(text);
        probe_record_done(&back);
        probe_record_done(&r);
}
END_TEST

START_TEST(test_record_refused) {
#define ITEM(x) "{\"archy_probes\": 1, \"probes\": [" x "]}"
#define GOOD "\"app\": \"node\", \"name\": \"rpc\", \"kind\": \"tcp\", \"target\": \"127.0.0.1:1\", "
        static const struct {
                const char *text, *why;
        } cases[] = {
                {"", "not JSON"},
                {"{\"probes\": []}", "not a probe record (no \"archy_probes\": 1)"},
                {"{\"archy_probes\": 2, \"probes\": []}", "not a probe record (no \"archy_probes\": 1)"},
                {"{\"archy_probes\": 1, \"probes\": {}}", "\"probes\" is not a list"},
                {ITEM("3"), "result 1: not an object"},
                {ITEM("{" GOOD "\"ok\": \"true\", \"duration_ms\": 1, \"checked_at\": 1, \"detail\": \"\"}"),
                 "result 1: ok not true or false"},
                {ITEM("{" GOOD "\"ok\": true, \"duration_ms\": -1, \"checked_at\": 1, \"detail\": \"\"}"),
                 "result 1: duration_ms or checked_at missing or out of range"},
                {ITEM("{" GOOD "\"ok\": true, \"duration_ms\": 1, \"checked_at\": 1, \"detail\": \"a\\nb\"}"),
                 "result 1: detail missing, too long or with control characters"},
                {ITEM("{\"app\": \"node\", \"name\": \"rpc\", \"kind\": \"http\", \"target\": \"127.0.0.1:1\", "
                      "\"ok\": true, \"duration_ms\": 1, \"checked_at\": 1, \"detail\": \"\"}"),
                 "result 1: kind not tcp or http, or a target that is not one of its kind"},
                {ITEM("{\"app\": \"No\", \"name\": \"rpc\", \"kind\": \"tcp\", \"target\": \"127.0.0.1:1\", "
                      "\"ok\": true, \"duration_ms\": 1, \"checked_at\": 1, \"detail\": \"\"}"),
                 "result 1: app or name missing or not a name"},
                {ITEM("{" GOOD "\"ok\": true, \"duration_ms\": 1, \"checked_at\": 1, \"detail\": \"\"}, "
                      "{" GOOD "\"ok\": true, \"duration_ms\": 1, \"checked_at\": 1, \"detail\": \"\"}"),
                 "result 2: a probe recorded twice"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                struct probe_record r;
                char *why = NULL;
                ck_assert_msg(probe_record_parse(cases[i].text, strlen(cases[i].text), &r, &why) == -EINVAL,
                              "accepted: %s", cases[i].text);
                ck_assert_ptr_nonnull(why);
                ck_assert_str_eq(why, cases[i].why);
                ck_assert_uint_eq(r.n, 0);
                free(why);
        }
}
END_TEST

/* ---- the runner against real listeners ---- */

static int listen_loopback(unsigned *port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof sa;
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
        ck_assert_int_eq(listen(fd, 16), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
        *port = ntohs(sa.sin_port);
        return fd;
}

/* A port nothing listens on: bound, then closed. */
static unsigned closed_port(void) {
        unsigned port;
        close(listen_loopback(&port));
        return port;
}

struct server {
        int fd;
        int status; /* 0: accept and never answer */
};

static void *serve(void *arg) {
        struct server *sv = arg;
        int held[16], n_held = 0;
        for (;;) {
                int c = accept(sv->fd, NULL, NULL);
                if (c < 0)
                        break;
                char buf[1024], reply[128];
                ssize_t got = read(c, buf, sizeof buf);
                if (sv->status == 0 && got > 0 && n_held < 16) {
                        held[n_held++] = c; /* read, never answered, kept open */
                        continue;
                }
                int n = snprintf(reply, sizeof reply, "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                                 sv->status);
                if (got > 0)
                        ck_assert_int_eq(write(c, reply, (size_t)n), n);
                close(c);
        }
        while (n_held > 0)
                close(held[--n_held]);
        return NULL;
}

START_TEST(test_run_against_listeners) {
        unsigned ok_port, err_port, silent_port, refused = closed_port();
        struct server ok = {.fd = listen_loopback(&ok_port), .status = 200},
                      err = {.fd = listen_loopback(&err_port), .status = 500},
                      silent = {.fd = listen_loopback(&silent_port), .status = 0};
        pthread_t t[3];
        pthread_create(&t[0], NULL, serve, &ok);
        pthread_create(&t[1], NULL, serve, &err);
        pthread_create(&t[2], NULL, serve, &silent);
        char text[2048];
        snprintf(text, sizeof text,
                 "version: 1\napps:\n  web:\n    containers:\n      main: {image: docker.io/library/nginx:1}\n"
                 "    probes:\n"
                 "      - {name: port, tcp: \"127.0.0.1:%u\"}\n"
                 "      - {name: closed, tcp: \"127.0.0.1:%u\"}\n"
                 "      - {name: ui, http: \"http://127.0.0.1:%u/\"}\n"
                 "      - {name: err, http: \"http://127.0.0.1:%u/\", expect: 200}\n"
                 "      - {name: silent, http: \"http://127.0.0.1:%u/\", timeout: 1s}\n"
                 "      - {name: silent2, http: \"http://127.0.0.1:%u/x\", timeout: 1s}\n"
                 "      - {name: silent3, http: \"http://127.0.0.1:%u/y\", timeout: 1s}\n"
                 "      - {name: silent4, http: \"http://127.0.0.1:%u/z\", timeout: 1s}\n"
                 "  off:\n    state: stopped\n    containers:\n      main: {image: docker.io/library/nginx:1}\n"
                 "    probes:\n      - {name: port, tcp: \"127.0.0.1:%u\"}\n",
                 ok_port, refused, ok_port, err_port, silent_port, silent_port, silent_port, silent_port, refused);
        struct manifest *m = parse_expecting(text, "");
        char dir[] = "/tmp/archy-probes-XXXXXX", path[64];
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/sub/probes", dir);
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        struct probe_record r;
        ck_assert_int_eq(probes_run_app(m, NULL, path, &r), 6);
        clock_gettime(CLOCK_MONOTONIC, &b);
        /* four probes of 1 s each, at once: about 1 s, not 4 (valgrind's slower start included) */
        ck_assert_int_lt((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000, 3000);
        ck_assert_uint_eq(r.n, 8); /* the stopped app is not probed */
        const struct probe_outcome *o = probe_record_find(&r, "web", "port");
        ck_assert(o->ok);
        ck_assert_str_eq(o->detail, "connected");
        o = probe_record_find(&r, "web", "closed");
        ck_assert(!o->ok);
        ck_assert_str_eq(o->detail, "connection refused");
        o = probe_record_find(&r, "web", "ui");
        ck_assert(o->ok);
        ck_assert_str_eq(o->detail, "HTTP 200");
        o = probe_record_find(&r, "web", "err");
        ck_assert(!o->ok);
        ck_assert_str_eq(o->detail, "HTTP 500, expected 200");
        o = probe_record_find(&r, "web", "silent");
        ck_assert(!o->ok);
        ck_assert_msg(strstr(o->detail, "imed out") != NULL, "%s", o->detail);
        ck_assert_uint_ge(o->duration_ms, 900);
        /* the record holds the same */
        char *written = read_text_file(path), *again = probe_record_render(&r);
        ck_assert_ptr_nonnull(written);
        assert_text_eq(written, again);
        free(written);
        free(again);
        probe_record_done(&r);
        /* one app again: the other results of the record are kept only while they still stand */
        ck_assert_int_eq(probes_run_app(m, "off", path, &r), 0);
        ck_assert_uint_eq(r.n, 0);
        probe_record_done(&r);
        written = read_text_file(path);
        struct probe_record kept;
        ck_assert_int_eq(probe_record_parse(written, strlen(written), &kept, NULL), 0);
        ck_assert_uint_eq(kept.n, 8);
        probe_record_done(&kept);
        free(written);
        manifest_free(m);
        shutdown(ok.fd, SHUT_RDWR);
        shutdown(err.fd, SHUT_RDWR);
        shutdown(silent.fd, SHUT_RDWR);
        for (int i = 0; i < 3; i++)
                pthread_join(t[i], NULL);
        close(ok.fd);
        close(err.fd);
        close(silent.fd);
        snprintf(text, sizeof text, "rm -rf %s", dir);
        ck_assert_int_eq(system(text), 0);
}
END_TEST

Suite *probes_suite(void) {
        Suite *s = suite_create("probes");
        TCase *tc = tcase_create("probes");
        tcase_add_test(tc, test_tcp_targets);
        tcase_add_test(tc, test_urls_timeouts_statuses);
        tcase_add_test(tc, test_parsed);
        tcase_add_test(tc, test_record_round_trip);
        tcase_add_test(tc, test_record_refused);
        tcase_add_test(tc, test_run_against_listeners);
        suite_add_tcase(s, tc);
        return s;
}
