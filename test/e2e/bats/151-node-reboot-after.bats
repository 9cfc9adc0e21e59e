# SPDX-License-Identifier: LGPL-2.1-or-later
# After the reboot (150-node-reboot-before.bats ran before it): every app that was started is up
# again on its own, healthy, its integrations connected, its volumes' markers and database rows there.
load helpers-lifecycle

after() {
	local app=$1
	assert_app_up "$app" 120
	assert_markers "$app" reboot
}

@test "node | reboot | after: the guest really rebooted, the same apps are started" {
	[ "$(cat /proc/sys/kernel/random/boot_id)" != "$(cat "$STATE/node-boot-id")" ]
	diff "$STATE/node-started-apps" <(started_apps)
}

@test "bitcoin-knots | reboot | after: up, healthy, data kept" { after bitcoin-knots; }
@test "lnd | reboot | after: up, healthy, data kept" { after lnd; }
@test "electrumx | reboot | after: up, healthy, data kept" { after electrumx; }
@test "btcpay-server | reboot | after: up, healthy, data and postgres row kept" { after btcpay-server; }
@test "mempool | reboot | after: up, healthy, data and mariadb row kept" { after mempool; }
@test "fedimint | reboot | after: up, healthy, data kept" { after fedimint; }

@test "lnd | reboot | after: connected to bitcoind" { assert_app_connected lnd; }
@test "electrumx | reboot | after: connected to bitcoind" { assert_app_connected electrumx; }
@test "btcpay-server | reboot | after: connected to bitcoind, lnd, NBXplorer, postgres" { assert_app_connected btcpay-server; }
@test "mempool | reboot | after: connected to electrumx, bitcoind, its database" { assert_app_connected mempool; }
@test "fedimint | reboot | after: connected to bitcoind" { assert_app_connected fedimint; }
