# SPDX-License-Identifier: LGPL-2.1-or-later
# daemon-reload re-runs archy-generator (rootless: the system's and the apps user's manager's, each
# running its generator) and must leave running containers alone; a manifest edit
# of one app's part, applied through archyctl apply (as the daemon does: it restarts the units whose
# rendered text changed), must change that part and leave every other container untouched.
load helpers

setup_file() {
	record_ids "$BATS_FILE_TMPDIR/before-reload"
	for app in "${STARTED[@]}"; do
		pid_of "$app"
	done >"$BATS_FILE_TMPDIR/pids-before-reload"
	systemctl daemon-reload
	if rootless; then app_systemctl daemon-reload; fi
	# Anything the reload would (wrongly) restart is queued as a job: wait until none is left.
	wait_for 30 no_jobs
}

# The pristine manifest back: archyctl restarts wallet-ui without the edit.
teardown_file() { archyctl_apply "$PRISTINE"; }

same_after_reload() {
	local app=$1 i=0 pid
	assert_same_container "$app" "$BATS_FILE_TMPDIR/before-reload"
	for a in "${STARTED[@]}"; do
		i=$((i + 1))
		[ "$a" = "$app" ] && pid=$(sed -n "${i}p" "$BATS_FILE_TMPDIR/pids-before-reload")
	done
	[ "$(pid_of "$app")" = "$pid" ]
}

@test "node | daemon-reload | same container and PID, still answers" { same_after_reload node; }
@test "node-ui | daemon-reload | same container and PID, still answers" { same_after_reload node-ui; }
@test "wallet | daemon-reload | same container and PID, still connected" { same_after_reload wallet; }
@test "wallet-ui | daemon-reload | same container and PID, still answers" { same_after_reload wallet-ui; }
@test "indexer | daemon-reload | same container and PID, still connected" { same_after_reload indexer; }

@test "wallet-ui | edit | an edited app restarts with the edit (new env) and answers" {
	local edited
	record_ids "$BATS_FILE_TMPDIR/before-edit"
	edited=$(mktemp /tmp/manifest.XXXXXX)
	sed 's|^        ports: \["127.0.0.1:18082:80"\]$|&\n        env: {EDITED: "yes"}|' "$PRISTINE" >"$edited"
	grep -q EDITED "$edited"
	run archyctl_apply --json "$edited"
	echo "$output"
	[ "$status" -eq 0 ]
	# the plan restarts the edited part's unit, and no other
	printf '%s\n' "$output" | grep '^{"event":"plan"' | python3 -c '
import json, sys
p = json.loads(sys.stdin.read())
restart = sorted(s for a in p["apps"] for s in a["restart"])
assert restart == ["archy-wallet-ui.service"], restart
'
	app_systemctl cat archy-wallet-ui.service | grep -q 'EDITED=yes'
	assert_up wallet-ui
	restarted_since wallet-ui "$(recorded_id wallet-ui "$BATS_FILE_TMPDIR/before-edit")"
	app_podman exec archy-wallet-ui env | grep -qx EDITED=yes
}

untouched_by_edit() {
	assert_same_container "$1" "$BATS_FILE_TMPDIR/before-edit"
	! app_podman exec "archy-$1" env | grep -q EDITED || false
}

@test "node | edit-other | untouched by the edit of wallet-ui (same container)" { untouched_by_edit node; }
@test "node-ui | edit-other | untouched by the edit of wallet-ui (same container)" { untouched_by_edit node-ui; }
@test "wallet | edit-other | untouched by the edit of its own UI (same container)" { untouched_by_edit wallet; }
@test "indexer | edit-other | untouched by the edit of wallet-ui (same container)" { untouched_by_edit indexer; }
