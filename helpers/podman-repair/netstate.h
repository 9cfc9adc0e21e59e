/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "podman.h"

/* When podman's database is lost, the containers it forgot never get their network torn down:
 * netavark's port forwards (nftables table inet netavark) still send the apps' host ports to
 * the old containers' addresses, and aardvark-dns still answers their names with them. With
 * none of the containers podman knows running, this clears both, as a reboot would; the next
 * container start recreates them. Rootful only. Returns 0, -EBUSY when podman knows a running
 * container (nothing is touched), or negative errno. */
int netstate_clear(const struct podman *p, const char *network_run_dir);
