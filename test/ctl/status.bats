#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl status on the host: usage errors, --help, no bus; and the whole D-Bus path against a
# stand-in for systemd (test/ctl/fake-systemd.c, on a private dbus-daemon) that serves the units
# of manifests/e2e.yaml from a table: the JSON field by field against that table, the number of
# calls, the manifest fallback, podman's and the OTA verifier's files, podman's health log, and
# that no podman process is started. The real systemd and podman are the e2e suite's
# (test/e2e/bats/210-archyctl-status.bats).

CTL=${ARCHY_CTL:-$BATS_TEST_DIRNAME/../../build/archyctl}
load fake-systemd

setup_file() {
	build_fake_systemd
}

setup() {
	ctl_test_dirs
	export ARCHY_PROBES_FILE=$T/probes
	# A healthy table: NAME LOAD ACTIVE SUB TYPE RESULT CODE STATUS RESTARTS EXIT_USEC CHANGE_USEC INACTIVE_USEC
	cat >"$T/units" <<-EOF
		archy-node.service loaded active running notify success 0 0 0 0 1795777200000000 0
		archy-node-ui.service loaded active running notify success 0 0 0 0 1795777201000000 0
		archy-wallet.service loaded active running notify success 0 0 0 0 1795777202000000 0
		archy-wallet-ui.service loaded active running notify success 0 0 0 0 1795777203000000 0
		archy-indexer.service loaded active running notify success 0 0 0 0 1795777204000000 0
		archy-derive.service loaded inactive dead oneshot success 1 0 0 1795780790000000 1795780790000000 1795780790000000
	EOF
}


# A dbus-daemon of our own on $T/bus with the stand-in systemd on it, serving $T/units.

json() { jq -r "$1" "$T/out.json"; }

status_json() {
	run "$CTL" status --json "$@"
	printf '%s\n' "$output" >"$T/out.json"
}

@test "--help says what status reports, its options and its exit statuses" {
	run "$CTL" status --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: archyctl status [OPTIONS...] [APP]"* ]]
	[[ "$output" == *"--json"* ]]
	[[ "$output" == *"5 attention"* ]]
	[[ "$output" == *"Starts no podman process"* ]]
}

@test "usage errors exit 2: an unknown option, two apps" {
	run "$CTL" status --frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unrecognized option"* ]]
	[[ "$output" == *"see archyctl status --help"* ]]
	run "$CTL" status node wallet
	[ "$status" -eq 2 ]
	[[ "$output" == *"at most one APP"* ]]
}

@test "an app the manifest does not have exits 2 and names it, without asking systemd" {
	run "$CTL" status nosuchapp
	[ "$status" -eq 2 ]
	[[ "$output" == *"has no app \"nosuchapp\""* ]]
	[[ "$output" != *"cannot connect"* ]]
}

@test "no system bus: a clear error and exit 1, nothing on stdout" {
	"$CTL" status --json >"$T/stdout" 2>"$T/stderr" && rc=0 || rc=$?
	[ "$rc" -eq 1 ]
	[ ! -s "$T/stdout" ]
	grep -q "cannot connect to the bus at unix:path=$T/no-bus" "$T/stderr"
}

@test "a healthy node: verdict ok, exit 0, every field from systemd's answer; one list call, one batch" {
	fake_systemd
	status_json
	[ "$status" -eq 0 ]
	[ "$(json .verdict)" = ok ]
	[ "$(json '.problems | length')" = 0 ]
	[ "$(json '[.apps[].name] | join(",")')" = node,wallet,indexer,notes ]
	[ "$(json '.apps[] | select(.name == "notes") | .desired')" = stopped ]
	[ "$(json '.apps[0].units[1].unit')" = archy-node-ui.service ]
	[ "$(json '.apps[0].units[1].container')" = ui ]
	[ "$(json '.apps[0].units[1].since_unix')" = 1795777201 ]
	[ "$(json '.apps[0].units[1].since')" = 2026-11-27T11:00:01Z ]
	[ "$(json '.apps[0].units[1].active_state + "/" + .apps[0].units[1].sub_state')" = active/running ]
	[ "$(json '.apps[0].units[1].health')" = none ]
	[ "$(json '.apps[0].units[1].last_failure')" = null ]
	# a stopped app's unit systemd does not hold: not loaded, inactive (dead), as systemctl says
	[ "$(json '.apps[3].units[0].loaded')" = false ]
	[ "$(json '.apps[3].units[0].active_state')" = inactive ]
	[ "$(json '.derive.last_result + " " + (.derive.last_run_unix | tostring) + " " + .derive.drift')" = \
		"success 1795780790 unknown" ]
	[ "$(json .manifest.in_use)" = "$T/manifest.yaml" ]
	[ "$(json .manifest.fallback)" = false ]
	[ "$(json .podman.known)" = false ]
	[ "$(json .ota.known)" = false ]
	# One ListUnitsByPatterns for archy-*, then per loaded unit (5 app units and archy-derive) one
	# GetAll of the Service interface and two Gets of Unit timestamps, all in one batch.
	[ "$(grep -c '^ListUnitsByPatterns ' "$T/calls")" -eq 1 ]
	[ "$(grep -c '^GetAll ' "$T/calls")" -eq 6 ]
	[ "$(grep -c '^Get ' "$T/calls")" -eq 12 ]
	! grep -q archy-notes "$T/calls" || false
}

