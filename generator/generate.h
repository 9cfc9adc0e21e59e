/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manifest.h"

struct generate_stats {
        size_t apps, containers, volumes, skipped;
};

/* Write the Quadlet files for every usable app into `staging` (emptied first, so apps that
 * were removed or uninstalled leave nothing behind). A file that cannot be written skips its
 * app with a logged error. Returns 0, or a negative errno when the staging dir is unusable. */
int generate_quadlet_files(const struct manifest *m, const char *staging, struct generate_stats *stats);

/* Run podman's Quadlet on `staging`, writing units into the output dirs systemd gave us (user:
 * `-user`, units for a user manager). Returns Quadlet's exit status (>= 0), -ENOENT when Quadlet
 * is not installed. */
int run_quadlet(const char *quadlet, const char *staging, char *const outdirs[3], bool user, bool log_to_stderr);
