/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* A bump allocator: many small objects that live and die together, carved out of a few large
 * chunks (no per-object malloc header, one free for all). Pointers stay valid until arena_free(). */
struct arena_chunk;
struct arena {
        struct arena_chunk *chunks; /* the newest first */
        size_t used;                /* bytes taken in the newest chunk */
        size_t size;                /* bytes it holds */
};

#define ARENA_INIT                                                                                                     \
        { 0 }

/* size bytes aligned for any object, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* A NUL-terminated copy of the len bytes at s (which may hold NULs). */
char *arena_memdup0(struct arena *a, const void *s, size_t len);
void arena_free(struct arena *a);
