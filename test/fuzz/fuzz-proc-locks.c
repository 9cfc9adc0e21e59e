/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/locks, line by line, through proc_locks_parse_line() the way stuck.c reads it. Oracles: no
 * crash; a holder has a real PID and a waiter ("->") is never one. */
#include "fuzz.h"
#include "stuck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_strndup(data, size), *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct proc_lock l;
                if (proc_locks_parse_line(line, &l)) {
                        FUZZ_ASSERT(l.pid > 0);
                        FUZZ_ASSERT(!strstr(line, "->"));
                }
        }
        free(text);
        return 0;
}
