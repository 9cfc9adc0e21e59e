/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int openat2_dir(int rootfd, const char *rel) {
        struct open_how how = {
                .flags = DIR_FLAGS,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH,
        };
        long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
        return fd < 0 ? -errno : (int)fd;
}

/* One component at a time, each opened with O_NOFOLLOW relative to the one before. *bad_end is
 * where the component that failed ends. */
static int walk_dir(int rootfd, const char *rel, size_t rel_len, bool create, size_t *bad_end) {
        int fd = dup(rootfd);
        if (fd < 0)
                return -errno;
        for (size_t pos = 0; pos < rel_len;) {
                size_t n = strcspn(rel + pos, "/");
                n = n > rel_len - pos ? rel_len - pos : n;
                char *comp = strndup(rel + pos, n);
                if (!comp || strcmp(comp, "..") == 0) {
                        free(comp);
                        close(fd);
                        return comp ? -EINVAL : -ENOMEM;
                }
                int next = openat(fd, comp, DIR_FLAGS);
                bool made = false;
                if (next < 0 && errno == ENOENT && create && ((made = mkdirat(fd, comp, 0755) == 0) || errno == EEXIST))
                        next = openat(fd, comp, DIR_FLAGS);
                /* 0755 whatever the umask: a rootless apps user must get through to an env file. */
                if (next >= 0 && made)
                        (void)fchmod(next, 0755);
                int r = next < 0 ? -errno : 0;
                struct stat st;
                /* O_DIRECTORY | O_NOFOLLOW says ENOTDIR for a link: tell the two apart */
                if (r == -ENOTDIR && fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                        r = -ELOOP;
                free(comp);
                close(fd);
                *bad_end = pos + n;
                if (r < 0)
                        return r;
                fd = next;
                pos += n + 1;
        }
        return fd;
}

int beneath_open_parent(const char *root, const char *path, bool create, struct beneath *ret) {
        *ret = (struct beneath){.dirfd = -1};
        const char *slash = strrchr(path, '/');
        if (path[0] != '/' || !slash || !slash[1])
                return -EINVAL;
        ret->name = slash + 1;
        _cleanup_close_ int rootfd = open(root[0] ? root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return -errno;
        const char *rel = path + 1;
        size_t rel_len = (size_t)(slash - rel > 0 ? slash - rel : 0);
        if (rel_len == 0) {
                ret->dirfd = dup(rootfd);
                return ret->dirfd < 0 ? -errno : 0;
        }
        _cleanup_free_ char *parent = strndup(rel, rel_len);
        if (!parent)
                return -ENOMEM;
        int fd = openat2_dir(rootfd, parent);
        size_t bad_end = 0;
        /* Without openat2 (ENOSYS, or a seccomp filter that says EPERM), to create what is missing,
         * and to say which component is a link: one component at a time. */
        if (fd == -ENOSYS || fd == -EPERM || (fd == -ENOENT && create) || fd == -ELOOP || fd == -ENOTDIR ||
            fd == -EXDEV)
                fd = walk_dir(rootfd, parent, rel_len, create, &bad_end);
        if (fd == -ENOENT && !create)
                return 0;
        if (fd == -ELOOP || fd == -ENOTDIR)
                ret->bad_len = 1 + bad_end; /* with the leading slash of path */
        if (fd < 0)
                return fd;
        ret->dirfd = fd;
        return 0;
}
