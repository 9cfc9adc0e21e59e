/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "reach.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

bool reach_allows(const struct stat *st, uid_t uid, gid_t gid, int what) {
        mode_t m = st->st_mode;
        mode_t bit = what == R_OK ? S_IROTH : S_IXOTH;
        if (st->st_uid == uid)
                return m & (bit << 6);
        if (st->st_gid == gid)
                return m & (bit << 3);
        return m & bit;
}

void reach_warn(const char *root, const char *path, const struct node_user *u, bool read_file) {
        char full[4352];
        int n = snprintf(full, sizeof(full), "%s%s", root, path);
        if (n < 0 || (size_t)n >= sizeof(full))
                return;
        size_t skip = strlen(root); /* root itself is the caller's (tests: a temporary directory) */
        struct stat st;
        for (char *s = full + skip + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                bool ok = lstat(full, &st) < 0 || reach_allows(&st, u->uid, u->gid, X_OK);
                if (!ok)
                        log_warning(
                                "%s: the rootless apps user %s (%u:%u) cannot reach it: %s is owner %u:%u mode %04o "
                                "(it needs search permission for the user)",
                                path, u->name, (unsigned)u->uid, (unsigned)u->gid, full + skip, (unsigned)st.st_uid,
                                (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
                *s = '/';
                if (!ok)
                        return;
        }
        if (read_file && lstat(full, &st) == 0 && !reach_allows(&st, u->uid, u->gid, R_OK))
                log_warning(
                        "%s: the rootless apps user %s (%u:%u), whose podman reads it, cannot: owner %u:%u mode %04o "
                        "(expected owner 0:0 in the manifest, which is the user, or a mode that lets it read)",
                        path, u->name, (unsigned)u->uid, (unsigned)u->gid, (unsigned)st.st_uid, (unsigned)st.st_gid,
                        (unsigned)(st.st_mode & 07777));
}
