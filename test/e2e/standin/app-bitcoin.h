/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * What bitcoind and bitcoin-cli share: ArgsManager's model of settings (bitcoin/bitcoin v28.1
 * src/common/args.cpp, src/common/config.cpp): -name=value flags on the command line, bitcoin.conf
 * with [main]/[test]/[testnet4]/[signet]/[regtest] sections and net.name= prefixes, the command line
 * winning, network-only options ignored at the top level off mainnet, and the chain selection.
 */
#include "standin.h"

enum btc_origin { BTC_CMDLINE, BTC_CONF_TOP, BTC_CONF_SECTION };

struct btc_setting {
        char *name, *value, *section; /* section: NULL for the command line and the top level */
        enum btc_origin origin;
};

struct btc_args {
        struct btc_setting *v;
        size_t n;
        const char *chain; /* main, test, testnet4, signet, regtest (after btc_select_chain) */
        char conf_path[4096], datadir[4096], datadir_net[4096];
        const char *err_where; /* the upstream file of btc_load()'s refusal */
};

#define BTC_ERR_MAX 1024

/* -name[=value] up to the first argument without a dash; *first_positional is its index. known
 * is the NULL-terminated list of option names the program registers. 0, or -1 with err set. */
int btc_parse_cmdline(struct btc_args *a, int argc, char **argv, const char *const *known, int *first_positional,
                      char *err, size_t cap);
/* -datadir, -conf, the config file and the chain; 0, or -1 with err (the text after "Error: "). */
int btc_load(struct btc_args *a, char *err, size_t cap);
const char *btc_get(const struct btc_args *a, const char *name);
bool btc_get_bool(const struct btc_args *a, const char *name, bool def);
/* Every value of a multi-valued option (rpcauth, rpcallowip...), the command line's first. */
size_t btc_get_all(const struct btc_args *a, const char *name, const char **out, size_t cap);
unsigned btc_default_rpc_port(const char *chain);
unsigned btc_default_p2p_port(const char *chain);
void btc_args_free(struct btc_args *a);
