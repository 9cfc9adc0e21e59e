/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `podman info --format json` output through podman_info_parse() and podman_db_path(). Oracles:
 * no crash, no leak; a parsed object has its graph root. */
#include <errno.h>

#include "fuzz.h"
#include "podman-info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        struct podman_info info = {0};
        int r = podman_info_parse(text, size, &info);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == 0) {
                FUZZ_ASSERT(info.graph_root);
                free(podman_db_path(info.db_backend, info.graph_root));
        }
        podman_info_done(&info);
        free(text);
        return 0;
}
