/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "report.h"

struct run_options {
        bool check, user, reset, explicit_manifest;
        const char *manifest, *podman, *status_file, *state_file;
        long timeout_s;
        unsigned max_failures;
};

/* One run: probe, classify, repair unless --check, report. Returns the exit status. */
int run(const struct run_options *o);
