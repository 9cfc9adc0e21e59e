# SPDX-License-Identifier: LGPL-2.1-or-later
# ctl_apply sets bats' status and output for the caller, as run does:
# shellcheck disable=SC2030,SC2031
# archyctl apply (archyctl(8)): every change of the e2e node made through it, checked against
# systemd and podman; then the SIGKILL loop: killed right after it persisted each phase of an
# install and of an uninstall (ARCHY_APPLY_CRASH_AFTER), `archyctl apply --resume` converges to
# the new state with nothing half done or orphaned; then two applies at once take turns.
load helpers

APPLY_STATE=/var/lib/archipelago/apply
# archyctl apply checks FILE as the installed manifest is checked (root's, in root's directories
# only): the manifests it is given live here, not in /tmp.
DRAFTS=/var/lib/archy-e2e/archyctl
PHASES=(planned stopped installed reloaded started waited)

setup_file() {
	install -d -m755 "$DRAFTS"
	settle
}

# archyctl apply FILE, its output kept for the test's log.
ctl_apply() {
	run archyctl apply --timeout 120 "$@"
	echo "archyctl apply $* -> $status" >&2
	echo "$output" >&2
}

# The pristine manifest with an extra env var in the indexer's main container: an edit.
edited_manifest() {
	local out
	out=$(mktemp "$DRAFTS/edited.XXXXXX")
	chmod 644 "$out"
	awk '{ print } $0 == "        env_files: [/run/archipelago/env/indexer.env]" { print "        env: {E2E_EDIT: \"1\"}" }' \
		"$PRISTINE" >"$out"
	grep -q E2E_EDIT "$out"
	archy-generator --check "$out" >&2
	echo "$out"
}

no_orphans() {
	# No archy container without its unit, no unit of a container that is gone.
	local c
	for c in $(app_podman ps -a --filter label=archy.managed=true --format '{{.Names}}'); do
		[ "$(app_systemctl show -p LoadState --value "$c.service")" = loaded ] || {
			echo "orphan container $c" >&2
			return 1
		}
	done
	[ -z "$(app_systemctl list-units --state=failed --no-legend --plain 'archy-*')" ] || {
		app_systemctl list-units --state=failed --no-legend --plain 'archy-*' >&2
		return 1
	}
}

journal_gone() { [ ! -e "$APPLY_STATE/journal" ] && [ ! -e "$APPLY_STATE/new.yaml" ]; }

@test "all | archyctl apply | the installed manifest again: nothing to do, every container kept" {
	record_ids "$BATS_FILE_TMPDIR/before"
	ctl_apply "$PRISTINE"
	[ "$status" -eq 0 ]
	[[ $output == *"done: converged"* ]]
	record_ids "$BATS_FILE_TMPDIR/after"
	diff "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	journal_gone
}

@test "wallet | archyctl uninstall | apply of uninstalled: no unit, no container, port released, data kept" {
	app_podman exec archy-wallet sh -c 'echo wallet-before-uninstall > /data/e2e-uninstall-marker'
	record_ids "$BATS_FILE_TMPDIR/before"
	ctl_apply "$(states wallet=uninstalled indexer=uninstalled)"
	[ "$status" -eq 0 ]
	[[ $output == *"wallet"*"uninstall"* ]]
	assert_gone wallet
	assert_gone wallet-ui
	assert_gone indexer
	assert_data_kept wallet wallet-before-uninstall
	assert_same_container node "$BATS_FILE_TMPDIR/before"
	assert_same_container node-ui "$BATS_FILE_TMPDIR/before"
	no_orphans
	journal_gone
}

@test "wallet | archyctl install | apply of the pristine manifest: back up, on its data, converged" {
	ctl_apply --json "$PRISTINE"
	[ "$status" -eq 0 ]
	# JSON lines: a plan, steps, apps, a result that says converged.
	printf '%s\n' "$output" | grep '^{' | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
assert ev[0]["event"] == "plan", ev[0]
assert [e["phase"] for e in ev if e["event"] == "step"] == ["planned", "stopped", "installed", "reloaded", "started", "waited"], ev
apps = {e["app"]: e["state"] for e in ev if e["event"] == "app"}
assert apps.get("wallet") == "running" and apps.get("indexer") == "running", apps
assert ev[-1] == {"event": "result", "converged": True, "exit": 0, "not_converged": [], "rolled_back": []}, ev[-1]
'
	assert_up wallet
	assert_up wallet-ui
	assert_up indexer
	[ "$(app_podman exec archy-wallet cat /data/e2e-uninstall-marker)" = wallet-before-uninstall ]
	cmp "$MANIFEST" "$PRISTINE"
	[ "$(stat -c '%u %g %a' "$MANIFEST")" = "0 0 644" ]
	no_orphans
}

@test "notes | archyctl start | apply of started: up; then stop: stopped cleanly" {
	ctl_apply "$(states notes=started)"
	[ "$status" -eq 0 ]
	assert_up notes
	ctl_apply "$PRISTINE"
	[ "$status" -eq 0 ]
	assert_stopped notes
	no_orphans
}

