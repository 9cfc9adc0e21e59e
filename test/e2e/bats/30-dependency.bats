# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration across apps: the node goes away and comes back; the apps that use it must be
# connected again without anyone touching them.
load helpers

reconnects() { curl -fsS -m 3 "http://127.0.0.1:$(port_of "$1")/" | sed -n 's/.*reconnects=\([0-9]*\).*/\1/p'; }

@test "wallet | dependency-crash | after the node's container is killed, reconnects on its own (same container)" {
	local before_id before_n
	assert_up wallet
	before_id=$(cid wallet)
	before_n=$(reconnects wallet)
	kill -KILL "$(podman inspect --format '{{.State.Pid}}' archy-node)"
	wait_for 20 port_closed node
	wait_for 60 answers node
	wait_for 30 answers wallet
	[ "$(cid wallet)" = "$before_id" ]
	[ "$(reconnects wallet)" -gt "$before_n" ]
}

@test "indexer | dependency-crash | reconnected on its own after the node came back (same container)" {
	assert_up indexer 30
	[ "$(reconnects indexer)" -ge 1 ]
}

@test "wallet | dependency-restart | after systemctl restart of the node, connected again" {
	systemctl restart archy-node.service
	assert_up node
	assert_up wallet 60
}

@test "indexer | dependency-restart | after systemctl restart of the node, connected again" {
	assert_up indexer 60
}
