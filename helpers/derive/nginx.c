/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nginx.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int nginx_config_test(void) {
        const char *nginx = getenv("ARCHY_NGINX") ?: "/usr/sbin/nginx";
        if (access(nginx, X_OK) < 0)
                return -errno;
        char *const argv[] = {(char *)nginx, (char *)"-t", (char *)"-q", NULL};
        pid_t pid;
        int r = posix_spawn(&pid, nginx, NULL, NULL, argv, environ);
        if (r != 0)
                return -r;
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
