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
void derived_done(struct derived *d);
bool parse_env_mapping(const struct yctx *c, const yaml_node_t *n, const char *key, struct env_var **ret,
                       size_t *ret_n);

void manifest_check_conflicts(struct manifest *m, struct diag_list *diags);
/* Build the name index manifest_find_app() searches; -ENOMEM on failure. */
int manifest_index_apps(struct manifest *m);
