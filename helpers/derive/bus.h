/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "node-user.h"

/* The only D-Bus user of archy-derive, and only when a file changed: a run that finds no drift
 * never connects. */

/* try-restart each unit (a unit the user stopped stays stopped) in the manager that runs the apps
 * (u NULL: the system's; rootless: the apps user's, whose units are the apps'). Returns the number
 * of failures. */
int bus_try_restart(const struct node_user *u, char *const *units, size_t n);
/* reload-or-try-restart one unit of the system manager, e.g. nginx.service after its routes
 * changed. 0 or negative errno. */
int bus_reload(const char *unit);
