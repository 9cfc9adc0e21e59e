/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live probes of the started apps, all at once, and their record (probe-run.h). */
#include "probe-run.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "http-get.h"
#include "log.h"
#include "macro.h"
#include "values-probe.h"

#define RECORD_FILE_MAX ((size_t)1024 * 1024)

const char *probes_record_path(void) {
        const char *v = getenv("ARCHY_PROBES_FILE");
        return v && *v ? v : PROBES_RECORD_PATH;
}

struct job {
        const struct app *app;
        const struct probe *probe;
        pthread_t thread;
        bool started;
        bool ok;
        unsigned duration_ms;
        char detail[PROBE_DETAIL_MAX];
};

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* strerror() with a lower-case first letter: "connection refused". */
static void describe_errno(char *buf, size_t size, int err) {
        snprintf(buf, size, "%s", strerror(err));
        if (buf[0] >= 'A' && buf[0] <= 'Z')
                buf[0] = (char)(buf[0] - 'A' + 'a');
}

/* One address: 1 connected, 0 failed (detail set), -ETIMEDOUT when the deadline passed. */
static int connect_one(const struct addrinfo *ai, long long deadline, char *detail, size_t size) {
        _cleanup_close_ int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
                describe_errno(detail, size, errno);
                return 0;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
                return 1;
        if (errno != EINPROGRESS) {
                describe_errno(detail, size, errno);
                return 0;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        for (;;) {
                long long left = deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                int k = poll(&p, 1, (int)left);
                if (k > 0)
                        break;
                if (k < 0 && errno != EINTR) {
                        describe_errno(detail, size, errno);
                        return 0;
                }
        }
        int err = 0;
        socklen_t len = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                err = errno;
        if (err == 0)
                return 1;
        describe_errno(detail, size, err);
        return 0;
}

static void run_tcp(struct job *j, long long deadline) {
        char host[PROBE_HOST_MAX], service[8];
        unsigned port;
        if (probe_tcp_target_parse(j->probe->target, host, &port) < 0) {
                snprintf(j->detail, sizeof(j->detail), "not a HOST:PORT target");
                return;
        }
        snprintf(service, sizeof(service), "%u", port);
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res = NULL;
        int k = getaddrinfo(host, service, &hints, &res);
        if (k != 0) {
                snprintf(j->detail, sizeof(j->detail), "cannot resolve %s: %s", host, gai_strerror(k));
                return;
        }
        snprintf(j->detail, sizeof(j->detail), "no address for %s", host);
        for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                k = connect_one(ai, deadline, j->detail, sizeof(j->detail));
                if (k == -ETIMEDOUT) {
                        snprintf(j->detail, sizeof(j->detail), "no connection within %u ms", j->probe->timeout_ms);
                        break;
                }
                if (k > 0) {
                        j->ok = true;
                        snprintf(j->detail, sizeof(j->detail), "connected");
                        break;
                }
        }
        freeaddrinfo(res);
}

static void describe_expected(const struct probe *p, char *buf, size_t size) {
        if (p->n_expect == 0) {
                snprintf(buf, size, "2xx or 3xx");
                return;
        }
        size_t at = (size_t)snprintf(buf, size, "%s", p->n_expect > 1 ? "one of " : "");
        for (size_t i = 0; i < p->n_expect && at < size; i++)
                at += (size_t)snprintf(buf + at, size - at, "%s%u", i ? ", " : "", p->expect[i]);
}

static void run_http(struct job *j) {
        struct http_get_result res;
        long t = (long)j->probe->timeout_ms;
        if (http_get(j->probe->target, t, t, &res) < 0) {
                snprintf(j->detail, sizeof(j->detail), "%s", res.error);
                return;
        }
        j->ok = probe_status_expected(j->probe, res.status);
        char expected[64];
        describe_expected(j->probe, expected, sizeof(expected));
        if (j->ok)
                snprintf(j->detail, sizeof(j->detail), "HTTP %ld", res.status);
        else
                snprintf(j->detail, sizeof(j->detail), "HTTP %ld, expected %s", res.status, expected);
}

static void *run_job(void *arg) {
        struct job *j = arg;
        long long start = now_ms();
        if (j->probe->kind == PROBE_TCP)
                run_tcp(j, start + j->probe->timeout_ms);
        else
                run_http(j);
        j->duration_ms = (unsigned)(now_ms() - start);
        return NULL;
}

static bool wanted(const struct app *a, const char *only) {
        return a->state == APP_STATE_STARTED && !a->skip && (!only || strcmp(a->name, only) == 0);
}

