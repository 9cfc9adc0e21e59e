/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "swap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

int path_identity(const char *path, struct file_identity *ret) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return -errno;
        *ret = (struct file_identity){.dev = st.st_dev, .ino = st.st_ino};
        return 0;
}

int swap_exchange(const char *current, const char *backup) {
        int flags = RENAME_EXCHANGE;
        if (access(current, F_OK) < 0 && errno == ENOENT)
                flags = RENAME_NOREPLACE;
        if (renameat2(AT_FDCWD, backup, AT_FDCWD, current, (unsigned)flags) < 0)
                return -errno;
        int r = fsync_parent_dir(current);
        int k = fsync_parent_dir(backup);
        return r < 0 ? r : k;
}
