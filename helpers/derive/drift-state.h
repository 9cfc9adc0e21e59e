/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "derive.h"
#include "manifest.h"

/* archy-derive's drift counters on disk (derive-state.h): this run's drift added, the entries of
 * apps gone from the manifest dropped (prune), and the file rewritten atomically only when that
 * changed something. Never fatal to a run: a failure (a full /var: ENOSPC) is logged as one
 * warning and the old file stays whole. 0, 1 when the file was rewritten, or negative errno. */
int drift_state_record(const char *path, const struct manifest *m, const struct derive_outcome *out, bool prune);
