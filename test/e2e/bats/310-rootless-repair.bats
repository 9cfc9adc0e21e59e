# SPDX-License-Identifier: LGPL-2.1-or-later
# FM6 and chaos scenario 7 on a rootless node: the apps user's podman breaks under the running apps
# and the user's own archy-podman-repair.timer (archy-podman-repair --user, every 20 s in the guest)
# repairs it: every started app answers on its port again, finds the data written into its named
# volume before the fault, and a volume owned by a container's own user keeps that owner. The
# faults are real: the user's database deleted and overwritten, its runtime state removed under the
# running podman, and its network namespace revoked (pasta killed, the namespace removed). The
# system's archy-podman-repair has nothing to do on such a node.
# Seven repairs in some 12 minutes, none reset between rows: the hourly limit counts the repairs of
# one state (archy-podman-repair(8), RATE LIMIT), and no state is repaired 4 times here (the network
# namespace 3 times, a lost database twice). With one budget for all, chaos 7 "gave up" without a
# step (rows 23 and 28). Repairs of earlier files are cleared once, at the start (setup_file).
load helpers
load helpers-podman-repair

STATUS=/run/user/$APPS_UID/archipelago/podman-health.json
STATE_FILE=$APPS_HOME/.local/state/archipelago/podman-repair.state
STORAGE=$APPS_HOME/.local/share/containers/storage
DB=$STORAGE/db.sql
RUNTIME=/run/user/$APPS_UID
NETNS_DIR=$RUNTIME/containers/networks/rootless-netns
DATA_APPS=(node wallet indexer)

# The repairs that earlier files of the plan made within the hour (57-59 on a rootless node: a lost
# and a corrupt database, a hung lock, a repair at boot) count for the hourly limit as on a node,
# and with this file's own two lost databases would reach it: this file starts from a node with no
# repair in the last hour. Its history is cleared (the paths it remembers kept) with the user's
# timer stopped, so that no run writes the old history back.
repair_not_running() { [ "$(app_systemctl show -P ActiveState archy-podman-repair.service)" != activating ]; }
clear_repair_history() {
	app_systemctl stop archy-podman-repair.timer
	wait_for 120 repair_not_running
	if [ -e "$STATE_FILE" ]; then
		grep -v -e '^repairs=' -e '^repair_states=' -e '^failures=' "$STATE_FILE" >"$BATS_FILE_TMPDIR/state" || true
		cat "$BATS_FILE_TMPDIR/state" >"$STATE_FILE"
	fi
	app_systemctl start archy-podman-repair.timer
}

setup_file() {
	rootless || skip "a rootless node's repairs (test/e2e/plans/rootless)"
	clear_repair_history
}

# The owner of wallet's /data as the container sees it: 999:999 (a database image's own user), set
# in the first test; on the host a subordinate id of the apps user.
owner_in_wallet() { app_podman exec archy-wallet ls -nd /data | awk '{print $3 ":" $4}'; }

assert_recovered() {
	local app=$1 marker=$2
	assert_up "$app" 150
	if [[ " ${DATA_APPS[*]} " == *" $app "* ]]; then marker_kept "$app" "$marker"; fi
	if [ "$app" = wallet ]; then [ "$(owner_in_wallet)" = 999:999 ]; fi
}

# The consumers reach the node by its name over the archipelago network, inside the namespace.
connected() { curl -fsS -m 3 "http://127.0.0.1:$(port_of "$1")/" | grep -q '^connected'; }

