/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-derive's drift counters (derive.state) through derive_state_parse(), as archy-derive and
 * archyctl status read it. Oracles: no crash, no leak, every entry kept is well formed, and the
 * state written back reads back the same (format is a fixed point), a count added included. */
#include "derive-state.h"
#include "fuzz.h"

static bool keep_odd(const char *app, void *userdata) {
        (void)userdata;
        return strlen(app) % 2 == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct derive_state s = {0}, back = {0};
        int r = derive_state_parse((const char *)data, size, &s);
        FUZZ_ASSERT(r >= 0);
        for (size_t i = 0; i < s.n_files; i++)
                FUZZ_ASSERT(s.files[i].path[0] == '/' && s.files[i].repaired <= s.files[i].found &&
                            !strchr(s.files[i].app, ' ') && !strchr(s.files[i].path, '\n'));
        FUZZ_ASSERT(derive_state_count(&s, "fuzz", "/fuzz", true) == 0);
        char *written = derive_state_format(&s), *again;
        FUZZ_ASSERT(written);
        FUZZ_ASSERT(derive_state_parse(written, strlen(written), &back) == 0);
        FUZZ_ASSERT((again = derive_state_format(&back)) && strcmp(written, again) == 0);
        (void)derive_state_prune(&back, keep_odd, NULL);
        free(again);
        free(written);
        derive_state_done(&back);
        derive_state_done(&s);
        return 0;
}
