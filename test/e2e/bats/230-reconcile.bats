# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-reconcile (archy-reconcile(8)) on the e2e node: its timer enabled by the install; an orphan
# container (archy's labels, an app the manifest does not have) removed; a container started by
# hand for the stopped app notes stopped, and a unit started by hand for it stopped through
# systemd; the indexer, failed by systemd's start limit, started again, its restart counted in
# `archyctl status --json`; and a run right after with nothing to do: no podman process, the state
# file not rewritten. Runs after 10-install.bats and 200-archyctl-apply.bats (plan reconcile), in
# both modes (plan rootless): on a rootless node archy-reconcile --user runs as the apps user, in
# its manager and with its podman, as its user unit runs it (archy-reconcile(8), ROOTLESS NODE).
load helpers

setup_file() {
	settle
	# The timer would act between a test's dry run and its run: held for this file, its state kept.
	app_systemctl is-active archy-reconcile.timer >"$BATS_FILE_TMPDIR/timer-was" || true
	# its first run is due a minute after the timer started (OnActiveSec=1min), an apply's sooner
	wait_for 75 reconcile_ran || true
	app_systemctl stop archy-reconcile.timer
	# A podman that counts its calls, for the idle run, where the user that runs reconcile can
	# run it and write its record.
	WRAP_DIR=$(mktemp -d /tmp/archy-e2e-podman.XXXXXX)
	chmod 755 "$WRAP_DIR"
	if rootless; then chown "$APPS_USER" "$WRAP_DIR"; fi
	echo "$WRAP_DIR" >"$BATS_FILE_TMPDIR/wrap-dir"
	cat >"$WRAP_DIR/podman" <<-WRAP
		#!/bin/sh
		echo "\$*" >>"$WRAP_DIR/podman-calls"
		exec /usr/bin/podman "\$@"
	WRAP
	chmod 755 "$WRAP_DIR/podman"
}
wrap_dir() { cat "$BATS_FILE_TMPDIR/wrap-dir"; }
reconcile_ran() { [ "$(app_systemctl show -p ExecMainStartTimestampMonotonic --value archy-reconcile.service)" != 0 ]; }

teardown_file() {
	rm -rf "$(wrap_dir)"
	app_podman rm -f --ignore archy-stray archy-notes >/dev/null 2>&1 || true
	app_systemctl stop archy-notes.service || true
	app_systemctl reset-failed || true
	app_systemctl start archy-apps.target
	app_systemctl start archy-reconcile.timer
	settle
}

# archy-reconcile ARGS with its output kept for the test's log; sets status and output. Rootless,
# as the apps user with --user, as its user unit runs it (the environment, ARCHY_PODMAN included,
# passes through).
reconcile() {
	if rootless; then
		run "${AS_APPS_USER[@]}" archy-reconcile --user "$@"
	else
		run archy-reconcile "$@"
	fi
	echo "archy-reconcile $* -> $status" >&2
	echo "$output" >&2
}


# The JSON action lines of the last output as "action target app", one per line.
actions() {
	printf '%s\n' "$output" | python3 -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if "action" in r:
        print(r["action"], r["target"], r["app"])'
}

# The summary line's result and count: "RESULT N".
summary() {
	printf '%s\n' "$output" | tail -n 1 | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["result"], r["actions"])'
}

@test "all | install | the timer is enabled and has run; archy's containers carry the labels reconcile finds them by" {
	# make install links it into timers.target.wants: started at every boot
	app_systemctl is-enabled archy-reconcile.timer >&2 || true
	[[ " $(app_systemctl show -p WantedBy --value archy-reconcile.timer) " == *" timers.target "* ]]
	[ "$(cat "$BATS_FILE_TMPDIR/timer-was")" = active ]
	[ "$(app_systemctl show -p LoadState --value archy-reconcile.service)" = loaded ]
	# every apply of 200 that converged started it, and the timer runs it every minute
	[ "$(app_systemctl show -p Result --value archy-reconcile.service)" = success ]
	[ "$(app_systemctl show -p ExecMainStartTimestampMonotonic --value archy-reconcile.service)" != 0 ]
	[ -s "$RECONCILE_STATE" ]
	if rootless; then [ "$(stat -c %U "$RECONCILE_STATE")" = "$APPS_USER" ]; fi
	[ "$(app_podman inspect --format '{{index .Config.Labels "archy.managed"}} {{index .Config.Labels "archy.app"}}' archy-wallet-ui)" = "true wallet" ]
}

