/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "podman.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "node-user.h"

extern char **environ;

/* As the apps user: setpriv --reuid=UID --regid=GID --init-groups -- env -C / PODMAN ARGS...: in
 * /, since the caller's directory (root's home) is not the user's to enter. */
#define AS_USER_PREFIX 8

int podman_run(const struct podman *p, const char *const *args, struct spawn_result *ret) {
        const char *argv[16 + AS_USER_PREFIX] = {"podman"};
        size_t n = 0;
        if (p->as_user) {
                const char *prefix[AS_USER_PREFIX] = {SETPRIV_PATH,
                                                      p->as_user->uid_arg,
                                                      p->as_user->gid_arg,
                                                      "--init-groups",
                                                      "--",
                                                      "/usr/bin/env",
                                                      "-C",
                                                      "/"};
                for (; n < AS_USER_PREFIX; n++)
                        argv[n] = prefix[n];
        }
        size_t first = n;
        argv[n++] = p->as_user ? p->path : "podman";
        for (; args[n - first - 1] && n < ELEMENTSOF(argv) - 1; n++)
                argv[n] = args[n - first - 1];
        argv[n] = NULL;
        char *const *envp = p->as_user ? (char *const *)p->as_user->envp : environ;
        int r = spawn_capture(p->as_user ? SETPRIV_PATH : p->path, (char *const *)argv, envp, p->timeout_ms, ret);
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
        _cleanup_strv_ char **v = calloc(1, sizeof(char *));
        size_t n = 0;
        if (!v)
                return -ENOMEM;
        for (const char *s = text; *s;) {
                size_t len = strcspn(s, "\n");
                if (len > 0 && strv_push(&v, &n, strndup(s, len)) < 0)
                        return -ENOMEM;
                s += len + (s[len] == '\n');
        }
        *ret = TAKE_PTR(v);
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
