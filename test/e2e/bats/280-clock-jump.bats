# SPDX-License-Identifier: LGPL-2.1-or-later
# Chaos 10, wall-clock jumps (VM layer only: nspawn's guest would set the host's clock). The clock
# jumps 30 minutes forward and back (date -s; NTP off) while archy-derive, archy-podman-repair,
# archy-reconcile and an archy-verify-ota verification run. Asserted: the timers keep their
# schedule (OnUnitActiveSec counts on the monotonic clock) and none fires because of a jump; no
# helper misfires (no false drift, no repair, no restart, no give-up); a verification is bounded on
# the monotonic clock (no rollback at a +30 min jump, no endless wait at -30 min); the apps keep
# running. Every jump is undone at the end (teardown_file), less the time the file took.
load helpers

BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf
PODMAN_STATE=/var/lib/archipelago/podman-repair.state

setup_file() {
	systemctl stop systemd-timesyncd.service 2>/dev/null || true
	timedatectl set-ntp false 2>/dev/null || true
	echo 0 >"$BATS_FILE_TMPDIR/offset"
	cp -a "$PODMAN_STATE" "$BATS_FILE_TMPDIR/podman-repair.state" 2>/dev/null || true
	settle
	record_ids "$BATS_FILE_TMPDIR/ids"
	containers_now >"$BATS_FILE_TMPDIR/containers"
}

teardown_file() {
	date -s "@$(($(date +%s) - $(cat "$BATS_FILE_TMPDIR/offset")))" >/dev/null
	if [ -e "$BATS_FILE_TMPDIR/podman-repair.state" ]; then
		cp -a "$BATS_FILE_TMPDIR/podman-repair.state" "$PODMAN_STATE"
	fi
}

# Usage: jump SECONDS: the wall clock jumps by SECONDS (negative: back); recorded for the undo.
jump() {
	date -s "@$(($(date +%s) + $1))" >/dev/null
	echo $(($(cat "$BATS_FILE_TMPDIR/offset") + $1)) >"$BATS_FILE_TMPDIR/offset"
	echo "clock jumped $1 s: $(date -u +%FT%TZ)" >&2
}

# Seconds since boot: a clock no jump moves.
mono() { cut -d. -f1 /proc/uptime; }

# A timer's property in microseconds on the monotonic clock (busctl prints "t N").
timer_usec() {
	local path
	path=/org/freedesktop/systemd1/unit/$(sed 's/-/_2d/g; s/\./_2e/g' <<<"$1")
	busctl get-property org.freedesktop.systemd1 "$path" org.freedesktop.systemd1.Timer "$2" | cut -d' ' -f2
}

# archy-derive.timer fired after its last trigger was $1.
derive_fired_since() { [ "$(timer_usec archy-derive.timer LastTriggerUSecMonotonic)" != "$1" ]; }

# The journal's position now: what comes after it is this test's.
cursor() { journalctl -n 1 -o export --no-pager | sed -n 's/^__CURSOR=//p'; }
journal_since() { journalctl --after-cursor "$1" --no-pager -o cat "${@:2}"; }

in_sync() { archy-derive --check >/dev/null 2>&1; }

# The running containers by name and ID, in one podman call (each podman call costs seconds in
# the VM).
containers_now() { podman ps --no-trunc --format '{{.Names}} {{.ID}}' | sort; }

# No app was restarted since the containers were last recorded: the same containers run, and every
# started app answers.
no_app_restarted() {
	local app
	containers_now | diff "$BATS_FILE_TMPDIR/containers" -
	for app in "${STARTED[@]}"; do wait_for 20 answers "$app"; done
}

corrupt_rpcauth() {
	sed -i -E "s/^(rpcauth=e2e:[0-9a-f]{32}\\\$)[0-9a-f]{64}\$/\\1$(printf '0%.0s' $(seq 64))/" "$BITCOIN_CONF"
	# shellcheck disable=SC2016 # a literal $ in the pattern
	grep -q '^rpcauth=e2e:[0-9a-f]*\$0\{64\}$' "$BITCOIN_CONF"
}

