/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "clock.h"
#include "strbuf.h"

int spawn_and_wait(const char *path, char *const argv[], char *const envp[]) {
        pid_t pid;
        int r = posix_spawn(&pid, path, NULL, NULL, argv, envp);
        if (r != 0)
                return -r;
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void spawn_result_done(struct spawn_result *r) {
        free(r->out);
        free(r->err);
        r->out = r->err = NULL;
}

/* SIGKILL everything below pid, deepest first: /proc/PID/task/TID/children lists the children of
 * each thread, and a child killed before its own children would hand them to us mid-walk. */
static void kill_descendants(pid_t pid, int depth) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
        DIR *tasks = depth < 32 ? opendir(path) : NULL;
        if (!tasks)
                return;
        for (struct dirent *t; (t = readdir(tasks));) {
                if (t->d_name[0] == '.')
                        continue;
                char children_path[320];
                snprintf(children_path, sizeof(children_path), "/proc/%d/task/%s/children", (int)pid, t->d_name);
                _cleanup_fclose_ FILE *f = fopen(children_path, "re");
                for (int child; f && fscanf(f, "%d", &child) == 1;) {
                        kill_descendants(child, depth + 1);
                        (void)kill(child, SIGKILL);
                }
        }
        closedir(tasks);
}

/* After a timeout: the child's tree and group, then whatever escaped both and was reparented to
 * us (we are a subreaper), until nothing is left to reap. */
static void kill_and_reap_all(pid_t pid) {
        kill_descendants(pid, 0);
        (void)kill(-pid, SIGKILL);
        (void)kill(pid, SIGKILL);
        for (int round = 0; round < 200; round++) {
                kill_descendants(getpid(), 0);
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
                        return;
                struct timespec pause = {0, 10L * 1000 * 1000};
                nanosleep(&pause, NULL);
        }
}

static int start(const char *path, char *const argv[], char *const envp[], int out_fd, int err_fd, pid_t *pid) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
        /* Its own process group, so that a timeout can kill everything it started at once. */
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        int r = posix_spawn(pid, path, &fa, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return -r;
}

struct stream {
        int fd;
        struct strbuf buf;
};

/* Read what is there; returns false at end of file. */
static bool drain(struct stream *s) {
        char chunk[8192];
        ssize_t n = read(s->fd, chunk, sizeof(chunk));
        if (n < 0)
                return errno == EINTR || errno == EAGAIN;
        if (n == 0)
                return false;
        if (s->buf.len < SPAWN_CAPTURE_MAX)
                strbuf_add(&s->buf, chunk, (size_t)n);
        return true;
}

/* Collect both streams until they close (all writers gone) or the deadline passes. */
static bool collect(struct stream st[2], long long deadline) {
        struct pollfd p[2] = {{.fd = st[0].fd, .events = POLLIN}, {.fd = st[1].fd, .events = POLLIN}};
        while (p[0].fd >= 0 || p[1].fd >= 0) {
                long long left = deadline - now_monotonic_ms();
                if (left <= 0)
                        return false;
                int n = poll(p, 2, (int)(left > 1000 ? 1000 : left));
                if (n < 0 && errno != EINTR)
                        return false;
                for (int i = 0; n > 0 && i < 2; i++)
                        if (p[i].fd >= 0 && p[i].revents && !drain(&st[i]))
                                p[i].fd = -1;
        }
        return true;
}

/* The child has closed its output; it may still be running (a daemon that kept no copy). */
static bool wait_until(pid_t pid, long long deadline, int *status) {
        for (;;) {
                pid_t r = waitpid(pid, status, WNOHANG);
                if (r == pid)
                        return true;
                if (r < 0 && errno != EINTR)
                        return false;
                if (now_monotonic_ms() >= deadline)
                        return false;
                struct timespec pause = {0, 5L * 1000 * 1000};
                nanosleep(&pause, NULL);
        }
}

int spawn_capture(const char *path, char *const argv[], char *const envp[], long timeout_ms, struct spawn_result *ret) {
        *ret = (struct spawn_result){0};
        /* posix_spawn() reports a failed exec only where libc can (not under valgrind, nor with a
         * fork-based libc): there the child would just exit 127. */
        if (access(path, X_OK) < 0)
                return -errno;
        int out[2], err[2];
        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(err, O_CLOEXEC) < 0) {
                int e = -errno;
                close(out[0]);
                close(out[1]);
                return e;
        }
        (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        long long started = now_monotonic_ms();
        pid_t pid;
        int r = start(path, argv, envp, out[1], err[1], &pid);
        close(out[1]);
        close(err[1]);
        struct stream st[2] = {{.fd = out[0]}, {.fd = err[0]}};
        int status = 0;
        bool finished = r == 0 && collect(st, started + timeout_ms) && wait_until(pid, started + timeout_ms, &status);
        if (r == 0 && !finished)
                kill_and_reap_all(pid);
        close(out[0]);
        close(err[0]);
        if (r < 0) {
                strbuf_free(&st[0].buf);
                strbuf_free(&st[1].buf);
                return r;
        }
        ret->elapsed_ms = now_monotonic_ms() - started;
        ret->end = !finished ? SPAWN_TIMED_OUT : WIFEXITED(status) ? SPAWN_EXITED : SPAWN_SIGNALED;
        ret->status = !finished ? 0 : WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
        ret->out = strbuf_steal(&st[0].buf);
        ret->err = strbuf_steal(&st[1].buf);
        if (!ret->out || !ret->err) {
                spawn_result_done(ret);
                return -ENOMEM;
        }
        return 0;
}
