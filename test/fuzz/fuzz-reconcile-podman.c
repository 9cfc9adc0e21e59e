/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `podman ps -a --format json` (and volume ls, network ls) output through podman_list_parse().
 * Oracles: no crash, no leak; a parsed list has a name for every object; a refusal says why. */
#include <errno.h>

#include "fuzz.h"
#include "podman-list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct rc_objects l;
        const char *why = NULL;
        int r = podman_list_parse(text, size, &l, &why);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_ASSERT(r != -EINVAL || why);
        for (size_t i = 0; r == 0 && i < l.n; i++)
                FUZZ_ASSERT(l.items[i].name && l.items[i].name[0]);
        rc_objects_done(&l);
        free(text);
        return 0;
}
