# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration across apps: the node goes away and comes back; the apps that require it must be
# connected to it again without anyone touching them. The units of a requiring app have
# Requires= and After= on the node's unit, so systemd restarts them after the node, whether the
# node was restarted by hand or by Restart= after a crash (systemd 257 propagates both).
load helpers

setup_file() {
	record_ids "$BATS_FILE_TMPDIR/before-crash"
	kill -KILL "$(podman inspect --format '{{.State.Pid}}' archy-node)"
	wait_for 20 port_closed node
}

restarted_after_node_and_connected() {
	local app=$1 file=$2 node_started app_started
	assert_up node 60
	assert_up "$app" 60
	[ "$(cid "$app")" != "$(recorded_id "$app" "$BATS_FILE_TMPDIR/$file")" ]
	node_started=$(systemctl show -p ActiveEnterTimestampMonotonic --value archy-node.service)
	app_started=$(systemctl show -p ActiveEnterTimestampMonotonic --value "$(unit_of "$app")")
	[ "$app_started" -ge "$node_started" ]
}

@test "wallet | dependency-crash | after the node's container is killed, restarted after the node, connected" {
	restarted_after_node_and_connected wallet before-crash
}

@test "indexer | dependency-crash | after the node's container is killed, restarted after the node, connected" {
	restarted_after_node_and_connected indexer before-crash
}

@test "node-ui | dependency-crash | a companion is ordered after the node, not bound to it: same container" {
	assert_up node-ui 10
	[ "$(cid node-ui)" = "$(recorded_id node-ui "$BATS_FILE_TMPDIR/before-crash")" ]
}

@test "wallet | dependency-restart | after systemctl restart of the node, restarted after it, connected" {
	record_ids "$BATS_FILE_TMPDIR/before-restart"
	systemctl restart archy-node.service
	restarted_after_node_and_connected wallet before-restart
}

@test "indexer | dependency-restart | after systemctl restart of the node, restarted after it, connected" {
	restarted_after_node_and_connected indexer before-restart
}
