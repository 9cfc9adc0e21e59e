/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "strbuf.h"

/* The longest value a field carries; a longer one is cut there (a podman error's text can be long,
 * and one datagram holds the whole entry). */
#define JOURNAL_FIELD_VALUE_MAX 8192

/* Appends one field to an entry of journald's native protocol: "KEY=value\n", or, when the value
 * holds a newline, the binary form "KEY\n", the length as 64-bit little endian, the value, "\n"
 * (sd_journal_print(3)'s protocol, systemd's JOURNAL_NATIVE_PROTOCOL.md): a newline in a value
 * can never start a field of its own. A key that is not one journald accepts (A-Z, 0-9 and _,
 * not starting with _ or a digit, at most 64 characters) adds nothing: returns -EINVAL. */
int journal_field_add(struct strbuf *entry, const char *key, const char *value, size_t value_len);

/* One field of an entry a caller sends (log_journal_fields): value NULL is the empty value. */
struct journal_field {
        const char *key;
        const char *value;
};
