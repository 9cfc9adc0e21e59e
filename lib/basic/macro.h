/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))
#define _warn_unused_result_ __attribute__((warn_unused_result))

static inline void freep(void *p) {
        free(*(void **)p);
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)

/* Hand ownership out of a cleanup-managed variable. */
#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _took = (p);                                                                             \
                (p) = NULL;                                                                                            \
                _took;                                                                                                 \
        })
#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _took = (fd);                                                                                      \
                (fd) = -1;                                                                                             \
                _took;                                                                                                 \
        })

/* An array of n zeroed items, exactly n (so that ASan sees a read past the end), and never a
 * zero-size allocation (calloc may return NULL for it, which would read as out of memory). */
static inline void *calloc_items(size_t n, size_t size) {
        return calloc(n ? n : 1, size);
}

static inline int negative_errno(int e) {
        return e > 0 ? -e : -EIO;
}
