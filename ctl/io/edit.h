/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "apply.h"

/* archyctl uninstall APP --purge (edit-purge.c): confirmed (yes, or the app's name typed on a
 * terminal; exit 2 otherwise), STATE-DIR/purge-APP written, the uninstall e carried out, then,
 * under the apply lock, APP's podman volumes and its derived files removed (archy-derive --app
 * APP) and the marker removed. Anything short of that leaves the marker: the same command again
 * finishes it. Returns a CTL_EXIT_* status. */
int edit_uninstall_purge(const struct apply_settings *s, bool dry_run, bool yes, const struct apply_edit *e);

/* archyctl apply --resume, under the apply lock, after the resumed apply: every
 * STATE-DIR/purge-APP a crash left is finished (APP still uninstalled) or dropped with a warning
 * (APP installed again, or gone: its data kept). Returns a CTL_EXIT_* status. */
int edit_finish_purges(const struct apply_settings *s);