# Usage: assert_timers_kept BEFORE_FILE: every archy timer's next elapse is what it was before the
# jump, or it fired meanwhile at its due time (AccuracySec is at most 5 s), not at the jump.
NEVER=18446744073709551615
TIMERS=(archy-derive.timer archy-reconcile.timer archy-podman-repair.timer)
record_timers() {
	local t
	for t in "${TIMERS[@]}"; do
		echo "$t $(timer_usec "$t" NextElapseUSecMonotonic) $(timer_usec "$t" LastTriggerUSecMonotonic)"
	done >"$1"
}
assert_timers_kept() {
	local t next last next_now last_now
	while read -r t next last; do
		next_now=$(timer_usec "$t" NextElapseUSecMonotonic)
		last_now=$(timer_usec "$t" LastTriggerUSecMonotonic)
		echo "$t: next $next -> $next_now, last trigger $last -> $last_now" >&2
		# NEVER (2^64-1, too big for [ -gt ]) is the next elapse while its service runs:
		# OnUnitActiveSec counts from the activation
		if [ "$next" = "$NEVER" ]; then
			# scheduled after its last trigger once its service ended, not at the jump
			[ "$next_now" = "$NEVER" ] || [ "$next_now" -gt "$last_now" ]
		elif [ "$last_now" = "$last" ]; then
			[ "$next_now" = "$next" ]
		else
			# it fired meanwhile: at its due time, not at the jump
			[ "$last_now" -ge $((next - 6000000)) ]
		fi
	done <"$1"
}

@test "all | clock +30 min | no timer moves or fires at the jump; archy-derive.timer fires on its period after it" {
	record_timers "$BATS_FILE_TMPDIR/timers"
	jump 1800
	sleep 1
	assert_timers_kept "$BATS_FILE_TMPDIR/timers"
	wait_for 40 derive_fired_since "$(timer_usec archy-derive.timer LastTriggerUSecMonotonic)"
}

@test "all | clock -30 min | no timer moves or fires at the jump; archy-derive.timer repairs a drift within its period" {
	record_timers "$BATS_FILE_TMPDIR/timers"
	jump -1800
	sleep 1
	assert_timers_kept "$BATS_FILE_TMPDIR/timers"
	corrupt_rpcauth
	local start
	start=$(mono)
	wait_for 75 in_sync
	echo "repaired by the timer after $(($(mono) - start)) s (period 30 s)" >&2
	wait_for 90 restarted_since node "$(recorded_id node "$BATS_FILE_TMPDIR/ids")"
	wait_for 90 no_jobs
	assert_up node 60
	containers_now >"$BATS_FILE_TMPDIR/containers"
}

@test "all | clock jumps during archy-derive | every run exits 0, no false drift, no app restarted" {
	local log=$BATS_TEST_TMPDIR/derive.log pid
	(for _ in $(seq 30); do
		archy-derive >>"$log" 2>&1
		echo "rc=$?" >>"$log"
	done) &
	pid=$!
	sleep 0.5
	jump 1800
	sleep 0.5
	jump -1800
	wait "$pid"
	cat "$log"
	[ "$(grep -c '^rc=' "$log")" = 30 ]
	[ "$(grep -c '^rc=0$' "$log")" = 30 ]
	! grep -q repaired "$log" || false
	in_sync
	no_app_restarted
}

@test "all | clock jumps during archy-podman-repair | healthy, no repair, no give-up, state whole" {
	local c rc
	c=$(cursor)
	archy-podman-repair >"$BATS_TEST_TMPDIR/fwd" 2>&1 &
	sleep 1
	jump 1800
	rc=0 && wait $! || rc=$?
	cat "$BATS_TEST_TMPDIR/fwd"
	[ "$rc" -eq 0 ]
	archy-podman-repair >"$BATS_TEST_TMPDIR/back" 2>&1 &
	sleep 1
	jump -1800
	rc=0 && wait $! || rc=$?
	cat "$BATS_TEST_TMPDIR/back"
	[ "$rc" -eq 0 ]
	[ "$(sed -n 's/^failures=//p' "$PODMAN_STATE")" = 0 ]
	run journal_since "$c" -u archy-podman-repair.service
	! grep -qE 'GIVING UP|repaired' <<<"$output" || false
	no_app_restarted
}

