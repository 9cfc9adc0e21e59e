/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The fedimintd applet's two halves: the options and their contract checks (app-fedimint.c), the
 * listeners and the bitcoind connection (app-fedimint-run.c). */
#include "standin.h"

#include <netinet/in.h>
#include <stdbool.h>

struct fm_opts {
        const char *data_dir, *network, *user, *pass, *url, *pass_file, *esplora;
        const char *bind_p2p, *bind_api, *bind_ui, *p2p_url, *api_url, *password_ui, *enable_iroh;
        bool iroh;
};

int fm_load_opts(int argc, char **argv, struct fm_opts *o);
int fm_parse_sockaddr(const char *s, struct sockaddr_in *sa);
int fm_run(const struct fm_opts *o);
