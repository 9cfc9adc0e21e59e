#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-verify-ota against a real HTTPS server on loopback (openssl s_server with a self-signed
# certificate) that answers 200, 500, an empty reply, never, or 200 only after a while; and its
# crash safety: the verifier is SIGKILLed at every persisted step (ARCHY_VERIFY_OTA_CRASH_AT, the
# test hook of archy-verify-ota(8)) and run again, and the end state is always fully old or fully
# new. The "installation" is two real pairs in a temp dir: a binary and a web UI directory. Unit
# restarts need systemd as PID 1: they are covered end to end (test/e2e), not here.

VERIFY=${ARCHY_VERIFY_OTA:-$BATS_TEST_DIRNAME/../../build/archy-verify-ota}

setup() {
	T=$(mktemp -d)
	mkdir -p "$T/srv" "$T/www" "$T/www.bak"
	echo new-binary >"$T/app"
	echo old-binary >"$T/app.bak"
	echo new-ui >"$T/www/index.html"
	echo old-ui >"$T/www.bak/index.html"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
		-subj /CN=localhost >/dev/null 2>&1
	PORT=$((20000 + RANDOM % 20000))
	answer 200
	(cd "$T/srv" && exec openssl s_server -quiet -accept "127.0.0.1:$PORT" -cert "$T/cert.pem" \
		-key "$T/key.pem" -HTTP >/dev/null 2>&1) &
	SERVER=$!
	for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:$PORT/health" && break; sleep 0.1; done
	MARKER=$T/update-pending-verify.json
	STATE=$T/update-verify.state
	marker
}

teardown() {
	if [ -n "${PROXY:-}" ]; then kill "$PROXY" 2>/dev/null || true; fi
	kill -CONT "$SERVER" 2>/dev/null || true
	kill "$SERVER" 2>/dev/null || true
	wait "$SERVER" 2>/dev/null || true
	rm -rf "$T"
}

# The server's next answers: an HTTP status, or "empty" (it closes without a reply).
answer() {
	if [ "$1" = empty ]; then
		: >"$T/srv/health.new"
	else
		printf 'HTTP/1.0 %s X\r\nContent-Length: 2\r\n\r\nxx' "$1" >"$T/srv/health.new"
	fi
	mv "$T/srv/health.new" "$T/srv/health"
}

# marker [max_attempts] [deadline_seconds] [check_url]
marker() {
	cat >"$MARKER" <<EOM
{
  "marker_version": 1,
  "new_version": "1.4.0",
  "previous_version": "1.3.2",
  "applied_at": $(date +%s),
  "deadline_seconds": ${2:-2},
  "grace_seconds": 0,
  "max_attempts": ${1:-3},
  "checks": [{"url": "${3:-https://127.0.0.1:$PORT/health}", "expect_status": 200}],
  "rollback": {
    "swap": [
      {"current": "$T/app", "backup": "$T/app.bak"},
      {"current": "$T/www", "backup": "$T/www.bak"}
    ]
  }
}
EOM
}

verify() { run "$VERIFY" --marker "$MARKER" --state-file "$STATE" "$@"; }

fully_new() {
	[ "$(cat "$T/app")" = new-binary ] && [ "$(cat "$T/www/index.html")" = new-ui ] &&
		[ "$(cat "$T/app.bak")" = old-binary ] && [ "$(cat "$T/www.bak/index.html")" = old-ui ]
}
# Rolled back: the old version live, the new one kept under the backup names.
fully_old() {
	[ "$(cat "$T/app")" = old-binary ] && [ "$(cat "$T/www/index.html")" = old-ui ] &&
		[ "$(cat "$T/app.bak")" = new-binary ] && [ "$(cat "$T/www.bak/index.html")" = new-ui ]
}
state_is() { grep -qx "phase=$1" "$STATE"; }

@test "200: committed (exit 0), the new version stays, the backups are untouched, the marker is closed" {
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	fully_new
	state_is committed
	[ ! -e "$MARKER" ]
	verify --status
	[ "$status" -eq 0 ]
	[[ "$output" == *"state: committed"* ]]
}

@test "500 until the deadline: rolled back (exit 4), the previous version fully in place" {
	answer 500
	verify
	echo "$output"
	[ "$status" -eq 4 ]
	fully_old
	state_is rolled-back
	[ ! -e "$MARKER" ]
	grep -q '^last_status=500$' "$STATE"
	verify --status
	[ "$status" -eq 4 ]
	[[ "$output" == *"state: rolled-back"* ]]
	[[ "$output" == *"HTTP 500, expected 200"* ]]
}

