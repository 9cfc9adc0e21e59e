/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The containers.conf drop-in of archy's containers-conf kind (archy-derive(8) FM4). A rootless node
 * refuses that kind, and the file a rootful node had would break the rootless containers' host
 * gateway (its host_containers_internal_ip feeds host-gateway too). */
#define STALE_DROPIN_PATH "/etc/containers/containers.conf.d/50-archipelago.conf"

/* On a rootless node: removes STALE_DROPIN_PATH (under root, "" for /) when it holds exactly what
 * archy-derive writes (containers_conf_is_archys()), logged once with its MESSAGE_ID; any other file
 * there is left alone. 0 nothing to do; 1 removed (with check_only: would be); negative errno after
 * logging. */
int stale_dropin_remove(const char *root, bool check_only);