@test "a crashed unit with restarts and one waiting to restart: attention, exit 5, the reason and time" {
	sed -i 's/^archy-wallet.service .*/archy-wallet.service loaded failed failed notify exit-code 1 3 5 1795780680000000 1795780681000000 1795780681000000/' "$T/units"
	sed -i 's/^archy-wallet-ui.service .*/archy-wallet-ui.service loaded activating auto-restart notify signal 2 9 2 1795780795000000 1795780795000000 1795780795000000/' "$T/units"
	fake_systemd
	status_json
	[ "$status" -eq 5 ]
	[ "$(json .verdict)" = attention ]
	[ "$(json '.apps[1].level')" = attention ]
	[ "$(json '.apps[1].units[0].restarts')" = 5 ]
	[ "$(json '.apps[1].units[0].last_failure | "\(.result) \(.exec_main_code) \(.exec_main_status) \(.at_unix) \(.at)"')" = \
		"exit-code exited 3 1795780680 2026-11-27T11:58:00Z" ]
	[ "$(json '.apps[1].units[1].last_failure | "\(.result) \(.exec_main_code) \(.exec_main_status)"')" = "signal killed 9" ]
	[ "$(json '.apps[1].units[1].health')" = null ]
	[ "$(json '.problems[0] | "\(.level) \(.app)"')" = "attention wallet" ]
	[ "$(json '.problems[1].level')" = degraded ]
	run "$CTL" status
	[ "$status" -eq 5 ]
	[[ "$output" == *"archy-wallet.service failed (exit-code, main process exited with status 3, at 2026-11-27T11:58:00Z) after 5 automatic restarts"* ]]
}

@test "APP: only that app's units are reported and asked for" {
	fake_systemd
	status_json wallet
	[ "$status" -eq 0 ]
	[ "$(json '[.apps[].name] | join(",")')" = wallet ]
	[ "$(json '[.apps[0].units[].unit] | join(",")')" = archy-wallet.service,archy-wallet-ui.service ]
	! grep -q 'archy_2dnode' "$T/calls" || false
}

@test "an unusable installed manifest: the last good copy is in use, with the problems that caused it; exit 5" {
	cp "$T/manifest.yaml" "$T/last-good.yaml"
	printf 'version: 1\napps: [oops\n' >"$T/manifest.yaml"
	fake_systemd
	status_json
	[ "$status" -eq 5 ]
	[ "$(json .manifest.fallback)" = true ]
	[ "$(json .manifest.in_use)" = "$T/last-good.yaml" ]
	[ "$(json '.manifest.problems | length')" -ge 1 ]
	[[ "$(json '.manifest.problems[0]')" == "$T/manifest.yaml:"* ]]
	[[ "$(json '.problems[0].text')" == *"is unusable"*"the last good copy $T/last-good.yaml is in use"* ]]
	[ "$(json '[.apps[].name] | join(",")')" = node,wallet,indexer,notes ]
}

@test "archy-podman-repair gave up: attention, exit 5, its reason" {
	cat >"$T/podman-health.json" <<-'EOF'
		{"result": "gave-up", "healthy": false, "found": "database-corrupt", "evidence": "x", "state_now": "database-corrupt",
		 "evidence_now": null, "steps": [], "moved_aside": null, "units_stopped": 0, "volumes_reregistered": 0,
		 "orphans_removed": 0, "processes_killed": 0, "failed_repairs_in_a_row": 3,
		 "gave_up_reason": "3 repairs in a row did not help", "podman_version": "5.4.2", "mode": "system",
		 "probe_ms": 187, "checked_at": "2026-11-27T12:00:37Z", "checked_at_unix": 1795780837}
	EOF
	fake_systemd
	status_json
	[ "$status" -eq 5 ]
	[ "$(json '.podman | "\(.known) \(.result) \(.healthy) \(.failed_repairs_in_a_row) \(.checked_at_unix)"')" = \
		"true gave-up false 3 1795780837" ]
	[ "$(json '.problems[0].text')" = "archy-podman-repair gave up: 3 repairs in a row did not help" ]
	# a healthy one is ok again; a damaged one is reported, not guessed
	printf '{"result": "healthy", "healthy": true, "state_now": "healthy", "failed_repairs_in_a_row": 0, "gave_up_reason": null, "checked_at_unix": 1795780837}\n' >"$T/podman-health.json"
	status_json
	[ "$status" -eq 0 ]
	[ "$(json .podman.result)" = healthy ]
	echo 'not json [' >"$T/podman-health.json"
	status_json
	[ "$status" -eq 0 ]
	[ "$(json .verdict)" = degraded ]
	[ "$(json .podman.error)" = "$T/podman-health.json is not archy-podman-repair's status JSON" ]
}