@test "a server that never answers (stopped): rolled back within the deadline plus the request timeout" {
	kill -STOP "$SERVER"
	local t0=$SECONDS
	verify
	echo "$output"
	[ "$status" -eq 4 ]
	fully_old
	[ $((SECONDS - t0)) -lt 30 ]
}

@test "a server that closes the connection without an answer: rolled back" {
	answer empty
	verify
	echo "$output"
	[ "$status" -eq 4 ]
	fully_old
	grep -q '^last_status=-1$' "$STATE"
}

@test "200 only after a delay: probed again with backoff and committed" {
	answer 500
	marker 3 20
	(sleep 3 && answer 200) &
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	fully_new
	grep -qx 'attempts=1' "$STATE"
}

# A proxy that answers 200 to every request (a plain GET through it, or CONNECT) on port $1.
proxy_answering_200() {
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.recv(65536)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    c.close()
' "$1" &
	PROXY=$!
	for _ in $(seq 50); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/")" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

@test "a proxy in the environment that answers 200 is not used: a broken update is rolled back" {
	local pport=$((PORT + 1)) dead=$((PORT + 2))
	proxy_answering_200 "$pport"
	# the check's own port has nothing listening: only the proxy could answer it
	marker 3 2 "http://127.0.0.1:$dead/health"
	http_proxy=http://127.0.0.1:$pport https_proxy=http://127.0.0.1:$pport HTTP_PROXY=http://127.0.0.1:$pport \
		HTTPS_PROXY=http://127.0.0.1:$pport ALL_PROXY=http://127.0.0.1:$pport all_proxy=http://127.0.0.1:$pport \
		verify
	echo "$output"
	[ "$status" -eq 4 ]
	fully_old
	state_is rolled-back
}

@test "a dead proxy in the environment is not used: a good update is committed" {
	local dead=$((PORT + 2))
	http_proxy=http://127.0.0.1:$dead https_proxy=http://127.0.0.1:$dead HTTP_PROXY=http://127.0.0.1:$dead \
		HTTPS_PROXY=http://127.0.0.1:$dead ALL_PROXY=http://127.0.0.1:$dead all_proxy=http://127.0.0.1:$dead \
		verify
	echo "$output"
	[ "$status" -eq 0 ]
	fully_new
	state_is committed
}

@test "nothing listening (connection refused): rolled back" {
	kill "$SERVER"
	wait "$SERVER" 2>/dev/null || true
	verify
	[ "$status" -eq 4 ]
	fully_old
}

# Kill at POINT, then run again: the outcome must be all or nothing, and correct.
crash_then_rerun() {
	ARCHY_VERIFY_OTA_CRASH_AT=$1 run "$VERIFY" --marker "$MARKER" --state-file "$STATE"
	echo "crash at $1: exit $status"
	[ "$status" -eq 137 ]
	# never half of each, even right after the crash
	fully_new || fully_old || {
		# mid-rollback: one pair may be back already; the next run must finish it
		[ "$1" = swap-2-before ] || [ "$1" = swap-2-after ] || [ "$1" = rolling-back ] ||
			[ "$1" = swap-1-after ]
	}
	verify
	echo "$output"
}

@test "crash safety, failing update: SIGKILL at every persisted step, then a rerun ends fully rolled back" {
	answer 500
	local point
	for point in pending verifying rolling-back swap-1-before swap-1-after swap-2-before swap-2-after \
		swaps-done final; do
		rm -f "$STATE"
		echo new-binary >"$T/app" && echo old-binary >"$T/app.bak"
		echo new-ui >"$T/www/index.html" && echo old-ui >"$T/www.bak/index.html"
		marker
		crash_then_rerun "$point"
		[ "$status" -eq 4 ]
		fully_old
		state_is rolled-back
		[ ! -e "$MARKER" ]
	done
}

@test "crash safety, good update: SIGKILL while pending, verifying or at the end, then a rerun commits" {
	local point
	for point in pending verifying final; do
		rm -f "$STATE"
		marker
		crash_then_rerun "$point"
		[ "$status" -eq 0 ]
		fully_new
		state_is committed
		[ ! -e "$MARKER" ]
	done
}

@test "a crash during each attempt counts: after max_attempts interrupted runs it rolls back without probing" {
	marker 2
	ARCHY_VERIFY_OTA_CRASH_AT=verifying run "$VERIFY" --marker "$MARKER" --state-file "$STATE"
	[ "$status" -eq 137 ]
	ARCHY_VERIFY_OTA_CRASH_AT=verifying run "$VERIFY" --marker "$MARKER" --state-file "$STATE"
	[ "$status" -eq 137 ]
	grep -qx 'attempts=2' "$STATE"
	# the server answers 200, but the update had its two chances
	verify
	echo "$output"
	[ "$status" -eq 4 ]
	fully_old
	grep -q '^reason=.*2 attempts' "$STATE"
}

@test "a malformed marker: exit 3, a message with file, line and key, nothing touched" {
	sed -i 's/"max_attempts": 3/"max_attempts": "three"/' "$MARKER"
	verify
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"$MARKER:"*"max_attempts"* ]]
	fully_new
	[ ! -e "$STATE" ]
	[ -e "$MARKER" ]
}

