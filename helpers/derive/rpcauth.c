/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mirrors Bitcoin Core: share/rpcauth/rpcauth.py (generation), src/httprpc.cpp (InitRPCAuthentication
 * splits the value, CheckUserAuthorized compares HexStr() of the HMAC, i.e. lowercase hex, byte for
 * byte) and src/common/config.cpp (GetConfigOptions reads the lines). Test vectors come from
 * test/functional/rpc_users.py. */
#include "rpcauth.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/random.h>

#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_Init and friends: see rpcauth_hmac() */
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "strbuf.h"

static void hex_lower(const unsigned char *in, size_t n, char *out) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[in[i] >> 4];
                out[2 * i + 1] = digits[in[i] & 0xf];
        }
        out[2 * n] = '\0';
}

/* HMAC (RFC 2104) over OpenSSL's low-level SHA-256. The EVP/HMAC() route would be shorter, but
 * its first call initialises OpenSSL 3's providers: about 2 ms and 2 MB on every run of a helper
 * that runs every 30 s (bench/derive.sh). These functions are deprecated, not gone. */
static void sha256_keyed(const unsigned char pad[64], const void *msg, size_t len, unsigned char out[32]) {
        SHA256_CTX ctx;
        SHA256_Init(&ctx);
        SHA256_Update(&ctx, pad, 64);
        SHA256_Update(&ctx, msg, len);
        SHA256_Final(out, &ctx);
        OPENSSL_cleanse(&ctx, sizeof(ctx));
}

int rpcauth_hmac(const char *salt, size_t salt_len, const char *password, char out[RPCAUTH_HMAC_HEX_LEN + 1]) {
        unsigned char key[64] = {0}, ipad[64], opad[64], inner[32], md[32];
        /* The key is the salt's hex text, not the bytes it encodes: that is what bitcoind does. */
        if (salt_len > sizeof(key))
                SHA256((const unsigned char *)salt, salt_len, key);
        else
                memcpy(key, salt, salt_len);
        for (size_t i = 0; i < sizeof(key); i++) {
                ipad[i] = key[i] ^ 0x36;
                opad[i] = key[i] ^ 0x5c;
        }
        sha256_keyed(ipad, password, strlen(password), inner);
        sha256_keyed(opad, inner, sizeof(inner), md);
        hex_lower(md, sizeof(md), out);
        OPENSSL_cleanse(key, sizeof(key));
        OPENSSL_cleanse(ipad, sizeof(ipad));
        OPENSSL_cleanse(opad, sizeof(opad));
        OPENSSL_cleanse(inner, sizeof(inner));
        OPENSSL_cleanse(md, sizeof(md));
        return 0;
}

int rpcauth_parse(const char *value, size_t len, struct rpcauth_value *ret) {
        const char *colon = memchr(value, ':', len);
        if (!colon || memchr(colon + 1, ':', len - (size_t)(colon + 1 - value)))
                return -EINVAL;
        /* bitcoind splits on '$' only after ':', so a '$' in the user is fine. */
        const char *rest = colon + 1;
        size_t rest_len = len - (size_t)(rest - value);
        const char *dollar = memchr(rest, '$', rest_len);
        if (!dollar || memchr(dollar + 1, '$', rest_len - (size_t)(dollar + 1 - rest)))
                return -EINVAL;

        struct rpcauth_value v = {
                .user = value,
                .user_len = (size_t)(colon - value),
                .salt = rest,
                .salt_len = (size_t)(dollar - rest),
                .hmac = dollar + 1,
                .hmac_len = rest_len - (size_t)(dollar + 1 - rest),
        };
        if (v.user_len == 0 || v.salt_len == 0 || v.hmac_len == 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

bool rpcauth_matches(const char *value, size_t len, const char *user, const char *password) {
        struct rpcauth_value v;
        if (rpcauth_parse(value, len, &v) < 0)
                return false;
        if (v.user_len != strlen(user) || memcmp(v.user, user, v.user_len) != 0)
                return false;
        if (v.hmac_len != RPCAUTH_HMAC_HEX_LEN)
                return false;

        char expected[RPCAUTH_HMAC_HEX_LEN + 1];
        if (rpcauth_hmac(v.salt, v.salt_len, password, expected) < 0)
                return false;
        bool ok = CRYPTO_memcmp(expected, v.hmac, RPCAUTH_HMAC_HEX_LEN) == 0;
        OPENSSL_cleanse(expected, sizeof(expected));
        return ok;
}

/* A field must come back unchanged through bitcoind's line parser and value splitter. */
static bool field_survives_conf(const char *s, const char *forbidden) {
        static const char blank[] = " \t\r\n";
        size_t n = strlen(s);
        if (n == 0 || strchr(blank, s[0]) || strchr(blank, s[n - 1]))
                return false;
        return strcspn(s, forbidden) == n;
}

char *rpcauth_format(const char *user, const char *salt, const char *password) {
        if (!field_survives_conf(user, ":#\r\n") || !field_survives_conf(salt, ":$#\r\n")) {
                errno = EINVAL;
                return NULL;
        }

        char hmac[RPCAUTH_HMAC_HEX_LEN + 1];
        int r = rpcauth_hmac(salt, strlen(salt), password, hmac);
        if (r < 0) {
                errno = -r;
                return NULL;
        }

        struct strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "%s:%s$%s", user, salt, hmac);
        char *s = strbuf_steal(&sb);
        if (!s)
                errno = ENOMEM;
        return s;
}

int rpcauth_new_salt(char out[RPCAUTH_SALT_HEX_LEN + 1]) {
        unsigned char raw[RPCAUTH_SALT_HEX_LEN / 2];
        size_t got = 0;

        while (got < sizeof(raw)) {
                ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno(errno);
                }
                got += (size_t)n;
        }
        hex_lower(raw, sizeof(raw), out);
        return 0;
}

static bool is_conf_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *n) {
        while (*n > 0 && is_conf_blank(**s)) {
                (*s)++;
                (*n)--;
        }
        while (*n > 0 && is_conf_blank((*s)[*n - 1]))
                (*n)--;
}

bool rpcauth_line_value(const char *line, size_t len, const char **value, size_t *value_len) {
        /* bitcoind cuts every line at its first '#', even inside a value. */
        const char *hash = memchr(line, '#', len);
        if (hash)
                len = (size_t)(hash - line);

        const char *eq = memchr(line, '=', len);
        if (!eq)
                return false;

        const char *name = line;
        size_t name_len = (size_t)(eq - line);
        trim(&name, &name_len);
        if (name_len != strlen("rpcauth") || memcmp(name, "rpcauth", name_len) != 0)
                return false;

        const char *v = eq + 1;
        size_t v_len = len - (size_t)(v - line);
        trim(&v, &v_len);
        *value = v;
        *value_len = v_len;
        return true;
}

bool rpcauth_line_is_for_user(const char *line, size_t len, const char *user) {
        const char *value;
        size_t value_len;
        if (!rpcauth_line_value(line, len, &value, &value_len))
                return false;

        const char *colon = memchr(value, ':', value_len);
        if (!colon)
                return false;
        size_t user_len = (size_t)(colon - value);
        return user_len == strlen(user) && memcmp(value, user, user_len) == 0;
}
