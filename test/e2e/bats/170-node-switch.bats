# SPDX-License-Identifier: LGPL-2.1-or-later
# The node switch, as the bitcoin-knots block of the shipped manifest says: bitcoin-knots
# uninstalled, bitcoin-core started, each dependent's requires naming bitcoin-core; then back. After
# each switch every dependent (lnd, electrumx, mempool, NBXplorer, fedimint) is connected again to
# the node at its alias bitcoind, and getnetworkinfo's subversion tells which node answers
# (ARCHY_STANDIN_BITCOIN_SUBVERSION in the image specs: Core /Satoshi:29.2.0/, Knots /Satoshi:29.3.0/Knots:20260508/).
load helpers-lifecycle

setup_file() {
	cp "$MANIFEST" "$STATE/manifest-before-switch"
}

# a copy of the installed manifest with node $1 started, the other uninstalled, requires naming $1
switched_to() {
	local to=$1 from=bitcoin-knots m
	[ "$to" = bitcoin-knots ] && from=bitcoin-core
	m=$(set_states "$STATE/manifest-before-switch" "$from=uninstalled" "$to=started")
	sed -i -E "s/^(    requires: \[)(.*)\b$from\b/\1\2$to/" "$m"
	archy-generator --check "$m" >&2 || return 1
	echo "$m"
}

subversion() {
	podman exec "archy-$1" bitcoin-cli -datadir=/data -conf=/etc/bitcoin/bitcoin.conf getnetworkinfo |
		sed -n 's/.*"subversion": *"\([^"]*\)".*/\1/p'
}

is_core() { [[ $(subversion bitcoin-core) == /Satoshi:* ]] && [[ $(subversion bitcoin-core) != *Knots* ]]; }
is_knots() { [[ $(subversion bitcoin-knots) == *Knots* ]]; }

@test "bitcoin-core | switch | knots -> core: applied, bitcoin-knots gone, its chain volume kept" {
	write_markers bitcoin-knots switch
	local m
	m=$(switched_to bitcoin-core)
	apply "$m"
	[ "$(systemctl show -p LoadState --value archy-bitcoin-knots.service)" = not-found ]
	podman volume exists archy-bitcoin-knots-bitcoin-data
	grep -q '^    requires: \[bitcoin-core' "$MANIFEST"
	! grep -q 'requires: \[.*bitcoin-knots' "$MANIFEST" || false
}
@test "bitcoin-core | switch | knots -> core: up, healthy, at alias bitcoind" {
	assert_app_up bitcoin-core 120
	grep -qx 'NetworkAlias=bitcoind' "$QUADLET/archy-bitcoin-core.container"
}
@test "bitcoin-core | switch | knots -> core: getnetworkinfo's subversion is Core's" {
	wait_for 60 is_core || {
		echo "subversion: $(subversion bitcoin-core)"
		false
	}
}
@test "lnd | switch | knots -> core: connected again to bitcoind" { assert_app_up lnd 120 && assert_app_connected lnd; }
@test "electrumx | switch | knots -> core: connected again to bitcoind" { assert_app_up electrumx 120 && assert_app_connected electrumx; }
@test "btcpay-server | switch | knots -> core: NBXplorer and BTCPay connected again" { assert_app_up btcpay-server 120 && assert_app_connected btcpay-server; }
@test "mempool | switch | knots -> core: connected again to bitcoind and electrumx" { assert_app_up mempool 120 && assert_app_connected mempool; }
@test "fedimint | switch | knots -> core: connected again to bitcoind" { assert_app_up fedimint 120 && assert_app_connected fedimint; }

@test "bitcoin-knots | switch | core -> knots: applied, up, healthy, on the chain volume it had" {
	local m
	m=$(switched_to bitcoin-knots)
	apply "$m"
	[ "$(systemctl show -p LoadState --value archy-bitcoin-core.service)" = not-found ]
	podman volume exists archy-bitcoin-core-bitcoin-data
	assert_app_up bitcoin-knots 120
	assert_markers bitcoin-knots switch
}
@test "bitcoin-knots | switch | core -> knots: getnetworkinfo's subversion is Knots'" {
	wait_for 60 is_knots || {
		echo "subversion: $(subversion bitcoin-knots)"
		false
	}
}
@test "lnd | switch | core -> knots: connected again to bitcoind" { assert_app_up lnd 120 && assert_app_connected lnd; }
@test "electrumx | switch | core -> knots: connected again to bitcoind" { assert_app_up electrumx 120 && assert_app_connected electrumx; }
@test "btcpay-server | switch | core -> knots: NBXplorer and BTCPay connected again" { assert_app_up btcpay-server 120 && assert_app_connected btcpay-server; }
@test "mempool | switch | core -> knots: connected again to bitcoind and electrumx" { assert_app_up mempool 120 && assert_app_connected mempool; }
@test "fedimint | switch | core -> knots: connected again to bitcoind" { assert_app_up fedimint 120 && assert_app_connected fedimint; }

@test "node | switch | back on the installed manifest" {
	cmp "$STATE/manifest-before-switch" "$MANIFEST" || diff "$STATE/manifest-before-switch" "$MANIFEST"
}
