/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe record (/run/archipelago/probes), which archyctl status and archyctl metrics read,
 * through probe_record_parse(). Oracles: no crash, no leak, and a record that parses is rendered as
 * a text that parses to the same record (the format is a fixed point). */
#include <errno.h>

#include "fuzz.h"
#include "probe-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct probe_record r, back;
        int k = probe_record_parse(text, size, &r, NULL);
        FUZZ_ASSERT(k == 0 || k == -EINVAL);
        if (k == 0) {
                char *written = probe_record_render(&r), *again;
                FUZZ_ASSERT(written);
                FUZZ_ASSERT(probe_record_parse(written, strlen(written), &back, NULL) == 0);
                FUZZ_ASSERT((again = probe_record_render(&back)) && strcmp(written, again) == 0);
                FUZZ_ASSERT(back.n == r.n);
                for (size_t i = 0; i < r.n; i++)
                        FUZZ_ASSERT(back.items[i].ok == r.items[i].ok &&
                                    back.items[i].checked_at == r.items[i].checked_at &&
                                    strcmp(back.items[i].detail, r.items[i].detail) == 0);
                free(again);
                free(written);
                probe_record_done(&back);
                probe_record_done(&r);
        }
        free(text);
        return 0;
}
