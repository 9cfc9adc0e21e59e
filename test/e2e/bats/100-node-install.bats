# SPDX-License-Identifier: LGPL-2.1-or-later
# Fresh install of the shipped node: the guest's first boot with manifests/archipelago.yaml byte for
# byte. Every started app's units are active and its containers run, on the images its manifest
# names (stand-ins and real databases, tagged with those references).
load helpers-node

@test "node | install | the installed manifest is the shipped one, byte for byte (or the broken copy asked for)" {
	if [ -s "$BROKEN" ]; then
		! cmp -s "$MANIFEST" "$PRISTINE" || false
	else
		cmp "$MANIFEST" "$PRISTINE"
	fi
}

@test "node | install | the started apps archy rendered are the ones these tests cover" {
	run started_apps
	echo "rendered and started: ${lines[*]}"
	echo "covered by the tests: ${NODE_APPS[*]}"
	[ "$status" = 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$(printf '%s\n' "${NODE_APPS[@]}" | sort)" ]
}

@test "bitcoin-knots | install | every unit active, every container running" {
	assert_app_up bitcoin-knots
}

@test "lnd | install | every unit active, every container running" {
	assert_app_up lnd
}

@test "electrumx | install | every unit active, every container running" {
	assert_app_up electrumx
}

@test "btcpay-server | install | every unit active, every container running" {
	assert_app_up btcpay-server
}

@test "mempool | install | every unit active, every container running" {
	assert_app_up mempool
}

@test "fedimint | install | every unit active, every container running" {
	assert_app_up fedimint
}

@test "lnd | install | archy's wallet part created the wallet: lnd unlocked, the seed kept (24 words, 0600)" {
	lnd_wallet_made
}

# Integrations: the client side of each logged in to its server, as its stand-in reports it.
@test "lnd | integrations | connected to bitcoind" {
	lnd_wallet_made
	assert_connected lnd-bitcoind
}

@test "lnd | integrations | litd (lnd-ui) connected to lnd" {
	assert_connected litd-lnd
}

@test "electrumx | integrations | connected to bitcoind" {
	assert_connected electrumx-bitcoind
}

@test "mempool | integrations | connected to electrumx" {
	assert_connected mempool-electrumx
}

@test "mempool | integrations | connected to bitcoind" {
	assert_connected mempool-bitcoind
}

@test "mempool | integrations | connected to its database" {
	assert_connected mempool-db
}

@test "btcpay-server | integrations | NBXplorer connected to bitcoind (RPC and P2P)" {
	assert_connected nbxplorer-bitcoind
}

@test "btcpay-server | integrations | NBXplorer connected to postgres" {
	assert_connected nbxplorer-postgres
}

@test "btcpay-server | integrations | connected to postgres" {
	assert_connected btcpay-postgres
}

@test "btcpay-server | integrations | connected to NBXplorer" {
	assert_connected btcpay-nbxplorer
}

@test "btcpay-server | integrations | connected to lnd" {
	lnd_wallet_made
	assert_connected btcpay-lnd
}

@test "fedimint | integrations | connected to bitcoind" {
	assert_connected fedimint-bitcoind
}
