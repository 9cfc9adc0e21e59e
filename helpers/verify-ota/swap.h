/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The rollback's file operations. A pair is put back with one atomic exchange of the two paths
 * (renameat2 RENAME_EXCHANGE): at no instant is the live path missing or half written, and the
 * bad version is kept under the backup name for forensics. Whether an exchange already happened
 * (a crash between it and the state file) is told by identity: the live path then carries the
 * inode the backup path had before. */

struct file_identity {
        unsigned long long dev, ino;
};

/* 0, -ENOENT, or negative errno. Does not follow a final symlink. */
int path_identity(const char *path, struct file_identity *ret);

/* Exchange current and backup, then fsync both parent directories. Both must exist on one file
 * system (-EXDEV otherwise). When current does not exist, backup is moved into its place. */
int swap_exchange(const char *current, const char *backup);
