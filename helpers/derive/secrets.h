/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Canonical secrets: one file per secret in the secrets directory, named like the secret. */

#define SECRET_MAX 4096
#define SECRET_GENERATED_LEN 32

/* The secret's bytes with one trailing newline removed (editors add one). Returns -ENOENT when
 * it does not exist, -EINVAL when it is empty or holds anything but printable ASCII without
 * spaces (*why says which), or another negative errno. */
int secret_read(int dirfd, const char *name, char **ret, const char **why);

/* A new random secret of [A-Za-z0-9], which needs no quoting in a URL, sed, TOML or JSON, written
 * as a new file (mode 0600, atomically: fsync, link into place, fsync of the directory). If the
 * secret appeared meanwhile, that one is returned instead. */
int secret_generate(int dirfd, const char *name, char **ret);

/* Pure: a secret's text is usable (see secret_read). */
bool secret_text_valid(const char *s, size_t len, const char **why);