@test "stray | orphan container | a container with archy's labels for an app not in the manifest: removed" {
	app_podman run -d --name archy-stray --label archy.managed=true --label archy.app=stray \
		localhost/archy-standin:1 httpd -f -p 80 -h /www >/dev/null
	reconcile --dry-run --json
	[ "$status" -eq 3 ]
	[ "$(actions)" = "remove-container archy-stray stray" ]
	[ "$(summary)" = "work-found 1" ]
	app_podman container exists archy-stray # a dry run changes nothing
	reconcile --json
	[ "$status" -eq 0 ]
	[ "$(actions)" = "remove-container archy-stray stray" ]
	[ "$(summary)" = "done 1" ]
	no_container stray
	settle # the apps were not touched
}

@test "notes | podman start by hand | the stopped app's container: stopped and removed, its unit still inactive" {
	app_podman create --name archy-notes --label archy.managed=true --label archy.app=notes --label archy.container=main \
		localhost/archy-standin:1 httpd -f -p 80 -h /www >/dev/null
	app_podman start archy-notes >/dev/null
	running notes
	reconcile --json
	[ "$status" -eq 0 ]
	[ "$(actions)" = "stop-container archy-notes notes" ]
	no_container notes
	[ "$(app_systemctl show -p ActiveState --value archy-notes.service)" = inactive ]
}

@test "notes | systemctl start by hand | the stopped app's unit: stopped through systemd" {
	app_systemctl start archy-notes.service
	assert_up notes
	reconcile --json
	[ "$status" -eq 0 ]
	[ "$(actions)" = "stop-unit archy-notes.service notes" ]
	assert_stopped notes
}

@test "indexer | systemd gave up (start limit) | started again; archyctl status --json counts the restart" {
	local before
	before=$(archyctl status --json | python3 -c 'import json, sys
print([a for a in json.load(sys.stdin)["apps"] if a["name"] == "indexer"][0]["reconcile"]["restarts"])')
	# every start fails, and a second start within 5 min is refused ("Start request repeated too
	# quickly"): failed, and systemd does not try again
	give_up_on indexer
	app_journalctl -u archy-indexer.service -n 5 --no-pager >&2
	reconcile --json
	[ "$status" -eq 0 ]
	[ "$(actions)" = "restart-app archy-indexer.service indexer" ]
	[[ $output == *"systemd gave up on archy-indexer.service"* ]]
	assert_up indexer
	archyctl status --json | python3 -c 'import json, sys
a = [a for a in json.load(sys.stdin)["apps"] if a["name"] == "indexer"][0]["reconcile"]
assert a["restarts"] == int(sys.argv[1]) + 1, a
assert "systemd gave up on archy-indexer.service" in a["last_reason"], a
assert a["next_retry_unix"] is not None, a' "$before"
}

@test "all | idle | a run right after does nothing: no podman process, the state file not rewritten" {
	settle
	# the run that records the apps as healthy again may write the file; the next one must not
	local wrap inode
	wrap=$(wrap_dir)
	ARCHY_PODMAN=$wrap/podman reconcile --json
	[ "$status" -eq 0 ]
	inode=$(stat -c '%i %Y' "$RECONCILE_STATE")
	rm -f "$wrap/podman-calls"
	ARCHY_PODMAN=$wrap/podman reconcile --json
	[ "$status" -eq 0 ]
	[ "$output" = '{"result": "nothing-to-do", "actions": 0}' ]
	[ ! -e "$wrap/podman-calls" ] || {
		cat "$wrap/podman-calls" >&2
		return 1
	}
	[ "$(stat -c '%i %Y' "$RECONCILE_STATE")" = "$inode" ]
	# a dry run asks podman, and finds nothing either
	ARCHY_PODMAN=$wrap/podman reconcile --dry-run --json
	[ "$status" -eq 0 ]
	[ "$(summary)" = "nothing-to-do 0" ]
	[ "$(wc -l <"$wrap/podman-calls")" = 3 ]
}
