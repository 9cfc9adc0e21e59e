/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "status.h"

/* Pure: the node's metrics in Prometheus's text format (archyctl(8), METRICS; the names are the
 * contract of issue 15) from archyctl status's model, after status_evaluate(). Families in a
 * fixed order, apps in the manifest's, an app's containers in its; a fact the model does not
 * hold (no OTA ever verified, a disk statvfs could not read) leaves its series out. NULL on OOM. */
char *metrics_render(const struct status *s);
