/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manifest.h"
#include "strbuf.h"

/* Order and readiness in a container's units (archy-manifest(5), "Order and readiness"). */

/* [Unit]: the parts of its own app it depends on, the apps it requires. */
void render_order_unit(const struct app *a, const struct container *ct, struct strbuf *out);
/* [Container]: Notify=healthy when a part or an app waits for its health check. */
void render_order_container(const struct container *ct, struct strbuf *out);
/* [Service]: the restart policy, or a one-shot part's Type=oneshot. */
void render_order_restart(const struct container *ct, struct strbuf *out);
/* [Service] of an app's main container: an explicit stop is passed on to the apps that require
 * it, a restart is not. */
void render_order_stop(const struct manifest *m, const struct app *a, const struct container *ct, struct strbuf *out);
