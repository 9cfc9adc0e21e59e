# SPDX-License-Identifier: LGPL-2.1-or-later
# Stop, start and restart by hand, as a user does with systemctl.
load helpers

# Stopped by SIGTERM, not by the stop timeout's SIGKILL: busybox httpd as a container's PID 1
# would ignore SIGTERM; podman's --init (RunInit=true) passes it on. The node takes its 3 s flush.
stop_cleanly() {
	local start took
	start=$(date +%s%N)
	app_systemctl stop "$(unit_of "$1")"
	took=$((($(date +%s%N) - start) / 1000000))
	echo "# $1 stopped in ${took} ms" >&3
	assert_stopped "$1"
	[ "$took" -lt 15000 ]
}

restart_gives_new_container() {
	local before
	before=$(cid "$1")
	app_systemctl restart "$(unit_of "$1")"
	assert_up "$1"
	[ "$(cid "$1")" != "$before" ]
}

@test "node-ui | stop | port released, container gone, unit inactive (not failed)" {
	stop_cleanly node-ui
}

@test "node-ui | start | starts again and answers" {
	app_systemctl start archy-node-ui.service
	assert_up node-ui
}

@test "node-ui | restart | new container, answers" {
	restart_gives_new_container node-ui
}

@test "wallet | stop | port released, container gone, unit inactive (not failed)" {
	stop_cleanly wallet
	active node
}

@test "wallet | start | starts again and reconnects to node" {
	app_systemctl start archy-wallet.service
	assert_up wallet
}

@test "wallet | restart | new container, reconnects to node" {
	restart_gives_new_container wallet
}

@test "wallet-ui | stop | port released, container gone, unit inactive (not failed)" {
	stop_cleanly wallet-ui
	active wallet
}

@test "wallet-ui | start | starts again and answers" {
	app_systemctl start archy-wallet-ui.service
	assert_up wallet-ui
}

@test "wallet-ui | restart | new container, answers" {
	restart_gives_new_container wallet-ui
}

@test "indexer | stop | port released, container gone, unit inactive (not failed)" {
	stop_cleanly indexer
}

@test "indexer | start | starts again and reconnects to node" {
	app_systemctl start archy-indexer.service
	assert_up indexer
}

@test "indexer | restart | new container, reconnects to node" {
	restart_gives_new_container indexer
}

@test "node | stop | clean stop (flushed), port released; the apps requiring it stop too, its UI does not" {
	stop_cleanly node
	# passed on by the node's ExecStopPost= (not Requires=), so just after the node stopped
	wait_for 60 no_jobs
	assert_stopped wallet
	assert_stopped indexer
	active node-ui
	# The node flushes for 3 s on SIGTERM; the stop timeout gives it that, so no kill was needed.
	app_journalctl -u archy-node.service -n 30 --no-pager -o cat | grep -q 'shutting down, flushing'
}

@test "node | start | starts again, reports a clean last shutdown; archy-apps.target brings its dependents back" {
	app_systemctl start archy-node.service
	assert_up node
	answers node | grep -q '"last_shutdown":"clean"'
	app_systemctl start archy-apps.target
	assert_up wallet
	assert_up indexer
}

@test "node | restart | new container, answers; its dependents keep running and reconnect" {
	restart_gives_new_container node
	assert_up wallet
	assert_up indexer
}

@test "notes | start | a stopped app starts by hand and answers" {
	app_systemctl start archy-notes.service
	assert_up notes
}

@test "notes | stop | port released, container gone, unit inactive (not failed)" {
	stop_cleanly notes
}
