#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl apply on the host, without systemd: --help, usage errors, the plan (--dry-run, text and
# JSON) and the refusal of a manifest with problems. The steps over systemd run in the e2e guest
# (test/e2e/bats/200-archyctl-apply.bats).

setup() {
	ARCHYCTL=${ARCHYCTL:-build/archyctl}
	# The test trees live under $TMPDIR (world-writable): trust it and above (ARCHY_TEST_TRUSTED_DIR,
	# archy-manifest(5) OWNERSHIP AND MODE), so the ownership checks look at the files themselves.
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	export ARCHY_LAST_GOOD="$BATS_TEST_TMPDIR/none.yaml"
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	T=$BATS_TEST_TMPDIR
	chmod 755 "$T"
	cp "$REPO/manifests/archipelago.yaml" "$T/new.yaml"
	printf 'version: 1\napps: {}\n' >"$T/installed.yaml"
	chmod 644 "$T/new.yaml" "$T/installed.yaml"
}

dry_run() {
	run "$ARCHYCTL" apply --dry-run --manifest-path "$T/installed.yaml" --state-dir "$T/state" "$@"
}

@test "apply --help lists every option and the exit statuses" {
	run "$ARCHYCTL" apply --help
	[ "$status" -eq 0 ]
	for opt in --dry-run --json --skip --timeout --no-wait --resume --manifest-path --state-dir; do
		[[ $output == *"$opt"* ]] || { echo "missing $opt"; false; }
	done
	[[ $output == *"3 FILE has problems"* ]]
	[[ $output == *"6 an image"*"could not be pulled"* ]]
	[[ $output == *"7 an image update was rolled back"* ]]
}

@test "apply: usage errors exit 2 and say what was expected" {
	run "$ARCHYCTL" apply
	[ "$status" -eq 2 ]
	[[ $output == *"expected one FILE"* ]]
	run "$ARCHYCTL" apply a.yaml b.yaml
	[ "$status" -eq 2 ]
	[[ $output == *'got also "b.yaml"'* ]]
	run "$ARCHYCTL" apply --timeout 0 a.yaml
	[ "$status" -eq 2 ]
	[[ $output == *"--timeout: expected seconds"* ]]
	run "$ARCHYCTL" apply --resume a.yaml
	[ "$status" -eq 2 ]
	run "$ARCHYCTL" apply --resume --dry-run
	[ "$status" -eq 2 ]
	run "$ARCHYCTL" apply --bogus a.yaml
	[ "$status" -eq 2 ]
}

@test "apply --dry-run prints the plan of the shipped node over an empty one and writes nothing" {
	dry_run "$T/new.yaml"
	[ "$status" -eq 0 ]
	[[ $output == *"plan: $T/new.yaml over the installed $T/installed.yaml"* ]]
	[[ $output == *"bitcoin-knots"*"install"*"absent -> started"*"start: archy-bitcoin-knots.service archy-bitcoin-knots-ui.service"* ]]
	[[ $output == *"unchanged (1): bitcoin-core"* ]]
	[ ! -e "$T/state" ]
	[ "$(cat "$T/installed.yaml")" = "$(printf 'version: 1\napps: {}')" ]
}

@test "apply --dry-run of an empty node over the shipped one uninstalls every app and stops the network" {
	cp "$T/new.yaml" "$T/installed.yaml"
	printf 'version: 1\napps: {}\n' >"$T/empty.yaml"
	chmod 644 "$T/empty.yaml"
	dry_run --json "$T/empty.yaml"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | grep '^{' | python3 -c '
import json, sys
p = json.loads(sys.stdin.read())
a = {x["app"]: x for x in p["apps"]}
assert a["lnd"]["action"] == "uninstall" and a["lnd"]["to"] == "absent", a["lnd"]
assert "archy-lnd.service" in a["lnd"]["stop"], a["lnd"]
assert p["network_stop"] is True, p
'
}

@test "apply --dry-run --json prints one plan object with the documented fields" {
	dry_run --json "$T/new.yaml"
	[ "$status" -eq 0 ]
	# stdout only (the systemd note is on stderr): run merges them, so parse the lines that are JSON.
	plan=$(printf '%s\n' "$output" | grep '^{')
	[ "$(printf '%s\n' "$plan" | wc -l)" -eq 1 ]
	printf '%s\n' "$plan" | python3 -c '
import json, sys
p = json.loads(sys.stdin.read())
assert p["event"] == "plan", p
assert set(p) == {"event", "file", "installed", "noop", "network_stop", "apps"}, sorted(p)
assert p["noop"] is False and p["network_stop"] is False
a = {x["app"]: x for x in p["apps"]}
assert set(a["lnd"]) == {"app", "action", "from", "to", "stop", "restart", "start", "wait"}, sorted(a["lnd"])
assert a["lnd"]["action"] == "install" and a["lnd"]["to"] == "started" and a["lnd"]["wait"] is True
assert "archy-lnd.service" in a["lnd"]["start"]
assert a["bitcoin-core"]["action"] == "unchanged"
'
}

