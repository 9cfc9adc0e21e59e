#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl install, uninstall, start, stop, restart on the host, without systemd: --help, usage
# errors, the plan of each edit (--dry-run, text and JSON), every refusal with its exit status,
# and that --dry-run writes nothing. The splice itself is checked byte for byte in
# test/unit/test-manifest-edit.c; carrying the edits out over systemd and podman runs in the
# e2e guest (test/e2e/bats/220-archyctl-edit.bats): the fake systemd of status.bats answers no
# StopUnit or Reload, so nothing here gets past the plan: without systemd an edit that is not a
# --dry-run stops at "systemd is not reachable" (exit 1), so the refusals are checked with --dry-run,
# which runs the same edit, validation and checks.

bats_require_minimum_version 1.5.0

setup() {
	ARCHYCTL=${ARCHYCTL:-build/archyctl}
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	export ARCHY_LAST_GOOD="$BATS_TEST_TMPDIR/none.yaml"
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	T=$BATS_TEST_TMPDIR
	chmod 755 "$T"
	cp "$REPO/manifests/e2e.yaml" "$T/installed.yaml"
	cp "$T/installed.yaml" "$T/pristine.yaml"
	chmod 644 "$T/installed.yaml"
}

ctl() {
	run "$ARCHYCTL" "$@" --manifest-path "$T/installed.yaml" --state-dir "$T/state"
}

unchanged() {
	cmp "$T/installed.yaml" "$T/pristine.yaml"
	[ ! -e "$T/state/journal" ]
}

@test "edit subcommands: --help lists the options and the exit statuses; archyctl --help lists them" {
	for verb in install uninstall start stop restart; do
		run "$ARCHYCTL" "$verb" --help
		[ "$status" -eq 0 ]
		for opt in --dry-run --json --timeout --no-wait --manifest-path --state-dir; do
			[[ $output == *"$opt"* ]] || { echo "$verb: missing $opt"; false; }
		done
		[[ $output == *"Exit status: 0 done"* ]]
	done
	run "$ARCHYCTL" install --help
	[[ $output == *"--from FILE"* ]]
	run "$ARCHYCTL" uninstall --help
	[[ $output == *"--purge"* && $output == *"--yes"* && $output == *"secrets stay"* ]]
	run "$ARCHYCTL" --help
	for verb in install uninstall start stop restart; do [[ $output == *"  $verb APP"* ]]; done
}

@test "edit subcommands: usage errors exit 2 and say what was expected" {
	run "$ARCHYCTL" stop
	[ "$status" -eq 2 ]
	[[ $output == *"expected one APP"* ]]
	run "$ARCHYCTL" start a b
	[ "$status" -eq 2 ]
	[[ $output == *'got also "b"'* ]]
	run "$ARCHYCTL" install indexer
	[ "$status" -eq 2 ]
	[[ $output == *"expected --from FILE"* ]]
	run "$ARCHYCTL" stop indexer --from x.yaml
	[ "$status" -eq 2 ]
	[[ $output == *"--from is for install only"* ]]
	run "$ARCHYCTL" stop indexer --purge
	[ "$status" -eq 2 ]
	run "$ARCHYCTL" uninstall indexer --yes
	[ "$status" -eq 2 ]
	[[ $output == *"--yes goes with --purge"* ]]
	run "$ARCHYCTL" restart indexer --timeout 0
	[ "$status" -eq 2 ]
	[[ $output == *"--timeout: expected seconds"* ]]
}

@test "stop --dry-run: the plan stops the app alone, nothing written" {
	ctl stop indexer --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"plan: stop indexer over the installed $T/installed.yaml"* ]]
	[[ $output == *"indexer  stop"*"started -> stopped  stop: archy-indexer.service"* ]]
	[[ $output == *"unchanged (3): node wallet notes"* ]]
	unchanged
	[ ! -e "$T/state" ]
}

@test "start, uninstall, restart --dry-run --json: one plan event each, the app's action as asked" {
	local verb app action
	for pair in "start notes start" "uninstall wallet uninstall" "restart node restart"; do
		read -r verb app action <<<"$pair"
		set -- "$verb" "$app" "$action"
		ctl "$1" "$2" --dry-run --json
		[ "$status" -eq 0 ]
		printf '%s\n' "$output" | grep '^{' | python3 -c '
import json, sys
verb, app, action = sys.argv[1:]
ev = [json.loads(l) for l in sys.stdin]
assert len(ev) == 1 and ev[0]["event"] == "plan", ev
assert ev[0]["file"] == verb + " " + app, ev[0]
a = {x["app"]: x for x in ev[0]["apps"]}
assert a[app]["action"] == action, a[app]
others = [x for x in a.values() if x["app"] != app and x["action"] != "unchanged"]
# a restart of the node starts the apps that require it again (its stop takes them down)
assert all(x["action"] == "start" for x in others) and (others == [] or action == "restart"), others
' "$1" "$2" "$3"
	done
	unchanged
}

@test "restart --dry-run of the node: the node restarts, its dependents start again" {
	ctl restart node --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"node "*"restart"*"restart: archy-node.service archy-node-ui.service"* ]]
	[[ $output == *"wallet "*"start"*"start: archy-wallet.service archy-wallet-ui.service"* ]]
	[[ $output == *"indexer "*"start"*"start: archy-indexer.service"* ]]
}

