/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manifest parser, the top-level "node" mapping (manifest-parse-node.c): rootful or rootless. */

#include "manifest.h"
#include "yaml-node.h"

/* Its problems make the manifest unusable, like a bad chain: every app runs in the mode. */
bool parse_node(const struct yctx *c, const yaml_node_t *n, struct manifest *m);
