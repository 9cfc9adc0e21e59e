/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared by the btcpay and nbxplorer applets: Npgsql connection strings, psql, small HTTP client. */
#include "standin.h"

#define BP_FIELD 512
#define BP_STATE 1200 /* room for any field plus an error text */

struct pgconn {
        char host[BP_FIELD], port[BP_FIELD], user[BP_FIELD], password[BP_FIELD], database[BP_FIELD];
};

const char *env_or(const char *name, const char *def); /* app-common.c */
bool env_true(const char *name);
int npgsql_parse(const char *cs, struct pgconn *pc, char *err, size_t cap);
int pg_ensure_database(const struct pgconn *pc, char *err, size_t cap);
int split_hostport(const char *s, const char *defport, char *host, size_t hcap, char *port, size_t pcap);
int listen_bind(const char *host, const char *port);
int http_get(const char *host, const char *port, const char *path, const char *authz, char *body, size_t cap);
int parse_http_url(const char *url, bool *https, char *host, size_t hcap, char *port, size_t pcap, char *path,
                   size_t pathcap);
int read_small_file(const char *path, char *buf, size_t cap);
void base64_encode(const char *in, size_t len, char *out, size_t cap);
const char *network_folder(const char *network);
