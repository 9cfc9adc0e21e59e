# SPDX-License-Identifier: LGPL-2.1-or-later
# Order and readiness (archy-manifest(5): depends_on, restart: "no", requires with condition
# healthy) with real systemd 257, podman 5.4 and Quadlet; and no restart cascade between apps: a
# restart of the node leaves the apps that require it running, a stop of it stops them, a start
# of one of them starts the node first. Times are systemd's monotonic timestamps (microseconds).
# In both modes: the units of the manager that runs the apps (app_systemctl), the apps' podman.
load helpers

IMAGE=localhost/archy-standin:1

# Extra apps, stopped (nothing starts them at boot): each test starts what it looks at.
extra_apps() {
	cat <<YAML

  ord:
    state: stopped
    containers:
      main:
        image: $IMAGE
        command: [sh, -c, "cat /data/inited && exec sleep 1000000"]
        volumes: ["ord-data:/data"]
        depends_on: {db: {condition: healthy}, init: {condition: completed}}
      db:
        image: $IMAGE
        command: [sh, -c, "sleep 4; touch /tmp/ready; exec sleep 1000000"]
        health: {cmd: "test -e /tmp/ready", interval: 1s, timeout: 5s, retries: 3, start_period: 60s}
      init:
        image: $IMAGE
        command: [sh, -c, "sleep 2; date +%s >/data/inited"]
        volumes: ["ord-data:/data"]
        restart: "no"
  broken:
    state: stopped
    containers:
      main: {image: $IMAGE, command: [sleep, "1000000"], depends_on: {init: {condition: completed}}}
      init: {image: $IMAGE, command: [sh, -c, "exit 3"], restart: "no"}
  slow:
    state: stopped
    containers:
      main:
        image: $IMAGE
        command: [sh, -c, "sleep 4; touch /tmp/ready; exec sleep 1000000"]
        health: {cmd: "test -e /tmp/ready", interval: 1s, timeout: 5s, retries: 3, start_period: 60s}
  waiter:
    state: stopped
    requires: [{app: slow, condition: healthy}]
    containers:
      main: {image: $IMAGE, command: [sleep, "1000000"]}
YAML
}

setup_file() { add_extra_apps; }

teardown_file() { drop_extra_apps; }

# A monotonic timestamp property of a unit: ActiveEnter (start finished), InactiveExit (start
# began), ExecMainExit (a one-shot's container exited).
ts() { app_systemctl show -p "${2}TimestampMonotonic" --value "archy-$1.service"; }
prop() { app_systemctl show -p "$2" --value "archy-$1.service"; }
started_at() { app_podman inspect --format '{{.State.StartedAt}}' "archy-$1"; }

@test "ord-db | depends_on-healthy | ord starts only once db's health check passed" {
	app_systemctl start archy-ord.service
	[ "$(prop ord-db ActiveState)" = active ]
	echo "# db: start $(ts ord-db InactiveExit), healthy $(ts ord-db ActiveEnter); ord start $(ts ord InactiveExit)" >&3
	# db only became active once healthy, about 4 s after its start ...
	[ $(($(ts ord-db ActiveEnter) - $(ts ord-db InactiveExit))) -ge 3500000 ]
	[ "$(app_podman inspect --format '{{.State.Health.Status}}' archy-ord-db)" = healthy ]
	# ... and ord's start began after that.
	[ "$(ts ord InactiveExit)" -ge "$(ts ord-db ActiveEnter)" ]
	running ord
}

@test "ord-init | depends_on-completed | the init part ran to completion (exit 0) before ord started" {
	[ "$(prop ord-init ActiveState)" = active ] # RemainAfterExit=yes
	[ "$(prop ord-init Result)" = success ]
	[ "$(prop ord-init ExecMainStatus)" = 0 ]
	[ "$(ts ord InactiveExit)" -ge "$(ts ord-init ExecMainExit)" ]
	no_container ord-init
	# ord read what init wrote, so it ran after it. Its output, through podman's journald log
	# driver: podman logs (rootful); rootless, root's journal, as the apps user's podman logs finds
	# nothing there (a system user, uid < 1000: journald writes its entries to the system journal,
	# which the user may not read).
	if rootless; then
		journalctl -o cat CONTAINER_NAME=archy-ord --no-pager | grep -qE '^[0-9]{10}$'
	else
		app_podman logs archy-ord | grep -qE '^[0-9]{10}$'
	fi
}

@test "broken-init | depends_on-completed | a failing init part keeps its dependent from starting" {
	run app_systemctl start archy-broken.service
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(prop broken-init ActiveState)" = failed ]
	[ "$(prop broken-init ExecMainStatus)" = 3 ]
	[ "$(prop broken ActiveState)" = inactive ]
	[ "$(ts broken InactiveExit)" = 0 ] # never even began to start
	no_container broken
}

@test "waiter | requires-healthy | starting waiter starts slow and waits until slow is healthy" {
	app_systemctl start archy-waiter.service
	echo "# slow: start $(ts slow InactiveExit), healthy $(ts slow ActiveEnter); waiter start $(ts waiter InactiveExit)" >&3
	[ "$(prop slow ActiveState)" = active ]
	[ $(($(ts slow ActiveEnter) - $(ts slow InactiveExit))) -ge 3500000 ]
	[ "$(ts waiter InactiveExit)" -ge "$(ts slow ActiveEnter)" ]
	running waiter
}

@test "wallet | requires-restart | a restart of the node leaves the apps requiring it running, same start time" {
	settle
	local w i wu
	w=$(started_at wallet) i=$(started_at indexer) wu=$(started_at wallet-ui)
	record_ids "$BATS_FILE_TMPDIR/before-restart"
	app_systemctl restart archy-node.service
	assert_up node 60
	wait_for 30 no_jobs
	[ "$(started_at wallet)" = "$w" ]
	[ "$(started_at indexer)" = "$i" ]
	[ "$(started_at wallet-ui)" = "$wu" ]
	assert_up wallet 60
	assert_up indexer 60
	[ "$(cid wallet)" = "$(recorded_id wallet "$BATS_FILE_TMPDIR/before-restart")" ]
}

@test "wallet | requires-stop | a stop of the node stops the apps requiring it; not its own UI" {
	app_systemctl stop archy-node.service
	wait_for 60 no_jobs
	assert_stopped node
	assert_stopped wallet
	assert_stopped wallet-ui
	assert_stopped indexer
	active node-ui
}

@test "wallet | requires-start | starting an app that requires the node starts the node first" {
	app_systemctl start archy-wallet.service
	active node
	[ "$(ts wallet InactiveExit)" -ge "$(ts node ActiveEnter)" ]
	assert_up wallet 60
	app_systemctl start archy-apps.target
	settle
}
