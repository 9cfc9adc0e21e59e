/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* A temporary root for the tests that work on real files (archy-derive's): paths under it by
 * their absolute name on a node. One tree at a time. */

#include <stdbool.h>
#include <sys/stat.h>

/* The tree's root, or NULL between tests. */
extern char *tmproot;

/* A new tree /tmp/PREFIX.XXXXXX (0755), the old one removed first: with CK_FORK=no a failed test
 * skips its teardown. */
void tmproot_make(const char *prefix);
/* Removes the tree (rm -rf) and forgets it. */
void tmproot_remove(void);
/* tmproot + path, in one of a few static buffers, so that several fit in one expression. */
const char *tmproot_at(const char *path);
/* Writes path (its parents made 0755) with text and mode. */
void tmproot_put(const char *path, const char *text, mode_t mode);
/* lstat of path, which must exist. */
struct stat tmproot_lstat(const char *path);
bool tmproot_present(const char *path);
