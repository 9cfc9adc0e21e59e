/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "journal-field.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static bool key_is_valid(const char *key, size_t len) {
        if (len == 0 || len > 64 || key[0] == '_' || (key[0] >= '0' && key[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((key[i] >= 'A' && key[i] <= 'Z') || (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
                        return false;
        return true;
}

int journal_field_add(struct strbuf *entry, const char *key, const char *value, size_t value_len) {
        size_t key_len = strlen(key);
        if (!key_is_valid(key, key_len))
                return -EINVAL;
        if (value_len > JOURNAL_FIELD_VALUE_MAX)
                value_len = JOURNAL_FIELD_VALUE_MAX;
        strbuf_add(entry, key, key_len);
        if (!memchr(value, '\n', value_len)) {
                strbuf_putc(entry, '=');
        } else {
                char le[8];
                uint64_t n = value_len;
                for (int i = 0; i < 8; i++)
                        le[i] = (char)((n >> (8 * i)) & 0xff);
                strbuf_putc(entry, '\n');
                strbuf_add(entry, le, sizeof(le));
        }
        strbuf_add(entry, value, value_len);
        strbuf_putc(entry, '\n');
        return 0;
}
