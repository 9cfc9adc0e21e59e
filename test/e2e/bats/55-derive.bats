# SPDX-License-Identifier: LGPL-2.1-or-later
# FM2: configs derived from the canonical RPC password drift (corrupted rpcauth, bitcoin.conf
# deleted, an nginx route deleted, the password changed) and archy-derive.timer repairs them within
# one period (30 s), restarting only what reads the changed file. Both modes: archy-derive is the
# system's; on a rootless node the consumers it restarts are units of the apps user's manager
# (330-rootless-derive.bats has what differs there: the files' mapped owners, the old drop-in).
load helpers

PERIOD=30
BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf
ROUTE=/etc/nginx/archipelago.d/node.conf

setup_file() {
	record_ids "$BATS_FILE_TMPDIR/boot"
}

# Waits one timer period (plus the run and the restart it triggers) for a command to succeed.
within_period() { wait_for $((PERIOD + 40)) "$@"; }

in_sync() { archy-derive --check >/dev/null 2>&1; }
node_accepts() { [ "$(curl -s -o /dev/null -w '%{http_code}' -m 3 -u "e2e:$1" http://127.0.0.1:18332/)" = 200 ]; }
via_nginx() { curl -fsS -m 3 http://127.0.0.1/node/ | grep -q 'archy stand-in UI'; }

@test "all | derive | after boot every derived file is in sync and the timer runs" {
	run archy-derive --check
	echo "$output"
	[ "$status" = 0 ]
	[ "$(systemctl is-active archy-derive.timer)" = active ]
	[ "$(stat -c %a "$SECRET")" = 600 ]
	grep -qE '^[A-Za-z0-9]{32}$' "$SECRET"
}

@test "all | derive | a run without drift spawns no process and opens no D-Bus connection" {
	strace -f -qq -e trace=execve,connect,clone,clone3,fork,vfork -o "$BATS_TEST_TMPDIR/trace" archy-derive
	cat "$BATS_TEST_TMPDIR/trace"
	[ "$(grep -c 'execve(' "$BATS_TEST_TMPDIR/trace")" = 1 ]
	! grep -qE 'clone|fork' "$BATS_TEST_TMPDIR/trace" || false
	# no socket at all but nscd's, which looking up the apps user may try (rootless)
	! grep 'connect(' "$BATS_TEST_TMPDIR/trace" | grep -qv '"/var/run/nscd/socket"' || false
}

@test "node | derive-rpcauth | a corrupted rpcauth line is repaired within one period; node restarted, accepts the password" {
	settle
	record_ids "$BATS_FILE_TMPDIR/before-corrupt"
	sed -i -E "s/^(rpcauth=e2e:[0-9a-f]{32}\\\$)[0-9a-f]{64}\$/\\1$(printf '0%.0s' $(seq 64))/" "$BITCOIN_CONF"
	# shellcheck disable=SC2016 # a literal $ in the pattern
	grep -q '^rpcauth=e2e:[0-9a-f]*\$0\{64\}$' "$BITCOIN_CONF"
	! in_sync || false
	within_period in_sync
	wait_for 60 restarted_since node "$(recorded_id node "$BATS_FILE_TMPDIR/before-corrupt")"
	assert_up node 60
	node_accepts "$(rpc_password)"
	journalctl -u archy-derive.service --no-pager -o cat | grep -q "$BITCOIN_CONF: repaired"
}

# Their env files did not change: the node's restart does not restart them (no Requires= cascade).
@test "wallet | derive-rpcauth | not restarted, connected to the node again" {
	assert_up wallet 60
	[ "$(cid wallet)" = "$(recorded_id wallet "$BATS_FILE_TMPDIR/before-corrupt")" ]
}
@test "indexer | derive-rpcauth | not restarted, connected to the node again" {
	assert_up indexer 60
	[ "$(cid indexer)" = "$(recorded_id indexer "$BATS_FILE_TMPDIR/before-corrupt")" ]
}
@test "node-ui | derive-rpcauth | not restarted" { assert_same_container node-ui "$BATS_FILE_TMPDIR/before-corrupt"; }
@test "wallet-ui | derive-rpcauth | not restarted with the node (its app requires it), answers" {
	assert_up wallet-ui 60
	[ "$(cid wallet-ui)" = "$(recorded_id wallet-ui "$BATS_FILE_TMPDIR/before-corrupt")" ]
}
@test "notes | derive-rpcauth | a stopped app stays stopped" { [ "$(app_systemctl is-active archy-notes.service)" = inactive ]; }

@test "node | derive-missing | a deleted bitcoin.conf is back within one period; the node answers" {
	settle
	record_ids "$BATS_FILE_TMPDIR/before-delete"
	rm "$BITCOIN_CONF"
	within_period test -f "$BITCOIN_CONF"
	within_period in_sync
	wait_for 60 restarted_since node "$(recorded_id node "$BATS_FILE_TMPDIR/before-delete")"
	assert_up node 60
	node_accepts "$(rpc_password)"
	assert_same_container node-ui "$BATS_FILE_TMPDIR/before-delete"
}

@test "node-ui | derive-nginx | a deleted nginx route is back within one period and nginx serves it; no app restarted" {
	settle
	record_ids "$BATS_FILE_TMPDIR/before-route"
	wait_for 10 via_nginx
	# The timer paused, so that it cannot repair the route before the test has seen it gone.
	systemctl stop archy-derive.timer
	rm "$ROUTE"
	systemctl reload nginx.service
	wait_for 10 sh -c '! curl -fsS -m 3 http://127.0.0.1/node/ >/dev/null'
	systemctl start archy-derive.timer
	within_period via_nginx
	[ -f "$ROUTE" ]
	for app in "${STARTED[@]}"; do assert_same_container "$app" "$BATS_FILE_TMPDIR/before-route"; done
}

@test "node | derive-password | a new canonical password: the node accepts it and rejects the old one" {
	local old new
	old=$(rpc_password)
	new=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
	settle
	record_ids "$BATS_FILE_TMPDIR/before-password"
	printf '%s\n' "$new" >"$SECRET.new"
	chmod 600 "$SECRET.new"
	mv "$SECRET.new" "$SECRET"
	within_period node_accepts "$new"
	! node_accepts "$old" || false
	grep -q "NODE_URL=http://e2e:$new@" /run/archipelago/env/wallet.env
}

@test "wallet | derive-password | restarted with the new password, connected" {
	wait_for 60 restarted_since wallet "$(recorded_id wallet "$BATS_FILE_TMPDIR/before-password")"
	assert_up wallet 60
	app_podman exec archy-wallet env | grep -q "NODE_URL=http://e2e:$(rpc_password)@"
}
@test "indexer | derive-password | restarted with the new password, connected" {
	assert_up indexer 60
	app_podman exec archy-indexer env | grep -q "DAEMON_URL=http://e2e:$(rpc_password)@"
}
@test "node-ui | derive-password | not restarted" { assert_same_container node-ui "$BATS_FILE_TMPDIR/before-password"; }

@test "all | derive-idempotent | another run writes nothing: same inodes and times" {
	local f before
	settle
	before=$(for f in "$BITCOIN_CONF" "$ROUTE" /run/archipelago/env/*.env; do
		stat -c '%n %i %Y.%y' "$f"
	done)
	archy-derive
	[ "$before" = "$(for f in "$BITCOIN_CONF" "$ROUTE" /run/archipelago/env/*.env; do
		stat -c '%n %i %Y.%y' "$f"
	done)" ]
}
