/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manifest parser, the top-level "secrets" mapping (manifest-parse-secrets.c). */

#include "manifest.h"
#include "yaml-node.h"

/* Its problems make the manifest unusable, like a bad version. */
bool parse_secrets(const struct yctx *c, const yaml_node_t *n, struct manifest *m);