@test "an OTA update rolled back: attention, exit 5, the versions and the reason from the verifier's state" {
	# the verifier's own format (ota_state_format(), lib/model/ota-state.c)
	cat >"$T/update-verify.state" <<-'EOF'
		# archy-verify-ota state: see archy-verify-ota(8)
		phase=rolled-back
		attempts=3
		swaps_done=2
		restarted=1
		last_status=500
		decided_at=1795780800
		swap_dev=0
		swap_ino=0
		applied_at=1795780200
		reason=https://127.0.0.1/ answered 500
		new_version=1.4.0
		previous_version=1.3.2
	EOF
	fake_systemd
	status_json
	[ "$status" -eq 5 ]
	[ "$(json '.ota | "\(.phase) \(.new_version) \(.previous_version) \(.attempts) \(.decided_at_unix)"')" = \
		"rolled-back 1.4.0 1.3.2 3 1795780800" ]
	[ "$(json '.problems[0].text')" = "the update to 1.4.0 was rolled back to 1.3.2: https://127.0.0.1/ answered 500" ]
	sed -i 's/^phase=.*/phase=committed/' "$T/update-verify.state"
	status_json
	[ "$status" -eq 0 ]
	[ "$(json .ota.phase)" = committed ]
}

@test "an image update archyctl apply rolled back: the app's rolled_back from its record, for information only" {
	mkdir -p "$T/apply/rolled-back"
	# archyctl apply's own format (rollback_record_render(), ctl/rollback-record.c)
	cat >"$T/apply/rolled-back/wallet" <<-'EOF'
		archyctl-rolled-back 1
		app=wallet
		at=1795780800
		reason=wallet: not running and healthy in time (archy-wallet.service active, container archy-wallet not healthy yet)
		image=main localhost/archy-standin:9 localhost/archy-standin:1
	EOF
	fake_systemd
	status_json
	[ "$status" -eq 0 ]
	[ "$(json .verdict)" = ok ]
	[ "$(json '.apps[] | select(.name == "wallet") | .rolled_back | "\(.at) \(.at_unix) \(.images[0].container) \(.images[0].from) \(.images[0].to)"')" = \
		"2026-11-27T12:00:00Z 1795780800 main localhost/archy-standin:9 localhost/archy-standin:1" ]
	[[ "$(json '.apps[] | select(.name == "wallet") | .rolled_back.reason')" == "wallet: not running and healthy in time"* ]]
	[ "$(json '.apps[] | select(.name == "node") | .rolled_back')" = null ]
	run "$CTL" status wallet
	[[ "$output" == *"rolled back at 2026-11-27T12:00:00Z: main localhost/archy-standin:9 -> localhost/archy-standin:1"* ]]
	# a damaged record, or one of another app, is not shown
	sed -i 's/^app=wallet/app=node/' "$T/apply/rolled-back/wallet"
	status_json
	[ "$(json '.apps[] | select(.name == "wallet") | .rolled_back')" = null ]
	printf 'garbage\n' >"$T/apply/rolled-back/wallet"
	status_json
	[ "$status" -eq 0 ]
	[ "$(json '.apps[] | select(.name == "wallet") | .rolled_back')" = null ]
}

