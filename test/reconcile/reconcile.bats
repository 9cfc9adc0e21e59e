#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-reconcile on the host: usage errors and --help; then against a stand-in for systemd
# (test/ctl/fake-systemd.c on a private dbus-daemon, serving manifests/e2e.yaml's units from a
# table) and a stand-in podman (a script printing canned JSON and recording its calls): the
# --dry-run --json lines (archyctl doctor's format) and exit 3 for each kind of work, and an idle
# run that starts no podman and writes its state file once. What it does to real units and
# containers is the e2e suite's (test/e2e/bats/230-reconcile.bats).

RECONCILE=${ARCHY_RECONCILE:-$BATS_TEST_DIRNAME/../../build/archy-reconcile}
TOP=$BATS_TEST_DIRNAME/../..
load ../ctl/fake-systemd

setup_file() {
	build_fake_systemd
}

setup() {
	T=$(mktemp -d)
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	cp "$TOP/manifests/e2e.yaml" "$T/manifest.yaml"
	chmod 0644 "$T/manifest.yaml"
	export ARCHY_MANIFEST=$T/manifest.yaml ARCHY_LAST_GOOD=$T/last-good.yaml ARCHY_CID_DIR=$T/run \
		ARCHY_RECONCILE_STATE=$T/state/state.json ARCHY_APPLY_STATE_DIR=$T/apply ARCHY_PODMAN=$T/podman \
		ARCHY_SYSTEMD_BUS=unix:path=$T/no-bus
	mkdir -p "$T/run" "$T/podman.d"
	# NAME LOAD ACTIVE SUB TYPE RESULT CODE STATUS RESTARTS EXIT_USEC CHANGE_USEC INACTIVE_USEC
	cat >"$T/units" <<-EOF
		archy-node.service loaded active running notify success 0 0 0 0 1 0
		archy-node-ui.service loaded active running notify success 0 0 0 0 1 0
		archy-wallet.service loaded active running notify success 0 0 0 0 1 0
		archy-wallet-ui.service loaded active running notify success 0 0 0 0 1 0
		archy-indexer.service loaded active running notify success 0 0 0 0 1 0
		archy-notes.service loaded inactive dead notify success 0 0 0 0 1 0
	EOF
	# podman: ps, volume ls, network ls print $T/podman.d/{ps,volume,network}.json
	cat >"$T/podman" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$T/podman-calls"
		cat "$T/podman.d/\$1.json" 2>/dev/null || echo '[]'
	EOF
	chmod 755 "$T/podman"
	cat >"$T/podman.d/ps.json" <<-'EOF'
		[{"Names": ["archy-node"], "Labels": {"archy.managed": "true", "archy.app": "node"}, "State": "running"},
		 {"Names": ["archy-wallet"], "Labels": {"archy.managed": "true", "archy.app": "wallet"}, "State": "running"}]
	EOF
	cat >"$T/podman.d/volume.json" <<-'EOF'
		[{"Name": "archy-node-node-data", "Labels": {"archy.managed": "true", "archy.app": "node"}},
		 {"Name": "archy-notes-notes-data", "Labels": {"archy.managed": "true", "archy.app": "notes"}}]
	EOF
	echo '[{"name": "archipelago", "labels": {"archy.managed": "true"}}]' >"$T/podman.d/network.json"
}



# "action target app" per JSON action line of $output.
actions() {
	printf '%s\n' "$output" | jq -r 'select(.action) | "\(.action) \(.target) \(.app)"'
}

@test "--help says what it does, its options and exit statuses" {
	run "$RECONCILE" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: archy-reconcile [--dry-run] [--json] [--user] [--manifest FILE]"* ]]
	[[ "$output" == *"3 --dry-run found work"* ]]
}

@test "usage errors exit 2: an unknown option, an argument, a relative --manifest" {
	run "$RECONCILE" --frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"see --help"* ]]
	run "$RECONCILE" extra
	[ "$status" -eq 2 ]
	[[ "$output" == *'unexpected argument "extra"'* ]]
	run "$RECONCILE" --manifest relative.yaml
	[ "$status" -eq 2 ]
	[[ "$output" == *'--manifest: expected an absolute path, got "relative.yaml"'* ]]
}

@test "no systemd to ask: exit 1, and a summary line that says failed" {
	run "$RECONCILE" --dry-run --json
	[ "$status" -eq 1 ]
	[[ "$output" == *'{"result": "failed", "actions": 0}'* ]]
}

@test "an unusable manifest with no last good copy: exit 1, nothing asked" {
	fake_systemd
	echo 'apps: [' >"$T/manifest.yaml"
	run "$RECONCILE" --dry-run --json
	[ "$status" -eq 1 ]
	[[ "$output" == *"unusable, and no usable last good copy"* ]]
	[ ! -e "$T/podman-calls" ]
}

