/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *log_ident = "archy";
static enum log_level log_max_level = LOG_LVL_INFO;
static int kmsg_fd = -1;

void log_setup(const char *ident, enum log_target target) {
        log_ident = ident;
        if (target == LOG_TARGET_KMSG && kmsg_fd < 0)
                kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        /* Without /dev/kmsg (containers, chroots) stderr is all there is. */
}

void log_set_max_level(enum log_level level) {
        log_max_level = level;
}

enum log_level log_get_max_level(void) {
        return log_max_level;
}

int log_full_errno(enum log_level level, int err, const char *fmt, ...) {
        int saved_errno = errno;
        int ret = err == 0 ? 0 : -abs(err);

        if (level > log_max_level)
                return ret;

        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        errno = abs(err); /* let %m in fmt name the error being reported */
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (kmsg_fd >= 0)
                dprintf(kmsg_fd, "<%d>%s[%d]: %s\n", level, log_ident, (int)getpid(), msg);
        else
                fprintf(stderr, "%s: %s\n", log_ident, msg);

        errno = saved_errno;
        return ret;
}
