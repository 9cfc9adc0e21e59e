/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nginx.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "process.h"

extern char **environ;

int nginx_config_test(void) {
        const char *nginx = getenv("ARCHY_NGINX");
        if (!nginx || !*nginx) /* empty counts as unset, as for ARCHY_MANIFEST */
                nginx = "/usr/sbin/nginx";
        if (access(nginx, X_OK) < 0)
                return -errno;
        char *const argv[] = {(char *)nginx, (char *)"-t", (char *)"-q", NULL};
        int r = spawn_and_wait(nginx, argv, environ);
        return r < 0 ? r : r == 0 ? 0 : 1;
}
