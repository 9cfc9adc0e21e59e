/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archy-derive's renderers for the files it shares with the user (bitcoin.conf, lnd.conf), fed an
 * arbitrary current file. The first byte picks the kind, the rest is the file. Oracles:
 *  - rendering is a fixed point: render(render(x)) == render(x);
 *  - the result holds an intact managed block whose rpcauth line validates (bitcoin.conf);
 *  - every user line (outside an intact block, not a marker line, not one the renderer must
 *    drop because it competes with the block or, in bitcoin.conf, because bitcoind refuses it)
 *    survives, in order, with only its NUL bytes removed (archy-derive(8), NUL BYTES: a NUL is
 *    never content);
 *  - bitcoin.conf: the result holds no line bitcoind refuses (archy-derive(8), LINES BITCOIND
 *    REFUSES). */
#include "fuzz.h"
#include "bitcoin-conf-syntax.h"
#include "log.h"
#include "managed-block.h"
#include "config-render.h"
#include "rpcauth.h"

#define USER "electrumx"
#define PASSWORD "fuzz-rpc-password"

static const char fixed_salt[] = "00112233445566778899aabbccddeeff";
static const char other_salt[] = "ffeeddccbbaa99887766554433221100";

static struct secret_value secret_items[] = {{"bitcoin-rpc", PASSWORD}};
static const struct secret_set secrets = {.items = secret_items, .n = 1};

/* Lines lnd.conf's renderer drops outside the block (its own keys), after leading blanks. */
static const char *const lnd_competing[] = {
        "bitcoind.rpcuser", "bitcoind.rpcpass", "bitcoind.rpchost", "bitcoind.zmqpub", "bitcoin.node",
        "bitcoin.mainnet",  "bitcoin.testnet",  "bitcoin.signet",   "bitcoin.regtest", NULL};

static bool competes(enum derived_kind kind, const char *line, size_t len) {
        if (kind == DERIVED_BITCOIN_CONF)
                return rpcauth_line_is_for_user(line, len, USER);
        while (len > 0 && (*line == ' ' || *line == '\t'))
                line++, len--;
        for (const char *const *p = lnd_competing; *p; p++)
                if (len >= strlen(*p) && strncmp(line, *p, strlen(*p)) == 0)
                        return true;
        return false;
}

/* Is line (len bytes, no newline) one of out's lines at or after *pos? Advances *pos past it. */
static bool find_line_from(const char *out, size_t out_len, size_t *pos, const char *line, size_t len) {
        struct text_line l;
        while (text_next_line(out, out_len, pos, &l))
                if (fuzz_bytes_eq(out + l.start, l.len, line, len))
                        return true;
        return false;
}

static void check_user_lines_survive(enum derived_kind kind, const char *text, size_t len, const char *out) {
        const char *body = NULL;
        size_t body_len = 0, out_pos = 0, out_len = strlen(out);
        bool intact = block_find(text, len, &body, &body_len) == BLOCK_INTACT;
        size_t body_at = intact ? (size_t)(body - text) : 0;
        struct btc_conf_scan scan = {0};
        struct text_line l;
        for (size_t pos = 0; text_next_line(text, len, &pos, &l);) {
                const char *line = text + l.start;
                if (intact && l.end >= body_at && l.start <= body_at + body_len)
                        continue; /* BEGIN, the body, END: rewritten */
                if (kind == DERIVED_BITCOIN_CONF && btc_conf_refused(btc_conf_classify(&scan, line, l.len)))
                        continue;
                if (block_is_marker_line(line, l.len) || competes(kind, line, l.len))
                        continue;
                FUZZ_ASSERT(find_line_from(out, out_len, &out_pos, line, l.len));
        }
}

static void check_rpcauth_validates(const char *out) {
        const char *body;
        size_t body_len;
        FUZZ_ASSERT(block_find(out, strlen(out), &body, &body_len) == BLOCK_INTACT);
        struct text_line l;
        for (size_t pos = 0; text_next_line(body, body_len, &pos, &l);) {
                const char *value;
                size_t value_len;
                if (rpcauth_line_value(body + l.start, l.len, &value, &value_len)) {
                        FUZZ_ASSERT(rpcauth_matches(value, value_len, USER, PASSWORD));
                        return;
                }
        }
        FUZZ_ASSERT(!"no rpcauth line in the block");
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        log_set_max_level(LOG_LVL_ERR - 1);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        enum derived_kind kind = data[0] & 1 ? DERIVED_LND_CONF : DERIVED_BITCOIN_CONF;
        struct derived d = {.kind = kind, .path = "/fuzz/file.conf", .mode = 0600};
        if (kind == DERIVED_BITCOIN_CONF)
                d.bitcoin_conf = (struct derived_bitcoin_conf){.rpc_user = USER, .secret = "bitcoin-rpc"};
        else
                d.lnd_conf = (struct derived_lnd_conf){USER, "bitcoin-rpc", "bitcoin-knots:8332"};
        char *text = fuzz_memdup(data + 1, size - 1), *first = NULL, *second = NULL;
        char missing[SECRET_NAME_BUF] = "";
        struct render_input in = {.d = &d,
                                  .app = "fuzz",
                                  .secrets = &secrets,
                                  .current = text,
                                  .current_len = size - 1,
                                  .new_salt = fixed_salt};
        FUZZ_ASSERT(derived_render(&in, &first, missing) == 0 && first);
        size_t clean_len = 0;
        char *clean = text_without_nul(text, size - 1, &clean_len);
        FUZZ_ASSERT(clean);
        check_user_lines_survive(kind, clean, clean_len, first);
        free(clean);
        if (kind == DERIVED_BITCOIN_CONF) {
                check_rpcauth_validates(first);
                FUZZ_ASSERT(btc_conf_first_refused(first, strlen(first), NULL, NULL, NULL) == 0);
        }
        in.current = first;
        in.current_len = strlen(first);
        in.new_salt = other_salt; /* must not be used: the block's rpcauth line validates */
        FUZZ_ASSERT(derived_render(&in, &second, missing) == 0 && second);
        FUZZ_ASSERT(strcmp(first, second) == 0);
        free(first);
        free(second);
        free(text);
        return 0;
}
