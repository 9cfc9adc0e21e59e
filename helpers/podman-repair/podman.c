/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "podman.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"

extern char **environ;

void strv_free(char **v) {
        for (char **s = v; s && *s; s++)
                free(*s);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

int strv_contains(char *const *v, const char *s) {
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return 1;
        return 0;
}

int podman_run(const struct podman *p, const char *const *args, struct spawn_result *ret) {
        const char *argv[16] = {"podman"};
        size_t n = 1;
        for (; args[n - 1] && n < ELEMENTSOF(argv) - 1; n++)
                argv[n] = args[n - 1];
        argv[n] = NULL;
        int r = spawn_capture(p->path, (char *const *)argv, environ, p->timeout_ms, ret);
        if (r < 0)
                return r;
        log_debug("podman %s: %s %d after %ld ms", args[0],
                  ret->end == SPAWN_TIMED_OUT  ? "timed out"
                  : ret->end == SPAWN_SIGNALED ? "signal"
                                               : "exit",
                  ret->status, ret->elapsed_ms);
        return 0;
}

void podman_probe(const struct podman *p, struct spawn_result *res, struct podman_probe *probe) {
        static const char *const args[] = {"info", "--format", "json", NULL};
        int r = podman_run(p, args, res);
        *probe = (struct podman_probe){0};
        if (r < 0) {
                probe->end = r == -ENOENT || r == -ENOTDIR ? PROBE_NOT_FOUND : PROBE_SPAWN_FAILED;
                probe->exit_status = -r;
                return;
        }
        probe->end = res->end == SPAWN_TIMED_OUT  ? PROBE_TIMED_OUT
                     : res->end == SPAWN_SIGNALED ? PROBE_SIGNALED
                                                  : PROBE_EXITED;
        probe->exit_status = res->end == SPAWN_EXITED ? res->status : 0;
        probe->signal = res->end == SPAWN_SIGNALED ? res->status : 0;
        probe->out = res->out;
        probe->err = res->err;
}

static int split_lines(const char *text, char ***ret) {
        size_t n = 0, cap = 8;
        char **v = calloc(cap, sizeof(char *));
        bool oom = !v;
        for (const char *s = text; !oom && *s;) {
                size_t len = strcspn(s, "\n");
                if (len > 0 && n + 2 > cap) {
                        char **bigger = reallocarray(v, cap * 2, sizeof(char *));
                        oom = !bigger;
                        v = bigger ? bigger : v;
                        cap *= 2;
                }
                if (!oom && len > 0) {
                        oom = !(v[n] = strndup(s, len));
                        v[oom ? n : ++n] = NULL;
                }
                s += len + (s[len] == '\n');
        }
        if (oom) {
                strv_free(v);
                return -ENOMEM;
        }
        *ret = v;
        return 0;
}

int podman_lines(const struct podman *p, const char *const *args, char ***ret) {
        struct spawn_result res;
        int r = podman_run(p, args, &res);
        if (r < 0)
                return log_error_errno(r, "cannot run %s: %m", p->path);
        if (res.end != SPAWN_EXITED || res.status != 0) {
                log_error("podman %s %s failed: %.*s", args[0], args[1] ? args[1] : "", (int)strcspn(res.err, "\n"),
                          res.err);
                spawn_result_done(&res);
                return -EIO;
        }
        r = split_lines(res.out, ret);
        spawn_result_done(&res);
        return r;
}
