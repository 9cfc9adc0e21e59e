/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The applets of the multi-call stand-in: an image links /usr/local/bin/NAME to archy-standin and
 * the binary runs applet NAME (main.c dispatches on argv[0]'s basename). One line per applet; each
 * app's code in its own file test/e2e/standin/app-<app>.c.
 */
#include "standin.h"
#include "app-lnd.h"
#include "apps.h"

const struct applet applets[] = {
        {"bitcoind", bitcoind_main,
         "bitcoind (Core 29.2/Knots 29.3): bitcoin.conf + flags, JSON-RPC, cookie, ZMQ, P2P"},
        {"bitcoin-cli", bitcoin_cli_main,
         "bitcoin-cli: cookie or rpcuser/rpcpassword, one RPC call, bitcoin-cli's exits"},
        {"gosu", gosu_main, "gosu USER[:GROUP] CMD...: drop to a user of /etc/passwd and exec (the images' gosu)"},
        {"btcpay", btcpay_main, "BTCPay Server web: BTCPAY_* env, postgres, NBXplorer cookie, lnd REST"},
        {"nbxplorer", nbxplorer_main, "NBXplorer: NBXPLORER_* env, postgres, bitcoind RPC and P2P, cookie"},
        {"dotnet", dotnet_main, "dotnet BTCPayServer.dll | NBXplorer.dll: the images' own entry command"},
        {"lnd", lnd_main, "lnd: lnd.conf and flag contract, TLS cert, wallet, REST over TLS on 8080/10009"},
        {"lncli", lncli_main, "lncli: state and getinfo against lnd over TLS"},
        {"litd", litd_main, "litd (lightning-terminal, remote mode): flags, UI password, HTTPS UI on 8443"},
        {"electrumx_server", electrumx_server_main, "ElectrumX server: env contract, polls DAEMON_URL, Electrum TCP"},
        {"electrumx_rpc", electrumx_rpc_main, "ElectrumX RPC client: getinfo on localhost:8000"},
        {"mempool-backend", mempool_backend_main,
         "mempool backend: env contract, electrum + bitcoind + mariadb, :8999"},
        {"mempool-frontend", mempool_frontend_main,
         "mempool frontend: <base href=\"/\"> UI, /api proxied to the backend"},
        {"ui", ui_main, "a web UI with a real UI's path assumptions (base-root, cra, root-path)"},
        {"fedimintd", fedimintd_main, "fedimintd v0.13 stand-in: env contract, bitcoind RPC, P2P/API/UI ports"},
        {NULL, NULL, NULL},
};
