/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manifest.h"

/* Log every problem in `diags` (one line each) at `level`. */
void log_diags(const struct diag_list *diags, int level);

/* The manifest the generator acts on: `path`; if that exists but is unusable as a whole, the
 * last good copy. *ret is NULL when there is no manifest at all (no apps). Returns 0 when *ret
 * (or its absence) is what the operator asked for, 1 when the last good copy stands in,
 * negative errno when neither is usable. Logs what it decided. */
int load_manifest_with_fallback(const char *path, const char *last_good, struct manifest **ret);

/* Validate `path`; when it has no problem at all, copy it atomically to `last_good` (only
 * if the bytes differ). Returns 0 (saved or already current or no manifest), -EINVAL when the
 * manifest has problems, other negative errno on I/O errors. */
int save_last_good(const char *path, const char *last_good);
