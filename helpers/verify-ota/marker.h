/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ota-state.h"
#include "url.h"

/* Pure: the marker the updater writes before it restarts into a new version
 * (/var/lib/archipelago/update-pending-verify.json by default). JSON, read with the project's
 * YAML parser (JSON is YAML). Format (archy-verify-ota(8)):
 *
 *   {
 *     "marker_version": 1,
 *     "new_version": "1.4.0",                  required, printable text
 *     "previous_version": "1.3.2",             required
 *     "applied_at": 1795780800,                required: unix seconds (integer)
 *     "deadline_seconds": 300,                 optional, 1..86400, default 300: one attempt's window
 *     "grace_seconds": 15,                     optional, 0..3600, default 15: start-up time before probing
 *     "max_attempts": 3,                       optional, 1..100, default 3: verification runs (boots) allowed
 *     "checks": [                              optional, default one check https://127.0.0.1/ -> 200
 *       {"url": "https://127.0.0.1/", "expect_status": 200}
 *     ],                                       1..16 checks; url http:// or https://, expect_status 100..599
 *     "rollback": {                            required
 *       "swap": [                              required, 1..32 pairs of absolute paths, no two pairs
 *         {"current": "/usr/bin/archipelagod",  sharing a path, current != backup
 *          "backup": "/usr/bin/archipelagod.bak"}
 *       ],
 *       "restart": ["archipelago.service"]     optional, 0..32 unit names (valid systemd unit names)
 *     }
 *   }
 *
 * Unknown keys are errors (with a "did you mean"), so that a typo cannot silently drop a check. */

#define MARKER_MAX_CHECKS 16
#define MARKER_MAX_SWAPS OTA_MAX_SWAPS
#define MARKER_MAX_RESTARTS 32

struct ota_check {
        char *url;
        int expect_status;
};

struct ota_swap {
        char *current; /* the live path the update replaced */
        char *backup;  /* the previous version, kept by the updater */
};

struct ota_marker {
        char *new_version, *previous_version;
        long long applied_at;
        unsigned deadline_seconds, grace_seconds, max_attempts;
        struct ota_check checks[MARKER_MAX_CHECKS];
        size_t n_checks;
        struct ota_swap swaps[MARKER_MAX_SWAPS];
        size_t n_swaps;
        char *restarts[MARKER_MAX_RESTARTS];
        size_t n_restarts;
};

/* Parse text (len bytes) read from path (for messages). Every problem goes to diags with line,
 * column, key and what was expected; returns 0, -EINVAL when there was any problem (*ret is then
 * empty), -ENOMEM. */
int marker_parse(const char *text, size_t len, struct diag_list *diags, struct ota_marker *ret);
void marker_done(struct ota_marker *m);
