#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl doctor on the host: usage errors, --help; the checks against the stand-in for systemd
# (test/ctl/fake-systemd.c, on a private dbus-daemon, serving the units of manifests/e2e.yaml from
# a table), the helpers' state files as archy-podman-repair and archy-verify-ota write them, and
# the free space of real directories. Mocked, and why: archy-derive --check and archy-reconcile
# --dry-run --json are stand-in scripts here (the real ones act on the host's /var/lib and podman;
# the e2e suite runs them for real, test/e2e/bats/240-archyctl-doctor.bats); the stand-in bus has
# no timedated, so time-sync is "unknown" (a warning) here.

bats_require_minimum_version 1.5.0

CTL=${ARCHY_CTL:-$BATS_TEST_DIRNAME/../../build/archyctl}
TOP=$BATS_TEST_DIRNAME/../..
load fake-systemd

setup_file() {
	build_fake_systemd
}

setup() {
	ctl_test_dirs
	export ARCHY_DERIVE=$T/archy-derive ARCHY_RECONCILE=$T/archy-reconcile \
		ARCHY_DISK_ROOT=$T ARCHY_DISK_CONTAINERS=$T/run ARCHY_DISK_ARCHIPELAGO=$T/storage
	# NAME LOAD ACTIVE SUB TYPE RESULT CODE STATUS RESTARTS EXIT_USEC CHANGE_USEC INACTIVE_USEC
	cat >"$T/units" <<-EOF
		archy-node.service loaded active running notify success 0 0 0 0 1795777200000000 0
		archy-node-ui.service loaded active running notify success 0 0 0 0 1795777201000000 0
		archy-wallet.service loaded active running notify success 0 0 0 0 1795777202000000 0
		archy-wallet-ui.service loaded active running notify success 0 0 0 0 1795777203000000 0
		archy-indexer.service loaded active running notify success 0 0 0 0 1795777204000000 0
		archy-notes.service loaded inactive dead notify success 0 0 0 0 1795777205000000 0
		archy-derive.service loaded inactive dead oneshot success 1 0 0 1795780790000000 1795780790000000 1795780790000000
	EOF
	printf '{"result": "healthy", "healthy": true, "state_now": "healthy", "failed_repairs_in_a_row": 0, "gave_up_reason": null, "checked_at_unix": 1795780837}\n' >"$T/podman-health.json"
	stub_derive 0 ""
	stub_reconcile 0 '{"result": "nothing-to-do", "actions": 0}'
}


# A stand-in archy-derive: exits $1, writes $2 to stderr (its log), and records its arguments.
stub_derive() {
	printf '#!/bin/sh\necho "$@" >"%s/derive.args"\nprintf "%%s" "%s" >&2\nexit %s\n' "$T" "$2" "$1" >"$T/archy-derive"
	chmod +x "$T/archy-derive"
}

# A stand-in archy-reconcile: exits $1, prints $2 (its JSON lines) and records its arguments.
stub_reconcile() {
	printf '#!/bin/sh\necho "$@" >"%s/reconcile.args"\ncat <<'"'"'EOF'"'"'\n%s\nEOF\nexit %s\n' "$T" "$2" "$1" >"$T/archy-reconcile"
	chmod +x "$T/archy-reconcile"
}


# stderr apart: archyctl logs there why systemd or timedated could not be asked
doctor_json() {
	run --separate-stderr "$CTL" doctor --json
	printf '%s\n' "$output" >"$T/out.json"
}

# check NAME FIELD: one field of the named check in the last JSON
check() { jq -r --arg n "$1" ".checks[] | select(.name == \$n) | .$2" "$T/out.json"; }

@test "--help says what doctor checks, its options and its exit statuses" {
	run "$CTL" doctor --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: archyctl doctor [OPTIONS...]"* ]]
	for w in --json manifest units failed-units drift podman orphans disk-root time-sync ota "5 attention"; do
		[[ "$output" == *"$w"* ]]
	done
	run "$CTL" --help
	[[ "$output" == *"doctor: every check archy knows"* ]]
}

@test "usage errors exit 2: an unknown option, an argument" {
	run "$CTL" doctor --frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"see archyctl doctor --help"* ]]
	run "$CTL" doctor node
	[ "$status" -eq 2 ]
	[[ "$output" == *"no arguments are taken"* ]]
}

