/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to the manifest parser: one file per level of the schema. */

#include "manifest.h"
#include "yaml-node.h"

#define MANIFEST_KEY_MAX 256

bool parse_container(const struct yctx *c, const char *app, const char *part, const yaml_node_t *n,
                     struct container *ct);
/* The top-level "secrets" mapping; its problems make the manifest unusable, like a bad version. */
bool parse_secrets(const struct yctx *c, const yaml_node_t *n, struct manifest *m);
bool parse_derived(const struct yctx *c, const char *app, size_t index, const yaml_node_t *n, struct derived *d);
/* Order and readiness (manifest-parse-order.c, manifest-order.c). */
bool parse_depends_on(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct);
bool parse_restart(const struct yctx *c, const yaml_node_t *n, const char *key, struct container *ct);
bool parse_requires_item(const struct yctx *c, const yaml_node_t *item, const char *k, const char **ret_app,
                         enum dep_condition *ret_condition);
/* Within one app: depends_on names parts of the app, forms no cycle, and asks healthy only of a
 * part with a health check, completed only of a one-shot part. Marks the parts others wait on
 * for health (Notify=healthy). */
bool check_part_order(const struct yctx *c, struct app *a);
/* Between apps: requires with condition healthy needs the required app's main container to have
 * a health check; marks that container Notify=healthy. */
void manifest_check_requires_health(struct manifest *m, struct diag_list *diags);
bool parse_env_mapping(const struct yctx *c, const yaml_node_t *n, const char *key, struct env_var **ret,
                       size_t *ret_n);

void manifest_check_conflicts(struct manifest *m, struct diag_list *diags);
/* Build the name index manifest_find_app() searches; -ENOMEM on failure. */
int manifest_index_apps(struct manifest *m);
