/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The manifest parser, one container (manifest-parse-container.c). */

#include "manifest.h"
#include "yaml-node.h"

bool parse_container(const struct yctx *c, const char *app, const char *part, const yaml_node_t *n,
                     struct container *ct);
/* A mapping of environment variable names to values (also used by derived env files). */
bool parse_env_mapping(const struct yctx *c, const yaml_node_t *n, const char *key, struct env_var **ret,
                       size_t *ret_n);
/* A list of text scalars; each item goes through `check` (may be NULL) with `what` naming the
 * expected form. Returns false if anything was wrong. */
bool parse_text_list(const struct yctx *c, const yaml_node_t *n, const char *key, bool (*check)(const char *),
                     const char *what, const char ***ret, size_t *ret_n);
