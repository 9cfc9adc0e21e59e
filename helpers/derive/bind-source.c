/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bind-source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "diag.h"
#include "log.h"
#include "macro.h"
#include "manifest-source.h"
#include "path-trust.h"
#include "values.h"

/* Only the directory's own owner and mode, and only for the one archy just made. */
static int set_owner_mode(int fd, const char *path, uid_t uid, gid_t gid, mode_t mode) {
        if (fchown(fd, uid, gid) < 0)
                return log_error_errno(-errno, "bind source %s: cannot chown to %u:%u: %m", path, (unsigned)uid,
                                       (unsigned)gid);
        if (fchmod(fd, mode) < 0)
                return log_error_errno(-errno, "bind source %s: cannot chmod to %04o: %m", path, (unsigned)mode);
        return 0;
}

static int check_parents(const char *full, const struct stat *st, const char *path) {
        char what[4200];
        snprintf(what, sizeof(what), "the bind source %s", path);
        struct diag_list diags = {.file = "archy-derive --bind-source"};
        int r = path_check_trusted(full, st, what, &diags);
        bool told = diags.n > 0;
        log_diags(&diags, LOG_LVL_ERR);
        diag_list_free(&diags);
        if (r < 0 && !told)
                log_error_errno(r, "bind source %s: cannot check the directories above it: %m", path);
        return r;
}

int bind_source_ensure(const char *root, const char *path, uid_t uid, gid_t gid, mode_t mode) {
        if (!abs_path_valid(path) || strcmp(path, "/") == 0)
                return log_error_errno(-EINVAL,
                                       "bind source \"%s\": expected an absolute, normalized path other "
                                       "than /",
                                       path);
        struct beneath b;
        int r = beneath_open_parent(root, path, true, &b);
        if (r == -ELOOP || r == -ENOTDIR)
                return log_error_errno(r,
                                       "bind source %s: %.*s is a symbolic link or not a directory, refusing to "
                                       "create anything below it",
                                       path, (int)b.bad_len, path);
        if (r < 0)
                return log_error_errno(r, "bind source %s: cannot open its parent directory: %m", path);
        _cleanup_close_ int dirfd = b.dirfd;
        /* 0700 until the owner and mode are set: nobody else sees it half-made. */
        bool created = mkdirat(dirfd, b.name, 0700) == 0;
        if (!created && errno != EEXIST)
                return log_error_errno(-errno, "bind source %s: cannot create it: %m", path);
        struct stat lst;
        if (!created && fstatat(dirfd, b.name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(lst.st_mode))
                return log_error_errno(S_ISLNK(lst.st_mode) ? -ELOOP : -ENOTDIR, "bind source %s: %s, refusing it",
                                       path, S_ISLNK(lst.st_mode) ? "is a symbolic link" : "is not a directory");
        /* O_NOFOLLOW: swapped for a link meanwhile, it is refused all the same. */
        _cleanup_close_ int fd = openat(dirfd, b.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "bind source %s: cannot open it as a directory: %m", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "bind source %s: cannot stat it: %m", path);
        char full[4200];
        snprintf(full, sizeof(full), "%s%s", root, path);
        if ((r = check_parents(full, &st, path)) < 0) {
                if (created)
                        (void)unlinkat(dirfd, b.name, AT_REMOVEDIR);
                return r;
        }
        if (!created) {
                if (st.st_uid != uid || st.st_gid != gid || (st.st_mode & 07777) != mode)
                        log_info("bind source %s exists (owner %u:%u, mode %04o): left as it is", path,
                                 (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
                return 0;
        }
        if ((r = set_owner_mode(fd, path, uid, gid, mode)) < 0)
                return r;
        log_info("bind source %s created (owner %u:%u, mode %04o)", path, (unsigned)uid, (unsigned)gid, (unsigned)mode);
        return 0;
}
