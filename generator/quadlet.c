/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "generate.h"
#include "log.h"
#include "process.h"

extern char **environ;

/* The child's environment: ours, with QUADLET_UNIT_DIRS pointing at the staging dir only, so
 * Quadlet sees exactly our files and the stock podman generator's dirs are left to it. */
static char **quadlet_environment(const char *staging) {
        size_t n = 0;
        while (environ[n])
                n++;
        char **env = calloc(n + 2, sizeof(*env));
        if (!env)
                return NULL;
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
                if (strncmp(environ[i], "QUADLET_UNIT_DIRS=", 18) != 0)
                        env[o++] = environ[i];
        if (asprintf(&env[o], "QUADLET_UNIT_DIRS=%s", staging) < 0) {
                free(env);
                return NULL;
        }
        return env;
}

int run_quadlet(const char *quadlet, const char *staging, char *const outdirs[3], bool user, bool log_to_stderr) {
        if (access(quadlet, X_OK) < 0)
                return -errno;
        char **env = quadlet_environment(staging);
        if (!env)
                return -ENOMEM;
        size_t n_env = 0;
        while (env[n_env])
                n_env++;

        char *argv[7];
        size_t argc = 0;
        argv[argc++] = (char *)quadlet;
        if (user)
                argv[argc++] = (char *)"-user";
        if (log_to_stderr)
                argv[argc++] = (char *)"-no-kmsg-log";
        for (size_t i = 0; i < 3; i++)
                argv[argc++] = outdirs[i];
        argv[argc] = NULL;

        int r = spawn_and_wait(quadlet, argv, env);
        free(env[n_env - 1]);
        free(env);
        return r;
}
