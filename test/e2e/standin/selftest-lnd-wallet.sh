# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by selftest-lnd.sh: the shipped manifest's lnd wallet part (apps.lnd.containers.wallet),
# its script exactly as archy-derive renders it from manifests/archipelago.yaml, run against the
# lnd applet: it creates the wallet once, keeps the seed whole, never replaces a wallet, and fails
# (for the next start to retry) when lnd does not answer. Uses the variables of selftest-lnd.sh.
# shellcheck shell=bash disable=SC2154  # the variables come from selftest.sh and selftest-lnd.sh

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
lw=$tmp/lnd-wallet
mkdir -p "$lw/root/etc/archipelago" "$lw/dir"
chmod 755 "$lw/root"
# the script archy-derive writes for the shipped manifest (--root: a private tree, nothing restarted)
derive_script() {
	cp "$top/manifests/archipelago.yaml" "$lw/root/etc/archipelago/manifest.yaml" &&
		ARCHY_TEST_TRUSTED_DIR=$tmp "${ARCHY_DERIVE:-$top/build/archy-derive}" --root "$lw/root" >"$tmp/lnd-derive.log" 2>&1 &&
		cp "$lw/root/var/lib/archipelago/lnd/init-wallet.sh" "$lw/init-wallet.sh"
}
check "archy-derive renders the wallet part's script from the shipped manifest" derive_script
wrest=$(free_port $((peer + 2)))
wrpc=$(free_port $((wrest + 1)))
wargs=(--lnddir="$lw/dir" --configfile="$lt/lnd.conf" --rpclisten="0.0.0.0:$wrpc" --restlisten="0.0.0.0:$wrest"
	--tlsextradomain=archy-lnd --wallet-unlock-password-file="$lt/walletpw" --wallet-unlock-allow-create)
seedf=$lw/dir/archy-wallet-seed
# run_part [PASSWORD FILE] [WAIT]: the part's command, with the env the manifest gives it pointed here
# (WALLET_PATH: the PATH it runs with, e.g. a directory of busybox applets and curl, as the lnd
# stand-in image has, instead of the host's tools)
run_part() {
	env ${WALLET_PATH:+PATH="$WALLET_PATH"} LND_REST="localhost:$wrest" LND_CERT="$lw/dir/tls.cert" LND_PASSWORD_FILE="${1:-$lt/walletpw}" \
		LND_SEED_FILE="$seedf" LND_WAIT="${2:-20}" sh "$lw/init-wallet.sh" 2>"$tmp/lnd-wallet-part.txt"
}
wstate() { has "\"state\":\"$1\"" rest_ --cacert "$lw/dir/tls.cert" "https://localhost:$wrest/v1/state"; }
t_part_no_lnd() {
	local rc=0
	run_part "" 3 || rc=$?
	[ "$rc" = 1 ] && grep -qF "did not answer with a wallet state within 3 s" "$tmp/lnd-wallet-part.txt" &&
		[ ! -e "$seedf" ] && [ ! -e "$seedf.tmp" ]
}
check "wallet part: lnd not answering, it exits 1 and writes no seed file" t_part_no_lnd
start_lnd_w() {
	"$lt/bin/lnd" "$@" 2>>"$tmp/lnd.log" &
	lnd_pid=$!
	extra_pids+=" $lnd_pid"
	wait_tcp "$wrest"
}
printf 'short' >"$lw/shortpw"
t_part_refused() {
	local rc=0
	start_lnd_w "${wargs[@]}" && wstate NON_EXISTING || return 1
	run_part "$lw/shortpw" || rc=$?
	[ "$rc" = 1 ] && grep -qF 'lnd refused /v1/initwallet: {"code":2,"message":"password must have at least 8 characters"}' \
		"$tmp/lnd-wallet-part.txt" && wstate NON_EXISTING &&
		[ "$(wc -w <"$seedf")" = 24 ] && [ "$(stat -c %a "$seedf")" = 600 ] && [ ! -e "$seedf.tmp" ]
}
check "wallet part: lnd refuses initwallet, it exits 1 with lnd's message, the seed file is whole (24 words, 0600)" t_part_refused
t_part_creates() {
	local before
	before=$(cat "$seedf")
	run_part && grep -qF "wallet created; its seed is in $seedf" "$tmp/lnd-wallet-part.txt" &&
		[ "$(cat "$seedf")" = "$before" ] && wait_for_w SERVER_ACTIVE &&
		[ -s "$lw/dir/data/chain/bitcoin/regtest/admin.macaroon" ]
}
wait_for_w() {
	local _
	for _ in $(seq 50); do
		wstate "$1" && return 0
		sleep 0.1
	done
	return 1
}
check "wallet part: the retry creates the wallet from the kept seed, lnd reaches SERVER_ACTIVE" t_part_creates
t_part_idempotent() {
	local sum
	sum=$(stat -c '%Y %s' "$seedf" "$lw/dir/data/chain/bitcoin/regtest/wallet.db")
	run_part && grep -qF "lnd's wallet exists (state SERVER_ACTIVE): nothing to do" "$tmp/lnd-wallet-part.txt" &&
		[ "$(stat -c '%Y %s' "$seedf" "$lw/dir/data/chain/bitcoin/regtest/wallet.db")" = "$sum" ]
}
check "wallet part: a second run does nothing (the wallet and the seed file untouched)" t_part_idempotent
t_part_unlocks() {
	stop_lnd && start_lnd_w "${wargs[@]}" && wait_for_w SERVER_ACTIVE && run_part &&
		grep -qF 'nothing to do' "$tmp/lnd-wallet-part.txt"
}
check "wallet part: the wallet it made unlocks from the password file at the next start" t_part_unlocks
t_part_fresh() {
	stop_lnd && rm -rf "$lw/dir" && mkdir -p "$lw/dir" && start_lnd_w "${wargs[@]}" && wstate NON_EXISTING &&
		run_part && [ "$(cat "$seedf")" = "$(printf 'abandon %.0s' $(seq 23))art" ] && wait_for_w SERVER_ACTIVE
}
check "wallet part: on a fresh lnd it asks /v1/genseed and keeps those 24 words" t_part_fresh
stop_lnd || true
