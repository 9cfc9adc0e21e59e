/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to the manifest parser (manifest-parse*.c): one file per level of the schema, each
 * with its own header. */

#include "manifest-parse-container.h"
#include "manifest-parse-derived.h"
#include "manifest-parse-node.h"
#include "manifest-parse-probes.h"
#include "manifest-parse-secrets.h"
#include "manifest-parse-volumes.h"
#include "manifest.h"
#include "yaml-node.h"
#include "manifest-parse-order.h"
