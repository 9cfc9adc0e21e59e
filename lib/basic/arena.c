/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_FIRST ((size_t)4096)
#define CHUNK_MAX ((size_t)256 * 1024)

struct arena_chunk {
        struct arena_chunk *next;
        alignas(max_align_t) unsigned char data[];
};

/* A new chunk for at least `need` bytes; chunks double up to CHUNK_MAX so that a small document
 * takes little and a large one few mallocs. A large object gets a chunk of its own, behind the
 * current one, so the free room of the current chunk is not lost. */
static void *new_chunk(struct arena *a, size_t need) {
        size_t size = a->chunks ? a->size * 2 : CHUNK_FIRST;
        if (size > CHUNK_MAX)
                size = CHUNK_MAX;
        bool own = need > size / 4;
        if (own)
                size = need;
        if (size > SIZE_MAX - sizeof(struct arena_chunk))
                return NULL;
        struct arena_chunk *c = malloc(sizeof(*c) + size);
        if (!c)
                return NULL;
        if (own && a->chunks) {
                c->next = a->chunks->next;
                a->chunks->next = c;
                return c->data;
        }
        c->next = a->chunks;
        a->chunks = c;
        a->size = size;
        a->used = need;
        return c->data;
}

/* size bytes at a multiple of align (a power of two) in the newest chunk, or a new one. */
static void *bump(struct arena *a, size_t size, size_t align) {
        size_t at = (a->used + align - 1) & ~(align - 1);
        if (a->chunks && at <= a->size && a->size - at >= size) {
                a->used = at + size;
                return a->chunks->data + at;
        }
        return new_chunk(a, size);
}

void *arena_alloc(struct arena *a, size_t size) {
        return bump(a, size ? size : 1, alignof(max_align_t));
}

char *arena_memdup0(struct arena *a, const void *s, size_t len) {
        if (len == SIZE_MAX)
                return NULL;
        char *p = bump(a, len + 1, 1); /* text needs no alignment */
        if (!p)
                return NULL;
        if (len)
                memcpy(p, s, len);
        p[len] = '\0';
        return p;
}

void arena_free(struct arena *a) {
        for (struct arena_chunk *c = a->chunks, *next; c; c = next) {
                next = c->next;
                free(c);
        }
        *a = (struct arena)ARENA_INIT;
}
