/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manifest parser, an app's live probes (apps.APP.probes, manifest-parse-probes.c). */

#include "manifest.h"
#include "yaml-node.h"

/* A list of {name, tcp | http, expect, timeout} into a->probes; false if anything was wrong (reported). */
bool parse_probes(const struct yctx *c, const yaml_node_t *n, const char *key, struct app *a);
