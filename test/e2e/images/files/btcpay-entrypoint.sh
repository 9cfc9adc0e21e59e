#!/bin/sh
# Stand-in for btcpayserver/btcpayserver's docker-entrypoint.sh (v2.4.0): like it, start the web
# process and ignore the container's arguments (BTCPay is configured by BTCPAY_* variables only).
exec dotnet BTCPayServer.dll
