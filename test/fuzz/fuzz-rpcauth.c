/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rpcauth: the input as a bitcoin.conf line through every reader, then split at NUL bytes into
 * user, salt and password for rpcauth_format(). Oracle: every value it formats reads back as a
 * line for that user whose hmac validates the password with its own salt. */
#include "fuzz.h"
#include "rpcauth.h"

static void read_line(const char *line, size_t len) {
        const char *value;
        size_t value_len;
        struct rpcauth_value rv;
        (void)rpcauth_line_is_for_user(line, len, "electrumx");
        if (rpcauth_line_value(line, len, &value, &value_len)) {
                FUZZ_ASSERT(value >= line && value + value_len <= line + len);
                if (rpcauth_parse(value, value_len, &rv) == 0)
                        FUZZ_ASSERT(rv.user >= value && rv.hmac + rv.hmac_len <= value + value_len);
                (void)rpcauth_matches(value, value_len, "electrumx", "password");
        }
}

static void check_format(const char *user, const char *salt, const char *password) {
        char *value = rpcauth_format(user, salt, password), *line = NULL;
        if (!value)
                return;
        FUZZ_ASSERT(asprintf(&line, "rpcauth=%s", value) > 0);
        const char *got;
        size_t got_len;
        FUZZ_ASSERT(rpcauth_line_value(line, strlen(line), &got, &got_len));
        FUZZ_ASSERT(fuzz_bytes_eq(got, got_len, value, strlen(value)));
        FUZZ_ASSERT(rpcauth_line_is_for_user(line, strlen(line), user));
        FUZZ_ASSERT(rpcauth_matches(got, got_len, user, password));
        free(line);
        free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = fuzz_memdup(data, size);
        read_line(text, size);
        free(text);

        char *all = fuzz_strndup(data, size); /* "user\0salt\0password" */
        const char *user = all, *salt = user + strlen(user) + 1, *password;
        if (salt <= all + size) {
                password = salt + strlen(salt) + 1;
                if (password <= all + size)
                        check_format(user, salt, password);
        }
        free(all);
        return 0;
}
