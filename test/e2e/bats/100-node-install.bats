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
