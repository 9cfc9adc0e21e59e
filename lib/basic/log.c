/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "journal-field.h"
#include "message-ids.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *log_ident = "archy";
static enum log_level log_max_level = LOG_LVL_INFO;
static int kmsg_fd = -1;
static int journal_fd = -1;
/* LOG_TARGET_STDERR: journald's socket, opened on the first structured message (-2: not tried). */
static int struct_fd = -2;

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
        if (struct_fd >= 0)
                close(struct_fd);
        journal_fd = kmsg_fd = -1;
        struct_fd = -2;
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

/* A field's value on one line: a stray newline is flattened so no field is forged. */
static void flatten(char *s) {
        for (char *p = s; (p = strchr(p, '\n')); p++)
                *p = ' ';
}

/* journald's native protocol: one datagram of KEY=value lines. Messages here are single lines
 * (diagnostics escape control characters). id and app: the structured fields, or NULL. */
static bool journal_send(int fd, enum log_level level, char *msg, const char *id, char *app) {
        char entry[2560];
        flatten(msg);
        if (app)
                flatten(app);
        int n = snprintf(entry, sizeof(entry),
                         "PRIORITY=%d\nSYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%d\n%s%s%s%s%s%sMESSAGE=%s\n", (int)level,
                         log_ident, (int)getpid(), id ? "MESSAGE_ID=" : "", id ? id : "", id ? "\n" : "",
                         app ? "ARCHY_APP=" : "", app ? app : "", app ? "\n" : "", msg);
        if (n < 0)
                return false;
        size_t len = (size_t)n < sizeof(entry) ? (size_t)n : sizeof(entry) - 1;
        return send(fd, entry, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len;
}

void log_set_max_level(enum log_level level) {
        log_max_level = level;
}

enum log_level log_get_max_level(void) {
        return log_max_level;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE when stdout or stderr is a journal stream (systemd.exec(5)). */
bool log_fd_is_journal(int fd) {
        const char *js = getenv("JOURNAL_STREAM");
        struct stat st;
        unsigned long dev, ino;
        return js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(fd, &st) == 0 && (unsigned long)st.st_dev == dev &&
               (unsigned long)st.st_ino == ino;
}

static bool stderr_is_journal(void) {
        static int cached = -1;
        if (cached < 0)
                cached = log_fd_is_journal(STDERR_FILENO);
        return cached;
}

static void log_emit(enum log_level level, char *msg) {
        if (journal_fd >= 0 && journal_send(journal_fd, level, msg, NULL, NULL))
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

/* journald reads the sender's /proc files right after it has taken the datagram: a moment more. */
static void drain_at_exit(void) {
        const struct timespec grace = {.tv_nsec = LOG_DRAIN_GRACE_MS * 1000L * 1000L};
        if (log_journal_drain(LOG_DRAIN_TIMEOUT_MS) == 0)
                (void)nanosleep(&grace, NULL);
}

/* The socket structured messages go to: the target's, or journald's opened on the first one. A
 * program that opened it waits at exit until journald has read what it sent (log_journal_drain). */
static int struct_socket(void) {
        if (journal_fd >= 0)
                return journal_fd;
        if (struct_fd == -2) {
                struct_fd = journal_connect(LOG_JOURNAL_SOCKET);
                if (struct_fd >= 0)
                        (void)atexit(drain_at_exit);
        }
        return struct_fd;
}

/* An AF_UNIX datagram stays charged to its sender's socket until the receiver has read it: the
 * bytes SIOCOUTQ reports are those journald has not taken yet (unix(7)). journald reads the
 * sender's cgroup, and so its unit, from /proc when it takes a datagram: a sender already gone
 * leaves an entry without _SYSTEMD_UNIT, which journalctl -u does not show. */
int log_journal_drain(unsigned timeout_ms) {
        int fd = journal_fd >= 0 ? journal_fd : struct_fd;
        if (fd < 0)
                return 0;
        const struct timespec tick = {.tv_nsec = 1000L * 1000L};
        for (unsigned waited = 0;; waited++) {
                int pending = 0;
                if (ioctl(fd, SIOCOUTQ, &pending) < 0)
                        return -errno;
                if (pending == 0)
                        return 0;
                if (waited >= timeout_ms)
                        return -ETIMEDOUT;
                (void)nanosleep(&tick, NULL);
        }
}

bool log_journal_fields(enum log_level level, const char *message_id, const struct journal_field *fields,
                        size_t n_fields, const char *fmt, ...) {
        if (level > log_max_level)
                return false;
        int saved_errno = errno;
        _cleanup_strbuf_ struct strbuf entry = STRBUF_INIT;
        strbuf_printf(&entry, "PRIORITY=%d\nSYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%d\n", (int)level, log_ident,
                      (int)getpid());
        if (message_id)
                (void)journal_field_add(&entry, "MESSAGE_ID", message_id, strlen(message_id));
        for (size_t i = 0; i < n_fields; i++) {
                const char *value = fields[i].value ? fields[i].value : "";
                (void)journal_field_add(&entry, fields[i].key, value, strlen(value));
        }
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n >= 0)
                (void)journal_field_add(&entry, "MESSAGE", msg, (size_t)n);
        free(msg);
        int fd = struct_socket();
        bool sent = n >= 0 && !strbuf_failed(&entry) && fd >= 0 &&
                    send(fd, entry.data, entry.len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)entry.len;
        errno = saved_errno;
        return sent;
}

/* A structured message reaches journald by its socket whatever the target: an operator filters on
 * its MESSAGE_ID even when archyctl ran on a terminal. Where the text would go elsewhere than the
 * journal (stderr a terminal or a pipe), it is printed there as well, without the id: a person
 * reads the text, a program asks the journal. kmsg ends in the journal: not twice. */
static void log_emit_struct(enum log_level level, char *msg, const char *id, char *app) {
        int fd = struct_socket();
        bool sent = fd >= 0 && journal_send(fd, level, msg, id, app);
        if (!sent || (journal_fd < 0 && kmsg_fd < 0 && !stderr_is_journal()))
                log_emit(level, msg);
}

static void format_field(char *buf, size_t size, const char *app) {
        snprintf(buf, size, "%s", app);
}

bool log_journal_record(enum log_level level, const char *message_id, const char *app, const char *fmt, ...) {
        if (level > log_max_level)
                return false;
        int saved_errno = errno;
        char msg[2048], field[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (app)
                format_field(field, sizeof(field), app);
        int fd = struct_socket();
        bool sent = fd >= 0 && journal_send(fd, level, msg, message_id, app ? field : NULL);
        errno = saved_errno;
        return sent;
}

int log_struct_errno(enum log_level level, int err, const char *message_id, const char *app, const char *fmt, ...) {
        int saved_errno = errno;
        int ret = err == 0 ? 0 : -abs(err);

        if (level > log_max_level)
                return ret;

        char msg[2048], field[256];
        va_list ap;
        va_start(ap, fmt);
        errno = abs(err);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (app)
                format_field(field, sizeof(field), app);
        log_emit_struct(level, msg, message_id, app ? field : NULL);
        errno = saved_errno;
        return ret;
}

const char *log_no_space_id(int err) {
        return err == -ENOSPC || err == ENOSPC || err == -EDQUOT || err == EDQUOT ? ARCHY_MID_NO_SPACE : NULL;
}