@test "a pull under way in archyctl apply: listed in pulls while the apply lives (an app not installed yet too), not once it is gone" {
	mkdir -p "$T/apply/pulling"
	# archyctl apply's note (ctl/io/apply-images.c): PART IMAGE SINCE PID, here a live process
	sleep 60 &
	local puller=$!
	echo "main localhost/archy-standin:9 1795780800 $puller" >"$T/apply/pulling/ghost"
	fake_systemd
	status_json
	[ "$status" -eq 0 ]
	[ "$(json .verdict)" = ok ]
	[ "$(json '.pulls[] | "\(.app) \(.container) \(.image) \(.since) \(.since_unix)"')" = \
		"ghost main localhost/archy-standin:9 2026-11-27T12:00:00Z 1795780800" ]
	run "$CTL" status
	[[ "$output" == *"pulling:   ghost/main localhost/archy-standin:9 since 2026-11-27T12:00:00Z (archyctl apply)"* ]]
	# status APP lists only APP's
	run "$CTL" status --json wallet
	[ "$(printf '%s\n' "$output" | jq -c .pulls)" = "[]" ]
	# the apply that wrote it is gone (a crash mid-pull): not shown
	kill "$puller"
	wait "$puller" || true
	status_json
	[ "$(jq -c .pulls "$T/out.json")" = "[]" ]
}

@test "a container with a health check and no Notify=healthy: health from podman's health log, through the cid file" {
	cid=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	# give the indexer a health check (no part waits for it: no Notify=healthy)
	sed -i '/^  indexer:/,/^  [a-z]*:$/ s/^\(        image: .*\)$/\1\n        health: {cmd: "true", interval: 10s}/' "$T/manifest.yaml"
	grep -q 'health: {cmd' "$T/manifest.yaml"
	printf '%s' "$cid" >"$T/run/archy-indexer.cid"
	mkdir -p "$T/storage/overlay-containers/$cid/userdata"
	printf '{"Status":"unhealthy","FailingStreak":4,"Log":[{"Start":"x","End":"y","ExitCode":1,"Output":""}]}' \
		>"$T/storage/overlay-containers/$cid/healthcheck.log"
	fake_systemd
	status_json
	[ "$status" -eq 0 ]
	[ "$(json '.apps[2].units[0] | "\(.health) \(.health_source) \(.failing_streak)"')" = "unhealthy healthcheck-log 4" ]
	[ "$(json .verdict)" = degraded ]
	printf '{"Status":"healthy","FailingStreak":0,"Log":[]}' >"$T/storage/overlay-containers/$cid/healthcheck.log"
	status_json
	[ "$(json '.apps[2].units[0].health')" = healthy ]
	[ "$(json .verdict)" = ok ]
	rm "$T/run/archy-indexer.cid"
	status_json
	[ "$(json '.apps[2].units[0] | "\(.health) \(.health_source)"')" = "unknown null" ]
}

@test "no podman process is started (a podman on PATH that would leave a mark is never run)" {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\ntouch %s/podman-ran\n' "$T" >"$T/bin/podman"
	chmod +x "$T/bin/podman"
	fake_systemd
	PATH=$T/bin:$PATH status_json
	[ "$status" -eq 0 ]
	[ ! -e "$T/podman-ran" ]
	if command -v strace >/dev/null; then
		strace -f -qq -e trace=execve -o "$T/trace" "$CTL" status --json >/dev/null
		[ "$(grep -c execve "$T/trace")" -eq 1 ]
	fi
}

# ---- a rootless node (archy-manifest(5) NODE) ----

@test "rootless node: --json and the text name the mode and the apps user; the apps come from the bus" {
	getent passwd nobody >/dev/null || skip "no user nobody"
	sed -i -e '/^version: 1$/a node: {mode: rootless, user: nobody}' -e '/kind: containers-conf/d' "$T/manifest.yaml"
	printf 'nobody:524288:65536\n' >"$T/subuid"
	export ARCHY_SUBUID_FILE=$T/subuid ARCHY_SUBGID_FILE=$T/subuid
	fake_systemd
	status_json
	[ "$status" -eq 0 ]
	[ "$(json '.node.mode + " " + .node.user')" = "rootless nobody" ]
	[ "$(json '.apps[] | select(.name == "node") | .units[0].active_state')" = active ]
	run "$CTL" status
	[[ "$output" == *"node:      rootless (apps run as nobody)"* ]]
	# the default node: rootful, root
	sed -i '/^node: /d' "$T/manifest.yaml"
	status_json
	[ "$(json '.node.mode + " " + .node.user')" = "rootful root" ]
}

@test "rootless node whose apps user is missing: exit 1, says to create it, systemd not asked" {
	sed -i -e '/^version: 1$/a node: {mode: rootless, user: archy-no-such-user}' -e '/kind: containers-conf/d' \
		"$T/manifest.yaml"
	fake_systemd
	run "$CTL" status --json
	[ "$status" -eq 1 ]
	[[ "$output" == *"no user archy-no-such-user (node.user): create it with archy-setup-rootless"* ]]
	[ -z "$(grep ListUnitsByPatterns "$T/calls" 2>/dev/null)" ]
}
