/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The applets: archy-standin run under one of these names (argv[0]'s basename) stands in for that program. */
#include "standin.h"

const struct applet applets[] = {
        {"btcpay", btcpay_main, "BTCPay Server web: BTCPAY_* env, postgres, NBXplorer cookie, lnd REST"},
        {"nbxplorer", nbxplorer_main, "NBXplorer: NBXPLORER_* env, postgres, bitcoind RPC and P2P, cookie"},
        {"dotnet", dotnet_main, "dotnet BTCPayServer.dll | NBXplorer.dll: the images' own entry command"},
        {NULL, NULL, NULL},
};
