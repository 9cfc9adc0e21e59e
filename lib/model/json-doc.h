/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* The one reader of the small JSON files and lines archy's helpers write to each other
 * (archy-podman-repair's status file, podman info, archy-reconcile's --json lines): JSON is read
 * as YAML by libyaml, whose loaded document is walked here. Pure. A JSON string is a quoted
 * scalar; null, numbers and booleans are plain ones. */

/* Load text as one document: 0, -EINVAL (not YAML/JSON, or empty) or -ENOMEM. *ret is to be
 * freed with yaml_document_delete() on 0 only. */
int json_doc_load(const char *text, size_t len, yaml_document_t *ret);

/* The value of KEY in the mapping MAP (NULL: the root), or NULL when MAP is not a mapping or has
 * no KEY. */
yaml_node_t *json_member(yaml_document_t *doc, yaml_node_t *map, const char *key);
/* KEY's text when it is a JSON string; NULL when absent, null, a number or a boolean. */
const char *json_string_member(yaml_document_t *doc, yaml_node_t *map, const char *key);
/* KEY's value when it is a number from 0 to max (true), else false. */
bool json_unsigned_member(yaml_document_t *doc, yaml_node_t *map, const char *key, unsigned long long max,
                          unsigned long long *ret);
/* The scalar at a dotted path of keys from the root ("store.graphRoot"), or NULL. */
const char *json_scalar_at(yaml_document_t *doc, const char *path);