@test "indexer | archyctl edit | an env change restarts the indexer only" {
	record_ids "$BATS_FILE_TMPDIR/before"
	ctl_apply "$(edited_manifest)"
	[ "$status" -eq 0 ]
	[[ $output == *"indexer"*"restart"* ]]
	assert_up indexer
	[ "$(cid indexer)" != "$(recorded_id indexer "$BATS_FILE_TMPDIR/before")" ]
	# shellcheck disable=SC2016 # expanded by the container's shell
	app_podman exec archy-indexer sh -c 'test "$E2E_EDIT" = 1'
	assert_same_container node "$BATS_FILE_TMPDIR/before"
	assert_same_container wallet "$BATS_FILE_TMPDIR/before"
	ctl_apply "$PRISTINE"
	[ "$status" -eq 0 ]
	assert_up indexer
	no_orphans
}

@test "all | archyctl apply | refuses a manifest with problems: exit 3, nothing changed" {
	local bad=$DRAFTS/bad.yaml
	sed 's/^    state: started$/    state: sideways/' "$PRISTINE" >"$bad"
	chmod 644 "$bad"
	record_ids "$BATS_FILE_TMPDIR/before"
	ctl_apply "$bad"
	[ "$status" -eq 3 ]
	[[ $output == *"$bad:"*"state"* ]]
	[[ $output != *"writable by group or others"* ]]
	cmp "$MANIFEST" "$PRISTINE"
	record_ids "$BATS_FILE_TMPDIR/after"
	diff "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
}

@test "all | archyctl apply | an app that never gets running: exit 4 after its timeout, named with its unit's state" {
	local m=$DRAFTS/broken.yaml
	{
		cat "$PRISTINE"
		printf '  broken:\n    state: started\n    containers:\n      main:\n'
		printf '        image: localhost/archy-standin:1\n        command: [sh, -c, "exit 3"]\n'
	} >"$m"
	chmod 644 "$m"
	record_ids "$BATS_FILE_TMPDIR/before"
	ctl_apply --json --timeout 8 "$m"
	[ "$status" -eq 4 ]
	printf '%s\n' "$output" | grep '^{' | tail -n 1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["event"] == "result" and r["converged"] is False and r["exit"] == 4, r
assert [x["app"] for x in r["not_converged"]] == ["broken"], r
assert "archy-broken.service" in r["not_converged"][0]["detail"], r
'
	journal_gone
	ctl_apply "$PRISTINE"
	[ "$status" -eq 0 ]
	[[ $output == *"broken"*"uninstall"* ]]
	[ "$(app_systemctl show -p LoadState --value archy-broken.service)" = not-found ]
	no_container broken
	record_ids "$BATS_FILE_TMPDIR/after"
	diff "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	no_orphans
}

# Killed right after persisting $1, then resumed: the state of $2 reached, nothing left over.
crash_then_resume() {
	local phase=$1 target=$2
	ARCHY_APPLY_CRASH_AFTER=$phase ctl_apply "$target"
	[ "$status" -eq 137 ] || {
		echo "expected SIGKILL after $phase, got $status" >&2
		return 1
	}
	grep -qx "phase=$phase" "$APPLY_STATE/journal"
	ctl_apply --resume
	[ "$status" -eq 0 ]
	journal_gone
	cmp "$MANIFEST" "$target"
}

@test "wallet | archyctl crash | SIGKILL after each phase of an install, then --resume: installed, up, no orphan" {
	local uninstalled phase
	uninstalled=$(states wallet=uninstalled indexer=uninstalled)
	for phase in "${PHASES[@]}"; do
		echo "# install, killed after $phase" >&3
		ctl_apply "$uninstalled"
		[ "$status" -eq 0 ]
		crash_then_resume "$phase" "$PRISTINE"
		assert_up wallet
		assert_up wallet-ui
		assert_up indexer
		assert_up node
		no_orphans
	done
}

@test "wallet | archyctl crash | SIGKILL after each phase of an uninstall, then --resume: gone, no orphan" {
	local uninstalled phase
	uninstalled=$(states wallet=uninstalled indexer=uninstalled)
	for phase in "${PHASES[@]}"; do
		echo "# uninstall, killed after $phase" >&3
		ctl_apply "$PRISTINE"
		[ "$status" -eq 0 ]
		crash_then_resume "$phase" "$uninstalled"
		assert_gone wallet
		assert_gone wallet-ui
		assert_gone indexer
		assert_up node
		no_orphans
	done
	ctl_apply "$PRISTINE"
	[ "$status" -eq 0 ]
}

@test "all | archyctl crash | a killed apply is finished by the next apply, which then runs" {
	ARCHY_APPLY_CRASH_AFTER=stopped ctl_apply "$(states wallet=uninstalled indexer=uninstalled)"
	[ "$status" -eq 137 ]
	ctl_apply "$PRISTINE"
	[ "$status" -eq 0 ]
	[[ $output == *"resuming the apply of pid"* ]]
	journal_gone
	cmp "$MANIFEST" "$PRISTINE"
	assert_up wallet
	assert_up indexer
	no_orphans
}

@test "all | archyctl lock | two applies at once take turns, both converge" {
	local uninstalled
	uninstalled=$(states wallet=uninstalled indexer=uninstalled)
	archyctl apply "$uninstalled" >"$BATS_TEST_TMPDIR/a.out" 2>&1 &
	local a=$!
	sleep 0.3
	archyctl apply "$PRISTINE" >"$BATS_TEST_TMPDIR/b.out" 2>&1 &
	local b=$!
	wait "$a"
	wait "$b"
	cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out" >&2
	grep -q "waiting for another apply (pid $a)" "$BATS_TEST_TMPDIR/b.out"
	cmp "$MANIFEST" "$PRISTINE"
	assert_up wallet
	assert_up indexer
	no_orphans
}
