# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by selftest.sh: the lnd, lncli and litd applets, one positive and one negative check per
# contract they enforce (docs/contracts/lnd.md). Uses check, free_port, wait_listening, $bin, $tmp,
# $conf (user1 / bitcoin) and appends its background processes to $extra_pids.
# shellcheck shell=bash disable=SC2154  # the variables come from selftest.sh

lt=$tmp/lnd
mkdir -p "$lt/bin" "$lt/nodedata" "$lt/dir" "$lt/lit"
for a in lnd lncli litd; do ln -s "$bin" "$lt/bin/$a"; done
lnport=$(free_port 19432)
zb=$(free_port $((lnport + 1)))
zt=$(free_port $((zb + 1)))
rest=$(free_port $((zt + 1)))
rpc=$(free_port $((rest + 1)))
ui=$(free_port $((rpc + 1)))
peer=$(free_port $((ui + 1)))
"$bin" node --conf "$conf" --port "$lnport" --data "$lt/nodedata" 2>>"$tmp/lnd-node.log" &
extra_pids+=" $!"
"$bin" web --port "$zb" 2>/dev/null &
extra_pids+=" $!"
"$bin" web --port "$zt" 2>/dev/null &
extra_pids+=" $!"
wait_listening "$lnport"

# write_conf [PASS] [ZMQBLOCK] [EXTRA LINE]: the lnd.conf archy's lnd-conf kind renders, for the test node
write_conf() {
	cat >"$lt/lnd.conf" <<EOF
[Bitcoin]
bitcoin.regtest=1
bitcoin.node=bitcoind

[Bitcoind]
bitcoind.rpchost=127.0.0.1:$lnport
bitcoind.rpcuser=user1
bitcoind.rpcpass=${1:-bitcoin}
bitcoind.zmqpubrawblock=tcp://127.0.0.1:${2:-$zb}
bitcoind.zmqpubrawtx=tcp://127.0.0.1:$zt
${3:-}
EOF
}
printf 'walletpass1' >"$lt/walletpw"
lnd_args=(--lnddir="$lt/dir" --configfile="$lt/lnd.conf" --rpclisten="0.0.0.0:$rpc" --restlisten="0.0.0.0:$rest"
	--tlsextradomain=archy-lnd --wallet-unlock-password-file="$lt/walletpw" --wallet-unlock-allow-create
	--listen="127.0.0.1:$peer")
