/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

bool secret_text_valid(const char *s, size_t len, const char **why) {
        if (len == 0) {
                *why = "it is empty";
                return false;
        }
        for (size_t i = 0; i < len; i++)
                if (s[i] <= ' ' || s[i] > '~') {
                        *why = "it holds a space, a control character or a non-ASCII byte";
                        return false;
                }
        return true;
}

int secret_read(int dirfd, const char *name, char **ret, const char **why) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                *why = "it is not a regular file";
                return -EINVAL;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_file_fd(fd, SECRET_MAX, &text, &len);
        if (r < 0) {
                *why = r == -EFBIG ? "it is longer than 4096 bytes" : NULL;
                return r;
        }
        if (len > 0 && text[len - 1] == '\n')
                text[--len] = 0;
        if (!secret_text_valid(text, len, why))
                return -EINVAL;
        *ret = TAKE_PTR(text);
        return 0;
}

static int random_alnum(char *out, size_t n) {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char buf[64];
        size_t filled = 0;
        while (filled < n) {
                ssize_t got = getrandom(buf, sizeof(buf), 0);
                if (got < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                /* 62 symbols: drop bytes >= 248 so that every symbol is equally likely. */
                for (ssize_t i = 0; i < got && filled < n; i++)
                        if (buf[i] < 248)
                                out[filled++] = alphabet[buf[i] % 62];
        }
        out[n] = 0;
        return 0;
}

/* Create name with data, or fail with -EEXIST: written and fsynced under a temporary name first,
 * then hard-linked into place, so a power cut leaves either no secret or a whole one. */
static int create_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode) {
        char tmp[256];
        if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid()) >= sizeof(tmp))
                return -ENAMETOOLONG;
        (void)unlinkat(dirfd, tmp, 0);
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        int r = fchmod(fd, mode) < 0 ? -errno : 0; /* the umask must not widen or narrow it */
        if (r == 0)
                r = write_all(fd, data, len);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && linkat(dirfd, tmp, dirfd, name, 0) < 0)
                r = -errno;
        (void)unlinkat(dirfd, tmp, 0);
        if (r == 0 && fsync(dirfd) < 0)
                r = -errno;
        return r;
}

int secret_generate(int dirfd, const char *name, char **ret) {
        char value[SECRET_GENERATED_LEN + 2];
        int r = random_alnum(value, SECRET_GENERATED_LEN);
        if (r < 0)
                return r;
        value[SECRET_GENERATED_LEN] = '\n';
        value[SECRET_GENERATED_LEN + 1] = 0;
        r = create_file_atomic_at(dirfd, name, value, SECRET_GENERATED_LEN + 1, 0600);
        if (r == -EEXIST) {
                const char *why = NULL;
                return secret_read(dirfd, name, ret, &why);
        }
        if (r < 0)
                return r;
        value[SECRET_GENERATED_LEN] = 0;
        *ret = strdup(value);
        return *ret ? 0 : -ENOMEM;
}
