/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crun's `status` file of a container (what archy-podman-repair reads in crun's root) through
 * crun_status_parse() and crun_state_is_podmans(). Oracles: no crash, no leak; a parsed status
 * has a positive pid, and a state taken as podman's has a bundle ending in its id's userdata. */
#include <errno.h>
#include <string.h>

#include "crun-status.h"
#include "fuzz.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct crun_status s;
        int r = crun_status_parse(text, size, &s);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == 0) {
                FUZZ_ASSERT(s.pid > 0);
                if (crun_state_is_podmans(ID, &s))
                        FUZZ_ASSERT(strstr(s.bundle, "-containers/" ID "/userdata"));
        }
        crun_status_done(&s);
        free(text);
        return 0;
}
