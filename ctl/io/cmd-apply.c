/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archyctl apply: NOT IMPLEMENTED YET (the skeleton of issue 14; replaced by the real command). */
#include <stdio.h>

#include "commands.h"

int cmd_apply(int argc, char **argv) {
        (void)argc;
        (void)argv;
        fprintf(stderr, "archyctl apply: not implemented yet\n");
        return CTL_EXIT_FAILED;
}