@test "all | rootless-repair | the apps user's timer runs archy-podman-repair --user: podman healthy; the system's run has nothing to do" {
	[ "$(app_systemctl is-active archy-podman-repair.timer)" = active ]
	# a run of its own: the last one may be an earlier file's repair (58/59's, at boot)
	local t0
	t0=$(date +%s)
	wait_for 60 healthy_since "$t0"
	cat "$STATUS" "$STATE_FILE"
	# no run since the boot found anything to repair (the first run of this suite found a namespace
	# podman was still building: broken the repair, and this row, once)
	run journalctl -q -b --no-pager -o cat _UID="$APPS_UID" SYSLOG_IDENTIFIER=archy-podman-repair ARCHY_PODMAN_STATE=network-namespace-broken
	[ -z "$output" ]
	[ "$(field mode)" = user ]
	[ "$(stat -c %U "$STATUS")" = "$APPS_USER" ]
	grep -qx "graph_root=$STORAGE" "$STATE_FILE"
	# as a person runs it (the runner is a service: without its journal stream)
	run env -u JOURNAL_STREAM archy-podman-repair
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "nothing to do: a rootless node (node.mode: rootless): root's podman runs no app; archy-podman-repair --user repairs the podman of $APPS_USER in its user manager" ]]
	# root's podman is never probed nor repaired: no status of its own
	[ ! -e /run/archipelago/podman-health.json ]
	[ "$(systemctl show -p Result --value archy-podman-repair.service)" = success ]
}

@test "all | rootless-db-deleted | the user's database deleted while apps run: repaired within a timer period" {
	settle
	write_markers before-db-deleted
	# a volume owned by a container's own user, kept so through every repair below
	app_podman exec archy-wallet chown 999:999 /data
	[ "$(owner_in_wallet)" = 999:999 ]
	[ "$(stat -c %u "$STORAGE/volumes/$(volume_of wallet)/_data")" -ne "$APPS_UID" ]
	local t0
	t0=$(date +%s)
	rm -f "$DB" "$DB-wal" "$DB-shm"
	wait_repaired "$t0" database-missing
	[ "$(entry_field "$t0" database-missing ARCHY_REPAIR_STEPS)" = \
		stop-app-units,reregister-volumes,remove-orphans,clear-network-state,start-app-units ]
}

@test "node | rootless-db-deleted | up again; data written before the fault is in its volume" { assert_recovered node before-db-deleted; }
@test "node-ui | rootless-db-deleted | up again" { assert_recovered node-ui; }
@test "wallet | rootless-db-deleted | up again, connected; data kept, its volume's owner kept" { assert_recovered wallet before-db-deleted; }
@test "wallet-ui | rootless-db-deleted | up again" { assert_recovered wallet-ui; }
@test "indexer | rootless-db-deleted | up again, connected; data kept" { assert_recovered indexer before-db-deleted; }

@test "all | rootless-db-garbage | the user's database overwritten with garbage: moved aside, repaired" {
	settle
	write_markers before-db-garbage
	local t0 aside
	t0=$(date +%s)
	head -c 65536 /dev/urandom >"$BATS_FILE_TMPDIR/garbage"
	cp "$BATS_FILE_TMPDIR/garbage" "$DB"
	rm -f "$DB-wal" "$DB-shm"
	wait_repaired "$t0" database-corrupt
	aside=$(entry_field "$t0" database-corrupt ARCHY_DB_MOVED_ASIDE)
	[[ "$aside" == "$DB.archy-broken-"* ]]
	cmp "$aside" "$BATS_FILE_TMPDIR/garbage"
	[ "$(stat -c %U "$aside")" = "$APPS_USER" ]
	app_podman info >/dev/null
}

@test "node | rootless-db-garbage | up again; data kept" { assert_recovered node before-db-garbage; }
@test "node-ui | rootless-db-garbage | up again" { assert_recovered node-ui; }
@test "wallet | rootless-db-garbage | up again, connected; data kept, its volume's owner kept" { assert_recovered wallet before-db-garbage; }
@test "wallet-ui | rootless-db-garbage | up again" { assert_recovered wallet-ui; }
@test "indexer | rootless-db-garbage | up again, connected; data kept" { assert_recovered indexer before-db-garbage; }

