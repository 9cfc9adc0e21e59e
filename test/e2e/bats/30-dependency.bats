# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration across apps: the node goes away and comes back; the apps that require it must be
# connected to it again without anyone touching them. Their units have Wants= and After= on the
# node's unit, not Requires=: systemd 257 would restart every requiring unit with the node, so a
# crash or a restart of the node (by Restart=, by hand, by archy-derive) leaves their containers
# running; they reconnect on their own. An explicit stop of the node still stops them (32-order).
load helpers

setup_file() {
	record_ids "$BATS_FILE_TMPDIR/before-crash"
	kill -KILL "$(pid_of node)"
	wait_for 20 port_closed node
}

kept_and_reconnected() {
	local app=$1 file=$2
	assert_up node 60
	assert_up "$app" 60
	[ "$(cid "$app")" = "$(recorded_id "$app" "$BATS_FILE_TMPDIR/$file")" ]
}

@test "wallet | dependency-crash | after the node's container is killed: same container, connected again" {
	kept_and_reconnected wallet before-crash
}

@test "indexer | dependency-crash | after the node's container is killed: same container, connected again" {
	kept_and_reconnected indexer before-crash
}

@test "node-ui | dependency-crash | a companion is ordered after the node, not bound to it: same container" {
	assert_up node-ui 10
	[ "$(cid node-ui)" = "$(recorded_id node-ui "$BATS_FILE_TMPDIR/before-crash")" ]
}

@test "wallet | dependency-restart | after systemctl restart of the node: same container, connected again" {
	record_ids "$BATS_FILE_TMPDIR/before-restart"
	app_systemctl restart archy-node.service
	kept_and_reconnected wallet before-restart
}

@test "indexer | dependency-restart | after systemctl restart of the node: same container, connected again" {
	kept_and_reconnected indexer before-restart
}
