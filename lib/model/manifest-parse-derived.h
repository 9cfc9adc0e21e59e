/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manifest parser, one derived entry (manifest-parse-derived.c). */

#include "manifest.h"
#include "yaml-node.h"

bool parse_derived(const struct yctx *c, const char *app, size_t index, const yaml_node_t *n, struct derived *d);
/* Free what parse_derived() allocated in *d. */
void derived_done(struct derived *d);
