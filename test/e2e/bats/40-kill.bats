# SPDX-License-Identifier: LGPL-2.1-or-later
# kill -9 of a container's main process: systemd brings the app back after the restart delay
# (RestartSec=5), with a new container, without anyone touching it.
load helpers

# The restart delay is 5 s; starting a container takes a few more (podman, conmon, the app).
BACK_WITHIN=${E2E_BACK_WITHIN:-30}

kill_and_expect_back() {
	local app=$1 before restarts start took
	assert_up "$app"
	before=$(cid "$app")
	restarts=$(app_systemctl show -p NRestarts --value "$(unit_of "$app")")
	start=$(date +%s)
	kill -KILL "$(pid_of "$app")"
	wait_for 15 port_closed "$app"
	assert_up "$app" "$BACK_WITHIN"
	took=$(($(date +%s) - start))
	echo "# $app back after ${took}s" >&3
	[ "$(cid "$app")" != "$before" ]
	[ "$(app_systemctl show -p NRestarts --value "$(unit_of "$app")")" -gt "$restarts" ]
	[ "$took" -ge 5 ]
}

@test "node | kill -9 | back after the restart delay, new container, NRestarts counted" {
	kill_and_expect_back node
	assert_up wallet 60
	assert_up indexer 60
}

@test "node-ui | kill -9 | back after the restart delay, new container, NRestarts counted" {
	kill_and_expect_back node-ui
}

@test "wallet | kill -9 | back after the restart delay, new container, reconnected" {
	kill_and_expect_back wallet
}

@test "wallet-ui | kill -9 | back after the restart delay, new container, NRestarts counted" {
	kill_and_expect_back wallet-ui
}

@test "indexer | kill -9 | back after the restart delay, new container, reconnected" {
	kill_and_expect_back indexer
}
