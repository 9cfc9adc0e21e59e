#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Host-side self-test of the btcpay-server group's applets of archy-standin (nbxplorer, btcpay):
# each contract they enforce gets a positive and a negative check, against a real postgres 15
# (Debian's postgresql-15 binaries, started here as an unprivileged user) and the "node" stand-in.
# Usage: test/e2e/standin/selftest-btcpay.sh BINARY      TAP on stdout; exit 1 if any check fails
# shellcheck disable=SC2317  # t_* run through check()
set -euo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
bin=$(realpath "$1")
pgbin=/usr/lib/postgresql/15/bin
for c in curl openssl "$pgbin/initdb" "$pgbin/pg_ctl" "$pgbin/psql"; do
	command -v "$c" >/dev/null || {
		echo "selftest-btcpay: $c is required" >&2
		exit 2
	}
done

tmp=$(mktemp -d)
chmod 0755 "$tmp"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	if [ -f "$tmp/pg/postmaster.pid" ]; then
		as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
	fi
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=test/e2e/standin/tap.bash
. "$(dirname "$0")/tap.bash"

wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		port_free "$1" || return 0
		sleep 0.1
	done
	return 1
}
# as_pg CMD...: postgres refuses to run as root
as_pg() {
	if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; else "$@"; fi
}

# A real postgres 15, scram-sha-256 over TCP, with a password holding ; = and "
pgport=$(free_port 25432)
pgpass='s3c;r=t"x'
printf '%s\n' "$pgpass" >"$tmp/pwfile"
chmod 0644 "$tmp/pwfile"
mkdir "$tmp/pg"
if [ "$(id -u)" = 0 ]; then chown 65534:65534 "$tmp/pg"; fi
as_pg "$pgbin/initdb" -D "$tmp/pg" -U postgres --pwfile="$tmp/pwfile" --auth-host=scram-sha-256 --auth-local=trust >"$tmp/initdb.out" 2>&1
as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -o "-p $pgport -k $tmp/pg -c listen_addresses=127.0.0.1" -l "$tmp/pg/log" -w start >/dev/null
pgcs="User ID=postgres;Password='s3c;r=t\"x';Host=127.0.0.1;Port=$pgport;Database=nbxplorer"

# bitcoind stand-in with an rpcauth line for archipelago / rpcpass
rpcport=$(free_port $((pgport + 1)))
salt=0123456789abcdef0123456789abcdef
hmac=$(printf %s rpcpass | openssl dgst -sha256 -hmac "$salt" | sed 's/.*= //')
printf 'server=1\nrpcauth=archipelago:%s$%s\n' "$salt" "$hmac" >"$tmp/bitcoin.conf"
mkdir "$tmp/node"
"$bin" node --conf "$tmp/bitcoin.conf" --port "$rpcport" --data "$tmp/node" 2>>"$tmp/node.log" &
pids+=($!)
p2pport=$(free_port $((rpcport + 1)))
"$bin" web --port "$p2pport" 2>>"$tmp/p2p.log" &
pids+=($!)
wait_port "$rpcport"
wait_port "$p2pport"

