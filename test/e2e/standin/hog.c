/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hog: allocates N MiB and touches every page of it, so that it is resident (and counted by the
 * container's memory cgroup), then waits for a stop signal. The end-to-end memory-limit test runs
 * it past a container's mem_limit: the kernel must OOM-kill it. */
#include "standin.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

int hog_main(int argc, char **argv) {
        static const struct option opts[] = {{"mb", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
        unsigned long mb = 0;
        int c;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                if (c != 'm' || !parse_ulong(optarg, 1, 65536, &mb)) {
                        usage(stderr);
                        return 2;
                }
        }
        if (mb == 0 || install_signals() < 0) {
                usage(stderr);
                return 2;
        }
        for (unsigned long i = 1; i <= mb; i++) {
                char *chunk = malloc(MIB);
                if (!chunk) {
                        logmsg("malloc failed after %lu MiB", i - 1);
                        return 1;
                }
                memset(chunk, (int)(i & 0xff) | 1, MIB); /* touched: resident, not just reserved */
                if (i % 16 == 0 || i == mb)
                        logmsg("%lu MiB resident", i);
        }
        logmsg("holding %lu MiB", mb);
        while (!stop_signal)
                pause();
        return 0;
}
