/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The lnd group's applets (lnd, lncli, litd) and what they share: TLS and go-flags-style options. */
#include "standin.h"

/* tls.c (the TLS functions are in standin.h) */
int listen_tcp_on(const char *host, unsigned port);

/* goflags.c: the option syntax of github.com/jessevdk/go-flags v1.4.0, which lnd and litd use */
#define GF_LIST_MAX 8
struct gf_list {
        char *v[GF_LIST_MAX];
        size_t n;
};
enum gf_kind { GF_STR, GF_BOOL, GF_LIST };
struct gf_opt {
        const char *name; /* the long name, with its namespace: "bitcoind.rpchost" */
        enum gf_kind kind;
        void *ptr; /* char **, bool * or struct gf_list * */
};
int gf_parse_flags(const struct gf_opt *opts, int argc, char **argv, char *err, size_t cap);
int gf_parse_ini(const struct gf_opt *opts, const char *const *sections, const char *path, char *err, size_t cap);
const char *gf_get(const struct gf_opt *opts, const char *name);
void gf_free(const struct gf_opt *opts);

/* shared by the clients (lncli, litd): one request over TLS, the reply in buf */
int lnd_request(const char *hostport, const char *certfile, const char *req, char *buf, size_t cap, char *err,
                size_t errcap);

int lnd_main(int argc, char **argv);
int lncli_main(int argc, char **argv);
int litd_main(int argc, char **argv);
