/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manifest parser, volumes (manifest-parse-volumes.c): apps.APP.volumes, a container's
 * volumes (text and mapping forms) and expose. */

#include "manifest.h"
#include "yaml-node.h"

bool parse_app_volumes(const struct yctx *c, const yaml_node_t *n, const char *key, struct app *a);
bool parse_mounts(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct);
bool parse_expose(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct);
