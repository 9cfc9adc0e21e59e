#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Check archy-standin on the host, over loopback, before the e2e suite trusts it to stand in for
# bitcoind/ElectrumX: a stand-in that is wrong about rpcauth or shutdown state would hide the very
# failures the suite exists to catch.
# Usage: test/e2e/standin/selftest.sh BINARY      TAP on stdout; exit 1 if any check fails
# shellcheck disable=SC2317,SC2016  # t_* run through check(); rpcauth lines hold a literal $
set -euo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
bin=$(realpath "$1")
command -v curl >/dev/null || {
	echo "selftest: curl is required" >&2
	exit 2
}

tmp=$(mktemp -d)
node_pid='' consumer_pid='' consumer2_pid='' extra_pids='' fm_pid=''
cleanup() {
	local p
	for p in $node_pid $consumer_pid $consumer2_pid ${bitcoind_pid:-} $extra_pids $fm_pid; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=test/e2e/standin/tap.bash
. "$(dirname "$0")/tap.bash"

nport=$(free_port 18432)
cport=$(free_port $((nport + 1)))
cport2=$(free_port $((cport + 1)))

data=$tmp/data
mkdir "$data"
conf=$tmp/bitcoin.conf
cat >"$conf" <<'EOF'
# bitcoind stand-in selftest
server=1
rpcauth=user1:6dd184e5e69271fdd69103464630014f$eb3d7ce67c4d1ff3564270519b03b636c0291012692a5fa3dd1d2075daedd07b
  rpcauth = user3:0123456789abcdef0123456789abcdef$24920db98ce69271ebe4a1ad23741a8232111a2cb0d2059d324547d66665d2f7
EOF
# user2 / newpass, appended once the node runs: it must stay rejected until a restart.
user2_line='rpcauth=user2:00112233445566778899aabbccddeeff$cc3bdf9cdb4f7384b5e02f5a81673d4796b634b19d7f8232d80c15454dd595d6'

# http_code PORT [curl args...]: prints the status code (000 if no answer); the body goes to $tmp/body
http_code() {
	local port=$1
	shift
	curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 "$@" "http://127.0.0.1:$port/" || true
}
rpc() { http_code "$nport" -H 'Content-Type: application/json' -d '{"method":"getblockchaininfo"}' "$@"; }
body_has() { grep -qF -- "$1" "$tmp/body"; }
rpc_is() {
	local want=$1
	shift
	[ "$(rpc "$@")" = "$want" ]
}

wait_listening() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(http_code "$1")" != 000 ] && return 0
		sleep 0.1
	done
	return 1
}
start_node() {
	"$bin" node --conf "$conf" --port "$nport" --data "$data" --stop-delay 1 2>>"$tmp/node.log" &
	node_pid=$!
	wait_listening "$nport"
}
# stop_node SIGNAL: sets stop_rc and stop_ms
stop_rc=0 stop_ms=0
stop_node() {
	local t0
	t0=$(date +%s%N)
	stop_rc=0
	if [ -n "$node_pid" ]; then
		kill "-$1" "$node_pid" 2>/dev/null || true
		wait "$node_pid" 2>/dev/null || stop_rc=$?
	fi
	stop_ms=$((($(date +%s%N) - t0) / 1000000))
	node_pid=''
}
# wait_status PORT CODE TEXT: the consumer's status page answers CODE with TEXT within 8 s
wait_status() {
	local i code=''
	for ((i = 0; i < 80; i++)); do
		code=$(http_code "$1")
		[ "$code" = "$2" ] && body_has "$3" && return 0
		sleep 0.1
	done
	echo "# status $1: wanted $2 '$3', got $code '$(cat "$tmp/body" 2>/dev/null)'"
	return 1
}
# exit_status CMD...: prints CMD's exit status (stderr to bad.log); never fails itself
exit_status() {
	local rc=0
	"$@" >/dev/null 2>>"$tmp/bad.log" || rc=$?
	echo "$rc"
}

