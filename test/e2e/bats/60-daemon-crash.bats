# SPDX-License-Identifier: LGPL-2.1-or-later
# FM3: a crashing, killed or stopped management daemon (archipelago.service, here a stand-in
# with archy's shipped KillMode drop-in) must not take a single container with it, not even one
# it started itself. In both modes: the daemon is root's service of the system manager; it starts
# apps through the manager that runs them (rootless: the apps user's, so they live in that user's
# slice, never in the daemon's cgroup; test/e2e/guest/archipelagod).
load helpers

daemon_cmd() {
	echo "$*" >/run/archipelagod/cmd.tmp
	mv /run/archipelagod/cmd.tmp /run/archipelagod/cmd
}

daemon_main_pid() { systemctl show -p MainPID --value archipelago.service; }

setup_file() {
	local pid
	systemctl is-active archipelago.service
	# notes is stopped in the manifest: archy-reconcile would rightly stop the unit the daemon
	# starts by hand (the VM run of 2026-12-03 lost notes to it mid-file), so it waits this file out
	pause_reconcile
	daemon_cmd start archy-notes.service
	wait_for 90 answers notes
	STARTED+=(notes)
	record_ids "$BATS_FILE_TMPDIR/before"

	pid=$(daemon_main_pid)
	systemctl kill -s KILL --kill-whom=main archipelago.service
	wait_for 20 sh -c "[ \"\$(systemctl show -p MainPID --value archipelago.service)\" != $pid ] && systemctl is-active -q archipelago.service"
	daemon_cmd crash
	wait_for 20 sh -c "[ \"\$(systemctl show -p NRestarts --value archipelago.service)\" -ge 2 ]"
	wait_for 20 systemctl is-active -q archipelago.service
	systemctl stop archipelago.service
	wait_for 30 no_jobs
	[ "$(systemctl is-active archipelago.service)" = inactive ]
}

teardown_file() {
	systemctl start archipelago.service
	app_systemctl stop archy-notes.service
	resume_reconcile
}

survived() { assert_same_container "$1" "$BATS_FILE_TMPDIR/before"; }

@test "archipelago | daemon-crash | the shipped drop-in is in effect: KillMode=mixed" {
	[ "$(systemctl show -p KillMode --value archipelago.service)" = mixed ]
	systemctl show -p DropInPaths --value archipelago.service | grep -q 10-archy-killmode.conf
}

@test "archipelago | daemon-crash | the daemon was killed, crashed and restarted, then stopped" {
	[ "$(systemctl show -p NRestarts --value archipelago.service)" -ge 2 ]
	[ "$(systemctl is-active archipelago.service)" = inactive ]
}

@test "node | daemon-crash | same container, still answers" { survived node; }
@test "node-ui | daemon-crash | same container, still answers" { survived node-ui; }
@test "wallet | daemon-crash | same container, still connected" { survived wallet; }
@test "wallet-ui | daemon-crash | same container, still answers" { survived wallet-ui; }
@test "indexer | daemon-crash | same container, still connected" { survived indexer; }

@test "notes | daemon-crash | started by the daemon through systemd, it lives in the apps slice and survives" {
	local pid
	STARTED+=(notes)
	survived notes
	pid=$(pid_of notes)
	cat "/proc/$pid/cgroup"
	grep -q "^0::.*$(apps_slice_cgroup)/archy-notes.service/" "/proc/$pid/cgroup"
	# the manager that runs the apps has it (rootless: the apps user's, not the system's)
	[ "$(app_systemctl show -p ActiveState --value archy-notes.service)" = active ]
	journalctl -u archipelago.service --no-pager -o cat | grep -q "asked the apps' manager ($ARCHY_MODE node) to start archy-notes.service"
}
