/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-reconcile --dry-run --json's output through doctor_parse_reconcile() (ctl/doctor-parse.c,
 * lib/model/json-doc.c). Oracles: no crash, no leak; a result is a count of findings or -EINVAL
 * with a reason. */
#include <errno.h>

#include "doctor.h"
#include "fuzz.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size); /* the output as read: a C string */
        char **findings = NULL;
        size_t n = 0;
        const char *why = NULL;
        int r = doctor_parse_reconcile(text, &findings, &n, &why);
        FUZZ_ASSERT(r >= 0 || r == -EINVAL || r == -ENOMEM);
        if (r >= 0)
                FUZZ_ASSERT((size_t)r == n);
        if (r == -EINVAL)
                FUZZ_ASSERT(why);
        strv_free(findings);
        free(text);
        return 0;
}
