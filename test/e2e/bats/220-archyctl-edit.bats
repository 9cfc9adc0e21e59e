#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl stop, start, restart, uninstall, install --from and uninstall --purge (archyctl(8)) on
# the e2e node, checked against systemd and podman: each an edit of the installed manifest that
# keeps its comments (only the state line differs), carried out by apply. The indexer is the app
# edited: it requires the node and nothing requires it.
load helpers

APPLY_STATE=/var/lib/archipelago/apply
VOLUME=archy-indexer-indexer-data
ENV_FILE=/run/archipelago/env/indexer.env

setup_file() {
	settle
}

# Back to the pristine node (apply runs archy-derive.service before it starts an app, so the
# files a purge removed are derived again).
teardown_file() {
	archyctl apply --no-wait "$PRISTINE" >&2 || true
	settle
}

# archyctl VERB ARGS..., its output kept for the test's log.
ctl() {
	run archyctl "$@"
	echo "archyctl $* -> $status" >&2
	echo "$output" >&2
}

# The installed manifest differs from the pristine one in exactly one line, the indexer's state,
# which now reads $1 (every comment and every other byte kept).
only_state_line() {
	local changed
	changed=$(diff "$PRISTINE" "$MANIFEST" | grep -c '^[<>]' || true)
	[ "$changed" -eq 2 ] || {
		diff "$PRISTINE" "$MANIFEST" >&2
		return 1
	}
	diff "$PRISTINE" "$MANIFEST" | grep -qx "> *state: $1"
	[ "$(awk '/^  indexer:$/ { getline; print }' "$MANIFEST")" = "    state: $1" ]
	grep -c '^ *#' "$PRISTINE" | cmp - <(grep -c '^ *#' "$MANIFEST")
}

@test "indexer | archyctl stop | container gone, unit inactive, data volume kept, one line of the manifest changed" {
	app_podman exec archy-indexer sh -c 'echo indexer-before-edit > /data/e2e-uninstall-marker'
	record_ids "$BATS_FILE_TMPDIR/before"
	ctl stop indexer --timeout 120
	[ "$status" -eq 0 ]
	[[ $output == *"indexer"*"stop"*"started -> stopped"* ]]
	[[ $output == *"done: converged"* ]]
	assert_stopped indexer
	assert_data_kept indexer indexer-before-edit
	only_state_line stopped
	assert_same_container node "$BATS_FILE_TMPDIR/before"
	assert_same_container wallet "$BATS_FILE_TMPDIR/before"
	[ ! -e "$APPLY_STATE/journal" ]
}

@test "indexer | archyctl stop again | already stopped: exit 0, nothing written" {
	cp "$MANIFEST" "$BATS_TEST_TMPDIR/before.yaml"
	local mtime
	mtime=$(stat -c %Y.%N "$MANIFEST")
	ctl stop indexer
	[ "$status" -eq 0 ]
	[[ $output == *"indexer is already stopped: nothing to do"* ]]
	cmp "$MANIFEST" "$BATS_TEST_TMPDIR/before.yaml"
	[ "$(stat -c %Y.%N "$MANIFEST")" = "$mtime" ]
}

@test "notes | archyctl restart | of a stopped app: exit 1, says so, nothing changed" {
	ctl restart notes
	[ "$status" -eq 1 ]
	[[ $output == *"notes is not started: nothing to restart"* ]]
	assert_stopped notes
}

@test "indexer | archyctl start | up again on its data; the manifest is the pristine one byte for byte" {
	ctl start indexer --timeout 120
	[ "$status" -eq 0 ]
	assert_up indexer
	[ "$(app_podman exec archy-indexer cat /data/e2e-uninstall-marker)" = indexer-before-edit ]
	cmp "$MANIFEST" "$PRISTINE"
}

@test "indexer | archyctl restart | a new container and a new ActiveEnterTimestamp, the others untouched" {
	record_ids "$BATS_FILE_TMPDIR/before"
	local since
	since=$(app_systemctl show -p ActiveEnterTimestampMonotonic --value archy-indexer.service)
	ctl restart indexer --timeout 120
	[ "$status" -eq 0 ]
	[[ $output == *"indexer"*"restart"*"restart: archy-indexer.service"* ]]
	assert_up indexer
	[ "$(cid indexer)" != "$(recorded_id indexer "$BATS_FILE_TMPDIR/before")" ]
	[ "$(app_systemctl show -p ActiveEnterTimestampMonotonic --value archy-indexer.service)" -gt "$since" ]
	assert_same_container node "$BATS_FILE_TMPDIR/before"
	assert_same_container wallet "$BATS_FILE_TMPDIR/before"
	assert_same_container wallet-ui "$BATS_FILE_TMPDIR/before"
	cmp "$MANIFEST" "$PRISTINE"
}

