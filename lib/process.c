/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "process.h"

#include <errno.h>
#include <spawn.h>
#include <sys/wait.h>

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
