/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "path-trust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYMLINK_HOPS_MAX 40

/* Whether dir is `top` or a directory above it ("/" is above everything). */
static bool at_or_above(const char *dir, const char *top) {
        if (!top)
                return false;
        size_t n = strlen(dir);
        if (strcmp(dir, "/") == 0)
                return true;
        return strncmp(top, dir, n) == 0 && (top[n] == '\0' || top[n] == '/');
}

static int check_dir(const char *dir, const char *what, struct diag_list *diags) {
        const char *top = getenv(ARCHY_TRUSTED_DIR_ENV);
        if (at_or_above(dir, top && *top ? top : NULL))
                return 0;
        struct stat st;
        if (stat(dir, &st) < 0)
                return -errno;
        if (st.st_uid != 0) {
                diag_add(diags, NULL, 0, 0,
                         "the directory %s on the way to %s is owned by uid %u, expected root: refusing %s, since "
                         "its owner could replace it and run containers as root",
                         dir, what, (unsigned)st.st_uid, what);
                return -EPERM;
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
                diag_add(diags, NULL, 0, 0,
                         "the directory %s on the way to %s is writable by group or others (mode %04o), expected "
                         "at most 0755 (a sticky /tmp-like directory is not safe either): refusing %s, since any "
                         "such writer could replace it and run containers as root",
                         dir, what, (unsigned)(st.st_mode & 07777), what);
                return -EPERM;
        }
        return 0;
}

/* Moves the first component of *rest into comp (NUL-terminated), advancing *rest. */
static bool next_component(const char **rest, char comp[NAME_MAX + 1]) {
        while (**rest == '/')
                (*rest)++;
        size_t n = strcspn(*rest, "/");
        if (n == 0 || n > NAME_MAX)
                return false;
        memcpy(comp, *rest, n);
        comp[n] = '\0';
        *rest += n;
        return true;
}

static void drop_last(char *cur) {
        char *slash = strrchr(cur, '/');
        if (slash)
                *slash = '\0';
}

/* rest becomes its own tail `left` (left points into rest): copied forward byte by byte, which
 * is safe for this overlap (memmove is too, but fortified glibc implements it as __memcpy_chk,
 * which valgrind then reports as an overlapping memcpy). */
static void keep_tail(char *rest, const char *left) {
        size_t i = 0;
        do
                rest[i] = left[i];
        while (left[i++] != '\0');
}

/* Follows the symlink at `link`: the rest of the walk becomes its target, then what was left. */
static int splice_symlink(const char *link, char *cur, char *rest, const char *left, size_t rest_size) {
        char target[PATH_MAX];
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        if (target[0] == '/')
                cur[0] = '\0';
        char joined[2 * PATH_MAX + 2];
        int len = snprintf(joined, sizeof(joined), "%s/%s", target, left);
        if (len < 0 || (size_t)len >= rest_size)
                return -ENAMETOOLONG;
        memcpy(rest, joined, (size_t)len + 1);
        return 0;
}

int path_check_trusted(const char *path, const struct stat *file_st, const char *what, struct diag_list *diags) {
        char cur[PATH_MAX] = "", rest[2 * PATH_MAX + 2], comp[NAME_MAX + 1];
        int len = path[0] == '/' ? snprintf(rest, sizeof(rest), "%s", path) : -1;
        if (path[0] != '/') {
                char cwd[PATH_MAX];
                len = getcwd(cwd, sizeof(cwd)) ? snprintf(rest, sizeof(rest), "%s/%s", cwd, path) : -1;
        }
        int r = len < 0 || (size_t)len >= sizeof(rest) ? -ENAMETOOLONG : check_dir("/", what, diags);
        struct stat st = {0};
        for (unsigned hops = 0; r == 0;) {
                const char *left = rest;
                if (!next_component(&left, comp))
                        break;
                if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
                        if (comp[1] == '.')
                                drop_last(cur);
                        keep_tail(rest, left);
                        continue;
                }
                char next[PATH_MAX];
                if ((size_t)snprintf(next, sizeof(next), "%s/%s", cur, comp) >= sizeof(next))
                        r = -ENAMETOOLONG;
                else if (lstat(next, &st) < 0)
                        r = -errno;
                else if (S_ISLNK(st.st_mode))
                        r = ++hops > SYMLINK_HOPS_MAX ? -ELOOP : splice_symlink(next, cur, rest, left, sizeof(rest));
                else {
                        memcpy(cur, next, sizeof(next));
                        keep_tail(rest, left);
                        if (strspn(rest, "/") != strlen(rest)) /* more to come: cur is a directory */
                                r = S_ISDIR(st.st_mode) ? check_dir(cur, what, diags) : -ENOTDIR;
                }
        }
        if (r == -EPERM)
                return r;
        if (r < 0) {
                diag_add(diags, NULL, 0, 0, "cannot resolve the path of %s to check it: %s", what, strerror(-r));
                return r;
        }
        if (st.st_dev != file_st->st_dev || st.st_ino != file_st->st_ino) {
                diag_add(diags, NULL, 0, 0, "%s was replaced while its path was checked: refusing it this time", what);
                return -EPERM;
        }
        return 0;
}
