# SPDX-License-Identifier: LGPL-2.1-or-later
# Reinstall (uninstalled -> started, applied through archyctl apply, which starts archy-apps.target
# and waits for every app it installs): every app comes back on the data it left behind; applying
# the same manifest again changes nothing.
load helpers

setup_file() {
	archyctl_apply "$PRISTINE"
}

has_marker() { [ "$(app_podman exec "archy-$1" cat /data/e2e-uninstall-marker)" = "$1-before-uninstall" ]; }

@test "node | reinstall | back up, on the data it had before the uninstall" {
	assert_up node
	has_marker node
}
@test "node-ui | reinstall | back up and answers" { assert_up node-ui; }
@test "wallet | reinstall | back up, connected, on the data it had before the uninstall" {
	assert_up wallet
	has_marker wallet
}
@test "wallet-ui | reinstall | back up and answers" { assert_up wallet-ui; }
@test "indexer | reinstall | back up, connected, on the data it had before the uninstall" {
	assert_up indexer
	has_marker indexer
}
@test "notes | reinstall | back as a stopped app: unit there, not started" {
	[ "$(app_systemctl show -p LoadState --value archy-notes.service)" = loaded ]
	[ "$(app_systemctl is-active archy-notes.service)" = inactive ]
}

@test "all | reinstall | idempotent: applying the same manifest again keeps every container" {
	record_ids "$BATS_FILE_TMPDIR/after"
	run archyctl_apply "$PRISTINE"
	echo "$output"
	[ "$status" -eq 0 ]
	wait_for 30 no_jobs
	record_ids "$BATS_FILE_TMPDIR/again"
	diff "$BATS_FILE_TMPDIR/after" "$BATS_FILE_TMPDIR/again"
}

@test "all | reinstall | six manifests applied within seconds: the last good copy still follows the manifest" {
	local i
	# Six different manifests (an apply of the very bytes installed writes nothing): each one is
	# installed, reloaded and archy-apps.target started again by archyctl apply.
	for i in 1 2 3 4 5 6; do
		{ cat "$PRISTINE" && echo "# e2e-rapid-apply $i"; } >"$BATS_TEST_TMPDIR/rapid.yaml"
		archyctl_apply --no-wait "$BATS_TEST_TMPDIR/rapid.yaml"
		grep -qx "# e2e-rapid-apply $i" "$MANIFEST"
	done
	# systemd's default start limit (5 in 10 s) once failed archy-manifest-save and its path unit,
	# archy-derive and archy-podman-repair (archy-apps.target wants all three)
	wait_for 30 no_jobs
	[ "$(systemctl is-active archy-manifest-save.path)" = active ]
	local unit
	for unit in archy-manifest-save archy-derive archy-podman-repair; do
		if systemctl is-failed --quiet "$unit.service"; then
			systemctl status --no-pager "$unit.service" >&2
			false
		fi
	done
	sed 's/^# e2e-last-good-probe.*//' "$PRISTINE" >"$BATS_TEST_TMPDIR/m.yaml"
	echo "# e2e-last-good-probe $$" >>"$BATS_TEST_TMPDIR/m.yaml"
	archyctl_apply "$BATS_TEST_TMPDIR/m.yaml"
	wait_for 30 grep -q "e2e-last-good-probe $$" /etc/archipelago/manifest.last-good.yaml
	archyctl_apply "$PRISTINE"
	wait_for 30 cmp -s /etc/archipelago/manifest.last-good.yaml "$PRISTINE"
}
