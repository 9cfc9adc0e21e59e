/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/timer.c: run a command once and print "<wall ns> <peak RSS KB> <exit status> <CPU ns>".
 *
 * Usage: timer [-o FILE] COMMAND [ARG...]
 * COMMAND is an absolute path, run with this process's environment; its stdout and stderr go to
 * FILE (default /dev/null), opened before the clock starts. The clock (CLOCK_MONOTONIC) covers
 * posix_spawn() to the end of wait4(): exec, dynamic loading, the run and exit. Time /bin/true the
 * same way to see what that costs by itself. The peak RSS is the child's ru_maxrss from wait4(),
 * which also covers children it waited for; the CPU time is its user + system time from the same
 * rusage, which other load on the machine disturbs less than the wall time. bench/run.sh builds this statically so that
 * the timer's own small memory image stays below anything it measures. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char *argv[]) {
        const char *out = "/dev/null";
        int first = 1;
        if (argc > 2 && strcmp(argv[1], "-o") == 0) {
                out = argv[2];
                first = 3;
        }
        if (first >= argc) {
                fprintf(stderr, "usage: timer [-o FILE] COMMAND [ARG...]\n");
                return 2;
        }
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                fprintf(stderr, "timer: %s: %s\n", out, strerror(errno));
                return 2;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);

        struct timespec t0, t1;
        pid_t pid;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int r = posix_spawn(&pid, argv[first], &fa, NULL, argv + first, environ);
        if (r != 0) {
                fprintf(stderr, "timer: cannot run %s: %s\n", argv[first], strerror(r));
                return 127;
        }
        int status;
        struct rusage ru;
        while (wait4(pid, &status, 0, &ru) < 0)
                if (errno != EINTR) {
                        fprintf(stderr, "timer: wait4: %s\n", strerror(errno));
                        return 127;
                }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        long long cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                        (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
        printf("%lld %ld %d %lld\n", ns, ru.ru_maxrss, code, cpu);
        return 0;
}
