#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by selftest.sh: the electrumx and mempool applets (app-electrumx.c, app-mempool*.c), one
# positive and one negative check per contract they enforce. Uses selftest.sh's bin, tmp, check,
# free_port, http_code, body_has, exit_status and wait_listening; pids go to extra_pids.
# shellcheck shell=bash disable=SC2154,SC2317,SC2016,SC2015  # variables and functions of selftest.sh; t_* run via check

abin=$tmp/applets
mkdir -p "$abin" "$tmp/exdb" "$tmp/stub"
for a in electrumx_server electrumx_rpc mempool-backend mempool-frontend; do ln -sf "$bin" "$abin/$a"; done

# A bitcoind stand-in whose user4's password needs percent-encoding in a URL and breaks start.sh's sed.
xport=$(free_port 18700)
xpass='p@ss/w:rd,%!&'
xsalt=00112233445566778899aabbccddeef0
xhmac=$(printf '%s' "$xpass" | openssl dgst -sha256 -hmac "$xsalt" | sed 's/.*= //')
printf 'rpcauth=user1:6dd184e5e69271fdd69103464630014f$eb3d7ce67c4d1ff3564270519b03b636c0291012692a5fa3dd1d2075daedd07b\nrpcauth=user4:%s$%s\n' \
	"$xsalt" "$xhmac" >"$tmp/x-bitcoin.conf"
mkdir -p "$tmp/xdata"
"$bin" node --conf "$tmp/x-bitcoin.conf" --port "$xport" --data "$tmp/xdata" 2>>"$tmp/xnode.log" &
extra_pids="$extra_pids $!"
wait_listening "$xport" || echo "# the bitcoind stand-in for the applet checks did not start"

openssl req -newkey rsa:2048 -sha256 -nodes -x509 -days 1 -subj /O=ElectrumX \
	-keyout "$tmp/exdb/electrumx.key" -out "$tmp/exdb/electrumx.crt" >/dev/null 2>&1