# podman 5.4 takes a missing $XDG_RUNTIME_DIR/libpod for a reboot: its next command "refreshes",
# removing every container it ran while systemd still runs their units (seen in the guest).
@test "all | rootless-runtime-stale | the user's libpod runtime directory removed under running podman: repaired" {
	settle
	write_markers before-libpod-removed
	local t0
	t0=$(date +%s)
	rm -rf "$RUNTIME/libpod"
	wait_repaired "$t0" database-missing
}

@test "node | rootless-runtime-stale | up again; data kept" { assert_recovered node before-libpod-removed; }
@test "wallet | rootless-runtime-stale | up again, connected; data kept" { assert_recovered wallet before-libpod-removed; }
@test "indexer | rootless-runtime-stale | up again, connected; data kept" { assert_recovered indexer before-libpod-removed; }

# The containers that podman's refresh removed under running units are gone from podman, but crun
# kept their state in $XDG_RUNTIME_DIR/crun (config.json: the app's environment, the RPC password
# included) until the next boot: the user's repair removes it once their processes are gone
# (archy-podman-repair(8), REPAIR). Every state left there is of a container podman knows.
crun_states_unknown() {
	local known dir id
	known=$(app_podman ps --all --no-trunc --format '{{.ID}}')
	for dir in "$RUNTIME"/crun/*/; do
		id=$(basename "$dir")
		[[ "$id" =~ ^[0-9a-f]{64}$ ]] || continue
		grep -qx "$id" <<<"$known" || echo "$id"
	done
}
no_unknown_crun_state() { [ -z "$(crun_states_unknown)" ]; }
@test "all | rootless-runtime-stale | crun's state of the removed containers is gone with them (their secrets in it)" {
	wait_for 90 no_unknown_crun_state || { crun_states_unknown; false; }
	run grep -rlF "$(rpc_password)" "$RUNTIME/crun"
	printf '%s\n' "$output"
	for f in $output; do
		grep -qx "$(basename "$(dirname "$f")")" <<<"$(app_podman ps --all --no-trunc --format '{{.ID}}')"
	done
}

# The run root ($XDG_RUNTIME_DIR/containers: the containers' runtime files and the network
# namespace) removed under running containers: podman still says Up, every port resets.
@test "all | rootless-runroot-removed | the user's containers runtime directory removed: repaired" {
	settle
	write_markers before-runroot-removed
	local t0
	t0=$(date +%s)
	# podman's own runs (the timer's probe, conmon) may write into it while it goes: until it is gone
	wait_for 10 rm -rf "$RUNTIME/containers"
	wait_repaired "$t0" network-namespace-broken
}

@test "node | rootless-runroot-removed | up again; data kept" { assert_recovered node before-runroot-removed; }
@test "node-ui | rootless-runroot-removed | up again" { assert_recovered node-ui; }
@test "wallet | rootless-runroot-removed | up again, connected; data kept" { assert_recovered wallet before-runroot-removed; }
@test "indexer | rootless-runroot-removed | up again, connected; data kept" { assert_recovered indexer before-runroot-removed; }

# Chaos scenario 7: the rootless network namespace revoked. Its pasta killed: the containers lose
# the host; an app restarted after that gets a namespace of its own and loses the others (wallet
# reaches the node by name): the repair puts every app into one new namespace.
@test "all | chaos-netns-pasta | pasta of the rootless network namespace killed, an app restarted: self-healed" {
	settle
	local t0 pasta
	t0=$(date +%s)
	pasta=$(cat "$NETNS_DIR/rootless-netns-conn.pid")
	[ "$(cat "/proc/$pasta/comm")" = pasta ] || [ "$(cat "/proc/$pasta/comm")" = pasta.avx2 ]
	kill -9 "$pasta"
	app_systemctl restart archy-wallet.service
	wait_repaired "$t0" network-namespace-broken
	[ "$(entry_field "$t0" network-namespace-broken ARCHY_REPAIR_STEPS)" = stop-app-units,clear-network-state,start-app-units ]
	settle
	[ "$(cat "$NETNS_DIR/rootless-netns-conn.pid")" != "$pasta" ]
}

@test "node | chaos-netns-pasta | up again; data kept" { assert_recovered node before-runroot-removed; }
@test "wallet | chaos-netns-pasta | up again and connected to the node by name" { assert_recovered wallet before-runroot-removed && wait_for 60 connected wallet; }
@test "indexer | chaos-netns-pasta | up again and connected to the node by name" { assert_recovered indexer before-runroot-removed && wait_for 60 connected indexer; }
@test "node-ui | chaos-netns-pasta | up again" { assert_recovered node-ui; }

@test "all | chaos-netns-removed | the rootless network namespace removed under the running apps: self-healed" {
	settle
	local t0
	t0=$(date +%s)
	rm -rf "$NETNS_DIR"
	wait_repaired "$t0" network-namespace-broken
	settle
	[ -s "$NETNS_DIR/rootless-netns-conn.pid" ]
}

@test "wallet | chaos-netns-removed | up again and connected to the node by name" { assert_recovered wallet before-runroot-removed && wait_for 60 connected wallet; }
@test "indexer | chaos-netns-removed | up again and connected to the node by name" { assert_recovered indexer before-runroot-removed && wait_for 60 connected indexer; }

# A dead pause process needs no repair in podman 5.4: its next command joins the user namespace
# again through a running container's conmon and starts a new pause process (seen in the guest).
@test "all | rootless-pause-killed | the pause process killed: podman carries on, the apps keep running, no repair" {
	settle
	record_ids "$BATS_FILE_TMPDIR/pause"
	local t0 pause
	t0=$(date +%s)
	pause=$(cat "$RUNTIME/libpod/tmp/pause.pid")
	[ "$(cat "/proc/$pause/comm")" = catatonit ]
	kill -9 "$pause"
	app_podman info >/dev/null
	wait_for 60 healthy_since "$t0"
	local app
	for app in "${STARTED[@]}"; do assert_same_container "$app" "$BATS_FILE_TMPDIR/pause"; done
	run journalctl -q --since "@$t0" --no-pager -o cat _UID="$APPS_UID" ARCHY_REPAIR_RESULT=repaired
	[ -z "$output" ]
}

# Wedged: the pause process dead and the running containers' conmon pid files gone (what a partly
# cleaned runtime directory leaves): podman can join no namespace and says "invalid internal status,
# try resetting the pause process with podman system migrate".
@test "all | rootless-pause-wedged | the pause process dead, no conmon to join: system migrate, repaired" {
	settle
	write_markers before-pause-wedged
	local t0 pause
	t0=$(date +%s)
	pause=$(cat "$RUNTIME/libpod/tmp/pause.pid")
	kill -9 "$pause"
	find "$RUNTIME/containers/overlay-containers" -name conmon.pid -delete
	run app_podman info
	echo "podman info: $status: $output"
	wait_repaired "$t0" pause-process
	[ "$(entry_field "$t0" pause-process ARCHY_REPAIR_STEPS)" = stop-app-units,system-migrate,start-app-units ]
}

@test "node | rootless-pause-wedged | up again; data kept" { assert_recovered node before-pause-wedged; }
@test "node-ui | rootless-pause-wedged | up again" { assert_recovered node-ui; }
@test "wallet | rootless-pause-wedged | up again, connected; data kept" { assert_recovered wallet before-pause-wedged; }
@test "indexer | rootless-pause-wedged | up again, connected; data kept" { assert_recovered indexer before-pause-wedged; }

@test "all | rootless-repair | after the repairs: no unit of the user failed, the next run finds podman healthy" {
	settle
	local t0
	t0=$(date +%s)
	wait_for 60 healthy_since "$t0"
	app_systemctl --failed --no-legend | tee /dev/stderr | { ! grep -q archy; }
}