@test "already in the wanted state: says so, exit 0, nothing written" {
	ctl stop notes --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"notes is already stopped: nothing to do"* ]]
	ctl start indexer --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"indexer is already started: nothing to do"* ]]
	ctl install indexer --from "$T/pristine.yaml" --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"nothing to do"* ]]
	# --json: stdout holds JSON lines only, the sentence goes to stderr
	run --separate-stderr "$ARCHYCTL" stop notes --dry-run --json --manifest-path "$T/installed.yaml" --state-dir "$T/state"
	[ "$status" -eq 0 ]
	[ "$output" = '{"event":"result","converged":true,"exit":0,"not_converged":[],"rolled_back":[]}' ]
	# shellcheck disable=SC2154 # set by run --separate-stderr
	[[ $stderr == *"notes is already stopped: nothing to do"* ]]
	unchanged
}

@test "an unknown app: exit 1, named, with the nearest name" {
	for verb in stop start uninstall restart; do
		ctl "$verb" walet --dry-run
		[ "$status" -eq 1 ]
		[[ $output == *'no app "walet" (did you mean "wallet"?)'* ]]
	done
	ctl install walet --from "$T/pristine.yaml" --dry-run
	[ "$status" -eq 1 ]
	[[ $output == *'FILE has no app "walet" (did you mean "wallet"?)'* ]]
	unchanged
}

@test "restart of a stopped app: exit 1, says to start it" {
	ctl restart notes --dry-run
	[ "$status" -eq 1 ]
	[[ $output == *"notes is not started: nothing to restart (archyctl start notes)"* ]]
}

@test "a flow-style app, CR line ends: refused, exit 1, edit by hand, nothing written" {
	printf 'version: 1\napps:\n  x: {containers: {main: {image: localhost/x:1}}}\n' >"$T/installed.yaml"
	cp "$T/installed.yaml" "$T/pristine.yaml"
	ctl stop x --dry-run
	[ "$status" -eq 1 ]
	[[ $output == *"apps.x is written in flow style ({...}): edit it by hand"* ]]
	unchanged
	printf 'version: 1\r\napps:\r\n  x:\r\n    containers: {main: {image: localhost/x:1}}\r\n' >"$T/installed.yaml"
	cp "$T/installed.yaml" "$T/pristine.yaml"
	ctl stop x --dry-run
	[ "$status" -eq 1 ]
	[[ $output == *"CR line ends"*"edit it by hand"* ]]
	unchanged
}

@test "install --from a FILE with problems: exit 3, the problems as --check prints them, nothing written" {
	printf 'version: 1\napps:\n  indexer:\n    bogus: 1\n' >"$T/bad.yaml"
	chmod 644 "$T/bad.yaml"
	ctl install indexer --from "$T/bad.yaml" --dry-run
	[ "$status" -eq 3 ]
	[[ $output == *"$T/bad.yaml:4:5: apps.indexer: unknown key \"bogus\""* ]]
	[[ $output == *"the app indexer has problems in $T/bad.yaml"* ]]
	ctl install indexer --from "$T/missing.yaml" --dry-run
	[ "$status" -eq 3 ]
	[[ $output == *"$T/missing.yaml: no such file"* ]]
	unchanged
}

@test "an edit of an installed manifest with problems: exit 3, names the app, no --skip offered for the edit, nothing written" {
	# The installed manifest's indexer gets an unknown key; starting notes is refused as a whole.
	sed -i 's/^  indexer:$/&\n    bogus: 1/' "$T/installed.yaml"
	grep -q '^    bogus: 1$' "$T/installed.yaml"
	cp "$T/installed.yaml" "$T/pristine.yaml"
	ctl start notes --dry-run
	[ "$status" -eq 3 ]
	[[ $output == *'apps.indexer: unknown key "bogus"'* ]]
	[[ $output == *"the app indexer has problems"* ]]
	[[ $output == *"refusing to edit $T/installed.yaml: nothing was done (fix it, or apply a copy with archyctl apply --skip APP)"* ]]
	[[ $output != *"--skip APP applies it"* ]]
	unchanged
}

@test "install --dry-run of a new app from FILE: the plan installs it" {
	cat >"$T/extra.yaml" <<-'YAML'
		version: 1
		apps:
		    # an extra app
		    extra:
		        state: stopped
		        containers:
		            main: {image: localhost/extra:1}
	YAML
	chmod 644 "$T/extra.yaml"
	ctl install extra --from "$T/extra.yaml" --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"extra "*"install"*"absent -> started"*"start: archy-extra.service"* ]]
	unchanged
}

@test "a missing installed manifest: exit 1, nothing to edit" {
	run "$ARCHYCTL" stop x --dry-run --manifest-path "$T/nope.yaml" --state-dir "$T/state"
	[ "$status" -eq 1 ]
	[[ $output == *"$T/nope.yaml is missing or unusable: nothing to edit"* ]]
}

@test "uninstall --purge off a terminal without --yes: refused, exit 2, nothing written" {
	ctl uninstall indexer --purge </dev/null
	[ "$status" -eq 2 ]
	[[ $output == *"give --yes"*"nothing was done"* ]]
	unchanged
	[ ! -e "$T/state" ]
}

@test "uninstall --purge --dry-run: the plan, then the volumes that would go" {
	ctl uninstall indexer --purge --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"indexer  uninstall"* ]]
	[[ $output == *"purge indexer: would remove volumes: archy-indexer-indexer-data; would remove its derived files"*"secrets kept"* ]]
	unchanged
	[ ! -e "$T/state" ]
}
