# SPDX-License-Identifier: LGPL-2.1-or-later
# After 58-podman-boot-before.bats and a reboot: the boot's archy-podman-repair found the
# garbage database, moved it aside and rebuilt podman's state before any app started; every
# started app is up on its old data. Both modes (58-podman-boot-before.bats).
load helpers

DB=$PODMAN_DB

mono() { app_systemctl show -p "$2" --value "$1"; }
boot_repaired() { journalctl -b --no-pager -o cat _UID="$APPS_UID" ARCHY_PODMAN_STATE=database-corrupt ARCHY_REPAIR_RESULT=repaired | grep -q .; }

@test "all | podman-boot | the boot repaired the database before any app started, and kept it aside" {
	# Rootless, the apps user's manager is up at its basic.target: the system is running while that
	# manager's boot (its repair, then the apps) goes on (seen: this row read the journal first).
	wait_for 120 boot_repaired || true
	app_journalctl -b -o cat --no-pager -u archy-podman-repair.service
	boot_repaired
	local aside found=
	for aside in "$DB".archy-broken-*; do
		cmp -s "$aside" "$STATE/podman-boot-garbage" && found=$aside
	done
	[ -n "$found" ]
	# the repair's run ended before the first app's podman run began
	local repaired node_started
	repaired=$(journalctl -b -o json --no-pager _UID="$APPS_UID" ARCHY_REPAIR_RESULT=repaired |
		sed -n 's/.*"__MONOTONIC_TIMESTAMP":"\([0-9]*\)".*/\1/p' | head -1)
	node_started=$(mono archy-node.service ExecMainStartTimestampMonotonic)
	echo "repaired at $repaired us, node started at $node_started us"
	[ "$repaired" -lt "$node_started" ]
	failed_archy_units >&2
	[ -z "$(failed_archy_units)" ]
}

marker() { [ "$(app_podman exec "archy-$1" cat /data/e2e-podman-boot-marker)" = before-boot-garbage ]; }

@test "node | podman-boot | up after the boot on its old data" { assert_up node 120; marker node; }
@test "node-ui | podman-boot | up after the boot" { assert_up node-ui 120; }
@test "wallet | podman-boot | up, connected, on its old data" { assert_up wallet 120; marker wallet; }
@test "wallet-ui | podman-boot | up after the boot" { assert_up wallet-ui 120; }
@test "indexer | podman-boot | up, connected, on its old data" { assert_up indexer 120; marker indexer; }
@test "notes | podman-boot | the stopped app stays stopped" { [ "$(app_systemctl is-active archy-notes.service)" = inactive ]; }
