/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* bitcoind's multi-user RPC credentials: "rpcauth=<user>:<salt>$<hmac>" in bitcoin.conf, where
 * hmac = hex(HMAC-SHA256(key = the salt as written, message = password)). The password itself is
 * never stored in the file, so drift is detected by recomputing the hmac with the line's own salt. */

#define RPCAUTH_SALT_HEX_LEN 32
#define RPCAUTH_HMAC_HEX_LEN 64

/* Lowercase hex HMAC-SHA256 keyed with the salt text. 0 or -EIO. */
int rpcauth_hmac(const char *salt, size_t salt_len, const char *password, char out[RPCAUTH_HMAC_HEX_LEN + 1]);

/* The three fields of an rpcauth value; they point into the parsed text and are not NUL-terminated. */
struct rpcauth_value {
        const char *user;
        size_t user_len;
        const char *salt;
        size_t salt_len;
        const char *hmac;
        size_t hmac_len;
};

/* value = "user:salt$hmac", split the way bitcoind splits it. 0, or -EINVAL when a ':' or '$' is
 * missing or repeated, or a field is empty. */
int rpcauth_parse(const char *value, size_t len, struct rpcauth_value *ret);

/* Whether value is for user and its hmac validates password with the value's own salt. The hmac is
 * compared in constant time and, like bitcoind, as lowercase hex only. */
bool rpcauth_matches(const char *value, size_t len, const char *user, const char *password);

/* "user:salt$hmac", malloc'd. NULL with errno set on failure, including EINVAL for a user or salt
 * that bitcoind would not read back as written (empty, ':', '$' in the salt, '#', line breaks,
 * whitespace at either end). */
char *rpcauth_format(const char *user, const char *salt, const char *password);

/* 16 random bytes as lowercase hex. 0 or negative errno. */
int rpcauth_new_salt(char out[RPCAUTH_SALT_HEX_LEN + 1]);

/* A bitcoin.conf line (a line of text without its newline) that sets rpcauth for user:
 * "rpcauth=user:..." read the way bitcoind's config parser reads it: '#' starts a comment anywhere,
 * spaces, tabs and '\r' around the line, the name and the value do not count. A malformed value
 * still counts when its user field is user, so that a broken line of ours can be replaced. The
 * section the line sits in ("[main]") is the caller's business. */
bool rpcauth_line_is_for_user(const char *line, size_t len, const char *user);

/* If line is "rpcauth=<value>" (same rules), set *value and *value_len (trimmed, comment removed,
 * pointing into line) and return true. */
bool rpcauth_line_value(const char *line, size_t len, const char **value, size_t *value_len);
