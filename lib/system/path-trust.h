/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/stat.h>

#include "diag.h"

/* Environment variable, for tests only: directories at or above it are trusted without a
 * check (test trees live under /tmp, which is world-writable). Unset: every directory is
 * checked, / included. */
#define ARCHY_TRUSTED_DIR_ENV "ARCHY_TEST_TRUSTED_DIR"

/* Whoever can write a directory on the way to a file can replace the file (or a symlink to it,
 * or a directory above it) and make root read theirs. Resolves `path` component by component,
 * following symlinks (at most 40), and checks every directory it passes through: those of the
 * path as written, those of each symlink's target, and those of the file's real location. Each
 * must be owned by root and not writable by group or others; a sticky world-writable directory
 * such as /tmp is unsafe too (its other users can create the names that are not there yet).
 * `what` names the file in messages ("the manifest"). The file reached must be `file_st` (the
 * file already opened), else it changed meanwhile. Returns 0, -EPERM with a message in diags,
 * or another negative errno (also with a message). */
int path_check_trusted(const char *path, const struct stat *file_st, const char *what, struct diag_list *diags);