# The disk checks read the real file system of $T (statvfs): a healthy node needs a host disk
# with 5 GiB and 10 % free (DOCTOR_DISK_WARNING_*); on a fuller one this test cannot be about a
# healthy node (the disk rows test the verdicts with their own figures).
host_disk_healthy() {
	df --output=avail,size -B1 "$T" | tail -1 | awk '{ exit !($1 >= 5 * 2^30 && $1 * 100 >= $2 * 10) }'
}

@test "a healthy node: every check ok but time-sync (no timedated on the stand-in bus), exit 0, stable names in order" {
	host_disk_healthy || skip "the host's disk under $T has less than 5 GiB or 10 % free: no healthy node here"
	fake_systemd
	doctor_json
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.checks[].name] | join(",")' "$T/out.json")" = \
		manifest,units,failed-units,drift,podman,orphans,disk-root,disk-containers,disk-archipelago,time-sync,ota,limits ]
	for c in manifest units failed-units drift podman orphans ota limits; do
		[ "$(check "$c" verdict)" = ok ]
		[ "$(check "$c" suggestion)" = null ]
	done
	[ "$(check time-sync verdict)" = warning ]
	[ "$(check time-sync suggestion)" = "timedatectl timesync-status" ]
	[ "$(jq -r .verdict "$T/out.json")" != attention ]
	[ "$(check units detail)" = "all 6 units of the 4 started or stopped apps are loaded" ]
	# the helpers were asked the documented way
	[ "$(cat "$T/derive.args")" = --check ]
	[ "$(cat "$T/reconcile.args")" = "--dry-run --json" ]
	# the disk figures are statvfs's, as df says
	[[ "$(check disk-root detail)" == "$T: "*" free of "* ]]
	# text: one line per check, the suggestion under it, a summary
	run "$CTL" doctor
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok          manifest         $T/manifest.yaml is valid and in use (4 apps)"* ]]
	[[ "$output" == *"warning     time-sync"*$'\n'"  → timedatectl timesync-status"* ]]
	[[ "${lines[-1]}" == "doctor: warning (0 attention, 1 warning, 11 ok, 0 not checked)" ]]
}

@test "an unusable installed manifest: attention, exit 5, its problems as --check prints them, the --check command" {
	cp "$T/manifest.yaml" "$T/last-good.yaml"
	printf 'version: 1\napps: [oops\n' >"$T/manifest.yaml"
	fake_systemd
	doctor_json
	[ "$status" -eq 5 ]
	[ "$(jq -r .verdict "$T/out.json")" = attention ]
	[ "$(check manifest verdict)" = attention ]
	[[ "$(check manifest detail)" == "$T/manifest.yaml is unusable ("*"): the node runs its last good copy $T/last-good.yaml" ]]
	[ "$(check manifest suggestion)" = "archy-generator --check $T/manifest.yaml" ]
	# the same problems archy-generator --check prints
	run "$TOP/build/archy-generator" --check "$T/manifest.yaml"
	[ "$status" -ne 0 ]
	first=$(jq -r '.checks[] | select(.name == "manifest") | .findings[0]' "$T/out.json")
	[[ "$output" == *"$first"* ]]
	[[ "$first" == "$T/manifest.yaml:"* ]]
}

@test "a unit not generated: units attention, the unit named, daemon-reload and the generator's journal" {
	sed -i '/^archy-wallet-ui.service /d' "$T/units"
	fake_systemd
	doctor_json
	[ "$status" -eq 5 ]
	[ "$(check units verdict)" = attention ]
	[ "$(check 'units' 'findings[0]')" = "archy-wallet-ui.service (app wallet, started): systemd has no such unit" ]
	[ "$(check units suggestion)" = "systemctl daemon-reload; journalctl -b -t archy-generator" ]
	# the stopped app's unit, not in the table either: systemd would load it on asking; the
	# stand-in does not know it, so it is named too
	sed -i '/^archy-notes.service /d' "$T/units"
	kill "$FAKE" "$DAEMON"
	wait "$FAKE" "$DAEMON" 2>/dev/null || true
	rm -f "$T/bus" "$T/address" "$T/fake.out"
	fake_systemd
	doctor_json
	[ "$(check units 'findings | length')" = 2 ]
	[[ "$(check units 'findings[1]')" == "archy-notes.service (app notes, stopped)"* ]]
}

