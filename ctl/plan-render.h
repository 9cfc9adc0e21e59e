/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plan.h"
#include "strbuf.h"

/* Pure: a plan as text for a terminal and as JSON for the node's daemon (archyctl(8)). */

/* One line per app that changes: its name, action, from -> to, and the units it stops, restarts
 * and starts; the unchanged apps on one line at the end ("unchanged (N): NAME..."); a last line
 * when the network stops. "nothing to do" alone for a plan that changes nothing. Every line ends
 * with a newline. */
void plan_render_text(const struct plan *p, struct strbuf *out);

/* One JSON object, no newline after it:
 * {"apps":[{"app":NAME,"action":ACTION,"from":STATE,"to":STATE,"stop":[SERVICE...],
 *   "restart":[...],"start":[...],"wait":BOOL}...],"network_stop":BOOL,"noop":BOOL}
 * every app of the plan in its order; STATE is started, stopped, uninstalled, or absent for an
 * app that manifest does not name. */
void plan_render_json(const struct plan *p, struct strbuf *out);
/* One app's object of that list, {"app":...,"wait":BOOL} (for JSON lines of progress). */
void plan_render_json_app(const struct plan_app *a, struct strbuf *out);

/* "absent" for an app the manifest does not name, else app_state_to_string(). */
const char *plan_state_to_string(enum app_state s, bool present);
