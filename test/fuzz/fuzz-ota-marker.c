/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OTA marker (archy-verify-ota(8)) through marker_parse(). Oracles: no crash, no leak, and a
 * marker that parses keeps the documented bounds. */
#include <errno.h>

#include "fuzz.h"
#include "marker.h"

static void check_marker(const struct ota_marker *m) {
        FUZZ_ASSERT(m->new_version && m->previous_version);
        FUZZ_ASSERT(m->deadline_seconds >= 1 && m->deadline_seconds <= 86400);
        FUZZ_ASSERT(m->grace_seconds <= 3600);
        FUZZ_ASSERT(m->max_attempts >= 1 && m->max_attempts <= 100);
        FUZZ_ASSERT(m->n_checks >= 1 && m->n_checks <= MARKER_MAX_CHECKS);
        FUZZ_ASSERT(m->n_swaps >= 1 && m->n_swaps <= MARKER_MAX_SWAPS);
        FUZZ_ASSERT(m->n_restarts <= MARKER_MAX_RESTARTS);
        for (size_t i = 0; i < m->n_checks; i++) {
                FUZZ_ASSERT(m->checks[i].url);
                FUZZ_ASSERT(m->checks[i].expect_status >= 100 && m->checks[i].expect_status <= 599);
                (void)url_is_loopback(m->checks[i].url);
        }
        for (size_t i = 0; i < m->n_swaps; i++)
                FUZZ_ASSERT(m->swaps[i].current && m->swaps[i].backup &&
                            strcmp(m->swaps[i].current, m->swaps[i].backup) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct diag_list diags = {0};
        struct ota_marker m = {0};
        int r = marker_parse(text, size, &diags, &m);
        FUZZ_ASSERT(r == 0 || r == -EINVAL);
        if (r == 0) {
                FUZZ_ASSERT(diags.n == 0);
                check_marker(&m);
        } else
                FUZZ_ASSERT(diags.n > 0);
        marker_done(&m);
        diag_list_free(&diags);
        free(text);
        return 0;
}
