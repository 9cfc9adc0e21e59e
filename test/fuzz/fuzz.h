/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the libFuzzer harnesses (test/fuzz/fuzz-*.c, `make fuzz`). */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An oracle failed: say which, and abort so that libFuzzer saves the input as a crash. */
#define FUZZ_ASSERT(cond)                                                                                              \
        do {                                                                                                           \
                if (!(cond)) {                                                                                         \
                        fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, __LINE__, #cond);                      \
                        abort();                                                                                       \
                }                                                                                                      \
        } while (0)

/* The input as a NUL-terminated string (the parsers that take a C string: what read_file gives). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* Exactly size bytes, no terminator: a parser given (text, len) must not read past len. */
static inline char *fuzz_memdup(const uint8_t *data, size_t size) {
        char *s = malloc(size ? size : 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        return s;
}

static inline int fuzz_bytes_eq(const char *a, size_t alen, const char *b, size_t blen) {
        return alen == blen && memcmp(a, b, alen) == 0;
}
