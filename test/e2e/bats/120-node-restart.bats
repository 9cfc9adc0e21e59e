# SPDX-License-Identifier: LGPL-2.1-or-later
# Stop and restart rows of the shipped node: stopping an app's units closes every host port it
# publishes (socket level) and starting them brings it back healthy and connected; restarting
# bitcoin-knots leaves its dependents running (no Requires= cascade) and they reconnect.
load helpers-node

# Stopping an app also stops the apps that require it (its units' ExecStopPost, README "requires":
# "its stop (not restart) stops this app"): those are started again after it, as a user would.
stop_releases_ports() {
	local app=$1 c u units=() before=() again=()
	for c in $(containers_of "$app"); do units+=("$c.service"); done
	mapfile -t before < <(systemctl list-units --state=active --plain --no-legend 'archy-*.service' | awk '{ print $1 }')
	run closed_ports_of "$app"
	[ -z "$output" ] || { echo "$output" && echo "$app: a published port is closed before the stop" && return 1; }
	systemctl stop "${units[@]}"
	run open_ports_of "$app"
	echo "$output"
	systemctl start "${units[@]}"
	for u in "${before[@]}"; do unit_active "${u%.service}" || again+=("$u"); done
	[ ${#again[@]} = 0 ] || { echo "stopped with it, started again: ${again[*]}" && systemctl start "${again[@]}"; }
	[ -z "$output" ] || { echo "$app: still listening after its units stopped (above)" && return 1; }
	assert_app_up "$app"
	[ "$app" != lnd ] || lnd_wallet_made
	assert_app_connected "$app"
	# and the apps stopped with it are back, connected
	for a in $(started_apps); do
		[ "$a" = "$app" ] || { assert_app_up "$a" && assert_app_connected "$a"; } || return 1
	done
}

@test "bitcoin-knots | stop releases ports | stop closes every published port, start brings it back" { stop_releases_ports bitcoin-knots; }
@test "lnd | stop releases ports | stop closes every published port, start brings it back connected" { stop_releases_ports lnd; }
@test "electrumx | stop releases ports | stop closes every published port, start brings it back connected" { stop_releases_ports electrumx; }
@test "btcpay-server | stop releases ports | stop closes every published port, start brings it back connected" { stop_releases_ports btcpay-server; }
@test "mempool | stop releases ports | stop closes every published port, start brings it back connected" { stop_releases_ports mempool; }
@test "fedimint | stop releases ports | stop closes every published port, start brings it back connected" { stop_releases_ports fedimint; }

DEPENDENTS=(archy-lnd archy-electrumx archy-mempool archy-btcpay-server-nbxplorer archy-fedimint)

@test "bitcoin-knots | restart keeps integrations | every dependent reconnects without being restarted" {
	local u before=() after=()
	for u in "${DEPENDENTS[@]}"; do before+=("$u=$(systemctl show -P ActiveEnterTimestamp "$u.service")"); done
	systemctl restart archy-bitcoin-knots.service
	assert_app_up bitcoin-knots
	assert_connected lnd-bitcoind
	assert_connected electrumx-bitcoind
	assert_connected mempool-bitcoind
	assert_connected nbxplorer-bitcoind
	assert_connected fedimint-bitcoind
	for u in "${DEPENDENTS[@]}"; do after+=("$u=$(systemctl show -P ActiveEnterTimestamp "$u.service")"); done
	echo "before: ${before[*]}"
	echo "after:  ${after[*]}"
	[ "${before[*]}" = "${after[*]}" ]
}

restart_keeps() {
	local app=$1 c units=()
	for c in $(containers_of "$app"); do units+=("$c.service"); done
	systemctl restart "${units[@]}"
	assert_app_up "$app"
	[ "$app" != lnd ] || lnd_wallet_made
	assert_app_connected "$app"
}

@test "lnd | restart keeps integrations | its integrations connected again" { restart_keeps lnd; }
@test "electrumx | restart keeps integrations | its integrations connected again" { restart_keeps electrumx; }
@test "btcpay-server | restart keeps integrations | its integrations connected again" { restart_keeps btcpay-server; }
@test "mempool | restart keeps integrations | its integrations connected again" { restart_keeps mempool; }
@test "fedimint | restart keeps integrations | its integrations connected again" { restart_keeps fedimint; }
