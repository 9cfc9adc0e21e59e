/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Order and readiness (manifest-parse-order.c, manifest-order.c). */

#include "diag.h"
#include "manifest.h"
#include "yaml-node.h"

bool parse_depends_on(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct);
bool parse_restart(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct);
bool parse_requires_item(const struct yctx *c, const yaml_node_t *item, const char *k, const char **ret_app,
                         enum dep_condition *ret_condition);
/* Within one app: depends_on names parts of the app, forms no cycle, and asks healthy only of a
 * part with a health check, completed only of a one-shot part. Marks the parts others wait on
 * for health (Notify=healthy). */
bool check_part_order(const struct yctx *c, struct app *a);