# ---- node ----
t_first_start() { rpc_is 200 -u user1:bitcoin && body_has '"last_shutdown":"first-start"' && body_has '"chain":"regtest"'; }
t_wrong_password() {
	rpc_is 401 -u user1:wrong -D "$tmp/headers" && grep -qi '^WWW-Authenticate: Basic realm="jsonrpc"' "$tmp/headers"
}
t_sighup_alive() {
	kill -0 "$node_pid" 2>/dev/null && grep -qF 'SIGHUP: reopening log, rpcauth not reloaded' "$tmp/node.log"
}
t_stop_delay() { [ "$stop_rc" = 0 ] && [ "$stop_ms" -ge 900 ] && [ "$stop_ms" -lt 3000 ]; }
t_clean() { rpc_is 200 -u user1:bitcoin && body_has '"last_shutdown":"clean"' && [ ! -e "$data/clean-shutdown" ]; }
t_unclean() {
	rpc_is 200 -u user1:bitcoin && body_has '"last_shutdown":"unclean"' &&
		grep -qF 'previous shutdown was not clean: reindexing' "$tmp/node.log"
}
t_malformed_rpcauth() {
	local line rc all=0
	for line in 'rpcauth=user1' 'rpcauth=user1:6dd184e5' 'rpcauth=:salt$hmac' 'rpcauth=user1:$hmac' \
		'rpcauth=user1:salt$' 'rpcauth=a:b:c$d' 'rpcauth=a:b$c$d'; do
		printf '%s\n' "$line" >"$tmp/bad.conf"
		rc=$(exit_status timeout 5 "$bin" node --conf "$tmp/bad.conf" --port "$cport2" --data "$tmp")
		[ "$rc" = 1 ] || {
			echo "# '$line': exit $rc, wanted 1"
			all=1
		}
	done
	return "$all"
}
t_missing_conf() { [ "$(exit_status "$bin" node --conf "$tmp/nope.conf" --port "$cport2" --data "$tmp")" = 1 ]; }

check "node starts on a fresh data dir" start_node
check "user1:bitcoin is accepted, first start" t_first_start
check "wrong password is rejected with 401 and a Basic challenge" t_wrong_password
check "no Authorization header is rejected with 401" rpc_is 401
check "unknown user with user1's password is rejected" rpc_is 401 -u user3:bitcoin
check "credentials split at the first colon: user3 / pa:ss is accepted" rpc_is 200 -u 'user3:pa:ss'
check "malformed base64 is rejected" rpc_is 401 -H 'Authorization: Basic ***'

echo "$user2_line" >>"$conf"
kill -HUP "$node_pid" 2>/dev/null || true
sleep 0.3
check "SIGHUP keeps the node running and logs that rpcauth is not reloaded" t_sighup_alive
check "after SIGHUP a password added to the conf is still rejected" rpc_is 401 -u user2:newpass
check "after SIGHUP user1:bitcoin still works" rpc_is 200 -u user1:bitcoin

stop_node TERM
check "SIGTERM exits 0 after the stop delay (${stop_ms} ms)" t_stop_delay
check "SIGTERM leaves DIR/clean-shutdown" test -f "$data/clean-shutdown"
check "restart after a clean stop" start_node
check "restart reports last_shutdown clean and consumes the marker" t_clean
check "a password added before the restart now works" rpc_is 200 -u user2:newpass

stop_node KILL
check "SIGKILL leaves no clean-shutdown" test ! -e "$data/clean-shutdown"
check "restart after SIGKILL" start_node
check "restart after SIGKILL reports unclean and reindexes" t_unclean
check "a malformed rpcauth line makes the node exit 1" t_malformed_rpcauth
check "a missing conf makes the node exit 1" t_missing_conf

# ---- consumer ----
consumer_rc() { exit_status env -u DAEMON_URL "$bin" consumer "$@" --port "$cport2"; }
t_bad_urls() {
	local url
	[ "$(consumer_rc --url-env DAEMON_URL)" = 1 ] || return 1
	for url in '' "http://127.0.0.1:$nport/" 'http://u:p@h:99999/' 'ftp://u:p@h/' 'http://u:p%zz@h/' 'http://u:p@/'; do
		[ "$(consumer_rc --url "$url")" = 1 ] || {
			echo "# '$url' was accepted"
			return 1
		}
	done
}
t_consumer_sigterm() {
	local rc=0
	kill -TERM "$consumer2_pid" 2>/dev/null || true
	wait "$consumer2_pid" 2>/dev/null || rc=$?
	consumer2_pid=''
	[ "$rc" = 0 ]
}

