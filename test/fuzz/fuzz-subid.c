/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/subuid and /etc/subgid, through subid_find() the way node-user.c reads them for a rootless
 * node's apps user. Oracles: no crash; a range found fits in 32 bits and reads back the same from its
 * own canonical line; ids 1..count map into it and count + 1 does not. */
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"
#include "subid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct subid_range r, back;
        int k = subid_find(text, size, "archipelago", 996, &r);
        FUZZ_ASSERT(k == 0 || k == -ENOENT || k == -EINVAL);
        if (k == 0) {
                FUZZ_ASSERT(r.start + r.count <= 4294967296ULL);
                char line[64];
                snprintf(line, sizeof(line), "archipelago:%lu:%lu\n", r.start, r.count);
                FUZZ_ASSERT(subid_find(line, strlen(line), "archipelago", 996, &back) == 0);
                FUZZ_ASSERT(back.start == r.start && back.count == r.count);
                unsigned long host;
                FUZZ_ASSERT(subid_map(996, &r, 0, &host) && host == 996);
                if (r.count > 0) {
                        FUZZ_ASSERT(subid_map(996, &r, 1, &host) && host == r.start);
                        FUZZ_ASSERT(subid_map(996, &r, r.count, &host) && host == r.start + r.count - 1);
                }
                FUZZ_ASSERT(!subid_map(996, &r, r.count + 1, &host));
        }
        free(text);
        return 0;
}