wait_tcp() {
	local i
	for i in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
lnd_pid=''
start_lnd() {
	"$lt/bin/lnd" "$@" 2>>"$tmp/lnd.log" &
	lnd_pid=$!
	extra_pids+=" $lnd_pid"
	wait_tcp "$rest"
}
stop_lnd() {
	[ -n "$lnd_pid" ] && kill "$lnd_pid" 2>/dev/null && wait "$lnd_pid" 2>/dev/null
	lnd_pid=''
}
# lnd_refuses MESSAGE ARGS...: lnd exits 1 within 10 s with MESSAGE on stderr
lnd_refuses() {
	local want=$1 rc=0
	shift
	timeout 10 "$lt/bin/lnd" "$@" >/dev/null 2>"$tmp/lnd-refused.txt" || rc=$?
	[ "$rc" = 1 ] && grep -qF -- "$want" "$tmp/lnd-refused.txt"
}
# has PATTERN CMD...: CMD's whole stdout contains PATTERN (no grep -q in a pipe: with pipefail its early
# exit can fail the writer with SIGPIPE)
has() {
	local want=$1 out
	shift
	out=$("$@" 2>/dev/null) || true
	[[ $out == *"$want"* ]]
}
lncli_() { "$lt/bin/lncli" --lnddir="$lt/dir" --network=regtest --rpcserver="localhost:$rpc" "$@"; }
rest_() { curl -s --max-time 5 --cacert "$lt/dir/tls.cert" "$@"; }
seed=$(printf '"w",%.0s' $(seq 23))'"w"'
init_wallet() {
	rest_ -X POST "https://localhost:$rest/v1/initwallet" \
		-d "{\"wallet_password\":\"$(printf %s "$1" | base64)\",\"cipher_seed_mnemonic\":[$seed]}"
}
wait_state() {
	local i
	for i in $(seq 50); do
		has "\"state\":\"$1\"" lncli_ state && return 0
		sleep 0.1
	done
	return 1
}

# ---- lnd start-up contracts (config.go of lnd v0.20.3-beta) ----
write_conf
check "lnd refuses to start without a chain flag" lnd_refuses \
	'ValidateConfig: either --bitcoin.mainnet, or --bitcoin.testnet, --bitcoin.testnet4, --bitcoin.simnet, --bitcoin.regtest or --bitcoin.signet must be specified' \
	--lnddir="$lt/dir" --configfile=/dev/null
check "lnd refuses two chain flags" lnd_refuses "params can't be used together" "${lnd_args[@]}" --bitcoin.signet
check "lnd refuses an unknown flag" lnd_refuses "failed to load config: unknown flag \`uipassword-file'" \
	"${lnd_args[@]}" --uipassword-file=/x
check "lnd refuses a --configfile that does not exist" lnd_refuses \
	"specified config file does not exist in $lt/none.conf" --configfile="$lt/none.conf"
write_conf bitcoin "$zb" 'bitcoind.rpcpassword=x'
check "lnd refuses an unknown lnd.conf option, with file and line" lnd_refuses \
	"$lt/lnd.conf:11: unknown option: bitcoind.rpcpassword" "${lnd_args[@]}"
write_conf bitcoin "$zb" '[Bitcoin Core]'
check "lnd refuses an unknown lnd.conf section" lnd_refuses "could not find option group \`Bitcoin Core'" "${lnd_args[@]}"
write_conf
sed '/zmqpubraw/d' "$lt/lnd.conf" >"$lt/nozmq.conf"
check "lnd refuses bitcoind credentials without the zmq endpoints" lnd_refuses \
	'please set bitcoind.rpcuser and bitcoind.rpcpass (or bitcoind.rpccookie) together with bitcoind.zmqpubrawblock, bitcoind.zmqpubrawtx' \
	"${lnd_args[@]}" --configfile="$lt/nozmq.conf"
write_conf bitcoin "$zt"
check "lnd refuses the same zmq endpoint for blocks and transactions" lnd_refuses \
	'zmqpubrawblock and zmqpubrawtx must be set to different addresses' "${lnd_args[@]}"
write_conf
check "lnd refuses wallet-unlock-allow-create without a password file" lnd_refuses \
	'cannot set wallet-unlock-allow-create without wallet-unlock-password-file' \
	--lnddir="$lt/dir" --configfile="$lt/lnd.conf" --wallet-unlock-allow-create
check "lnd refuses a wallet password file that does not exist" lnd_refuses \
	"wallet unlock password file $lt/nopw does not exist" "${lnd_args[@]}" --wallet-unlock-password-file="$lt/nopw"
check "lnd refuses a password file without a wallet and without allow-create" lnd_refuses \
	'wallet unlock password file was specified but wallet does not exist' \
	--lnddir="$lt/dir2" --configfile="$lt/lnd.conf" --wallet-unlock-password-file="$lt/walletpw" \
	--restlisten="127.0.0.1:$rest" --rpclisten="127.0.0.1:$rpc"

# ---- lnd runs: TLS names, wallet, macaroon, bitcoind ----
check "lnd starts with the lnd.conf and flags of the shipped manifest" start_lnd "${lnd_args[@]}"
t_sans() {
	local s
	s=$(openssl x509 -in "$lt/dir/tls.cert" -noout -ext subjectAltName) && [[ $s == *DNS:archy-lnd* && $s == *DNS:localhost* ]]
}
check "lnd writes tls.cert with localhost and the tlsextradomain name" t_sans
check "lncli state answers NON_EXISTING over TLS, without a macaroon" wait_state NON_EXISTING
check "lnd listens on its peer port" wait_tcp "$peer"
t_no_wallet_getinfo() { has 'wallet locked' rest_ "https://localhost:$rest/v1/getinfo"; }
check "getinfo before a wallet exists is refused" t_no_wallet_getinfo
t_short_pw() { has 'password must have at least 8 characters' init_wallet short; }
check "initwallet refuses a password shorter than 8 characters" t_short_pw
t_init() { has '"admin_macaroon"' init_wallet walletpass1 && wait_state SERVER_ACTIVE; }
check "initwallet creates the wallet, lnd connects to bitcoind" t_init
t_getinfo() { has '"archy_standin_bitcoind":"connected"' lncli_ getinfo; }
check "lncli getinfo with admin.macaroon reports bitcoind connected" t_getinfo
t_nomac() { has 'expected 1 macaroon, got 0' rest_ "https://localhost:$rest/v1/getinfo"; }
check "REST getinfo without the macaroon header is refused" t_nomac
t_badmac() { has 'verification failed' rest_ -H 'Grpc-Metadata-macaroon: 00ff' "https://localhost:$rest/v1/getinfo"; }
check "REST getinfo with a wrong macaroon is refused" t_badmac
t_lncli_nocert() {
	local rc=0
	"$lt/bin/lncli" --lnddir="$lt/none" state 2>"$tmp/lncli.txt" || rc=$?
	[ "$rc" = 1 ] && grep -qF 'unable to read TLS cert' "$tmp/lncli.txt"
}
check "lncli without tls.cert exits 1" t_lncli_nocert
t_restart_unlocks() { stop_lnd && start_lnd "${lnd_args[@]}" && wait_state SERVER_ACTIVE; }
check "a restarted lnd unlocks its wallet from the password file" t_restart_unlocks

# ---- litd (config.go of lightning-terminal v0.16.1-alpha) ----
printf 'uipassword1\n' >"$lt/uipw"
litd_args=(--uipassword_file="$lt/uipw" --lnd-mode=remote --network=regtest --lit-dir="$lt/lit"
	--httpslisten="127.0.0.1:$ui" --remote.lnd.tlscertpath="$lt/dir/tls.cert"
	--remote.lnd.macaroonpath="$lt/dir/data/chain/bitcoin/regtest/admin.macaroon")
litd_refuses() {
	local want=$1 rc=0
	shift
	timeout 10 "$lt/bin/litd" "$@" >/dev/null 2>"$tmp/litd-refused.txt" || rc=$?
	[ "$rc" = 1 ] && grep -qF -- "$want" "$tmp/litd-refused.txt"
}
# litd_status RPCSERVER WANT: litd's view of lnd, on its own HTTPS port
litd_status() {
	local rc=0 pid i
	"$lt/bin/litd" "${litd_args[@]}" --remote.lnd.rpcserver="$1" 2>>"$tmp/litd.log" &
	pid=$!
	for i in $(seq 50); do
		has "$2" curl -sk --max-time 2 "https://127.0.0.1:$ui/archy-standin/status" && break
		sleep 0.1
	done
	[ "$i" -lt 50 ] && has 'src="/static/js/main.js"' curl -sk "https://127.0.0.1:$ui/" || rc=1
	kill "$pid" && wait "$pid" || rc=1
	return "$rc"
}
check "litd refuses --uipassword-file (the flag is uipassword_file)" litd_refuses "unknown flag \`uipassword-file'" \
	--uipassword-file="$lt/uipw"
printf 'short' >"$lt/uipw-short"
check "litd refuses a UI password under 8 characters" litd_refuses \
	'please set a strong password for the UI, at least 8 characters long' --uipassword_file="$lt/uipw-short"
check "litd refuses a missing UI password file" litd_refuses "could not read file $lt/none" --uipassword_file="$lt/none"
check "litd serves its UI over HTTPS and reaches lnd by a name in tls.cert" litd_status "localhost:$rpc" connected
check "litd does not accept lnd's cert for a name it lacks" litd_status "127.0.0.2:$rpc" 'x509: certificate is not valid'
t_extraip() {
	stop_lnd && rm -f "$lt/dir/tls.cert" "$lt/dir/tls.key" && start_lnd "${lnd_args[@]}" --tlsextraip=127.0.0.2 &&
		wait_state SERVER_ACTIVE && litd_status "127.0.0.2:$rpc" connected
}
check "with the name in tls.cert (tlsextraip) litd connects" t_extraip

# ---- lnd refuses at the wallet or at bitcoind ----
stop_lnd
printf 'otherpass1' >"$lt/wrongpw"
check "lnd exits when the password file does not unlock the wallet" lnd_refuses 'invalid passphrase for master private key' \
	"${lnd_args[@]}" --wallet-unlock-password-file="$lt/wrongpw"
write_conf wrong
check "lnd exits when bitcoind refuses its RPC credentials" lnd_refuses 'unable to connect to bitcoind: status code: 401' \
	"${lnd_args[@]}"
write_conf bitcoin "$(free_port $((peer + 1)))"
check "lnd exits when a zmq endpoint is unreachable" lnd_refuses 'unable to subscribe for zmq block events' \
	"${lnd_args[@]}"
write_conf
t_localhost_only() {
	start_lnd "${lnd_args[@]/0.0.0.0/localhost}" && ! (exec 3<>"/dev/tcp/127.0.0.2/$rest") 2>/dev/null &&
		(exec 3<>"/dev/tcp/127.0.0.1/$rest") && stop_lnd
}
check "restlisten=localhost is loopback only (lnd's default; other containers cannot connect)" t_localhost_only
stop_lnd || true
