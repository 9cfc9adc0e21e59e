/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The applets: archy-standin runs one when its argv[0]'s basename is the applet's name. */
#include "apps.h"

const struct applet applets[] = {
        {"electrumx_server", electrumx_server_main, "ElectrumX server: env contract, polls DAEMON_URL, Electrum TCP"},
        {"electrumx_rpc", electrumx_rpc_main, "ElectrumX RPC client: getinfo on localhost:8000"},
        {"mempool-backend", mempool_backend_main,
         "mempool backend: env contract, electrum + bitcoind + mariadb, :8999"},
        {"mempool-frontend", mempool_frontend_main,
         "mempool frontend: <base href=\"/\"> UI, /api proxied to the backend"},
        {NULL, NULL, NULL},
};
