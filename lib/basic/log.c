/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *log_ident = "archy";
static enum log_level log_max_level = LOG_LVL_INFO;
static int kmsg_fd = -1;
static int journal_fd = -1;

static int journal_connect(const char *path) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        /* Non-blocking: during daemon-reload PID 1 waits for us, and journald may wait for PID 1.
         * A full socket buffer must drop to kmsg, never block. */
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

void log_close(void) {
        if (journal_fd >= 0)
                close(journal_fd);
        if (kmsg_fd >= 0)
                close(kmsg_fd);
        journal_fd = kmsg_fd = -1;
}

int log_setup_system(const char *ident, const char *journal_socket) {
        log_close();
        log_ident = ident;
        int fd = journal_connect(journal_socket);
        if (fd >= 0) {
                journal_fd = fd;
                return 0;
        }
        kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        return fd;
}

void log_setup(const char *ident, enum log_target target) {
        if (target == LOG_TARGET_SYSTEM)
                (void)log_setup_system(ident, LOG_JOURNAL_SOCKET);
        else
                log_ident = ident;
}

/* journald's native protocol: one datagram of KEY=value lines. Messages here are single lines
 * (diagnostics escape control characters); a stray newline is flattened so no field is forged. */
static bool journal_send(enum log_level level, char *msg) {
        char entry[2304];
        for (char *p = msg; (p = strchr(p, '\n')); p++)
                *p = ' ';
        int n = snprintf(entry, sizeof(entry), "PRIORITY=%d\nSYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%d\nMESSAGE=%s\n",
                         (int)level, log_ident, (int)getpid(), msg);
        if (n < 0)
                return false;
        size_t len = (size_t)n < sizeof(entry) ? (size_t)n : sizeof(entry) - 1;
        return send(journal_fd, entry, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len;
}

void log_set_max_level(enum log_level level) {
        log_max_level = level;
}

enum log_level log_get_max_level(void) {
        return log_max_level;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE when stderr is a journal stream (systemd.exec(5)). */
static bool stderr_is_journal(void) {
        static int cached = -1;
        if (cached < 0) {
                const char *js = getenv("JOURNAL_STREAM");
                struct stat st;
                unsigned long dev, ino;
                cached = js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                         (unsigned long)st.st_dev == dev && (unsigned long)st.st_ino == ino;
        }
        return cached;
}

static void log_emit(enum log_level level, char *msg) {
        if (journal_fd >= 0 && journal_send(level, msg))
                return;
        /* journald did not take it (buffer full, gone): kmsg still keeps it with the boot. */
        if (journal_fd >= 0 && kmsg_fd < 0)
                kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (kmsg_fd >= 0)
                dprintf(kmsg_fd, "<%d>%s[%d]: %s\n", level, log_ident, (int)getpid(), msg);
        else if (stderr_is_journal())
                fprintf(stderr, "<%d>%s\n", level, msg); /* journald reads the priority from the prefix */
        else
                fprintf(stderr, "%s: %s\n", log_ident, msg);
}

int log_full_errno(enum log_level level, int err, const char *fmt, ...) {
        int saved_errno = errno;
        int ret = err == 0 ? 0 : -abs(err);

        if (level > log_max_level)
                return ret;

        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        /* let %m in fmt name the error being reported; without one (log_warning("...: %m")), the
         * caller's errno, never "Success" */
        errno = err != 0 ? abs(err) : saved_errno;
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_emit(level, msg);
        errno = saved_errno;
        return ret;
}
