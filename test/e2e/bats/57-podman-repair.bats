# SPDX-License-Identifier: LGPL-2.1-or-later
# FM6: podman's state breaks while the apps run (the database deleted, overwritten with garbage,
# its lock held so that every podman command hangs) and archy-podman-repair.timer repairs it
# within one period: every started app runs again, answers, and finds the data written into its
# named volume before the fault. A healthy probe changes nothing and spawns only `podman info`.
# The guest runs the timer every 20 s (prepare-guest.sh) instead of 3 min, during the whole suite:
# every earlier test (stops, kills, uninstall, reinstall) ran with it and must not have made it
# repair anything. Both modes: the podman that runs the apps, root's (the system's repair) or the
# apps user's (its own archy-podman-repair --user, in its manager; the hung podman is the user's
# too: that repair may kill the user's processes only). 310-rootless-repair.bats has the faults
# of a rootless podman alone (runtime state, network namespace, pause process).
load helpers
load helpers-podman-repair

STATUS=$REPAIR_STATUS
STATE_FILE=$REPAIR_STATE
DB=$PODMAN_DB
DATA_APPS=(node wallet indexer)
# A run of the repair as its timer runs it: root's, or the apps user's own.
REPAIR=(archy-podman-repair)
if rootless; then REPAIR=("${AS_APPS_USER[@]}" archy-podman-repair --user); fi

assert_recovered() {
	local app=$1 marker=$2
	assert_up "$app" 120
	if [[ " ${DATA_APPS[*]} " == *" $app "* ]]; then marker_kept "$app" "$marker"; fi
}

@test "all | podman-healthy | at boot and on every timer run so far podman was healthy: no repair ran" {
	[ "$(app_systemctl is-active archy-podman-repair.timer)" = active ]
	[ "$(app_systemctl show -p Result --value archy-podman-repair.service)" = success ]
	cat "$STATUS" "$STATE_FILE"
	[ "$(field result)" = healthy ]
	[ "$(field podman_version)" = "$(app_podman version --format '{{.Client.Version}}')" ]
	grep -qx 'repairs=' "$STATE_FILE"
	grep -qx 'failures=0' "$STATE_FILE"
}