/* Every probe of the wanted apps, run at once; *ret_n jobs in *ret (free()). */
static int run_all(const struct manifest *m, const char *only, struct job **ret, size_t *ret_n) {
        size_t n = 0;
        for (size_t i = 0; i < m->n_apps; i++)
                if (wanted(&m->apps[i], only))
                        n += m->apps[i].n_probes;
        struct job *jobs = calloc_items(n, sizeof(*jobs));
        if (!jobs)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < m->n_apps; i++)
                for (size_t p = 0; wanted(&m->apps[i], only) && p < m->apps[i].n_probes; p++)
                        jobs[k++] = (struct job){.app = &m->apps[i], .probe = &m->apps[i].probes[p]};
        bool curl = n > 0 && curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
        for (size_t i = 0; i < n; i++)
                jobs[i].started = pthread_create(&jobs[i].thread, NULL, run_job, &jobs[i]) == 0;
        for (size_t i = 0; i < n; i++) {
                if (jobs[i].started)
                        pthread_join(jobs[i].thread, NULL);
                else
                        run_job(&jobs[i]); /* no thread to be had: in turn */
        }
        if (curl)
                curl_global_cleanup();
        *ret = jobs;
        *ret_n = n;
        return 0;
}

/* Whether an earlier result still stands for a probe of m that this run did not do. */
static bool still_stands(const struct manifest *m, const char *only, const struct probe_outcome *o) {
        const struct app *a = manifest_find_app(m, o->app);
        if (!a || wanted(a, only) || a->state != APP_STATE_STARTED || a->skip)
                return false;
        for (size_t i = 0; i < a->n_probes; i++)
                if (strcmp(a->probes[i].name, o->name) == 0)
                        return a->probes[i].kind == o->kind && strcmp(a->probes[i].target, o->target) == 0;
        return false;
}

static void keep_earlier(const struct manifest *m, const char *only, const char *path, struct probe_record *out) {
        _cleanup_free_ char *text = NULL, *why = NULL;
        size_t len = 0;
        mode_t type;
        struct probe_record old = {0};
        if (!only || read_regular_file(path, RECORD_FILE_MAX, true, &text, &len, &type) < 0)
                return;
        if (probe_record_parse(text, len, &old, &why) == -EINVAL)
                log_warning("%s: %s: the earlier probe results are dropped", path, why ? why : "unreadable");
        for (size_t i = 0; i < old.n; i++)
                if (still_stands(m, only, &old.items[i]))
                        (void)probe_record_add(out, &old.items[i]);
        probe_record_done(&old);
}

static int write_record(const char *path, const struct probe_record *r) {
        _cleanup_free_ char *text = probe_record_render(r);
        if (!text)
                return log_error_errno(-ENOMEM, "probes: out of memory");
        const char *slash = strrchr(path, '/');
        if (slash && slash != path) {
                _cleanup_free_ char *dir = strndup(path, (size_t)(slash - path));
                if (!dir)
                        return log_error_errno(-ENOMEM, "probes: out of memory");
                (void)mkdir_p(dir, 0755);
        }
        int k = write_file_atomic(path, text, strlen(text), 0644);
        if (k < 0)
                return log_error_errno(k, "probes: cannot write the results to %s: %m", path);
        return 0;
}

int probes_run_app(const struct manifest *m, const char *app, const char *path, struct probe_record *ret) {
        *ret = (struct probe_record){0};
        _cleanup_free_ struct job *jobs = NULL;
        size_t n = 0;
        struct probe_record all = {0};
        long long at = (long long)time(NULL);
        int k = run_all(m, app, &jobs, &n);
        if (k < 0)
                return log_error_errno(k, "probes: out of memory");
        int failed = 0;
        for (size_t i = 0; i < n; i++) {
                const struct job *j = &jobs[i];
                struct probe_outcome o = {.app = (char *)j->app->name,
                                          .name = (char *)j->probe->name,
                                          .kind = j->probe->kind,
                                          .target = (char *)j->probe->target,
                                          .ok = j->ok,
                                          .duration_ms = j->duration_ms,
                                          .checked_at = at,
                                          .detail = (char *)j->detail};
                failed += !j->ok;
                if (!probe_record_add(ret, &o) || !probe_record_add(&all, &o))
                        k = -ENOMEM;
        }
        keep_earlier(m, app, path, &all);
        if (k == 0)
                k = write_record(path, &all);
        else
                log_error_errno(k, "probes: out of memory");
        probe_record_done(&all);
        return k < 0 ? k : failed;
}

int probes_run_and_record(const struct manifest *m, const char *path) {
        struct probe_record r;
        int k = probes_run_app(m, NULL, path, &r);
        probe_record_done(&r);
        return k;
}