@test "nothing to do: exit 0, one summary line" {
	fake_systemd
	run "$RECONCILE" --dry-run --json
	[ "$status" -eq 0 ]
	[ "$output" = '{"result": "nothing-to-do", "actions": 0}' ]
	[ "$(wc -l <"$T/podman-calls")" = 3 ] # a dry run always asks podman
	grep -qx 'ps -a --filter label=archy.managed=true --format json' "$T/podman-calls"
}

@test "every kind of work, one line each, exit 3; the text form too" {
	cat >"$T/podman.d/ps.json" <<-'EOF'
		[{"Names": ["archy-stray"], "Labels": {"archy.managed": "true", "archy.app": "stray"}, "State": "running"},
		 {"Names": ["archy-notes"], "Labels": {"archy.managed": "true", "archy.app": "notes"}, "State": "running"},
		 {"Names": ["archy-wallet-old"], "Labels": {"archy.managed": "true", "archy.app": "wallet"}, "State": "exited"}]
	EOF
	cat >"$T/podman.d/volume.json" <<-'EOF'
		[{"Name": "archy-gone-data", "Labels": {"archy.managed": "true", "archy.app": "gone"}}]
	EOF
	echo '[{"name": "archy-old", "labels": {"archy.managed": "true"}}]' >"$T/podman.d/network.json"
	sed -i 's/^archy-indexer.service loaded active running/archy-indexer.service loaded failed failed/' "$T/units"
	fake_systemd
	run "$RECONCILE" --dry-run --json
	[ "$status" -eq 3 ]
	[ "$(actions)" = "restart-app archy-indexer.service indexer
remove-container archy-stray stray
stop-container archy-notes notes
remove-container archy-wallet-old wallet
orphan-volume archy-gone-data gone
orphan-network archy-old null" ]
	[ "$(printf '%s\n' "$output" | tail -n 1)" = '{"result": "work-found", "actions": 6}' ]
	[ ! -e "$T/state/state.json" ] # a dry run writes nothing
	# the text form: one line per action
	run "$RECONCILE" --dry-run
	[ "$status" -eq 3 ]
	[[ "$output" == *"orphan-volume archy-gone-data (app gone): its app is not in the manifest; its data is kept (removed only by a purge)"* ]]
	[[ "$output" == *"archy-reconcile: work-found, 6 actions"* ]]
}

@test "idle: no podman process, the state file written once, then left as it is" {
	fake_systemd
	# the first run does its full scan and records it
	run "$RECONCILE" --json
	[ "$status" -eq 0 ]
	[ "$output" = '{"result": "nothing-to-do", "actions": 0}' ]
	[ "$(wc -l <"$T/podman-calls")" = 3 ]
	jq -e '.last_full_scan_unix > 0 and .apps == []' "$T/state/state.json"
	local before
	before=$(stat -c '%i %Y' "$T/state/state.json")
	rm "$T/podman-calls"
	run "$RECONCILE" --json
	[ "$status" -eq 0 ]
	[ "$output" = '{"result": "nothing-to-do", "actions": 0}' ]
	[ ! -e "$T/podman-calls" ]
	[ "$(stat -c '%i %Y' "$T/state/state.json")" = "$before" ]
	# one ListUnitsByPatterns per run (archy-*.service and libpod-*.scope), nothing else asked
	[ "$(grep -c ListUnitsByPatterns "$T/calls")" = 2 ]
}

@test "a running libpod scope no started app accounts for: podman is asked at once" {
	printf '0123456789abcdef' >"$T/run/archy-node.cid"
	printf 'libpod-0123456789abcdef.scope loaded active running scope success 0 0 0 0 1 0\n' >>"$T/units"
	fake_systemd
	run "$RECONCILE" --json
	[ "$status" -eq 0 ]
	rm "$T/podman-calls"
	run "$RECONCILE" --json # the node's own container: accounted for by its cid file
	[ "$status" -eq 0 ]
	[ ! -e "$T/podman-calls" ]
	kill "$FAKE" "$DAEMON"
	wait "$FAKE" "$DAEMON" 2>/dev/null || true
	printf 'libpod-fedcba9876543210.scope loaded active running scope success 0 0 0 0 1 0\n' >>"$T/units"
	fake_systemd
	run "$RECONCILE" --json
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/podman-calls")" = 3 ]
}

@test "archyctl apply's lock held: the run is skipped, exit 0" {
	fake_systemd
	mkdir -p "$T/apply"
	exec 9>"$T/apply/lock"
	flock 9
	run "$RECONCILE" --json
	exec 9>&-
	[ "$status" -eq 0 ]
	[[ "$output" == *'{"result": "skipped", "actions": 0}'* ]]
	[ ! -e "$T/podman-calls" ]
}

