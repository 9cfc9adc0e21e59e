/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-podman-repair's state file through repair_state_parse(). Oracles: no crash, no leak, and
 * the state written back reads back the same (format is a fixed point), with the rate limit
 * computable on it. */
#include "fuzz.h"
#include "repair-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size);
        struct repair_state s = {0}, back = {0};
        int r = repair_state_parse(text, &s);
        FUZZ_ASSERT(r >= 0);
        FUZZ_ASSERT(s.n_repairs <= REPAIR_HISTORY);
        char *written = repair_state_format(&s), *again;
        FUZZ_ASSERT(written);
        FUZZ_ASSERT(repair_state_parse(written, &back) >= 0);
        FUZZ_ASSERT((again = repair_state_format(&back)) && strcmp(written, again) == 0);
        (void)repair_allowed(&back, 1795780800, NULL, 3, 4);
        repair_state_record(&back, 1795780800, "database-missing", false);
        free(again);
        free(written);
        repair_state_done(&back);
        repair_state_done(&s);
        free(text);
        return 0;
}
