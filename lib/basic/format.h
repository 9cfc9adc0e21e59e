/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* printf for the few conversions that renderers and key paths use, without vsnprintf's cost
 * (locale, FILE emulation: most of the renderer's time was there). The result is snprintf's. */

/* Formats fmt, handing each piece to put, when it uses only %s, %.Ns (N decimal), %c, %d, %u,
 * %zu, %lu and %%. At any other conversion it stops and returns false (after handing out the
 * pieces before it, and consuming arguments): the caller starts over with vsnprintf and a copy
 * of its va_list. */
typedef void (*format_put_t)(void *ctx, const char *s, size_t len);
bool format_simple(format_put_t put, void *ctx, const char *fmt, va_list ap);