@test "all | podman-healthy | a healthy run changes nothing and spawns one process: podman info" {
	settle
	record_ids "$BATS_FILE_TMPDIR/healthy"
	# The first run after the apps made their volumes compares the volume records once (podman
	# volume ls); the timer may not have come by since. Steady state is the run after that.
	"${REPAIR[@]}"
	# (rootless: setpriv and env exec the repair in the traced process: it stays the first one)
	strace -f -qq -e trace=execve,clone,clone3,fork,vfork -o "$BATS_TEST_TMPDIR/trace" "${REPAIR[@]}"
	local main
	main=$(awk 'NR == 1 {print $1}' "$BATS_TEST_TMPDIR/trace")
	grep "^$main " "$BATS_TEST_TMPDIR/trace"
	# archy's own process starts exactly one child, and the only podman it runs is the probe
	[ "$(grep -cE "^$main +(clone|clone3|fork|vfork)\\(" "$BATS_TEST_TMPDIR/trace")" = 1 ]
	[ "$(grep -c 'execve("/usr/bin/podman"' "$BATS_TEST_TMPDIR/trace")" = 1 ]
	grep -q 'execve("/usr/bin/podman", \["podman", "info", "--format", "json"\]' "$BATS_TEST_TMPDIR/trace"
	local app
	for app in "${STARTED[@]}"; do assert_same_container "$app" "$BATS_FILE_TMPDIR/healthy"; done
}

@test "all | podman-db-deleted | the database deleted while apps run: repaired within one timer period" {
	settle
	write_markers before-db-deleted
	local t0
	t0=$(date +%s)
	rm -f "$DB" "$DB-wal" "$DB-shm"
	wait_repaired "$t0" database-missing
	[ "$(entry_field "$t0" database-missing ARCHY_REPAIR_STEPS)" = \
		stop-app-units,reregister-volumes,remove-orphans,clear-network-state,start-app-units ]
}

@test "node | podman-db-deleted | up again; data written before the fault is in its volume" { assert_recovered node before-db-deleted; }
@test "node-ui | podman-db-deleted | up again" { assert_recovered node-ui; }
@test "wallet | podman-db-deleted | up again, connected; data kept" { assert_recovered wallet before-db-deleted; }
@test "wallet-ui | podman-db-deleted | up again" { assert_recovered wallet-ui; }
@test "indexer | podman-db-deleted | up again, connected; data kept" { assert_recovered indexer before-db-deleted; }
@test "notes | podman-db-deleted | the stopped app stays stopped" { [ "$(app_systemctl is-active archy-notes.service)" = inactive ]; }

@test "all | podman-db-garbage | the database overwritten with garbage: moved aside, repaired within one period" {
	settle
	write_markers before-db-garbage
	local t0 aside
	t0=$(date +%s)
	head -c 65536 /dev/urandom >"$BATS_FILE_TMPDIR/garbage"
	cp "$BATS_FILE_TMPDIR/garbage" "$DB"
	# and its write-ahead log, whose pages would hide the garbage until the next checkpoint
	rm -f "$DB-wal" "$DB-shm"
	wait_repaired "$t0" database-corrupt
	aside=$(entry_field "$t0" database-corrupt ARCHY_DB_MOVED_ASIDE)
	[[ "$aside" == "$DB.archy-broken-"* ]]
	# kept for forensics, byte for byte
	cmp "$aside" "$BATS_FILE_TMPDIR/garbage"
	app_podman info >/dev/null
}

@test "node | podman-db-garbage | up again; data written before the fault is in its volume" { assert_recovered node before-db-garbage; }
@test "node-ui | podman-db-garbage | up again" { assert_recovered node-ui; }
@test "wallet | podman-db-garbage | up again, connected; data kept" { assert_recovered wallet before-db-garbage; }
@test "wallet-ui | podman-db-garbage | up again" { assert_recovered wallet-ui; }
@test "indexer | podman-db-garbage | up again, connected; data kept" { assert_recovered indexer before-db-garbage; }
@test "notes | podman-db-garbage | the stopped app stays stopped" { [ "$(app_systemctl is-active archy-notes.service)" = inactive ]; }

# Holds a POSIX write lock (containers/storage locks with fcntl, so flock(1) would not do) on
# podman's alive.lck: every podman command waits for it. The holder is of the apps user (rootless:
# a command of the user's that hangs), its pid file in a directory it may write.
hold_podman_lock() {
	local dir
	dir=$(mktemp -d)
	chown "$APPS_USER" "$dir"
	# shellcheck disable=SC2016 # perl's variables
	setsid "${AS_APPS_USER[@]}" perl -e 'use Fcntl; open(my $f, "+<", $ARGV[0]) or die "$!";
		my $lock = pack("s s x4 q q i x4", F_WRLCK, 0, 0, 0, 0);
		fcntl($f, F_SETLKW, $lock) or die "$!";
		open(my $p, ">", $ARGV[1]); print $p "$$\n"; close $p; sleep 100000' \
		"$PODMAN_ALIVE_LOCK" "$dir/holder.pid" </dev/null >/dev/null 2>"$BATS_FILE_TMPDIR/holder.err" &
	wait_for 10 test -s "$dir/holder.pid" || {
		cat "$BATS_FILE_TMPDIR/holder.err" >&2
		return 1
	}
	mv "$dir/holder.pid" "$BATS_FILE_TMPDIR/holder.pid" && rmdir "$dir"
}

@test "all | podman-hung | podman's lock held forever: the holder is killed within one period, podman answers" {
	settle
	write_markers before-hang
	local t0
	t0=$(date +%s)
	hold_podman_lock
	if timeout 5 "${AS_APPS_USER[@]}" podman info >/dev/null 2>&1; then false; fi
	wait_repaired "$t0" hung
	app_journalctl --since "@$t0" -u archy-podman-repair.service -o cat --no-pager |
		grep -q "killing process $(cat "$BATS_FILE_TMPDIR/holder.pid") "
	if kill -0 "$(cat "$BATS_FILE_TMPDIR/holder.pid")" 2>/dev/null; then false; fi
	timeout 30 "${AS_APPS_USER[@]}" podman info >/dev/null
}

@test "node | podman-hung | up; data kept" { assert_recovered node before-hang; }
@test "node-ui | podman-hung | up" { assert_recovered node-ui; }
@test "wallet | podman-hung | up, connected; data kept" { assert_recovered wallet before-hang; }
@test "wallet-ui | podman-hung | up" { assert_recovered wallet-ui; }
@test "indexer | podman-hung | up, connected; data kept" { assert_recovered indexer before-hang; }

@test "all | podman-repair | after the repairs: no archy unit failed, the next timer run finds podman healthy" {
	settle
	local t0
	t0=$(date +%s)
	wait_for 60 healthy_since "$t0"
	failed_archy_units >&2
	[ -z "$(failed_archy_units)" ]
}