DAEMON_URL="http://user1:bitcoin@127.0.0.1:$nport/" \
	"$bin" consumer --url-env DAEMON_URL --port "$cport" --interval 1 2>>"$tmp/consumer.log" &
consumer_pid=$!
check "consumer connects to the node" wait_status "$cport" 200 "connected to 127.0.0.1:$nport blocks="
stop_node TERM
check "consumer reports the stopped node as unreachable" wait_status "$cport" 503 "unreachable"
check "node starts again" start_node
check "consumer reconnects and counts it" wait_status "$cport" 200 "reconnects=1"
check "consumer status answers POST with 405" test "$(http_code "$cport" -d x)" = 405

"$bin" consumer --url "http://user1:wrong@localhost:$nport" --port "$cport2" 2>>"$tmp/consumer2.log" &
consumer2_pid=$!
check "consumer with a wrong password reports unauthorized" wait_status "$cport2" 503 "unauthorized"
check "consumer exits 0 on SIGTERM" t_consumer_sigterm

"$bin" consumer --url "http://user1:bit%63oin@localhost:$nport" --port "$cport2" 2>>"$tmp/consumer2.log" &
consumer2_pid=$!
check "consumer percent-decodes the password" wait_status "$cport2" 200 "connected to localhost:$nport"
kill -TERM "$consumer2_pid" 2>/dev/null || true
wait "$consumer2_pid" 2>/dev/null || true
consumer2_pid=''
check "consumer exits 1 on a missing, empty or unparsable URL" t_bad_urls

# ---- web (archy-verify-ota's front end) ----
t_web() {
	local port pid ok=0
	port=$(free_port 18600)
	"$bin" web --port "$port" --status "$1" --body "release $2" 2>>"$tmp/web.log" &
	pid=$!
	wait_listening "$port" && [ "$(http_code "$port")" = "$1" ] && body_has "release $2" || ok=1
	kill "$pid" && wait "$pid" || ok=1
	return "$ok"
}
check "web answers every GET with its status and body (200), exits 0 on SIGTERM" t_web 200 1.4.0
check "web answers 500 when told to" t_web 500 1.5.0
check "web refuses a status out of range (exit 2)" test "$(exit_status "$bin" web --port 1 --status 700)" = 2

# ---- bitcoind / bitcoin-cli applets (argv[0] dispatch; contracts of bitcoin/bitcoin v28.1, the same in 29.x) ----
bdir=$tmp/bin
mkdir -p "$bdir" "$tmp/bd" "$tmp/etc"
ln -s "$bin" "$bdir/bitcoind"
ln -s "$bin" "$bdir/bitcoin-cli"
ln -s "$bin" "$bdir/gosu"
bd=$tmp/bd
bconf=$tmp/etc/bitcoin.conf
bport=$(free_port 18700)
pport=$(free_port $((bport + 1)))
zport=$(free_port $((pport + 1)))
# user1 / bitcoin, as above
printf '%s\n' 'server=1' 'rpcauth=user1:6dd184e5e69271fdd69103464630014f$eb3d7ce67c4d1ff3564270519b03b636c0291012692a5fa3dd1d2075daedd07b' \
	'rpcbind=0.0.0.0' 'rpcallowip=127.0.0.1' "zmqpubrawblock=tcp://0.0.0.0:$zport" >"$bconf"
