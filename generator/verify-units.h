/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "manifest.h"

/* What is wrong with the text of a unit podman's Quadlet wrote, or NULL when it looks whole:
 * empty (a full /run leaves 0-byte files), cut short (no final newline), a NUL byte, no
 * [Service] section. */
const char *unit_text_problem(const char *text, size_t len);

/* Quadlet fails a file it dislikes and still exits 0, and on a full /run it leaves empty or
 * partial units: check every unit each generated app should have (its containers', its
 * volumes', the network's) in `outdir`. A broken one is removed with the links to it in the
 * .wants/.requires dirs, so that systemd loads no broken unit. Logs each problem; returns how
 * many units are missing or were removed. */
size_t verify_quadlet_units(const struct manifest *m, const char *outdir);
