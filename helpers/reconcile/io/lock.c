/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "reconcile-io.h"

/* archyctl apply's lock (ctl/io/apply-state.c: DIR/lock, flock'ed exclusively): while an apply
 * holds it, the desired state is changing under us. It is waited for a little, since the apply
 * starts this service as its last step and lets go of the lock right after. */
#define LOCK_WAIT_MS 10000
#define LOCK_POLL_MS 100

/* Not root (the apps user of a rootless node, in its manager): the lock is root's, opened read-only
 * (flock needs no write access; no pid record then). Where no apply ever ran, there is no lock to
 * take and none this user may create: -ENOENT, not logged. */
static int open_lock(const char *dir, const char *path, bool *ret_rdonly) {
        *ret_rdonly = false;
        bool root = geteuid() == 0;
        int r = mkdir_p(dir, 0755);
        if (r < 0 && !root && (r == -EACCES || r == -EPERM || r == -EROFS))
                return -ENOENT;
        if (r < 0)
                return log_error_errno(r, "cannot create %s: %m", dir);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 && !root && (errno == EACCES || errno == EPERM)) {
                *ret_rdonly = true;
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 && errno == ENOENT)
                        return -ENOENT;
        }
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s: %m", path);
        return fd;
}

int reconcile_lock(const char *dir) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/lock", dir) >= (int)sizeof path)
                return log_error_errno(-ENAMETOOLONG, "%s: path too long", dir);
        bool rdonly;
        int r, fd = open_lock(dir, path, &rdonly);
        if (fd < 0)
                return fd;
        for (long waited = 0;; waited += LOCK_POLL_MS) {
                if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                        if (rdonly)
                                return fd;
                        /* the holder's pid, which a waiting archyctl apply names */
                        char pid[32];
                        int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
                        /* over the old record, then cut what a longer one leaves: on a full disk the old record
                         * stays whole instead of being truncated to nothing */
                        ssize_t n = pwrite(fd, pid, (size_t)len, 0);
                        if (n == len && ftruncate(fd, len) < 0)
                                n = -1;
                        if (n != len) /* only a record for whoever waits: the lock holds without it */
                                log_warning_errno(n < 0 ? -errno : -EIO, "cannot write the pid into %s: %m", path);
                        return fd;
                }
                if (errno != EWOULDBLOCK && errno != EINTR) {
                        r = -errno;
                        close(fd);
                        return log_error_errno(r, "cannot lock %s: %m", path);
                }
                if (waited >= LOCK_WAIT_MS)
                        break;
                nanosleep(&(struct timespec){.tv_nsec = LOCK_POLL_MS * 1000000L}, NULL);
        }
        close(fd);
        return -EBUSY;
}

bool reconcile_apply_pending(const char *dir) {
        char path[4096];
        return snprintf(path, sizeof path, "%s/journal", dir) < (int)sizeof path && access(path, F_OK) == 0;
}
