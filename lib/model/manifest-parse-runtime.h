/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manifest parser, a container's runtime and hardening keys (manifest-parse-runtime.c): user,
 * entrypoint, working_dir, hostname, stop_signal, read_only, tmpfs, cap_drop, cap_add,
 * no_new_privileges, shm_size, ulimits, mem_limit, cpus, init. */

#include "manifest.h"
#include "yaml-node.h"

/* Parses key `name` (one of the above) into ct; false if it was wrong (reported) or not one of them. */
bool parse_runtime_field(const struct yctx *c, const char *name, const yaml_node_t *v, const char *k,
                         struct container *ct);