@test "a failed unit: failed-units attention, exit 5, archyctl status APP and journalctl -u UNIT" {
	sed -i 's/^archy-indexer.service .*/archy-indexer.service loaded failed failed notify exit-code 1 3 5 1795780000000000 1795780000000000 1795780000000000/' "$T/units"
	echo "archy-podman-repair.service loaded failed failed oneshot exit-code 1 1 0 1795780000000000 1795780000000000 1795780000000000" >>"$T/units"
	fake_systemd
	doctor_json
	[ "$status" -eq 5 ]
	[ "$(check failed-units verdict)" = attention ]
	[ "$(check failed-units detail)" = "2 archy units failed" ]
	[ "$(check failed-units suggestion)" = "archyctl status indexer; journalctl -u archy-indexer.service" ]
	[ "$(check failed-units 'findings[1]')" = "archy-podman-repair.service: journalctl -u archy-podman-repair.service" ]
}

@test "drift: archy-derive --check exit 3 is a warning (exit 0) naming the files; not installed: not checked" {
	stub_derive 3 'archy-derive: apps.node.derived[0]: /var/lib/archipelago/node/bitcoin.conf: drift: content differs
archy-derive: 1 derived files: 0 in sync, 1 drifted, 0 repaired, 0 problems
'
	fake_systemd
	doctor_json
	[ "$status" -eq 0 ]
	[ "$(check drift verdict)" = warning ]
	[ "$(check drift suggestion)" = "systemctl start archy-derive.service" ]
	[ "$(check drift 'findings | length')" = 1 ]
	[[ "$(check drift 'findings[0]')" == *"bitcoin.conf: drift: content differs" ]]
	stub_derive 1 'archy-derive: cannot read /var/lib/archipelago/secrets'
	doctor_json
	[ "$(check drift detail)" = "archy-derive --check failed with status 1: archy-derive: cannot read /var/lib/archipelago/secrets" ]
	rm "$T/archy-derive"
	doctor_json
	[ "$status" -eq 0 ]
	[ "$(check drift verdict)" = not-checked ]
	[ "$(check drift detail)" = "archy-derive is not installed" ]
}

@test "orphans: each action of archy-reconcile --dry-run --json a finding (warning); absent: not checked; garbage: warning" {
	stub_reconcile 0 '{"action": "stop-container", "target": "archy-notes", "app": "notes", "reason": "notes is stopped"}
{"action": "remove-container", "target": "archy-gone", "app": null, "reason": "no app of the manifest has it"}
{"result": "would-act", "actions": 2}'
	fake_systemd
	doctor_json
	[ "$status" -eq 0 ]
	[ "$(check orphans verdict)" = warning ]
	[ "$(check orphans detail)" = "archy-reconcile would take 2 actions" ]
	[ "$(check orphans 'findings[0]')" = "stop-container archy-notes (app notes): notes is stopped" ]
	[ "$(check orphans 'findings[1]')" = "remove-container archy-gone: no app of the manifest has it" ]
	[ "$(check orphans suggestion)" = "systemctl start archy-reconcile.service" ]
	stub_reconcile 0 '{"action": "stop-container", "target":'
	doctor_json
	[ "$(check orphans verdict)" = warning ]
	[[ "$(check orphans detail)" == *"output is not understood: a line is not JSON" ]]
	stub_reconcile 0 'plain words'
	doctor_json
	[[ "$(check orphans detail)" == *"output is not understood: a line is not a JSON object" ]]
	stub_reconcile 1 ''
	doctor_json
	[ "$(check orphans verdict)" = warning ]
	[[ "$(check orphans detail)" == "archy-reconcile --dry-run failed with status 1: "* ]]
	rm "$T/archy-reconcile"
	doctor_json
	[ "$status" -eq 0 ]
	[ "$(check orphans verdict)" = not-checked ]
	[ "$(check orphans detail)" = "archy-reconcile is not installed" ]
}

