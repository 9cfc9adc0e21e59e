/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A text handed to libyaml in pieces (manifest_parse_reader()), for the fuzz harness and the unit
 * tests: each call gives at most `step` bytes (SIZE_MAX: as much as libyaml asks for, as a file
 * read does). */

#include <stddef.h>
#include <string.h>

struct text_pieces {
        const unsigned char *data;
        size_t size, at, step;
};

static inline int read_text_pieces(void *p, unsigned char *buf, size_t size, size_t *got) {
        struct text_pieces *r = p;
        size_t n = r->size - r->at;
        n = n < r->step ? n : r->step;
        n = n < size ? n : size;
        memcpy(buf, r->data + r->at, n);
        r->at += n;
        *got = n;
        return 1;
}