ln -s "$bin" "$tmp/nbxplorer"
ln -s "$bin" "$tmp/btcpay"
ln -s "$bin" "$tmp/dotnet"
nbxport=$(free_port $((p2pport + 1)))
nbx_env() {
	exec env -i PATH="$PATH" HOME="$tmp/home" NBXPLORER_DATADIR="$tmp/nbx" NBXPLORER_NETWORK=mainnet \
		NBXPLORER_CHAINS=btc NBXPLORER_BIND="127.0.0.1:$nbxport" \
		NBXPLORER_BTCRPCURL="http://127.0.0.1:$rpcport/" NBXPLORER_BTCRPCUSER=archipelago \
		NBXPLORER_BTCRPCPASSWORD=rpcpass NBXPLORER_BTCNODEENDPOINT="127.0.0.1:$p2pport" "$@"
}
mkdir -p "$tmp/nbx" "$tmp/home"
# refuses CMD... : exits non-zero within 5 s, its log holds TEXT ($1)
refuses() {
	local want=$1 rc=0 i p
	shift
	"$@" >"$tmp/refuse.out" 2>&1 &
	p=$!
	for ((i = 0; i < 50; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		kill -9 "$p"
		wait "$p" 2>/dev/null || true
		echo "# still running after 5 s: $(head -c 300 "$tmp/refuse.out")"
		return 1
	fi
	wait "$p" || rc=$?
	[ "$rc" -ne 0 ] && grep -qF -- "$want" "$tmp/refuse.out" && return 0
	echo "# exit $rc: $(head -c 300 "$tmp/refuse.out")"
	return 1
}
get() { curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' --max-time 5 "$@" || true; }
# wait_body URL TEXT [curl args]: within 15 s the URL answers 200 with TEXT
wait_body() {
	local url=$1 want=$2 i
	shift 2
	for ((i = 0; i < 150; i++)); do
		[ "$(get "$@" "$url")" = 200 ] && grep -qF -- "$want" "$tmp/body" && return 0
		sleep 0.1
	done
	echo "# $url: wanted '$want', got '$(cat "$tmp/body" 2>/dev/null)'"
	return 1
}

t_nbx_no_postgres() { refuses "POSTGRES is required (contract: dgarage/NBXplorer v2.5.17 NBXplorer/Backend/DbConnectionFactory.cs)" nbx_env "$tmp/nbxplorer"; }
t_nbx_bad_cs() { refuses "Format of the initialization string does not conform to specification" nbx_env NBXPLORER_POSTGRES="Password='open;Host=x" "$tmp/nbxplorer"; }
t_nbx_no_rpc_creds() {
	refuses "BTC: RPC connection settings not configured" env -i PATH="$PATH" HOME="$tmp/home" NBXPLORER_DATADIR="$tmp/nbx" \
		NBXPLORER_POSTGRES="$pgcs" "$tmp/nbxplorer"
}
start_nbx() {
	nbx_env NBXPLORER_POSTGRES="$1" "$tmp/dotnet" NBXplorer.dll 2>>"$tmp/nbx.log" &
	nbx_pid=$!
	pids+=("$nbx_pid")
	wait_port "$nbxport"
}
stop_nbx() {
	kill "$nbx_pid" 2>/dev/null || true
	wait "$nbx_pid" 2>/dev/null || true
}
cookie_auth() { printf 'Authorization: Basic %s' "$(base64 -w0 <"$tmp/nbx/Main/.cookie")"; }
nbx_status() { echo "http://127.0.0.1:$nbxport/v1/cryptos/btc/status"; }
t_nbx_cookie() { grep -qE '^__cookie__:[0-9a-f]{64}$' "$tmp/nbx/Main/.cookie"; }
t_nbx_connected() { wait_body "$(nbx_status)" '"postgres":"connected","rpc":"connected","p2p":"connected"' -H "$(cookie_auth)"; }
t_nbx_no_auth() { [ "$(get "$(nbx_status)")" = 401 ]; }
t_nbx_pg_created() { [ "$(PGPASSWORD=$pgpass psql -X -tA -h 127.0.0.1 -p "$pgport" -U postgres -d nbxplorer -c 'select 1' 2>/dev/null)" = 1 ]; }
t_nbx_unquoted_pw() { wait_body "$(nbx_status)" '"postgres":"not connected' -H "$(cookie_auth)"; }
t_nbx_bad_rpc() { wait_body "$(nbx_status)" '"rpc":"not connected (HTTP 401)' -H "$(cookie_auth)"; }

check "nbxplorer refuses without NBXPLORER_POSTGRES, naming the contract" t_nbx_no_postgres
check "nbxplorer refuses a malformed Npgsql connection string" t_nbx_bad_cs
check "nbxplorer refuses without RPC credentials or cookie" t_nbx_no_rpc_creds
start_nbx "$pgcs"
check "nbxplorer writes its cookie to DATADIR/Main/.cookie as __cookie__:<64 hex>" t_nbx_cookie
check "nbxplorer connects to postgres (quoted password with ; = \"), RPC and P2P" t_nbx_connected
check "nbxplorer created its database" t_nbx_pg_created
check "nbxplorer's API refuses a request without the cookie" t_nbx_no_auth
stop_nbx
start_nbx "User ID=postgres;Password=s3c;r=t;Host=127.0.0.1;Port=$pgport;Database=nbxplorer"
check "nbxplorer with the password unquoted does not reach postgres" t_nbx_unquoted_pw
stop_nbx
nbx_env() {
	exec env -i PATH="$PATH" HOME="$tmp/home" NBXPLORER_DATADIR="$tmp/nbx" NBXPLORER_BIND="127.0.0.1:$nbxport" \
		NBXPLORER_BTCRPCURL="http://127.0.0.1:$rpcport/" NBXPLORER_BTCRPCUSER=archipelago \
		NBXPLORER_BTCRPCPASSWORD=wrong NBXPLORER_BTCNODEENDPOINT="127.0.0.1:$p2pport" "$@"
}
start_nbx "$pgcs"
check "nbxplorer with a wrong RPC password reports rpc not connected" t_nbx_bad_rpc
stop_nbx
nbx_env() {
	exec env -i PATH="$PATH" HOME="$tmp/home" NBXPLORER_DATADIR="$tmp/nbx" NBXPLORER_BIND="127.0.0.1:$nbxport" \
		NBXPLORER_BTCRPCURL="http://127.0.0.1:$rpcport/" NBXPLORER_BTCRPCUSER=archipelago \
		NBXPLORER_BTCRPCPASSWORD=rpcpass NBXPLORER_BTCNODEENDPOINT="127.0.0.1:$p2pport" "$@"
}
start_nbx "$pgcs"

# btcpay
bport=$(free_port $((nbxport + 1)))
lndport=$(free_port $((bport + 1)))
mkdir -p "$tmp/lnd/data/chain/bitcoin/mainnet"
printf '\002\001\003' >"$tmp/lnd/data/chain/bitcoin/mainnet/admin.macaroon"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/lnd/tls.key" \
	-out "$tmp/lnd/tls.cert" -subj /CN=lnd -days 1 >/dev/null 2>&1
"$bin" web --port "$lndport" 2>>"$tmp/lnd.log" &
pids+=($!)
wait_port "$lndport"
bcs="User ID=postgres;Password='s3c;r=t\"x';Host=127.0.0.1;Port=$pgport;Database=btcpayserver"
lnd_ok="type=lnd-rest;server=https://127.0.0.1:$lndport/;macaroonfilepath=$tmp/lnd/data/chain/bitcoin/mainnet/admin.macaroon;certfilepath=$tmp/lnd/tls.cert"
bp_env() {
	exec env -i PATH="$PATH" HOME="$tmp/bphome" BTCPAY_NETWORK=mainnet BTCPAY_BIND="127.0.0.1:$bport" BTCPAY_CHAINS=btc \
		BTCPAY_BTCEXPLORERURL="http://127.0.0.1:$nbxport/" BTCPAY_BTCEXPLORERCOOKIEFILE="$tmp/nbx/Main/.cookie" "$@"
}
start_bp() {
	bp_env "$@" "$tmp/dotnet" BTCPayServer.dll 2>>"$tmp/btcpay.log" &
	bp_pid=$!
	pids+=("$bp_pid")
	wait_port "$bport"
}
stop_bp() {
	kill "$bp_pid" 2>/dev/null || true
	wait "$bp_pid" 2>/dev/null || true
}
bp() { echo "http://127.0.0.1:$bport$1"; }

t_bp_no_postgres() { refuses "No database option was configured. (contract: btcpayserver/btcpayserver v2.0.7 BTCPayServer/Hosting/BTCPayServerServices.cs)" bp_env "$tmp/btcpay"; }
t_bp_connected() { wait_body "$(bp /archy/status)" '{"postgres":"connected","nbxplorer":"connected","lnd":"connected"}'; }
t_bp_health() { [ "$(get "$(bp /api/v1/health)")" = 200 ] && grep -q '"synchronized":true' "$tmp/body"; }
t_bp_headers() { get "$(bp /)" >/dev/null && grep -qi '^X-Frame-Options: DENY' "$tmp/headers" && grep -qi "^Content-Security-Policy: script-src 'self'" "$tmp/headers"; }
t_bp_manifest_health() {
	local cmd
	cmd=$(sed -n '/^  btcpay-server:/,/^  mempool:/{s/^ *cmd: "\(bash -c .*\)"$/\1/p}' "$(dirname "$0")/../../../manifests/archipelago.yaml")
	cmd=${cmd//\\\"/\"}
	cmd=${cmd//\\\\/\\}
	[ -n "$cmd" ] && bash -c "${cmd//49392/$bport}"
}
t_bp_manifest_health_fails() {
	local cmd
	cmd=$(sed -n '/^  btcpay-server:/,/^  mempool:/{s/^ *cmd: "\(bash -c .*\)"$/\1/p}' "$(dirname "$0")/../../../manifests/archipelago.yaml")
	cmd=${cmd//\\\"/\"}
	cmd=${cmd//\\\\/\\}
	[ -n "$cmd" ] && ! bash -c "${cmd//49392/$(free_port $((lndport + 1)))}" 2>/dev/null
}
t_bp_bad_cookie() { wait_body "$(bp /archy/status)" '"nbxplorer":"not connected (HTTP 401'; }
t_bp_lnd_http() { wait_body "$(bp /archy/status)" "\"lnd\":\"not configured: The key 'allowinsecure' is false, but server's Uri is not using https\""; }
t_bp_lnd_no_macaroon() { wait_body "$(bp /archy/status)" '"lnd":"not connected (macaroon'; }
t_bp_rootpath() { [ "$(get "$(bp /btcpay/api/v1/health)")" = 200 ] && [ "$(get "$(bp /api/v1/health)")" = 404 ]; }

check "btcpay refuses without BTCPAY_POSTGRES, naming the contract" t_bp_no_postgres
start_bp BTCPAY_POSTGRES="$bcs" BTCPAY_BTCLIGHTNING="$lnd_ok"
check "btcpay connects to postgres, to NBXplorer with its cookie, to lnd REST with macaroon and cert" t_bp_connected
check "btcpay serves /api/v1/health with 200 and synchronized" t_bp_health
check "btcpay sends X-Frame-Options DENY and its CSP" t_bp_headers
check "the manifest's btcpay health command passes against it (bash only, no curl)" t_bp_manifest_health
check "the manifest's btcpay health command fails when nothing listens" t_bp_manifest_health_fails
stop_bp
echo wrong >"$tmp/badcookie"
start_bp BTCPAY_POSTGRES="$bcs" BTCPAY_BTCEXPLORERCOOKIEFILE="$tmp/badcookie"
check "btcpay with a wrong NBXplorer cookie is not connected (401)" t_bp_bad_cookie
stop_bp
start_bp BTCPAY_POSTGRES="$bcs" BTCPAY_BTCLIGHTNING="type=lnd-rest;server=http://127.0.0.1:$lndport/;macaroonfilepath=$tmp/x.macaroon"
check "btcpay rejects an http lnd server without allowinsecure (upstream's text)" t_bp_lnd_http
stop_bp
start_bp BTCPAY_POSTGRES="$bcs" BTCPAY_BTCLIGHTNING="${lnd_ok/admin.macaroon/missing.macaroon}"
check "btcpay with a missing macaroon file is not connected to lnd" t_bp_lnd_no_macaroon
stop_bp
start_bp BTCPAY_POSTGRES="$bcs" BTCPAY_ROOTPATH=btcpay
check "btcpay serves under BTCPAY_ROOTPATH (/ prepended), not at /" t_bp_rootpath
stop_bp

echo "1..$n"
exit "$failed"
