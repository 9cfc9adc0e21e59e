# SPDX-License-Identifier: LGPL-2.1-or-later
# Before a reboot of the node: every started app up, a marker in each of its named volumes and a
# row in its database (postgres, mariadb: the real clients), when each unit started. The runner
# reboots next; 151-node-reboot-after.bats checks what came back.
load helpers-lifecycle

before() {
	local app=$1
	assert_app_up "$app"
	# lnd's wallet (a test step, helpers-node.bash) must exist for it to be kept
	[ "$app" != lnd ] || lnd_wallet_made
	write_markers "$app" reboot
	assert_markers "$app" reboot
}

@test "bitcoin-knots | reboot | before: up, data marker written" { before bitcoin-knots; }
@test "lnd | reboot | before: up, data marker written" { before lnd; }
@test "electrumx | reboot | before: up, data marker written" { before electrumx; }
@test "btcpay-server | reboot | before: up, data marker and postgres row written" { before btcpay-server; }
@test "mempool | reboot | before: up, data marker and mariadb row written" { before mempool; }
@test "fedimint | reboot | before: up, data marker written" { before fedimint; }

@test "node | reboot | before: the boot id and the started apps noted" {
	cat /proc/sys/kernel/random/boot_id >"$STATE/node-boot-id"
	started_apps >"$STATE/node-started-apps"
	[ -s "$STATE/node-started-apps" ]
}
