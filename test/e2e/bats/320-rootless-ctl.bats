# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl, archy-reconcile and the metrics on a rootless node (archyctl(8) and archy-reconcile(8),
# ROOTLESS NODE), run as root as the node's daemon runs them: `archyctl status --json` names the
# mode and the apps user and shows the apps running in the user's manager; `archyctl apply` of a
# manifest change stops and starts a user unit (and the system manager never has one); an app
# systemd (the user's) gave up on is started again by archy-reconcile in the user manager, its
# restart counted in status; the system's archy-reconcile skips a rootless node; the metrics say
# the mode. Rootless layer only (plan rootless), after 10-install.bats. The app acted on: indexer.
load helpers

DRAFTS=/var/lib/archy-e2e/archyctl
APP=indexer
DROPIN_DIR=/run/user/$APPS_UID/systemd/user/archy-$APP.service.d

setup_file() {
	rootless || return 0
	install -d -m755 "$DRAFTS"
	wait_for 90 no_jobs
	assert_up "$APP" 90
	# The user's timer would act between this file's steps: held for it.
	app_systemctl stop archy-reconcile.timer || true
}

teardown_file() {
	rootless || return 0
	rm -rf "$DROPIN_DIR"
	app_systemctl daemon-reload || true
	app_systemctl reset-failed || true
	archyctl apply --no-wait "$PRISTINE" >&2 || true
	app_systemctl start archy-apps.target || true
	app_systemctl start archy-reconcile.timer || true
	wait_for 90 no_jobs || true
}

# One member of JSON on stdin, by a Python expression over d.
jfield() {
	python3 -c 'import json, sys
v = eval(sys.argv[1], {"d": json.load(sys.stdin)})
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}


@test "rootless | archyctl status --json | the node's mode and apps user; each app unit's state the user manager's" {
	rootless || skip "the rootless layer's"
	run archyctl status --json
	echo "$output" >&2
	[ "$(jfield 'd["node"]["mode"] + " " + d["node"]["user"]' <<<"$output")" = "rootless $APPS_USER" ]
	[ "$status" -eq 0 ] || [ "$status" -eq 5 ] # attention: an app not up is status's to report
	local app unit
	for app in "${STARTED[@]}"; do
		unit=$(unit_of "$app")
		[ "$(jfield "[u for a in d['apps'] for u in a['units'] if u['unit'] == '$unit'][0]['active_state']" <<<"$output")" = "$(app_systemctl show -p ActiveState --value "$unit")" ]
	done
	[ "$(jfield "[u for a in d['apps'] for u in a['units'] if u['unit'] == 'archy-$APP.service'][0]['active_state']" <<<"$output")" = active ]
	# the app units are the user manager's only
	[ "$(systemctl show -p LoadState --value archy-node.service)" = not-found ]
	run archyctl status
	[[ $output == *"node:      rootless (apps run as $APPS_USER)"* ]]
}

@test "rootless | archyctl apply | indexer stopped: a user unit stopped, container gone; apply of the pristine: started again" {
	rootless || skip "the rootless layer's"
	run archyctl apply --timeout 120 "$(states "$APP=stopped")"
	echo "$output" >&2
	[[ $output == *"$APP"*"stop"* ]]
	assert_stopped "$APP"
	# the apply's lock and state directory are readable by the apps user's archy-reconcile
	[ "$(stat -c %a /var/lib/archipelago/apply)" = 755 ]
	[ "$(stat -c %a /var/lib/archipelago/apply/lock)" = 644 ]
	run archyctl apply --no-wait "$PRISTINE"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	assert_up "$APP"
	cmp "$PRISTINE" "$MANIFEST"
}

@test "rootless | archy-reconcile as root | its timer masked; by hand, skipped: the apps are the user manager's (exit 0)" {
	rootless || skip "the rootless layer's"
	# its timer never fires here: the system generator masked it for this boot
	[ "$(systemctl show -p LoadState --value archy-reconcile.timer)" = masked ]
	run archy-reconcile --json
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ $output == *'{"result": "skipped", "actions": 0}'* ]]
	# as root, --dry-run does reconcile there (the user's manager and podman): it reports, not skips
	run archy-reconcile --dry-run --json
	echo "$output" >&2
	[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
	[[ $output == *'{"result": "nothing-to-do", '* || $output == *'{"result": "work-found", '* ]]
}

@test "rootless | archy-reconcile in the user manager | indexer, given up on by the user's systemd, started again, counted in status" {
	rootless || skip "the rootless layer's"
	local before
	before=$(archyctl status --json | jfield "[a for a in d['apps'] if a['name'] == '$APP'][0]['reconcile']['restarts']")
	app_systemctl stop archy-reconcile.timer archy-reconcile.service
	forget_restart_streak "$APP" # 230's restart of it: this one is immediate, not after a backoff
	give_up_on "$APP"
	# the user unit: archy-reconcile --user, as the apps user
	[ "$(app_systemctl show -p LoadState --value archy-reconcile.service)" = loaded ]
	app_systemctl start archy-reconcile.service
	app_journalctl -u archy-reconcile.service -n 20 --no-pager >&2
	[ "$(app_systemctl show -p Result --value archy-reconcile.service)" = success ]
	assert_up "$APP"
	app_systemctl start archy-reconcile.timer
	# its state under the user's home, read by status by mode
	[ -s "$APPS_HOME/.local/state/archipelago/reconcile/state.json" ]
	[ "$(stat -c %U "$APPS_HOME/.local/state/archipelago/reconcile/state.json")" = "$APPS_USER" ]
	archyctl status --json | python3 -c 'import json, sys
a = [a for a in json.load(sys.stdin)["apps"] if a["name"] == sys.argv[2]][0]["reconcile"]
assert a["restarts"] == int(sys.argv[1]) + 1, a
assert "systemd gave up on archy-" + sys.argv[2] + ".service" in a["last_reason"], a' "$before" "$APP"
}

@test "rootless | archyctl status --prometheus | archy_node_info names the mode and user; the user manager's helpers reported" {
	rootless || skip "the rootless layer's"
	run archyctl status --prometheus
	echo "$output" >&2
	grep -qx "archy_node_info{mode=\"rootless\",user=\"$APPS_USER\"} 1" <<<"$output"
	[ "$(grep -c '^archy_node_info' <<<"$output")" -eq 1 ]
	# archy-reconcile ran in the user manager (the test above): its helper series come from there
	grep -qx 'archy_helper_last_run_success{helper="reconcile"} 1' <<<"$output"
	# and archy-derive, the system's, from the system manager
	grep -q '^archy_helper_last_run_success{helper="derive"} ' <<<"$output"
}
