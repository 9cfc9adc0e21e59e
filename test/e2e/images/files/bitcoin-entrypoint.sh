#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Our own entrypoint for the bitcoind stand-in images, written from the contract of
# btcpayserver/dockerfile-deps Bitcoin/29.2/docker-entrypoint.sh and BitcoinKnots/29.3.knots20260508/docker-entrypoint.sh
# (the two are the same, and byte for byte the 28.1 ones): when the first argument is one of the bitcoin programs it
#  - creates $BITCOIN_DATA and (re)writes $BITCOIN_DATA/bitcoin.conf: a network line and section picked
#    by BITCOIN_NETWORK (regtest, testnet, signet, else mainnet), printtoconsole=1, rpcallowip=::/0 and
#    BITCOIN_EXTRA_ARGS, all of it after the section header;
#  - gives $BITCOIN_DATA to the user bitcoin, links /home/bitcoin/.bitcoin to it, removes settings.json;
#  - execs the command as bitcoin through gosu;
# and any other command runs as it is (as root). BITCOIN_WALLETDIR, BITCOIN_TORCONTROL and the
# peers.dat repair are not reproduced: the shipped manifest sets none of them.
# busybox has no bash, so this is POSIX sh.
set -e
case "$1" in
bitcoin-cli | bitcoin-tx | bitcoind | test_bitcoin) ;;
*) exec "$@" ;;
esac
: "${BITCOIN_DATA:=/data}"
mkdir -p "$BITCOIN_DATA"
case "${BITCOIN_NETWORK:-}" in
regtest) prefix='regtest=1
[regtest]' ;;
testnet) prefix='testnet=1
[test]' ;;
signet) prefix='signet=1
[signet]' ;;
*) prefix='mainnet=1
[main]' ;;
esac
printf '%s\nprinttoconsole=1\nrpcallowip=::/0\n%s\n' "$prefix" "${BITCOIN_EXTRA_ARGS:-}" >"$BITCOIN_DATA/bitcoin.conf"
chown -R bitcoin "$BITCOIN_DATA"
mkdir -p /home/bitcoin
ln -sfn "$BITCOIN_DATA" /home/bitcoin/.bitcoin
chown -h bitcoin:bitcoin /home/bitcoin/.bitcoin /home/bitcoin
rm -f /home/bitcoin/.bitcoin/settings.json
exec gosu bitcoin "$@"
