/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

ssize_t read_retrying(int fd, void *buf, size_t size) {
        for (;;) {
                ssize_t n = read(fd, buf, size);
                if (n >= 0 || errno != EINTR)
                        return n < 0 ? -errno : n;
        }
}

/* Read until end of file or until cap bytes; *len says how many. 0 or negative errno. */
static int read_up_to(int fd, char *buf, size_t cap, size_t *len) {
        *len = 0;
        while (*len < cap) {
                ssize_t n = read_retrying(fd, buf + *len, cap - *len);
                if (n < 0)
                        return (int)n;
                if (n == 0)
                        break;
                *len += (size_t)n;
        }
        return 0;
}

int read_file_fd(int fd, size_t max_size, char **ret, size_t *ret_len) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        if ((size_t)st.st_size > max_size)
                return -EFBIG;
        _cleanup_free_ char *buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        size_t len;
        int r = read_up_to(fd, buf, (size_t)st.st_size + 1, &len);
        if (r < 0)
                return r;
        if (len == (size_t)st.st_size + 1)
                return -EFBIG; /* grew while we read it */
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int open_regular(const char *path, bool nofollow, mode_t *ret_type) {
        *ret_type = 0;
        int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0);
        _cleanup_close_ int fd = open(path, flags);
        if (fd < 0 && errno == ELOOP && nofollow) {
                *ret_type = S_IFLNK;
                return -EINVAL;
        }
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                *ret_type = st.st_mode & S_IFMT;
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        }
        if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK & ~O_CLOEXEC) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int read_regular_file(const char *path, size_t max_size, bool nofollow, char **ret, size_t *ret_len, mode_t *ret_type) {
        _cleanup_close_ int fd = open_regular(path, nofollow, ret_type);
        if (fd < 0)
                return fd;
        return read_file_fd(fd, max_size, ret, ret_len);
}

const char *file_problem(int r, mode_t type) {
        switch (type) {
        case 0: return strerror(-r);
        case S_IFIFO: return "it is a FIFO, expected a regular file";
        case S_IFDIR: return "it is a directory, expected a regular file";
        case S_IFCHR: return "it is a character device, expected a regular file";
        case S_IFBLK: return "it is a block device, expected a regular file";
        case S_IFSOCK: return "it is a socket, expected a regular file";
        case S_IFLNK: return "it is a symbolic link, expected a regular file";
        default: return "it is not a regular file";
        }
}

int write_all(int fd, const char *data, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                data += n;
                len -= (size_t)n;
        }
        return 0;
}

int fsync_parent_dir(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 || fsync(fd) < 0 ? -errno : 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode) {
        return write_file_atomic_owned(path, data, len, mode, (uid_t)-1, (gid_t)-1);
}

int write_file_atomic_owned(const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = !slash ? strdup(".") : slash == path ? strdup("/") : strndup(path, slash - path);
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return write_file_atomic_owned_at(dfd, slash ? slash + 1 : path, data, len, mode, uid, gid);
}

/* A new file name.tmp.XXXXXXXX in dirfd (its name in tmp), never following a link there. */
static int open_temp_at(int dirfd, const char *name, char tmp[static PATH_MAX]) {
        for (unsigned attempt = 0; attempt < 100; attempt++) {
                unsigned char rnd[4];
                if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                        return -EIO;
                if (snprintf(tmp, PATH_MAX, "%s.tmp.%02x%02x%02x%02x", name, rnd[0], rnd[1], rnd[2], rnd[3]) >=
                    PATH_MAX)
                        return -ENAMETOOLONG;
                int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0 || errno != EEXIST)
                        return fd >= 0 ? fd : -errno;
        }
        return -EEXIST;
}

int write_file_atomic_owned_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode, uid_t uid,
                               gid_t gid) {
        char tmp[PATH_MAX];
        _cleanup_close_ int fd = open_temp_at(dirfd, name, tmp);
        if (fd < 0)
                return fd;
        /* Owner and mode are right before the file appears under its name: no window where a
         * secret is readable by the wrong user. */
        int r = fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0 ? -errno : 0;
        if (r == 0)
                r = write_all(fd, data, len);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = -errno;
        if (r < 0) {
                unlinkat(dirfd, tmp, 0);
                return r;
        }
        return fsync(dirfd) < 0 ? -errno : 0;
}

int write_file_new_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode) {
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, data, len);
        if (r < 0)
                unlinkat(dirfd, name, 0);
        return r;
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char saved = *s;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = saved;
                if (saved == '\0')
                        return 0;
        }
}

int clear_dir_files(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        int r = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_type == DT_DIR)
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && r == 0)
                        r = -errno;
        }
        closedir(d);
        return r;
}

int remove_tree_at(int parent_fd, const char *name, unsigned depth) {
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        int r = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                int q = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
                if (q == 0 && S_ISDIR(st.st_mode))
                        q = depth > 0 ? remove_tree_at(dirfd(d), de->d_name, depth - 1) : -ENOTEMPTY;
                else if (q == 0 && unlinkat(dirfd(d), de->d_name, 0) < 0)
                        q = -errno;
                if (q < 0 && q != -ENOENT && r == 0)
                        r = q;
        }
        closedir(d);
        if (r == 0 && unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                r = -errno;
        return r;
}

int symlink_new(const char *target, const char *link) {
        return symlink(target, link) < 0 ? -errno : 0;
}

int clear_output_tree(const char *dir) {
        int r = clear_dir_files(dir);
        DIR *d = opendir(dir);
        if (!d)
                return r;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        continue;
                int q = clear_dir_files(sub);
                if (q == 0 && rmdir(sub) < 0)
                        q = -errno;
                if (q < 0 && r == 0)
                        r = q;
        }
        closedir(d);
        return r;
}

ssize_t read_small_file(const char *path, char *buf, size_t size) {
        mode_t type;
        _cleanup_close_ int fd = open_regular(path, false, &type);
        if (fd < 0)
                return fd;
        size_t len;
        int r = read_up_to(fd, buf, size - 1, &len);
        if (r < 0)
                return r;
        buf[len] = '\0';
        return (ssize_t)len;
}
