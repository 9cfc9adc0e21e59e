/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* archy-derive runs as root and writes files that containers may share directories with: a
 * directory on the way to a derived file must never be a symbolic link, or a container that can
 * write that directory could point root's write anywhere. */

struct beneath {
        int dirfd;        /* the directory that holds the file, or -1 when it does not exist yet */
        const char *name; /* the last component of the path, pointing into it */
        size_t bad_len;   /* on -ELOOP or -ENOTDIR: the length of the path's prefix that is not a
                           * directory (a symbolic link, or another file) */
};

/* Opens the parent directory of path (absolute, normalized) under root ("" for /: root itself is
 * trusted and may be reached through links), following no symbolic link below root: openat2()
 * with RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH, or component by component with O_NOFOLLOW where the
 * kernel has no openat2(). With create, missing directories are created 0755 (whatever the umask). 0 and ret->dirfd
 * (-1 when a directory is missing and create is false); -ELOOP or -ENOTDIR with ret->bad_len;
 * another negative errno. */
int beneath_open_parent(const char *root, const char *path, bool create, struct beneath *ret);
