/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The only D-Bus user of archy-derive, and only when a file changed: a run that finds no drift
 * never connects. */

/* try-restart each unit (a unit the user stopped stays stopped). Returns the number of failures. */
int bus_try_restart(char *const *units, size_t n);
/* reload-or-try-restart one unit, e.g. nginx.service after its routes changed. 0 or negative errno. */
int bus_reload(const char *unit);
