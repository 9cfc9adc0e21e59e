/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The applets: archy-standin run under one of these names (argv[0]'s basename) is that app. */
#include "app-lnd.h"
#include "standin.h"

const struct applet applets[] = {
        {"lnd", lnd_main, "lnd: lnd.conf and flag contract, TLS cert, wallet, REST over TLS on 8080/10009"},
        {"lncli", lncli_main, "lncli: state and getinfo against lnd over TLS"},
        {"litd", litd_main, "litd (lightning-terminal, remote mode): flags, UI password, HTTPS UI on 8443"},
        {NULL, NULL, NULL},
};
