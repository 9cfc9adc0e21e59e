# SPDX-License-Identifier: LGPL-2.1-or-later
# FM5: an update of the node's web front end, verified by archy-verify-ota the way the updater
# runs it after restarting into the new release: a good release is committed and its backups are
# left alone; a release that answers 500 is rolled back, the previous binary and web UI are in
# place again and the front end answers 200.
load helpers

@test "web | ota-good | a release that answers 200 is committed; backups untouched; the marker is closed" {
	wait_for 30 serves 1.3.2
	apply_update 1.4.0 200 30
	wait_for 20 serves 1.4.0
	run archy-verify-ota
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ota_phase)" = committed ]
	[ ! -e "$OTA_MARKER" ]
	[ "$(served_release)" = 1.4.0 ]
	[ "$(ui_release)" = 1.4.0 ]
	grep -q 'archipelago 1.3.2' "$WEB_BIN.bak"
	grep -qx 'web ui 1.3.2' "$WEB_UI.bak/index.html"
	run archy-verify-ota --status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"state: committed"* ]]
}

@test "web | ota-bad | a release that answers 500 is rolled back: old binary and web UI in place, healthy again" {
	apply_update 1.5.0 500 10
	wait_for 20 front_end_status 500
	run archy-verify-ota
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$(ota_phase)" = rolled-back ]
	[ ! -e "$OTA_MARKER" ]
	grep -q 'archipelago 1.4.0' "$WEB_BIN"
	grep -qx 'web ui 1.4.0' "$WEB_UI/index.html"
	# the bad release is kept under the backup names, for whoever looks into it
	grep -q 'archipelago 1.5.0' "$WEB_BIN.bak"
	[ "$(systemctl is-active archipelago-web.service)" = active ]
	wait_for 20 serves 1.4.0
	[ "$(ui_release)" = 1.4.0 ]
	journalctl --no-pager -o verbose ARCHY_OTA_RESULT=rolled-back ARCHY_OTA_NEW_VERSION=1.5.0 | grep -q 'ARCHY_OTA_LAST_STATUS=500'
	run archy-verify-ota --status
	[ "$status" -eq 4 ]
	[[ "$output" == *"state: rolled-back"* ]]
}

@test "web | ota-crash | killed right before the restart of a rollback, the next run restarts and ends healthy" {
	apply_update 1.5.1 500 5
	wait_for 20 front_end_status 500
	ARCHY_VERIFY_OTA_CRASH_AT=restart-before run archy-verify-ota
	[ "$status" -eq 137 ]
	[ "$(ota_phase)" = rolling-back ]
	# the files are the previous release already; the running process is still the bad one
	grep -q 'archipelago 1.4.0' "$WEB_BIN"
	front_end_status 500
	run archy-verify-ota
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$(ota_phase)" = rolled-back ]
	wait_for 20 serves 1.4.0
}
