/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl apply's rollback record (STATE-DIR/rolled-back/APP), which archyctl status reads,
 * through rollback_record_parse(). Oracles: no crash, no leak, and a record that parses is
 * rendered as a text that parses to the same record (the format is a fixed point). */
#include <errno.h>

#include "fuzz.h"
#include "rollback-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size);
        struct rollback_record r = {0}, back = {0};
        int k = rollback_record_parse(text, &r, NULL);
        FUZZ_ASSERT(k == 0 || k == -EINVAL);
        if (k == 0) {
                char *written = rollback_record_render(&r), *again;
                FUZZ_ASSERT(written);
                FUZZ_ASSERT(rollback_record_parse(written, &back, NULL) == 0);
                FUZZ_ASSERT((again = rollback_record_render(&back)) && strcmp(written, again) == 0);
                FUZZ_ASSERT(back.n_images == r.n_images && back.at == r.at);
                free(again);
                free(written);
                rollback_record_done(&back);
                rollback_record_done(&r);
        }
        free(text);
        return 0;
}