@test "no marker: nothing to verify (exit 0); --status says so" {
	rm "$MARKER"
	verify
	[ "$status" -eq 0 ]
	verify --status
	[ "$status" -eq 0 ]
	[[ "$output" == *"no update to verify"* ]]
}

@test "a new update after a rolled-back one is verified afresh" {
	answer 500
	verify
	[ "$status" -eq 4 ]
	answer 200
	echo new-binary >"$T/app" && echo old-binary >"$T/app.bak"
	echo new-ui >"$T/www/index.html" && echo old-ui >"$T/www.bak/index.html"
	sleep 1
	marker
	verify
	echo "$output"
	[ "$status" -eq 0 ]
	fully_new
	state_is committed
}

@test "a damaged state file: exit 1, nothing done, a person must look" {
	echo 'phase=sideways' >"$STATE"
	verify
	echo "$output"
	[ "$status" -eq 1 ]
	fully_new
	[ -e "$MARKER" ]
}

@test "usage errors exit 2" {
	run "$VERIFY" --bogus
	[ "$status" -eq 2 ]
	run "$VERIFY" --marker relative.json
	[ "$status" -eq 2 ]
	[[ "$output" == *"expected absolute paths"* ]]
}

@test "a run that finds the marker gone reports the outcome another run decided (the updater learns of a rollback)" {
	answer 500
	verify
	[ "$status" -eq 4 ]
	verify
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"1.4.0 was rolled-back"* ]]
}

@test "--status with a new marker not started yet: pending (exit 5), not the previous outcome" {
	verify
	[ "$status" -eq 0 ]
	sleep 1
	marker
	verify --status
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"state: pending (not started)"* ]]
}

@test "a new marker while an earlier rollback is unfinished: exit 1, the rollback state is kept" {
	answer 500
	ARCHY_VERIFY_OTA_CRASH_AT=swap-1-after run "$VERIFY" --marker "$MARKER" --state-file "$STATE"
	[ "$status" -eq 137 ]
	sleep 1
	marker
	verify
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rollback of update 1.4.0 is unfinished"* ]]
	state_is rolling-back
}

@test "a marker that cannot be read (a directory): exit 1 with the reason" {
	rm "$MARKER" && mkdir "$MARKER"
	verify
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot read $MARKER"* ]]
}

@test "a FIFO at the marker or the state file path: exit 1 at once, with what it is, nothing touched" {
	rm "$MARKER" && mkfifo "$MARKER"
	run timeout 5 "$VERIFY" --marker "$MARKER" --state-file "$STATE"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot read $MARKER: it is a FIFO, expected a regular file"* ]]
	rm "$MARKER" && marker
	mkfifo "$STATE"
	run timeout 5 "$VERIFY" --marker "$MARKER" --state-file "$STATE"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot read $STATE: it is a FIFO, expected a regular file"* ]]
	fully_new
}

@test "a marker with a key written twice or nested too deep: exit 3, the exact message, nothing touched" {
	sed -i 's/^  "max_attempts": 3,$/  "max_attempts": 3,\n  "max_attempts": 4,/' "$MARKER"
	verify
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"$MARKER:9:3: (top level): duplicate key \"max_attempts\" (first at line 8)"* ]]
	marker
	python3 -c 'import sys; sys.stdout.write("{\"checks\": " + "[" * 64 + "]" * 64 + "}\n")' >"$MARKER"
	verify
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"$MARKER:1:75: lists and mappings nested deeper than 64 levels, expected at most 64"* ]]
	fully_new
}
