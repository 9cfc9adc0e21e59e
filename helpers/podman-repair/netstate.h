/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "podman.h"
#include "rootless-netns.h"

/* When podman's database is lost, the containers it forgot never get their network torn down:
 * netavark's port forwards (nftables table inet netavark) still send the apps' host ports to
 * the old containers' addresses, and aardvark-dns still answers their names with them. With
 * none of the containers podman knows running, this clears both, as a reboot would; the next
 * container start recreates them. Rootful only. Returns 0, -EBUSY when podman knows a running
 * container (nothing is touched), or negative errno. */
int netstate_clear(const struct podman *p, const char *network_run_dir);

/* Rootless: what $runtime_dir/containers/networks and /proc show of podman's network namespace
 * (rootless-netns.h). */
void netns_look_read(const char *runtime_dir, struct netns_look *ret);

/* Rootless: the same, for the namespace all of it lives in: with none of the containers podman
 * knows running, stops its pasta (also one whose namespace directory went) and aardvark-dns,
 * and removes the files of both; the next container start makes a new namespace, and the
 * others join it. Returns 0, -EBUSY (nothing touched) or negative errno. */
int netstate_clear_rootless(const struct podman *p, const char *runtime_dir);
