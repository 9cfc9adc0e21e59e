/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The side-effect layer for files: every write that must survive a power cut goes through
 * write_file_atomic(). All functions return 0 or a negative errno and do not log. */

/* One read(2), repeated when a signal interrupts it: the bytes read, or a negative errno. */
ssize_t read_retrying(int fd, void *buf, size_t size);
/* Read a whole regular file (at most max_size bytes) into a NUL-terminated buffer. */
int read_file_fd(int fd, size_t max_size, char **ret, size_t *ret_len);

/* The one way to open a file that comes from outside (manifest, last good copy, OTA marker and
 * state, podman-repair state, pid files): with O_NONBLOCK, so that a FIFO or a device at the
 * path cannot block the open, and O_NOFOLLOW when `nofollow`; then fstat(), and anything but a
 * regular file is refused before a single read. Returns the fd (O_NONBLOCK cleared) or a
 * negative errno; for a file that is there but not a regular one (a symlink with `nofollow`)
 * -EISDIR for a directory, else -EINVAL, and *ret_type is its S_IFMT type; otherwise *ret_type
 * is 0. */
int open_regular(const char *path, bool nofollow, mode_t *ret_type);
/* open_regular() and read_file_fd(). */
int read_regular_file(const char *path, size_t max_size, bool nofollow, char **ret, size_t *ret_len, mode_t *ret_type);
/* Why open_regular() or read_regular_file() failed, for a message: "it is a FIFO, expected a
 * regular file" (and likewise for the other types) when `type` is set, else strerror(). */
const char *file_problem(int r, mode_t type);
/* Write all of data, retrying on EINTR and short writes. */
int write_all(int fd, const char *data, size_t len);

/* fsync the directory that holds path (after a rename or unlink in it): 0 or negative errno. */
int fsync_parent_dir(const char *path);

/* temp file in the same directory, write, fsync, rename over `path`, fsync the directory. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* The same with an owner; (uid_t)-1 / (gid_t)-1 leave that part as the process's own. */
int write_file_atomic_owned(const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid);
/* The same for the file `name` directly inside the directory dirfd: the temp file is created with
 * O_NOFOLLOW and renamed with renameat(), so no path is resolved again (a directory swapped for a
 * symlink meanwhile cannot redirect the write). */
int write_file_atomic_owned_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode, uid_t uid,
                               gid_t gid);

/* Create the new file `name` in the directory `dirfd`; fails with -EEXIST if it exists (a
 * generator must not clobber a unit another generator wrote). No fsync: generator output
 * lives on a tmpfs. */
int write_file_new_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode);

int mkdir_p(const char *path, mode_t mode);
/* Remove the regular files and symlinks directly inside `dir` (not subdirectories). */
int clear_dir_files(const char *dir);
/* clear_dir_files() on dir and each subdirectory (one level: unit dirs and their .wants),
 * removing the emptied subdirectories. */
int clear_output_tree(const char *dir);
/* Remove the directory `name` in parent_fd with what is in it, down to `depth` levels of
 * subdirectories; symlinks are removed, never followed; nothing outside it is touched (openat
 * with O_NOFOLLOW at each level). 0, or the first negative errno (what could go is gone). */
int remove_tree_at(int parent_fd, const char *name, unsigned depth);
/* Create `link` pointing at `target` (relative targets are kept as they are). */
int symlink_new(const char *target, const char *link);
/* Read at most size - 1 bytes of a small regular file (/proc files, pid files; opened with
 * open_regular()) into buf, NUL-terminated. Returns the length or negative errno. */
ssize_t read_small_file(const char *path, char *buf, size_t size);
