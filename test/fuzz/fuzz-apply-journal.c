/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl apply's journal (STATE-DIR/journal) through journal_parse(), with its rollback keys.
 * Oracles: no crash, no leak, an error message on every refusal, and a journal that parses is
 * rendered as a text that parses to the same journal. */
#include <errno.h>

#include "fuzz.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size), *error = NULL;
        struct apply_journal j = {0}, back = {0};
        int r = journal_parse(text, &j, &error);
        FUZZ_ASSERT(r == 0 || r == -EINVAL);
        FUZZ_ASSERT((r == 0) == (error == NULL));
        if (r == 0) {
                char *written = journal_render(&j), *again;
                FUZZ_ASSERT(written);
                FUZZ_ASSERT(journal_parse(written, &back, NULL) == 0);
                FUZZ_ASSERT((again = journal_render(&back)) && strcmp(written, again) == 0);
                FUZZ_ASSERT(strcmp(back.rollback, j.rollback) == 0 && strcmp(back.reason, j.reason) == 0);
                free(again);
                free(written);
        }
        free(error);
        free(text);
        return 0;
}