@test "all | clock set back after four repairs | the repair times are brought back to now: the hourly limit lifts an hour from now" {
	local now t
	now=$(date +%s)
	# what four repairs and then a clock set back 30 minutes leave
	printf 'failures=0\nrepairs=%s,%s,%s,%s\n' $((now + 1800)) $((now + 1790)) $((now + 1780)) $((now + 1770)) >"$PODMAN_STATE"
	run archy-podman-repair
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"4 repairs recorded later than now (the clock was set back)"* ]]
	for t in $(sed -n 's/^repairs=//p' "$PODMAN_STATE" | tr , ' '); do
		[ "$t" -le "$(date +%s)" ]
		[ "$t" -ge "$now" ]
	done
	[ "$(sed -n 's/^repairs=//p' "$PODMAN_STATE" | tr , '\n' | wc -l)" = 4 ]
	cp -a "$BATS_FILE_TMPDIR/podman-repair.state" "$PODMAN_STATE"
}

@test "all | clock jumps during archy-reconcile | exits 0, nothing to do, no app restarted" {
	local rc out=$BATS_TEST_TMPDIR/reconcile
	archy-reconcile >"$out" 2>&1 &
	sleep 0.3
	jump 1800
	rc=0 && wait $! || rc=$?
	archy-reconcile >>"$out" 2>&1 &
	sleep 0.3
	jump -1800
	wait $! || rc=$?
	cat "$out"
	[ "$rc" -eq 0 ]
	! grep -q restart-app "$out" || false
	no_app_restarted
}

# Usage: verify_across_jump SECONDS VERSION: a release that answers 500 until it is fixed, verified
# by archy-verify-ota across a jump of SECONDS; fixed 8 s (monotonic) after the verification began.
verify_across_jump() {
	local jump_s=$1 version=$2 pid start rc=0
	apply_update "$version" 500 90
	wait_for 20 front_end_status 500
	start=$(mono)
	archy-verify-ota >"$BATS_TEST_TMPDIR/ota" 2>&1 &
	pid=$!
	sleep 4
	jump "$jump_s"
	sleep 4
	# still verifying: neither rolled back by the jump nor finished
	kill -0 "$pid"
	[ "$(ota_phase)" = verifying ]
	printf '#!/bin/sh\nexec /usr/local/bin/archy-standin web --port 8090 --status 200 --body "archipelago %s"\n' \
		"$version" >"$WEB_BIN.new"
	chmod 755 "$WEB_BIN.new" && mv "$WEB_BIN.new" "$WEB_BIN"
	systemctl restart archipelago-web.service
	wait "$pid" || rc=$?
	cat "$BATS_TEST_TMPDIR/ota"
	echo "verified in $(($(mono) - start)) s (monotonic) across a jump of $jump_s s" >&2
	[ "$rc" -eq 0 ]
	[ "$(ota_phase)" = committed ]
	[ "$(($(mono) - start))" -lt 90 ]
	serves "$version"
}

@test "web | clock +30 min during an OTA verification | no premature rollback: committed once the release answers 200" {
	wait_for 30 front_end_status 200
	verify_across_jump 1800 1.6.0
}

@test "web | clock -30 min during an OTA verification | not stretched: committed once the release answers 200" {
	verify_across_jump -1800 1.6.1
}

@test "web | clock -30 min during a failing OTA verification | rolled back at its deadline on the monotonic clock, not 30 min later" {
	local pid start rc=0 took
	apply_update 1.6.2 500 20
	wait_for 20 front_end_status 500
	start=$(mono)
	timeout 120 archy-verify-ota >"$BATS_TEST_TMPDIR/ota" 2>&1 &
	pid=$!
	sleep 4
	jump -1800
	timer_usec archy-derive.timer LastTriggerUSecMonotonic >"$BATS_FILE_TMPDIR/derive-last"
	wait "$pid" || rc=$?
	took=$(($(mono) - start))
	cat "$BATS_TEST_TMPDIR/ota"
	echo "rolled back after $took s (monotonic; deadline 20 s)" >&2
	[ "$rc" -eq 4 ]
	[ "$(ota_phase)" = rolled-back ]
	[ "$took" -ge 19 ]
	[ "$took" -lt 60 ]
	wait_for 20 serves 1.6.1
}

@test "all | after the clock jumps | the apps kept running; archy-derive.timer fired since the last jump" {
	no_app_restarted
	wait_for 40 derive_fired_since "$(cat "$BATS_FILE_TMPDIR/derive-last")"
}
