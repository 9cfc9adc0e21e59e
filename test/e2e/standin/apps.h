/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* What the app applets (app-*.c) share: a TCP client, bitcoind JSON-RPC and a contract refusal. */
#include "standin.h"

/* app-common.c */
/* any address family (electrumx_rpc dials "localhost"), timeout_ms to connect */
int tcp_connect_timeout(const char *host, const char *port, int timeout_ms, char *err, size_t err_cap);
ssize_t recv_some(int fd, char *buf, size_t cap);
/* getblockchaininfo with Basic auth; 0 and *blocks when it answered 200, else -1 and why in outcome. */
int btc_rpc_blocks(const char *host, const char *port, const char *user, const char *pass, long long *blocks,
                   char *outcome, size_t cap);
/* Prints "<app>: <message> (contract: <where>)" on stderr and returns 1: the exit code of a refusal. */
__attribute__((format(printf, 2, 3))) int refuse(const char *where, const char *fmt, ...);
const char *env_or(const char *name, const char *def);

int electrumx_server_main(int argc, char **argv);
int electrumx_rpc_main(int argc, char **argv);
int mempool_backend_main(int argc, char **argv);
int mempool_frontend_main(int argc, char **argv);
