/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-verify-ota's state file through ota_state_parse(). Oracles: no crash, no leak, and a state
 * that parses is written back as a text that parses to the same state (format is a fixed point). */
#include <errno.h>

#include "fuzz.h"
#include "ota-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size);
        struct ota_state s = {0}, back = {0};
        int r = ota_state_parse(text, &s);
        FUZZ_ASSERT(r == 0 || r == -EINVAL);
        if (r == 0) {
                char *written = ota_state_format(&s), *again;
                FUZZ_ASSERT(written);
                FUZZ_ASSERT(ota_state_parse(written, &back) == 0);
                FUZZ_ASSERT((again = ota_state_format(&back)) && strcmp(written, again) == 0);
                /* Every transition from a state read back stays well-formed. */
                (void)ota_step(&back, EV_RUN, 3, 2);
                free(again);
                free(written);
        }
        ota_state_done(&back);
        ota_state_done(&s);
        free(text);
        return 0;
}