@test "apply refuses a manifest with problems: exit 3, each problem as --check prints it, file:line" {
	printf 'version: 1\napps:\n  x:\n    bogus: 1\n' >"$T/bad.yaml"
	chmod 644 "$T/bad.yaml"
	run "$ARCHYCTL" apply --manifest-path "$T/installed.yaml" --state-dir "$T/state" "$T/bad.yaml"
	[ "$status" -eq 3 ]
	[[ $output == *"$T/bad.yaml:4:5: apps.x: unknown key \"bogus\""* ]]
	[[ $output == *"the app x has problems"* ]]
	[[ $output == *"nothing was done"* ]]
	[ ! -e "$T/state/journal" ]
	# The same lines archy-generator --check prints.
	if [ -x "$REPO/build/archy-generator" ]; then
		check=$("$REPO/build/archy-generator" --check "$T/bad.yaml" 2>&1 >/dev/null || true)
		[[ $output == *"$check"* ]]
	fi
}

@test "apply refuses a manifest unusable as a whole, and a missing file, with exit 3" {
	printf 'version: 1\napps: [\n' >"$T/broken.yaml"
	chmod 644 "$T/broken.yaml"
	dry_run "$T/broken.yaml"
	[ "$status" -eq 3 ]
	[[ $output == *"$T/broken.yaml:"* ]]
	[[ $output == *"unusable as a whole"* ]]
	dry_run "$T/missing.yaml"
	[ "$status" -eq 3 ]
	[[ $output == *"$T/missing.yaml: no such file"* ]]
}

@test "apply --skip APP applies a manifest whose only problems are APP's; a --skip of a good app is refused" {
	cat >"$T/skip.yaml" <<-'YAML'
		version: 1
		apps:
		  good:
		    containers:
		      main:
		        image: docker.io/library/busybox:1.36
		  bad:
		    bogus: 1
	YAML
	chmod 644 "$T/skip.yaml"
	dry_run "$T/skip.yaml"
	[ "$status" -eq 3 ]
	dry_run --skip bad "$T/skip.yaml"
	[ "$status" -eq 0 ]
	[[ $output == *"good"*"install"* ]]
	dry_run --skip bad --skip good "$T/skip.yaml"
	[ "$status" -eq 3 ]
	[[ $output == *"--skip good: that app has no problem"* ]]
}

@test "apply refuses a manifest its owner's group may write (the installed manifest's ownership check)" {
	chmod 664 "$T/new.yaml"
	dry_run "$T/new.yaml"
	[ "$status" -eq 3 ]
	[[ $output == *"writable by group or others"* ]]
}

@test "apply --resume with no journal does nothing and needs no FILE" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for systemd"
	[ -S /run/systemd/private ] || [ -S /run/dbus/system_bus_socket ] || skip "no systemd here"
	run "$ARCHYCTL" apply --resume --manifest-path "$T/installed.yaml" --state-dir "$T/state"
	[ "$status" -eq 0 ]
}

@test "apply: a damaged journal is reported with its line, and nothing is carried out" {
	mkdir -p "$T/state"
	printf 'archyctl-apply-journal 1\nphase=bogus\n' >"$T/state/journal"
	run "$ARCHYCTL" apply --resume --manifest-path "$T/installed.yaml" --state-dir "$T/state"
	[ "$status" -eq 1 ]
	[[ $output == *"line 2: phase: expected planned"* ]]
	run "$ARCHYCTL" apply --manifest-path "$T/installed.yaml" --state-dir "$T/state" "$T/new.yaml"
	[ "$status" -eq 1 ]
	[[ $output == *"line 2: phase: expected planned"* ]]
	[ "$(cat "$T/installed.yaml")" = "$(printf 'version: 1\napps: {}')" ]
}

@test "apply: a second apply waits for the lock and says who holds it" {
	mkdir -p "$T/state"
	flock "$T/state/lock" sh -c 'echo 4242 >"$1"; sleep 2' _ "$T/state/lock" &
	sleep 0.5
	start=$(date +%s)
	run "$ARCHYCTL" apply --resume --manifest-path "$T/installed.yaml" --state-dir "$T/state"
	wait
	[[ $output == *"waiting for another apply (pid 4242)"* ]]
	[ $(($(date +%s) - start)) -ge 1 ]
}

@test "apply refuses to change node: while an app is installed (exit 3, nothing done); with none it plans" {
	getent passwd nobody >/dev/null || skip "no user nobody"
	printf 'nobody:524288:65536\n' >"$T/subuid"
	export ARCHY_SUBUID_FILE=$T/subuid ARCHY_SUBGID_FILE=$T/subuid
	cp "$T/new.yaml" "$T/installed.yaml"
	printf 'version: 1\nnode: {mode: rootless, user: nobody}\napps: {}\n' >"$T/rootless.yaml"
	chmod 644 "$T/rootless.yaml"
	dry_run "$T/rootless.yaml"
	[ "$status" -eq 3 ]
	[[ $output == *"changes node: (from rootful, apps run as root, to rootless, as nobody) while the app "*" is installed: uninstall every app first"* ]]
	[[ $output != *"plan:"* ]]
	# no app installed: the mode may change
	printf 'version: 1\napps: {}\n' >"$T/installed.yaml"
	dry_run "$T/rootless.yaml"
	[ "$status" -eq 0 ]
	[[ $output == *"plan: $T/rootless.yaml over the installed $T/installed.yaml"* ]]
}