eport=$(free_port 18710)
esport=$(free_port $((eport + 1)))
erport=$(free_port $((esport + 1)))
enc_pass='p%40ss%2Fw%3Ard%2C%25%21%26'
# with_env BASE_ASSIGNMENTS... -- [-u VAR | VAR=VALUE]... CMD...: runs CMD in exactly that environment
with_env() {
	local -a base=() over=() drop=() keep=()
	local v d skip
	while [ "$1" != -- ]; do
		base+=("$1")
		shift
	done
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		-u) drop+=("$2") && shift 2 ;;
		*=*) drop+=("${1%%=*}") && over+=("$1") && shift ;;
		*) break ;;
		esac
	done
	for v in "${base[@]}"; do
		skip=0
		for d in "${drop[@]}"; do [ "${v%%=*}" != "$d" ] || skip=1; done
		[ "$skip" = 1 ] || keep+=("$v")
	done
	# in a background subshell ( bg=1; ex_env ... ) &, exec: $! must be the applet itself
	[ -z "${bg:-}" ] || exec env -i "${keep[@]}" "${over[@]}" "$@"
	env -i "${keep[@]}" "${over[@]}" "$@"
}
# ex_env [-u VAR | VAR=VALUE]... CMD...: the environment the lukechilds/electrumx image and the manifest give
ex_env() {
	with_env PATH="$abin:/usr/bin:/bin" ALLOW_ROOT=1 COIN=Bitcoin NET=regtest DB_DIRECTORY="$tmp/exdb" \
		SSL_CERTFILE="$tmp/exdb/electrumx.crt" SSL_KEYFILE="$tmp/exdb/electrumx.key" \
		SERVICES="tcp://:$eport,ssl://:$esport,rpc://localhost:$erport" \
		DAEMON_URL="http://user4:$enc_pass@127.0.0.1:$xport/" -- "$@"
}
# electrum LINE: one JSON line to the Electrum TCP port, the answer on stdout
electrum() { timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; printf "%s\n" "$2" >&3; head -n 1 <&3' _ "$eport" "$1"; }
wait_getinfo() {
	local i
	for ((i = 0; i < 60; i++)); do
		ex_env electrumx_rpc -p "$erport" getinfo >"$tmp/getinfo" 2>&1 && grep -qF "$1" "$tmp/getinfo" && return 0
		sleep 0.1
	done
	echo "# getinfo: $(cat "$tmp/getinfo")"
	return 1
}
ex_pid=''
t_ex_start() {
	(bg=1 ex_env electrumx_server 2>>"$tmp/electrumx.log") &
	ex_pid=$!
	extra_pids="$extra_pids $ex_pid"
	wait_getinfo '"archy-standin daemon":"connected"'
}
t_ex_electrum() { electrum '{"id":7,"method":"server.version","params":["t","1.4"]}' | grep -qF '"result":["ElectrumX 1.18.0","1.4"]'; }
t_ex_headers() { electrum '{"id":8,"method":"blockchain.headers.subscribe","params":[]}' | grep -q '"height":[0-9]'; }
# ex_refuses TEXT VAR=VALUE...: exits 1 naming TEXT and the contract
ex_refuses() {
	local want=$1 rc=0
	shift
	ex_env "$@" timeout 10 electrumx_server 2>"$tmp/ex-refuse.txt" || rc=$?
	[ "$rc" = 1 ] && grep -qF -- "$want" "$tmp/ex-refuse.txt" && grep -qF '(contract: ' "$tmp/ex-refuse.txt" ||
		{ echo "# rc=$rc $(cat "$tmp/ex-refuse.txt")"; return 1; }
}
t_ex_unencoded() {
	local rc=0 p
	p=$(free_port $((erport + 1)))
	(bg=1 ex_env DAEMON_URL="http://user4:$xpass@127.0.0.1:$xport/" SERVICES="rpc://localhost:$p" electrumx_server \
		2>"$tmp/ex-unenc.log") &
	local pid=$!
	for ((i = 0; i < 40; i++)); do
		ex_env electrumx_rpc -p "$p" getinfo >"$tmp/getinfo2" 2>&1 && grep -q 'unauthorized\|invalid\|unreachable' "$tmp/getinfo2" && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || rc=$?
	grep -q 'unauthorized\|unreachable' "$tmp/getinfo2" || grep -qF 'invalid daemon URL' "$tmp/ex-unenc.log"
}
echo "# ---- electrumx_server / electrumx_rpc ----"
check "electrumx: starts with the image's env, reaches bitcoind with a percent-encoded password" t_ex_start
check "electrumx: Electrum TCP answers server.version once it reached the daemon" t_ex_electrum
check "electrumx: Electrum TCP answers blockchain.headers.subscribe with the height" t_ex_headers
check "electrumx: an unencoded password with / , @ in DAEMON_URL does not authenticate" t_ex_unencoded
check "electrumx: refuses without DAEMON_URL" ex_refuses "required envvar DAEMON_URL not set" -u DAEMON_URL
check "electrumx: refuses without COIN" ex_refuses "required envvar COIN not set" -u COIN
check "electrumx: refuses without DB_DIRECTORY" ex_refuses "required envvar DB_DIRECTORY not set" -u DB_DIRECTORY
check "electrumx: refuses an unknown NET" ex_refuses "unknown coin Bitcoin and network testnet4" NET=testnet4
check "electrumx: refuses an ssl service without SSL_CERTFILE" ex_refuses "required envvar SSL_CERTFILE not set" -u SSL_CERTFILE
check "electrumx: refuses an ssl service whose key file is missing" ex_refuses "not a readable PEM" SSL_KEYFILE=/nonexistent
check "electrumx: refuses the obsolete RPC_PORT" ex_refuses "remove obsolete environment variables ['RPC_PORT']" RPC_PORT=8000
check "electrumx: refuses an unknown protocol in SERVICES" ex_refuses "unknown protocol" SERVICES=http://:1
check "electrumx: refuses a tcp service without a port" ex_refuses "a port is required" SERVICES=tcp://
check "electrumx: refuses a DAEMON_URL without credentials" ex_refuses "invalid daemon URL" DAEMON_URL=http://127.0.0.1:1/
if [ "$(id -u)" = 0 ]; then
	check "electrumx: refuses to run as root without ALLOW_ROOT" ex_refuses "RUNNING AS ROOT" -u ALLOW_ROOT
fi
t_rpc_noserver() {
	local rc=0 p
	p=$(free_port 18790)
	ex_env electrumx_rpc -p "$p" getinfo >"$tmp/rpc-no.txt" 2>&1 || rc=$?
	[ "$rc" = 1 ] && grep -qF "cannot connect - is ElectrumX catching up, not running, or is $p the wrong RPC port?" "$tmp/rpc-no.txt"
}
check "electrumx_rpc: exits 1 with upstream's message when nothing listens" t_rpc_noserver

# ---- mempool backend ----
# A mariadb client stand-in for the host check only (the e2e image has the real client): it answers
# SELECT 1 when the password in MYSQL_PWD and the --user/--database options are the expected ones.
cat >"$tmp/stub/mariadb" <<'STUB'
#!/bin/sh
for a; do case $a in --user=mempool | --database=mempool | --host=* | --port=* | --connect-timeout=* | -N | -B | -e | 'SELECT 1') ;; *) echo "stub: unexpected $a"; exit 2 ;; esac; done
[ "$MYSQL_PWD" = "dbpass" ] || { echo "ERROR 1045 (28000): Access denied for user 'mempool'@'10.0.0.1' (using password: YES)"; exit 1; }
echo 1
STUB
chmod 0755 "$tmp/stub/mariadb"
bport=$(free_port 18720)
mp_env() {
	with_env PATH="$tmp/stub:$abin:/usr/bin:/bin" MEMPOOL_BACKEND=electrum ELECTRUM_HOST=127.0.0.1 ELECTRUM_PORT="$eport" \
		ELECTRUM_TLS_ENABLED=false CORE_RPC_HOST=127.0.0.1 CORE_RPC_PORT="$xport" CORE_RPC_USERNAME=user1 \
		CORE_RPC_PASSWORD=bitcoin DATABASE_HOST=127.0.0.1 DATABASE_DATABASE=mempool DATABASE_USERNAME=mempool \
		DATABASE_PASSWORD=dbpass BACKEND_HTTP_PORT="$bport" -- "$@"
}
wait_info() {
	local port=$1 want=$2 i
	for ((i = 0; i < 60; i++)); do
		curl -s --max-time 2 -o "$tmp/info" "http://127.0.0.1:$port/api/v1/backend-info" && grep -qF "$want" "$tmp/info" && return 0
		sleep 0.1
	done
	echo "# backend-info: $(cat "$tmp/info" 2>/dev/null)"
	return 1
}
t_mp_start() {
	(bg=1 mp_env mempool-backend 2>>"$tmp/mempool.log") &
	extra_pids="$extra_pids $!"
	wait_info "$bport" '"electrum":"connected","core_rpc":"connected","database":"connected"'
}
t_mp_tip() { [ "$(curl -s --max-time 2 "http://127.0.0.1:$bport/api/v1/blocks/tip/height")" -ge 0 ] 2>/dev/null; }
mp_refuses() {
	local want=$1 rc=0
	shift
	mp_env BACKEND_HTTP_PORT="$(free_port 18730)" "$@" timeout 10 mempool-backend 2>"$tmp/mp-refuse.txt" || rc=$?
	[ "$rc" = 1 ] && grep -qF -- "$want" "$tmp/mp-refuse.txt" && grep -qF '(contract: ' "$tmp/mp-refuse.txt" ||
		{ echo "# rc=$rc $(cat "$tmp/mp-refuse.txt")"; return 1; }
}
# A '!' in a secret: sed fails, the placeholder stays, the backend runs with the wrong password.
t_mp_bang() {
	local p rc=0
	p=$(free_port 18740)
	(bg=1 mp_env BACKEND_HTTP_PORT="$p" CORE_RPC_PASSWORD='bit!coin' mempool-backend 2>"$tmp/mp-bang.log") &
	local pid=$!
	wait_info "$p" '"core_rpc":"unauthorized' || rc=1
	kill "$pid" && wait "$pid" || rc=1
	grep -qF "start.sh's sed" "$tmp/mp-bang.log" && return "$rc"
}
echo "# ---- mempool backend ----"
check "mempool backend: electrum, bitcoind and the database connected on /api/v1/backend-info" t_mp_start
check "mempool backend: /api/v1/blocks/tip/height answers the electrum tip" t_mp_tip
check "mempool backend: exits 1 when the database refuses it at start" mp_refuses "Could not connect to database: ERROR 1045" DATABASE_PASSWORD=wrong
check "mempool backend: a '\"' in a secret breaks mempool-config.json: exits 1" mp_refuses "breaks the JSON string" 'CORE_RPC_PASSWORD=a"b'
check "mempool backend: a '!' in a secret leaves start.sh's placeholder: bitcoind says unauthorized" t_mp_bang
check "mempool backend: a non-numeric ELECTRUM_PORT is not JSON: exits 1" mp_refuses "ELECTRUM_PORT: expected a port number" ELECTRUM_PORT=x

# ---- mempool frontend ----
fport=$(free_port 18750)
t_fe_start() {
	env -i FRONTEND_HTTP_PORT="$fport" BACKEND_MAINNET_HTTP_HOST=127.0.0.1 BACKEND_MAINNET_HTTP_PORT="$bport" \
		"$abin/mempool-frontend" nginx -g 'daemon off;' 2>>"$tmp/frontend.log" &
	# env execs the applet, so $! is the frontend itself
	extra_pids="$extra_pids $!"
	wait_listening "$fport" && curl -s -D "$tmp/fe-head" -o "$tmp/body" "http://127.0.0.1:$fport/" &&
		body_has '<base href="/">' && body_has 'src="resources/app.js"' && ! grep -qi '^x-frame-options' "$tmp/fe-head"
}
t_fe_proxy() {
	curl -sf -o "$tmp/body" "http://127.0.0.1:$fport/api/v1/backend-info" && body_has '"electrum":"connected"' &&
		[ "$(curl -sf "http://127.0.0.1:$fport/api/blocks/tip/height")" -ge 0 ] &&
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$fport/resources/config.js")" = 200 ]
}
t_fe_nohost() {
	local rc=0
	env -i FRONTEND_HTTP_PORT="$(free_port 18760)" BACKEND_MAINNET_HTTP_HOST=no-such-host.invalid \
		timeout 10 "$abin/mempool-frontend" 2>"$tmp/fe-refuse.txt" || rc=$?
	[ "$rc" = 1 ] && grep -qF 'host not found in upstream "no-such-host.invalid:8999"' "$tmp/fe-refuse.txt"
}
echo "# ---- mempool frontend ----"
check "mempool frontend: serves <base href=\"/\"> with root assets and no X-Frame-Options" t_fe_start
check "mempool frontend: /api/v1/ and /api/ reach the backend" t_fe_proxy
check "mempool frontend: exits 1 when the backend host does not resolve (nginx at start)" t_fe_nohost