# what the images' entrypoint writes (btcpayserver/dockerfile-deps BitcoinKnots/29.3.knots20260508/docker-entrypoint.sh)
printf 'mainnet=1\n[main]\nprinttoconsole=1\nrpcallowip=::/0\n' >"$bd/bitcoin.conf"
bitcoind_pid=''
# bitcoind_rc ARGS...: exit status of a bitcoind that must refuse to start (stderr in bitcoind-bad.log)
bitcoind_rc() {
	local rc=0
	timeout 5 "$bdir/bitcoind" "$@" >/dev/null 2>"$tmp/bitcoind-bad.log" || rc=$?
	echo "$rc"
}
refused_with() {
	local want=$1
	shift
	[ "$(bitcoind_rc "$@")" = 1 ] && grep -qF -- "$want" "$tmp/bitcoind-bad.log" &&
		grep -qF '(contract: bitcoin/bitcoin v28.1 ' "$tmp/bitcoind-bad.log"
}
base_args=(-datadir="$bd" -conf="$bconf" -rpcport="$bport" -port="$pport" -printtoconsole)
start_bitcoind() {
	: >"$tmp/bitcoind.log"
	"$bdir/bitcoind" "${base_args[@]}" "$@" 2>>"$tmp/bitcoind.log" &
	bitcoind_pid=$!
	local i
	for ((i = 0; i < 50; i++)); do
		grep -qF 'init message: Done loading' "$tmp/bitcoind.log" && return 0
		kill -0 "$bitcoind_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
stop_bitcoind() {
	[ -n "$bitcoind_pid" ] && kill -TERM "$bitcoind_pid" 2>/dev/null && wait "$bitcoind_pid" 2>/dev/null
	bitcoind_pid=''
}
cli() { "$bdir/bitcoin-cli" -datadir="$bd" -conf="$bconf" -rpcport="$bport" "$@"; }
cli_rc() {
	local rc=0
	cli "$@" >"$tmp/cli.out" 2>"$tmp/cli.err" || rc=$?
	echo "$rc"
}
listening() { ! port_free "$1"; }
host_ip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')

check "bitcoind refuses a datadir bitcoin.conf that -conf ignores (init.cpp)" \
	refused_with 'contains a "bitcoin.conf" file which is ignored' "${base_args[@]}"
check "bitcoind refuses a -conf that does not exist (config.cpp)" \
	refused_with 'specified config file' -datadir="$bd" -conf="$tmp/etc/nope.conf" -allowignoredconf=1
check "bitcoind refuses a -datadir that does not exist" \
	refused_with 'Specified data directory' -datadir="$tmp/nodir" -conf="$bconf"
check "bitcoind refuses an unknown option" refused_with 'Invalid parameter -rpcusr' "${base_args[@]}" -rpcusr=x
check "bitcoind refuses a command-line token" refused_with 'unexpected token' "${base_args[@]}" -allowignoredconf=1 x
check "bitcoind refuses two chains (args.cpp)" \
	refused_with 'Invalid combination of -regtest' "${base_args[@]}" -allowignoredconf=1 -regtest -chain=main
check "bitcoind refuses a malformed rpcauth (httprpc.cpp)" \
	refused_with 'Unable to start HTTP server' "${base_args[@]}" -allowignoredconf=1 -rpcauth=user1
check "bitcoind refuses a malformed rpcallowip (httpserver.cpp)" \
	refused_with 'Invalid -rpcallowip subnet' "${base_args[@]}" -allowignoredconf=1 -rpcallowip=10.0.0.0/33
# src/common/config.cpp GetConfigOptions/IsConfSupported: the lines archy-derive leaves out of a
# bitcoin.conf (archy-derive(8), Lines bitcoind refuses)
refused_conf() {
	printf '%b' "$2" >"$tmp/bad.conf"
	refused_with "$1" -datadir="$bd" -conf="$tmp/bad.conf" -allowignoredconf=1 -rpcport="$bport" -port="$pport"
}
check "bitcoind refuses a config line without '=' (config.cpp)" \
	refused_conf 'parse error on line 3: garbage' 'dbcache=450\r\n[test]\ngarbage\n'
check "bitcoind refuses a config line with a leading '-' (config.cpp)" \
	refused_conf 'parse error on line 1: -txindex=1, options in configuration file must be specified without leading -' '-txindex=1\n'
check "bitcoind refuses '#' on an rpcpassword line (config.cpp)" \
	refused_conf 'parse error on line 2, using # in rpcpassword can be ambiguous' '[main]\nrpcpassword=ab#cd\n'
check "bitcoind refuses a control byte line and a [section with a NUL byte (config.cpp)" \
	refused_conf 'parse error on line 2: [a]' '\f=1\n[a]\0\n'
check "bitcoind refuses conf in a config file, also negated (config.cpp IsConfSupported)" \
	refused_conf 'conf cannot be set in the configuration file' 'a.b.conf=1\nnoconf=1\n'
check "bitcoind starts with -allowignoredconf=1" start_bitcoind -allowignoredconf=1
t_cookie() { [ "$(stat -c %a "$bd/.cookie")" = 600 ] && grep -qE '^__cookie__:[0-9a-f]{64}$' "$bd/.cookie"; }
check "bitcoind writes an owner-only .cookie also with rpcauth (httprpc.cpp)" t_cookie
t_cli_cookie() { [ "$(cli_rc getblockchaininfo)" = 0 ] && grep -qF '"chain":"main"' "$tmp/cli.out"; }
check "bitcoin-cli authenticates with the cookie and gets getblockchaininfo" t_cli_cookie
check "bitcoin-cli with the rpcauth user's password exits 0" test "$(cli_rc -rpcuser=user1 -rpcpassword=bitcoin getblockcount)" = 0
t_cli_wrong() { [ "$(cli_rc -rpcuser=user1 -rpcpassword=wrong getblockcount)" = 1 ] && grep -qF 'Authorization failed' "$tmp/cli.err"; }
check "bitcoin-cli with a wrong password exits 1" t_cli_wrong
t_cli_method() { [ "$(cli_rc nosuchmethod)" = $((32601 % 256)) ] && grep -qF 'Method not found' "$tmp/cli.err"; }
check "bitcoin-cli exits with the RPC error's code (32601, mod 256 as exit(3) keeps it)" t_cli_method
# the pin's version (Core 29.2 unless the image spec names another user agent) and 29.1's lower
# default -minrelaytxfee (PR #33106, doc/release-notes/release-notes-29.1.md)
t_netinfo() {
	[ "$(cli_rc getnetworkinfo)" = 0 ] && grep -qF '"version":290200,"subversion":"/Satoshi:29.2.0/"' "$tmp/cli.out" &&
		grep -qF '"relayfee":0.00000100' "$tmp/cli.out"
}
check "getnetworkinfo reports Core 29.2's version, user agent and relay fee" t_netinfo
check "bitcoind listens on its ZMQ and P2P ports" eval 'listening "$zport" && listening "$pport"'
t_rpcbind_wide() { grep -qF "Binding RPC on address 0.0.0.0 port $bport" "$tmp/bitcoind.log"; }
check "rpcbind=0.0.0.0 with rpcallowip binds every address" t_rpcbind_wide
t_allowip_refuses() {
	[ -z "$host_ip" ] && return 0 # no non-loopback address to come from here
	[ "$(http_code "$bport" --interface "$host_ip" -u user1:bitcoin -d '{"method":"getblockcount"}' \
		--connect-to "127.0.0.1:$bport:$host_ip:$bport")" = 403 ]
}
check "a peer outside rpcallowip gets 403 (httpserver.cpp)" t_allowip_refuses
stop_bitcoind
check "bitcoind deletes the cookie at shutdown" test ! -e "$bd/.cookie"
t_cli_nocreds() { [ "$(cli_rc getblockchaininfo)" = 1 ] && grep -qF 'Could not locate RPC credentials' "$tmp/cli.err"; }
check "bitcoin-cli without cookie or password exits 1" t_cli_nocreds
t_cli_noserver() {
	[ "$(cli_rc -rpcuser=u -rpcpassword=p getblockchaininfo)" = 1 ] && grep -qF 'Could not connect to the server' "$tmp/cli.err"
}
check "bitcoin-cli exits 1 when nothing listens" t_cli_noserver
t_allowip_ok() {
	[ -z "$host_ip" ] && return 0
	[ "$(http_code "$bport" -u user1:bitcoin -d '{"method":"getblockcount"}' \
		--connect-to "127.0.0.1:$bport:$host_ip:$bport")" = 200 ]
}
check "bitcoind restarts with the peer's address allowed" start_bitcoind -allowignoredconf=1 -rpcallowip="${host_ip:-127.0.0.1}/32"
check "a peer inside rpcallowip is answered" t_allowip_ok
stop_bitcoind
check "without rpcallowip, rpcbind is ignored (loopback only)" eval \
	'grep -v "^rpcallowip" "$bconf" >"$tmp/etc/noallow.conf" && start_bitcoind -allowignoredconf=1 -conf="$tmp/etc/noallow.conf" &&
	grep -qF "Option -rpcbind was ignored because -rpcallowip was not specified" "$tmp/bitcoind.log" &&
	grep -qF "Binding RPC on address 127.0.0.1 port $bport" "$tmp/bitcoind.log"'
stop_bitcoind
t_regtest() {
	start_bitcoind -allowignoredconf=1 -regtest -listen=0 && [ "$(cli_rc -regtest getblockchaininfo)" = 0 ] &&
		grep -qF '"chain":"regtest"' "$tmp/cli.out" && test -e "$bd/regtest/.cookie" && port_free "$pport"
}
check "-regtest: cookie in the network datadir, -listen=0 opens no P2P port" t_regtest
stop_bitcoind
t_gosu_unknown() { [ "$(exit_status "$bdir/gosu" nosuchuser true)" = 1 ]; }
check "gosu refuses a user the passwd file lacks" t_gosu_unknown
t_gosu_root() { [ "$(id -u)" != 0 ] || "$bdir/gosu" root true; }
check "gosu root runs the command" t_gosu_root
check "--applets lists bitcoind" eval '"$bin" --applets | grep -q "^bitcoind "'
# ---- applets ----
# shellcheck source=test/e2e/standin/selftest-lnd.sh
. "$(dirname "$0")/selftest-lnd.sh"
# ---- fedimintd applet (contract: fedimint/fedimint v0.13.0 fedimintd/src/lib.rs ServerOpts) ----
mkdir "$tmp/applets"
ln -s "$bin" "$tmp/applets/fedimintd"
fm_p2p=$(free_port 18700)
fm_api=$(free_port $((fm_p2p + 1)))
fm_ui=$(free_port $((fm_api + 1)))
fm_pid=''
# fm_env [-u VAR]... [VAR=VALUE]... CMD...: CMD with the env a correct manifest gives fedimintd, changed by
# the arguments (an inner env(1) reads them, so -u works); an array so that `&` forks env itself
fm_env=(env -i PATH="$PATH" FM_DATA_DIR="$tmp/fm-data" FM_BITCOIN_NETWORK=regtest
	FM_BITCOIND_URL="http://127.0.0.1:$nport" FM_BITCOIND_USERNAME=user1 FM_BITCOIND_PASSWORD=bitcoin
	FM_BIND_P2P="127.0.0.1:$fm_p2p" FM_BIND_API="127.0.0.1:$fm_api" FM_BIND_UI="127.0.0.1:$fm_ui" env)
fm_start() {
	"${fm_env[@]}" "$@" "$tmp/applets/fedimintd" 2>>"$tmp/fedimintd.log" &
	fm_pid=$!
	wait_listening "$fm_ui"
}
fm_stop() {
	local rc=0
	kill -TERM "$fm_pid" 2>/dev/null || true
	wait "$fm_pid" 2>/dev/null || rc=$?
	fm_pid=''
	return "$rc"
}
# fm_refuses TEXT VAR=VALUE...: fedimintd exits 2 and says TEXT on stderr
fm_refuses() {
	local want=$1 rc=0
	shift
	"${fm_env[@]}" "$@" timeout 5 "$tmp/applets/fedimintd" 2>"$tmp/fm-err.txt" >/dev/null || rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$want" "$tmp/fm-err.txt" && grep -qF '(contract: fedimint/fedimint' "$tmp/fm-err.txt"; then
		return 0
	fi
	echo "# exit $rc, stderr: $(head -c 400 "$tmp/fm-err.txt")"
	return 1
}
fm_ui_code() { curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$fm_ui$1" || true; }
fm_header_is() { grep -qixF -- "$1: $2"$'\r' "$tmp/headers"; }
# fm_asset PATH TYPE: PATH answers 200 with Content-Type TYPE and an hour's public cache
# (fedimint-ui-common src/assets.rs get_static_asset)
fm_asset() {
	local code
	code=$(fm_ui_code "$1")
	[ "$code" = 200 ] && fm_header_is Content-Type "$2" && fm_header_is Cache-Control 'public, max-age=3600' && return 0
	echo "# $1: $code, $(tr -d '\r' <"$tmp/headers" | grep -i '^content-type\|^cache-control' | tr '\n' ' ')"
	return 1
}
t_fm_ui() {
	# the guardian UI before setup: the page at /, every asset absolute from the root (common_head)
	local a
	[ "$(fm_ui_code /)" = 200 ] && fm_header_is Content-Type 'text/html; charset=utf-8' || return 1
	for a in /assets/bootstrap.min.css /assets/style.css /assets/logo.png /assets/htmx.org-2.0.4.min.js; do
		body_has "=\"$a\"" || {
			echo "# / does not reference $a from the root"
			return 1
		}
	done
	fm_asset /assets/bootstrap.min.css text/css && fm_asset /assets/style.css text/css &&
		fm_asset /assets/htmx.org-2.0.4.min.js application/javascript &&
		fm_asset /assets/bootstrap.bundle.min.js application/javascript && fm_asset /assets/logo.png image/png &&
		[ "$(head -c 8 "$tmp/body" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}
# axum answers 404 for a path no route has: no client-side routes, no /static/ or /config.json
t_fm_ui_404() {
	local p
	for p in /assets/nope.js /static/js/main.js /config.json /dashboard /login; do
		[ "$(fm_ui_code "$p")" = 404 ] || {
			echo "# $p: $(fm_ui_code "$p")"
			return 1
		}
	done
}
# with FM_PASSWORD_UI the setup UI has /login (setup.rs: the route only when requires_auth) and a page
# behind UserAuth redirects there: 303, Location: /login (auth.rs, axum Redirect::to)
t_fm_ui_login() {
	[ "$(fm_ui_code /login)" = 200 ] && body_has '"/assets/style.css"' &&
		[ "$(fm_ui_code /federation_setup)" = 303 ] && fm_header_is Location /login
}
# RFC 6455 section 1.3's sample key and accept value
t_fm_ws() {
	curl -s -o /dev/null -D "$tmp/ws-headers" --max-time 3 -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
		-H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
		"http://127.0.0.1:$fm_api/" || true
	grep -q '^HTTP/1.1 101' "$tmp/ws-headers" && grep -qF 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=' "$tmp/ws-headers"
}
# fm_status_is CODE TEXT: the stand-in's GET /status on the UI port answers CODE with TEXT within 8 s
fm_status_is() {
	local i code=''
	for ((i = 0; i < 80; i++)); do
		code=$(fm_ui_code /status)
		[ "$code" = "$1" ] && body_has "$2" && return 0
		sleep 0.1
	done
	echo "# /status: wanted $1 '$2', got $code '$(cat "$tmp/body" 2>/dev/null)'"
	return 1
}
t_fm_api_plain() { [ "$(http_code "$fm_api")" = 400 ]; }
t_fm_released() { port_free "$fm_ui" && port_free "$fm_api" && port_free "$fm_p2p"; }
t_fm_udp() { ss -Hlun "sport = :$fm_api" | grep -q . && ss -Hlun "sport = :$fm_p2p" | grep -q .; }
t_fm_no_udp() { ! ss -Hlun "sport = :$fm_api" | grep -q . || false; }
t_fm_default_ui() {
	"${fm_env[@]}" -u FM_BIND_UI timeout 2 "$tmp/applets/fedimintd" 2>"$tmp/fm-err.txt" || true
	grep -qF 'ui on 127.0.0.1:8175' "$tmp/fm-err.txt" || grep -qF 'failed to bind ui on 127.0.0.1:8175' "$tmp/fm-err.txt"
}

check "fedimintd refuses without FM_DATA_DIR" fm_refuses $'required arguments were not provided:\n  --data-dir <DATA_DIR>' -u FM_DATA_DIR
check "fedimintd refuses the v0.5 names (FM_DEFAULT_BITCOIN_RPC_*) and names the v0.8+ ones" fm_refuses \
	'FM_DEFAULT_BITCOIN_RPC_URL is set: fedimintd read it up to v0.7' -u FM_BITCOIND_URL \
	FM_DEFAULT_BITCOIN_RPC_KIND=bitcoind FM_DEFAULT_BITCOIN_RPC_URL="http://user1:bitcoin@127.0.0.1:$nport"
check "fedimintd refuses without a bitcoin backend (bitcoind_url or esplora_url)" fm_refuses \
	'<--bitcoind-url <BITCOIND_URL>|--esplora-url <ESPLORA_URL>>' -u FM_BITCOIND_URL
check "fedimintd refuses FM_BITCOIND_URL without FM_BITCOIND_USERNAME" fm_refuses \
	'--bitcoind-username <BITCOIND_USERNAME>' -u FM_BITCOIND_USERNAME
check "fedimintd refuses FM_BITCOIND_URL without a password" fm_refuses '<--bitcoind-password' -u FM_BITCOIND_PASSWORD
check "fedimintd refuses a password and a password file together" fm_refuses 'cannot be used with' \
	FM_BITCOIND_URL_PASSWORD_FILE="$conf"
check "fedimintd refuses FM_BITCOIN_NETWORK=mainnet (rust-bitcoin names it bitcoin)" fm_refuses \
	"invalid value 'mainnet' for '--bitcoin-network <BITCOIN_NETWORK>'" FM_BITCOIN_NETWORK=mainnet
check "fedimintd refuses a bind address without a port" fm_refuses 'invalid socket address syntax' FM_BIND_UI=0.0.0.0
check "fedimintd binds the UI on 127.0.0.1:8175 when FM_BIND_UI is unset (unreachable from outside a container)" \
	t_fm_default_ui

check "fedimintd starts with the v0.13 env" fm_start
check "fedimintd connects to bitcoind with FM_BITCOIND_USERNAME/PASSWORD" \
	fm_status_is 200 "bitcoind connected to 127.0.0.1:$nport blocks="
check "fedimintd UI serves its page and assets from the root" t_fm_ui
check "fedimintd UI answers 404 off its routes (no /static/, no client-side routes, no /login without a password)" \
	t_fm_ui_404
check "fedimintd API completes a websocket handshake (RFC 6455 accept)" t_fm_ws
check "fedimintd API answers a plain GET with 400" t_fm_api_plain
check "fedimintd without FM_ENABLE_IROH binds no UDP port" t_fm_no_udp
check "fedimintd exits 0 on SIGTERM" fm_stop
check "fedimintd released its ports" t_fm_released

check "fedimintd with FM_ENABLE_IROH=true starts" fm_start FM_ENABLE_IROH=true
check "fedimintd with iroh binds UDP on the P2P and API ports" t_fm_udp
fm_stop || true
fm_start FM_BITCOIND_PASSWORD=wrong || true
check "fedimintd with a wrong password reports unauthorized" fm_status_is 503 'unauthorized (HTTP 401)'
fm_stop || true
fm_start FM_BITCOIN_NETWORK=bitcoin || true
check "fedimintd on network bitcoin against a regtest node reports the mismatch" fm_status_is 503 \
	'network mismatch: bitcoind is on regtest, FM_BITCOIN_NETWORK is bitcoin'
fm_stop || true
fm_start FM_PASSWORD_UI=guardian-pass || true
check "fedimintd with FM_PASSWORD_UI serves /login and redirects a page behind auth there (303 /login)" t_fm_ui_login
fm_stop || true

# ---- resolve and command line ----
t_resolve() { "$bin" resolve localhost | grep -qx 127.0.0.1; }
t_help() { "$bin" --help | grep -q '^usage: archy-standin node'; }
t_usage() {
	local rc=0
	"$bin" node --port 1 --bogus 2>"$tmp/usage.txt" || rc=$?
	[ "$rc" = 2 ] && grep -q '^usage:' "$tmp/usage.txt" && [ "$(exit_status "$bin" frobnicate)" = 2 ] &&
		[ "$(exit_status "$bin")" = 2 ]
}
check "resolve localhost prints 127.0.0.1" t_resolve
check "resolve of an unknown name exits 2" test "$(exit_status timeout 30 "$bin" resolve no-such-host.invalid)" = 2
check "--help prints usage and exits 0" t_help
check "a bad command line exits 2 with usage on stderr" t_usage

# shellcheck source=test/e2e/standin/selftest-mempool.sh
. "$(dirname "$0")/selftest-mempool.sh"

echo "1..$n"
exit "$failed"