@test "podman: archy-podman-repair gave up is attention (exit 5); not written yet is a warning" {
	printf '{"result": "gave-up", "healthy": false, "state_now": "database-corrupt", "failed_repairs_in_a_row": 3, "gave_up_reason": "3 repairs in a row did not help", "checked_at_unix": 1795780837}\n' >"$T/podman-health.json"
	fake_systemd
	doctor_json
	[ "$status" -eq 5 ]
	[ "$(check podman verdict)" = attention ]
	[ "$(check podman detail)" = "archy-podman-repair gave up: 3 repairs in a row did not help" ]
	[[ "$(check podman suggestion)" == "systemctl start archy-podman-repair.service"* ]]
	rm "$T/podman-health.json"
	doctor_json
	[ "$status" -eq 0 ]
	[ "$(check podman verdict)" = warning ]
}

@test "ota: a pending update is a warning (exit 0), a rolled-back one attention (exit 5)" {
	printf 'phase=pending\nattempts=0\nswaps_done=0\nrestarted=0\nlast_status=0\ndecided_at=0\nswap_dev=0\nswap_ino=0\napplied_at=1795780200\nnew_version=1.4.0\nprevious_version=1.3.2\n' >"$T/update-verify.state"
	fake_systemd
	doctor_json
	[ "$status" -eq 0 ]
	[ "$(check ota verdict)" = warning ]
	[ "$(check ota detail)" = "the update from 1.3.2 to 1.4.0 is not verified yet (pending, 0 attempts)" ]
	[[ "$(check ota suggestion)" == "archy-verify-ota --status"* ]]
	sed -i 's/^phase=.*/phase=rolled-back/' "$T/update-verify.state"
	doctor_json
	[ "$status" -eq 5 ]
	[ "$(check ota verdict)" = attention ]
}

@test "no systemd to ask: units and failed-units attention, exit 5, the rest still reported" {
	doctor_json
	[ "$status" -eq 5 ]
	[[ "$(check units detail)" == "systemd could not be asked: "* ]]
	[ "$(check failed-units verdict)" = attention ]
	[ "$(check manifest verdict)" = ok ]
	[ "$(jq '.checks | length' "$T/out.json")" = 12 ]
}

@test "disk: a path that does not exist is not checked; the figures are the filesystem's own" {
	export ARCHY_DISK_CONTAINERS=$T/nope
	fake_systemd
	doctor_json
	[ "$(check disk-containers verdict)" = not-checked ]
	[ "$(check disk-containers detail)" = "$T/nope does not exist" ]
	# the percentage is df's (rounded down, df rounds up: within one)
	pct=$(df --output=avail,size -B1 "$T" | tail -1 | awk '{ print int($1 * 100 / $2) }')
	[[ "$(check disk-root detail)" == *"($pct %)" ]]
}

@test "limits: a mem_limit the apps' cgroups have no memory controller for is attention, named with the unit" {
	sed -i '/^  indexer:/,/^  [a-z]/s|^\(        image: localhost/archy-standin:1\)$|\1\n        mem_limit: 64m|' "$T/manifest.yaml"
	grep -q 'mem_limit: 64m' "$T/manifest.yaml"
	export ARCHY_CGROUP_ROOT=$T/cgroup
	mkdir -p "$T/cgroup"
	echo "cpuset cpu io pids" >"$T/cgroup/cgroup.controllers"
	fake_systemd
	doctor_json
	[ "$status" -eq 5 ]
	[ "$(check limits verdict)" = attention ]
	[ "$(check limits detail)" = "1 container cannot start: the node's cgroups have no memory controller, which its limit needs ($T/cgroup/cgroup.controllers: cpuset cpu io pids)" ]
	[ "$(check limits 'findings[0]')" = "archy-indexer.service: mem_limit needs the memory controller" ]
	[[ "$(check limits suggestion)" == *"drop the limits from the manifest" ]]
	echo "cpuset cpu io memory pids" >"$T/cgroup/cgroup.controllers"
	doctor_json
	[ "$(check limits verdict)" = ok ]
	[ "$(check limits detail)" = "the limits of 1 container are enforced ($T/cgroup/cgroup.controllers: cpuset cpu io memory pids)" ]
	rm "$T/cgroup/cgroup.controllers"
	doctor_json
	[ "$(check limits verdict)" = not-checked ]
}
