# SPDX-License-Identifier: LGPL-2.1-or-later
# After a reboot: every started app is back on its own (new containers from the same units),
# named-volume data survived, the node was stopped cleanly at shutdown, stopped apps stay stopped.
load helpers

back_after_reboot() {
	local app=$1
	assert_up "$app" 180
	[ "$(cid "$app")" != "$(recorded_id "$app" "$STATE/ids-before-reboot")" ]
	[ "$(app_systemctl show -p NRestarts --value "$(unit_of "$app")")" = 0 ]
}

has_marker() { [ "$(app_podman exec "archy-$1" cat /data/e2e-marker)" = written-before-reboot ]; }

@test "node | reboot | back, volume data kept, the shutdown let it flush (last_shutdown clean)" {
	back_after_reboot node
	has_marker node
	answers node | grep -q '"last_shutdown":"clean"'
}
@test "node-ui | reboot | back and answers" { back_after_reboot node-ui; }
@test "wallet | reboot | back, connected, volume data kept" {
	back_after_reboot wallet
	has_marker wallet
}
@test "wallet-ui | reboot | back and answers" { back_after_reboot wallet-ui; }
@test "indexer | reboot | back, connected, volume data kept" {
	back_after_reboot indexer
	has_marker indexer
}
@test "notes | reboot | a stopped app stays stopped" {
	[ "$(app_systemctl is-active archy-notes.service)" = inactive ]
	no_container notes
	port_closed notes
}
@test "all | reboot | no archy unit failed during boot" {
	run systemctl list-units --failed --no-legend --plain 'archy*'
	echo "$output"
	[ -z "$output" ]
	rootless || return 0
	run app_systemctl list-units --failed --no-legend --plain 'archy*'
	echo "the apps user's manager: $output"
	[ -z "$output" ]
}
