# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-derive on a rootless node (archy-derive(8) ROOTLESS NODE; the rootless layer): the system
# service derives what the apps user's containers read, owned by the ids that hold the manifest's
# owners in the user's namespace (0:0 -> the apps user), and the apps read them; drift is repaired
# within one timer period and the consumer, a unit of the user's manager, is restarted; the
# containers.conf drop-in a rootful node had is removed once, anyone else's is kept.
load helpers

PERIOD=30
BITCOIN_CONF=/var/lib/archipelago/node/bitcoin.conf
WALLET_ENV=/run/archipelago/env/wallet.env
ROUTE=/etc/nginx/archipelago.d/node.conf
DROPIN=/etc/containers/containers.conf.d/50-archipelago.conf
STALE_ID=54fee7791aeb4419ac59f9a489fdfec8

setup_file() {
	rootless || skip "a rootless node's rows (the rootless layer)"
}

within_period() { wait_for $((PERIOD + 40)) "$@"; }
in_sync() { archy-derive --check >/dev/null 2>&1; }
node_accepts() { [ "$(curl -s -o /dev/null -w '%{http_code}' -m 3 -u "e2e:$1" http://127.0.0.1:18332/)" = 200 ]; }
owner_of() { stat -c %u:%g "$1"; }
apps_owner() { echo "$APPS_UID:$(id -g "$APPS_USER")"; }
owned_by_apps() { [ "$(owner_of "$1")" = "$(apps_owner)" ]; }
# Two more runs of archy-derive.service finished (the first may have begun before the caller's change).
last_exit() { systemctl show -p ExecMainExitTimestampMonotonic --value archy-derive.service; }
exited_after() { [ "$(last_exit)" != "$1" ]; }
two_runs_later() {
	local t
	t=$(last_exit) && within_period exited_after "$t"
	t=$(last_exit) && within_period exited_after "$t"
}

@test "all | rootless-derive | bitcoin.conf and the env files are the apps user's, the nginx routes root's" {
	run archy-derive --check
	echo "$output"
	[ "$status" = 0 ]
	echo "apps user $(apps_owner); bitcoin.conf $(owner_of "$BITCOIN_CONF"); wallet.env $(owner_of "$WALLET_ENV")"
	owned_by_apps "$BITCOIN_CONF"
	owned_by_apps "$WALLET_ENV"
	owned_by_apps /run/archipelago/env/indexer.env
	[ "$(stat -c %a "$WALLET_ENV")" = 600 ]
	[ "$(owner_of "$ROUTE")" = 0:0 ]
	[ "$(owner_of "$SECRET")" = 0:0 ] # the canonical secrets stay root's
	[ "$(stat -c %a "${SECRET%/*}")" = 700 ]
	# archy-derive is the system's, the apps are the user manager's
	[ "$(systemctl show -p User --value archy-derive.service)" = "" ]
	[ "$(app_systemctl show -p LoadState --value archy-node.service)" = loaded ]
}

@test "all | rootless-derive | a run without drift spawns no process and opens no D-Bus connection" {
	strace -f -qq -e trace=execve,connect,clone,clone3,fork,vfork -o "$BATS_TEST_TMPDIR/trace" archy-derive
	cat "$BATS_TEST_TMPDIR/trace"
	[ "$(grep -c 'execve(' "$BATS_TEST_TMPDIR/trace")" = 1 ]
	! grep -qE 'clone|fork' "$BATS_TEST_TMPDIR/trace" || false
	# the password database may try nscd's socket; no bus, no user manager
	! grep -E 'connect\(' "$BATS_TEST_TMPDIR/trace" | grep -qE 'bus|/run/user|systemd' || false
}

@test "node | rootless-derive | the node reads its bitcoin.conf and accepts the canonical password" {
	assert_up node 60
	node_accepts "$(rpc_password)"
}

@test "wallet | rootless-derive | the user's podman reads the env file: the wallet has it and is connected" {
	assert_up wallet 60
	app_podman exec archy-wallet env | grep -q "^NODE_URL=http://e2e:$(rpc_password)@archy-node:8332/$"
}

@test "node | rootless-derive-drift | a corrupted rpcauth is repaired within one period; the node's user unit restarted" {
	settle
	record_ids "$BATS_FILE_TMPDIR/before-corrupt"
	sed -i -E "s/^(rpcauth=e2e:[0-9a-f]{32}\\\$)[0-9a-f]{64}\$/\\1$(printf '0%.0s' $(seq 64))/" "$BITCOIN_CONF"
	# shellcheck disable=SC2016 # a literal $ in the pattern
	grep -q '^rpcauth=e2e:[0-9a-f]*\$0\{64\}$' "$BITCOIN_CONF"
	run in_sync
	[ "$status" -ne 0 ]
	within_period in_sync
	owned_by_apps "$BITCOIN_CONF"
	wait_for 60 restarted_since node "$(recorded_id node "$BATS_FILE_TMPDIR/before-corrupt")"
	assert_up node 60
	node_accepts "$(rpc_password)"
	journalctl -u archy-derive.service --no-pager -o cat | grep -q "TryRestartUnit archy-node.service: queued"
	run journalctl -u archy-derive.service --no-pager -o cat -g "cannot connect to the user manager"
	[ "$status" -ne 0 ] # grep: no match
}

@test "wallet | rootless-derive-drift | not restarted (its env file did not change), connected again" {
	assert_up wallet 60
	[ "$(cid wallet)" = "$(recorded_id wallet "$BATS_FILE_TMPDIR/before-corrupt")" ]
}

@test "wallet | rootless-derive-owner | an env file owned as on a rootful node is given back to the apps user" {
	settle
	record_ids "$BATS_FILE_TMPDIR/before-chown"
	chown 0:0 "$WALLET_ENV"
	run in_sync
	[ "$status" -ne 0 ]
	within_period owned_by_apps "$WALLET_ENV"
	[ "$(stat -c %a "$WALLET_ENV")" = 600 ]
	journalctl -u archy-derive.service --no-pager -o cat | grep -q "$WALLET_ENV: repaired: owner 0:0 mode 0600, want $(apps_owner) 0600"
	# the owner alone changed: nothing restarted
	assert_same_container wallet "$BATS_FILE_TMPDIR/before-chown"
}

@test "all | rootless-derive-dropin | archy's old containers.conf drop-in is removed within one period, logged once" {
	mkdir -p "${DROPIN%/*}"
	printf '# Written by archy-derive for app node. Edit the manifest, not this file.\n[containers]\nhost_containers_internal_ip = "10.89.0.1"\n' >"$DROPIN"
	run archy-derive --check
	[ "$status" = 3 ]
	[[ "$output" == *"$DROPIN: drift: archy-derive's containers.conf drop-in is still there on a rootless node"* ]]
	within_period test ! -e "$DROPIN"
	[ "$(journalctl --no-pager -o cat MESSAGE_ID=$STALE_ID | grep -c "^$DROPIN: removed")" = 1 ]
	# and the runs after it find nothing more to say
	two_runs_later
	[ "$(journalctl --no-pager -o cat MESSAGE_ID=$STALE_ID | wc -l)" = 1 ]
}

@test "all | rootless-derive-dropin | a drop-in that is not archy's own is kept" {
	mkdir -p "${DROPIN%/*}"
	printf '# the administrator'"'"'s\n[containers]\nhost_containers_internal_ip = "10.89.0.1"\n' >"$DROPIN"
	two_runs_later
	[ -e "$DROPIN" ]
	rm -f "$DROPIN"
	[ "$(journalctl --no-pager -o cat MESSAGE_ID=$STALE_ID | wc -l)" = 1 ]
}
