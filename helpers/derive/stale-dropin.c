/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stale-dropin.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "config-render.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "message-ids.h"

#define DROPIN_MAX 4096

/* The drop-in's text, through its directory opened without following links; NULL when there is no
 * regular file (a link is not ours either). */
static int read_dropin(const char *root, int *ret_dirfd, char **ret, size_t *ret_len) {
        struct beneath b;
        *ret = NULL;
        int r = beneath_open_parent(root, STALE_DROPIN_PATH, false, &b);
        if (r < 0 || b.dirfd < 0)
                return r == -ELOOP || r == -ENOTDIR ? 0 : r;
        *ret_dirfd = b.dirfd;
        _cleanup_close_ int fd = openat(b.dirfd, b.name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        if (fd < 0)
                return errno == ENOENT || errno == ELOOP ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_size > DROPIN_MAX)
                return 0;
        return read_file_fd(fd, DROPIN_MAX, ret, ret_len);
}

int stale_dropin_remove(const char *root, bool check_only) {
        _cleanup_close_ int dirfd = -1;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = read_dropin(root, &dirfd, &text, &len);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read it: %m", STALE_DROPIN_PATH);
        if (!text || !containers_conf_is_archys(text, len))
                return 0;
        if (check_only) {
                log_notice("%s: drift: archy-derive's containers.conf drop-in is still there on a rootless node; a run "
                           "without --check removes it",
                           STALE_DROPIN_PATH);
                return 1;
        }
        if (unlinkat(dirfd, strrchr(STALE_DROPIN_PATH, '/') + 1, 0) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "%s: cannot remove it: %m", STALE_DROPIN_PATH);
        (void)fsync(dirfd);
        log_struct(LOG_LVL_NOTICE, ARCHY_MID_DERIVE_STALE_DROPIN_REMOVED, NULL,
                   "%s: removed: the node is rootless, and the host_containers_internal_ip archy-derive wrote there "
                   "for the rootful node would be the rootless containers' host-gateway (host.archipelago)",
                   STALE_DROPIN_PATH);
        return 1;
}