@test "all | archyctl stop | an unknown app: exit 1, the nearest name suggested, nothing changed" {
	ctl stop indexr
	[ "$status" -eq 1 ]
	[[ $output == *'no app "indexr" (did you mean "indexer"?)'* ]]
	cmp "$MANIFEST" "$PRISTINE"
}

@test "indexer | archyctl uninstall | units gone, volume kept, the definition stays (state uninstalled)" {
	ctl uninstall indexer --timeout 120
	[ "$status" -eq 0 ]
	assert_gone indexer
	assert_data_kept indexer indexer-before-edit
	only_state_line uninstalled
}

@test "indexer | archyctl install --from | back from the pristine manifest, on its old data" {
	ctl install indexer --from "$PRISTINE" --timeout 120
	[ "$status" -eq 0 ]
	[[ $output == *"indexer"*"install"*"uninstalled -> started"* ]]
	assert_up indexer
	[ "$(app_podman exec archy-indexer cat /data/e2e-uninstall-marker)" = indexer-before-edit ]
	cmp "$MANIFEST" "$PRISTINE"
}

@test "indexer | archyctl uninstall --purge | refused without --yes off a terminal: exit 2, nothing done" {
	ctl uninstall indexer --purge </dev/null
	[ "$status" -eq 2 ]
	[[ $output == *"give --yes"* ]]
	assert_up indexer
	cmp "$MANIFEST" "$PRISTINE"
	app_podman volume exists "$VOLUME"
}

@test "indexer | archyctl uninstall --purge --yes | units, volume and derived file gone; the secret kept" {
	local secret
	secret=$(rpc_password)
	[ -e "$ENV_FILE" ]
	ctl uninstall indexer --purge --yes --timeout 120
	[ "$status" -eq 0 ]
	[[ $output == *"purge indexer: removed volumes: $VOLUME"* ]]
	assert_gone indexer
	run app_podman volume exists "$VOLUME"
	[ "$status" -ne 0 ]
	[ ! -e "$ENV_FILE" ]
	[ "$(rpc_password)" = "$secret" ]
	[ ! -e "$APPLY_STATE/purge-indexer" ]
	only_state_line uninstalled
	assert_up node
	assert_up wallet
}

@test "indexer | archyctl install --from after the purge | its derived file written again before it starts, on a new empty volume" {
	[ ! -e "$ENV_FILE" ]
	ctl install indexer --from "$PRISTINE" --timeout 120
	[ "$status" -eq 0 ]
	[ -e "$ENV_FILE" ]
	assert_up indexer
	app_podman volume exists "$VOLUME"
	cmp "$MANIFEST" "$PRISTINE"
}

@test "indexer | archyctl uninstall --purge killed once the uninstall is installed | apply --resume (the boot's archy-apply-resume) finishes the purge" {
	[ -e "$ENV_FILE" ]
	app_podman volume exists "$VOLUME"
	ARCHY_APPLY_CRASH_AFTER=installed ctl uninstall indexer --purge --yes --timeout 120
	[ "$status" -eq 137 ]
	# Killed between the uninstall and the purge: the marker says a purge is owed, the data is there.
	[ "$(cat "$APPLY_STATE/purge-indexer")" = indexer ]
	app_podman volume exists "$VOLUME"
	ctl apply --resume --timeout 120
	[ "$status" -eq 0 ]
	[[ $output == *"finishing the purge of indexer"* ]]
	assert_gone indexer
	run app_podman volume exists "$VOLUME"
	[ "$status" -ne 0 ]
	[ ! -e "$ENV_FILE" ]
	[ ! -e "$APPLY_STATE/purge-indexer" ]
	[ ! -e "$APPLY_STATE/journal" ]
	only_state_line uninstalled
}

@test "indexer | a purge owed for an app installed again | apply --resume drops it with a warning, the new data kept" {
	ctl install indexer --from "$PRISTINE" --timeout 120
	[ "$status" -eq 0 ]
	app_podman exec archy-indexer sh -c 'echo after-reinstall > /data/e2e-purge-marker'
	# What a crash before the first purge's end would leave (the marker is written first).
	echo indexer >"$APPLY_STATE/purge-indexer"
	ctl apply --resume --timeout 120
	[ "$status" -eq 0 ]
	[[ $output == *"purge indexer abandoned: the app is started"* ]]
	[ ! -e "$APPLY_STATE/purge-indexer" ]
	assert_up indexer
	[ "$(app_podman exec archy-indexer cat /data/e2e-purge-marker)" = after-reinstall ]
	cmp "$MANIFEST" "$PRISTINE"
}
