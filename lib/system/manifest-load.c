/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "manifest.h"
#include "path-trust.h"

#define MANIFEST_MAX_SIZE ((size_t)16 << 20)

/* Like sshd's StrictModes: whoever can write the manifest (or replace it in its directory)
 * can run any container as root, so both must belong to root and be writable by root only. */
static int check_safe(const struct stat *st, const char *what, struct diag_list *diags) {
        if (st->st_uid != 0) {
                diag_add(diags, NULL, 0, 0,
                         "%s is owned by uid %u, expected root: refusing it, since its owner "
                         "could run containers as root",
                         what, (unsigned)st->st_uid);
                return -EPERM;
        }
        if (st->st_mode & (S_IWGRP | S_IWOTH)) {
                diag_add(diags, NULL, 0, 0,
                         "%s is writable by group or others (mode %04o), expected at most 0755 "
                         "for the directory and 0644 for the manifest: refusing it, since any such writer could "
                         "run containers as root",
                         what, (unsigned)(st->st_mode & 07777));
                return -EPERM;
        }
        return 0;
}

static int report_read_error(int r, struct diag_list *diags) {
        diag_add(diags, NULL, 0, 0, "cannot read the manifest: %s, expected a regular file of at most 16 MiB",
                 strerror(-r));
        return r;
}

static int check_owner_and_mode(int fd, const char *path, struct diag_list *diags) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        int r = check_safe(&st, "the manifest", diags);
        if (r < 0)
                return r;
        /* every directory on the way, through symlinks, up to / */
        return path_check_trusted(path, &st, "the manifest", diags);
}

/* The manifest opened, checked (check_owner) and known to be a regular file of at most 16 MiB;
 * its size in *ret_size. A negative errno (reported) otherwise. */
static int manifest_open(const char *path, bool check_owner, size_t *ret_size, struct diag_list *diags) {
        diags->file = path;
        mode_t type;
        _cleanup_close_ int fd = open_regular(path, false, &type);
        if (fd < 0 && type)
                diag_add(diags, NULL, 0, 0, "cannot read the manifest: %s", file_problem(fd, type));
        else if (fd < 0 && fd != -ENOENT)
                diag_add(diags, NULL, 0, 0, "cannot open the manifest: %s", strerror(-fd));
        if (fd < 0)
                return fd;
        int r = check_owner ? check_owner_and_mode(fd, path, diags) : 0;
        if (r < 0)
                return r;
        struct stat st;
        r = fstat(fd, &st) < 0 ? -errno : (size_t)st.st_size > MANIFEST_MAX_SIZE ? -EFBIG : 0;
        if (r < 0)
                return report_read_error(r, diags);
        *ret_size = (size_t)st.st_size;
        return TAKE_FD(fd);
}

int manifest_read(const char *path, bool check_owner, char **ret_text, size_t *ret_len, struct diag_list *diags) {
        size_t size;
        _cleanup_close_ int fd = manifest_open(path, check_owner, &size, diags);
        if (fd < 0)
                return fd;
        int r = read_file_fd(fd, MANIFEST_MAX_SIZE, ret_text, ret_len);
        return r < 0 ? report_read_error(r, diags) : r;
}

/* The manifest read in pieces straight into libyaml's buffer: never held whole. It may not grow
 * past the size it had when it was opened (as read_file_fd() refuses). */
struct manifest_reader {
        int fd;
        size_t left;
        bool failed;
        struct diag_list *diags;
};

static int read_piece(void *data, unsigned char *buf, size_t size, size_t *got) {
        struct manifest_reader *rd = data;
        /* one byte more than is left: a file that grew is refused, not cut */
        ssize_t n = read_retrying(rd->fd, buf, size < rd->left + 1 ? size : rd->left + 1);
        int r = n < 0 ? (int)n : (size_t)n > rd->left ? -EFBIG : 0;
        if (r < 0) {
                report_read_error(r, rd->diags);
                rd->failed = true;
                return 0;
        }
        rd->left -= (size_t)n;
        *got = (size_t)n;
        return 1;
}

static int load_unsorted(const char *path, bool check_owner, struct manifest **ret, struct diag_list *diags) {
        size_t size;
        _cleanup_close_ int fd = manifest_open(path, check_owner, &size, diags);
        if (fd < 0)
                return fd;
        struct manifest_reader rd = {.fd = fd, .left = size, .diags = diags};
        struct manifest *m = manifest_parse_reader(read_piece, &rd, &rd.failed, path, diags);
        if (!m)
                return diags->oom ? -ENOMEM : -EINVAL;
        *ret = m;
        return 0;
}

/* The problems come in the order the checks found them; they are read in line order. */
int manifest_load(const char *path, bool check_owner, struct manifest **ret, struct diag_list *diags) {
        int r = load_unsorted(path, check_owner, ret, diags);
        diag_sort(diags);
        return r;
}
