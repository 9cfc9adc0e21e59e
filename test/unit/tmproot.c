/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tmproot.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"

char *tmproot;

void tmproot_make(const char *prefix) {
        if (tmproot)
                tmproot_remove();
        ck_assert_int_ge(asprintf(&tmproot, "/tmp/%s.XXXXXX", prefix), 0);
        ck_assert_ptr_nonnull(mkdtemp(tmproot));
        ck_assert_int_eq(chmod(tmproot, 0755), 0);
}

void tmproot_remove(void) {
        if (!tmproot)
                return;
        char *cmd;
        ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", tmproot), 0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
        free(tmproot);
        tmproot = NULL;
}

const char *tmproot_at(const char *path) {
        static char bufs[8][1024];
        static unsigned next;
        char *b = bufs[next++ % ELEMENTSOF(bufs)];
        ck_assert_int_lt(snprintf(b, sizeof(bufs[0]), "%s%s", tmproot, path), (int)sizeof(bufs[0]));
        return b;
}

void tmproot_put(const char *path, const char *text, mode_t mode) {
        char parent[1024];
        snprintf(parent, sizeof(parent), "%s", tmproot_at(path));
        *strrchr(parent, '/') = 0;
        ck_assert_int_eq(mkdir_p(parent, 0755), 0);
        ck_assert_int_eq(write_file_atomic(tmproot_at(path), text, strlen(text), mode), 0);
}

struct stat tmproot_lstat(const char *path) {
        struct stat st;
        ck_assert_msg(lstat(tmproot_at(path), &st) == 0, "%s does not exist", path);
        return st;
}

bool tmproot_present(const char *path) {
        struct stat st;
        return lstat(tmproot_at(path), &st) == 0;
}
