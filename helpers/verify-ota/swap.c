/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "swap.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

int path_identity(const char *path, struct file_identity *ret) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return -errno;
        *ret = (struct file_identity){.dev = st.st_dev, .ino = st.st_ino};
        return 0;
}

static int fsync_parent(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 || fsync(fd) < 0 ? -errno : 0;
}

int swap_exchange(const char *current, const char *backup) {
        int flags = RENAME_EXCHANGE;
        if (access(current, F_OK) < 0 && errno == ENOENT)
                flags = RENAME_NOREPLACE;
        if (renameat2(AT_FDCWD, backup, AT_FDCWD, current, (unsigned)flags) < 0)
                return -errno;
        int r = fsync_parent(current);
        int k = fsync_parent(backup);
        return r < 0 ? r : k;
}
