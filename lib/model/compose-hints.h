/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Pointed hints for people who come from Docker Compose (archy-manifest(5), "COMING FROM
 * COMPOSE"). Pure: no allocation but compose_health_string()'s result. */

/* What archy does instead of the compose key `name`, or why it is not offered, when `name` is
 * unknown at the key path `path` ("(top level)", "apps.APP", "apps.APP.containers.PART",
 * "apps.APP.containers.PART.health"); NULL when there is no hint (the caller falls back to
 * "did you mean"). Only called for keys the level does not know. */
const char *compose_hint(const char *path, const char *name);

/* The string form of a compose exec-list health test (["CMD", "curl", "-f", "x"],
 * ["CMD-SHELL", "curl -f x"], or a plain list of arguments): arguments that need it are quoted
 * for the container's shell. Returns 0 and a malloc'ed *ret, -EINVAL when there is no string
 * form (["NONE"], an empty list, a "CMD-SHELL" with more than one string), -ENOMEM. */
int compose_health_string(const char *const *items, size_t n, char **ret);
