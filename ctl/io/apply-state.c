/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"

#define JOURNAL_MAX 4096
#define COPY_MAX ((size_t)16 << 20)

static char *path_in(const char *dir, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* The pid holding the lock, from the lock file (written by the holder), or 0. */
static long lock_holder(int fd) {
        char buf[32] = {0};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        return n > 0 ? strtol(buf, NULL, 10) : 0;
}

/* The directory and the lock are readable by all: a rootless node's archy-reconcile runs as the
 * apps user and takes the lock through a read-only descriptor (archy-reconcile(8), ROOTLESS NODE);
 * the journal and the copies stay 0600. A directory an older archyctl made 0700 is opened up. */
int apply_lock(const char *state_dir) {
        int r = mkdir_p(state_dir, 0755);
        if (r < 0)
                return log_error_errno(r, "cannot create %s: %m", state_dir);
        struct stat st;
        if (geteuid() == 0 && stat(state_dir, &st) == 0 && st.st_uid == 0 && (st.st_mode & 0777) == 0700 &&
            chmod(state_dir, 0755) < 0)
                log_warning_errno(-errno, "cannot make %s readable: %m", state_dir);
        _cleanup_free_ char *path = path_in(state_dir, "lock");
        if (!path)
                return log_error_errno(-ENOMEM, "out of memory");
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s: %m", path);
        if (fchmod(fd, 0644) < 0)
                log_warning_errno(-errno, "cannot make %s readable: %m", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                fprintf(stderr, "archyctl apply: waiting for another apply (pid %ld)\n", lock_holder(fd));
                while (flock(fd, LOCK_EX) < 0)
                        if (errno != EINTR) {
                                r = -errno;
                                close(fd);
                                return log_error_errno(r, "cannot lock %s: %m", path);
                        }
        }
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

int apply_read_copy(const char *state_dir, const char *name, char **ret, size_t *ret_len) {
        _cleanup_free_ char *path = path_in(state_dir, name);
        if (!path)
                return -ENOMEM;
        mode_t type;
        return read_regular_file(path, COPY_MAX, true, ret, ret_len, &type);
}

int apply_journal_load(const char *state_dir, struct apply_journal *ret) {
        _cleanup_free_ char *text = NULL, *error = NULL, *path = path_in(state_dir, "journal");
        size_t len;
        if (!path)
                return log_error_errno(-ENOMEM, "out of memory");
        mode_t type;
        int r = read_regular_file(path, JOURNAL_MAX, true, &text, &len, &type);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error("cannot read the journal %s: %s", path, file_problem(r, type)), r;
        if (strlen(text) != len)
                return log_error("%s: a NUL byte: not an archyctl apply journal", path), -EINVAL;
        r = journal_parse(text, ret, &error);
        if (r == -ENOMEM)
                return log_error_errno(r, "out of memory");
        if (r < 0)
                return log_error("%s: %s; remove it to apply again from scratch", path, error), r;
        return 1;
}

/* Tests only: killed (the crash loop), or stopped until a signal ends or continues it (a caller
 * restarted mid-apply), right after the step was persisted: PHASE, or rollback-PHASE in a
 * rollback's journal. */
static void crash_hook(const struct apply_journal *j) {
        const char *want = getenv("ARCHY_APPLY_CRASH_AFTER");
        char name[64];
        journal_step_name(j, name, sizeof name);
        if (want && strcmp(want, name) == 0) {
                fprintf(stderr, "archyctl apply: ARCHY_APPLY_CRASH_AFTER=%s: killing myself (a test)\n", want);
                fflush(NULL);
                raise(SIGKILL);
        }
        want = getenv("ARCHY_APPLY_STOP_AFTER");
        if (want && strcmp(want, name) == 0) {
                fprintf(stderr, "archyctl apply: ARCHY_APPLY_STOP_AFTER=%s: stopping myself (a test)\n", want);
                fflush(NULL);
                raise(SIGSTOP);
        }
}

int apply_journal_save(const char *state_dir, const struct apply_journal *j) {
        _cleanup_free_ char *text = journal_render(j), *path = path_in(state_dir, "journal");
        if (!text || !path)
                return log_error_errno(-ENOMEM, "out of memory");
        int r = write_file_atomic(path, text, strlen(text), 0600);
        if (r < 0)
                return log_write_errno(r, NULL, "cannot write the journal %s: %m", path);
        crash_hook(j);
        return 0;
}

static int remove_in(const char *state_dir, const char *name) {
        _cleanup_free_ char *path = path_in(state_dir, name);
        if (!path)
                return -ENOMEM;
        if (unlink(path) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "cannot remove %s: %m", path);
        return fsync_parent_dir(path);
}

int apply_journal_clear(const char *state_dir) {
        int r = remove_in(state_dir, "journal");
        if (r < 0)
                return r;
        (void)remove_in(state_dir, "old.yaml");
        (void)remove_in(state_dir, "new.yaml");
        (void)remove_in(state_dir, APPLY_ROLLBACK_COPY);
        return 0;
}

int apply_save_copy(const char *state_dir, const char *name, const char *text, size_t len) {
        _cleanup_free_ char *path = path_in(state_dir, name);
        if (!path)
                return log_error_errno(-ENOMEM, "out of memory");
        int r = write_file_atomic(path, text, len, 0600);
        if (r < 0)
                return log_write_errno(r, NULL, "cannot write %s: %m", path);
        return 0;
}

int apply_install_manifest(const char *path, const char *text, size_t len) {
        bool root = geteuid() == 0;
        int r = write_file_atomic_owned(path, text, len, 0644, root ? 0 : (uid_t)-1, root ? 0 : (gid_t)-1);
        if (r < 0)
                return log_write_errno(r, NULL, "cannot install the manifest %s: %m", path);
        return 0;
}