# ---- a rootless node (archy-manifest(5) NODE) ----

# The test manifest made a rootless node's, its apps run by $1, with a subordinate range for $1.
rootless_node() {
	sed -i -e "/^version: 1\$/a node: {mode: rootless, user: $1}" -e '/kind: containers-conf/d' "$T/manifest.yaml"
	grep -qx "node: {mode: rootless, user: $1}" "$T/manifest.yaml"
	printf '%s:524288:65536\n' "$1" >"$T/subuid"
	export ARCHY_SUBUID_FILE=$T/subuid ARCHY_SUBGID_FILE=$T/subuid
}

@test "rootless node, run by another user than the apps': skipped (exit 0), systemd and podman not asked" {
	[ "$(id -u)" = 0 ] || skip "needs root (a user other than the apps user nobody)"
	rootless_node nobody
	fake_systemd
	run "$RECONCILE" --json
	[ "$status" -eq 0 ]
	[[ "$output" == *'{"result": "skipped", "actions": 0}'* ]]
	[ ! -e "$T/podman-calls" ]
	[ -z "$(grep ListUnitsByPatterns "$T/calls" 2>/dev/null)" ]
}

@test "rootless node, --dry-run as root: podman runs as the apps user (setpriv), in /" {
	[ "$(id -u)" = 0 ] || skip "needs root (setpriv to the apps user nobody)"
	rootless_node nobody
	chmod 0755 "$T" # the stand-in podman, run as nobody, records into $T/as-user
	: >"$T/as-user"
	chmod 0666 "$T/as-user"
	cat >"$T/podman" <<-EOF
		#!/bin/sh
		echo "\$(id -u) \$(pwd) \$HOME \$XDG_RUNTIME_DIR \$*" >>"$T/as-user"
		echo '[]'
	EOF
	chmod 755 "$T/podman"
	fake_systemd
	run "$RECONCILE" --dry-run --json
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/as-user")" = 3 ]
	local uid home
	uid=$(id -u nobody)
	home=$(getent passwd nobody | cut -d: -f6)
	grep -qx "$uid / $home /run/user/$uid ps -a --filter label=archy.managed=true --format json" "$T/as-user"
	[ -z "$(grep -v "^$uid / " "$T/as-user")" ]
}

# As nobody: the stand-in systemd, its bus and archy-reconcile all run as the apps user (the bus
# takes only its own user); the manifest and its directory stay root's. In the background as
# (exec setpriv ...): $! is then the process itself, for teardown's kill.
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }

@test "rootless node, run as the apps user itself (--user): reconciled there, podman run directly" {
	[ "$(id -u)" = 0 ] || skip "needs root (to become the apps user nobody)"
	rootless_node nobody
	mkdir -p "$T/nobody" "$T/state" "$T/apply"
	cp "$BATS_FILE_TMPDIR/fake-systemd" "$T/nobody/fake-systemd"
	: >"$T/podman-calls"
	chown nobody "$T/nobody" "$T/state" "$T/podman-calls"
	chmod 0755 "$T"
	(exec setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups dbus-daemon --session --nofork --address="unix:path=$T/nobody/bus" --print-address=1) \
		>"$T/address" 2>/dev/null 3>&- &
	DAEMON=$!
	for _ in $(seq 50); do [ -s "$T/address" ] && break; sleep 0.1; done
	(exec setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$T/nobody/fake-systemd" "unix:path=$T/nobody/bus" "$T/units" "$T/nobody/calls") \
		>"$T/fake.out" 2>&1 3>&- &
	FAKE=$!
	for _ in $(seq 50); do grep -q ready "$T/fake.out" && break; sleep 0.1; done
	touch "$T/apply/lock" # archyctl apply's, root's: taken read-only
	run as_nobody env ARCHY_SYSTEMD_BUS="unix:path=$T/nobody/bus" "$RECONCILE" --user --json
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = '{"result": "nothing-to-do", "actions": 0}' ]
	[ "$(wc -l <"$T/podman-calls")" = 3 ] # the stand-in itself, as nobody, no setpriv in between
	jq -e '.last_full_scan_unix > 0' "$T/state/state.json"
	[ "$(stat -c %U "$T/state/state.json")" = nobody ]
}

@test "--user (the user manager's unit) in a manager not the apps user's: exit 0 at once, silent, nothing asked" {
	fake_systemd
	run "$RECONCILE" --user # a rootful node: no user manager reconciles
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	getent passwd nobody >/dev/null || skip "no user nobody"
	[ "$(id -un)" != nobody ] || skip "run as nobody"
	rootless_node nobody # another user's node
	run "$RECONCILE" --user
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$T/podman-calls" ]
	[ -z "$(grep ListUnitsByPatterns "$T/calls" 2>/dev/null)" ]
}
