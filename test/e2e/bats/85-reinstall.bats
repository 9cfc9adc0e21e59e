# SPDX-License-Identifier: LGPL-2.1-or-later
# Reinstall (uninstalled -> started, applied: daemon-reload, then start archy-apps.target): the app
# comes back on the data it left behind; applying the same manifest again changes nothing.
load helpers

setup_file() {
	record_ids "$BATS_FILE_TMPDIR/before"
	apply_manifest "$PRISTINE"
	systemctl start archy-apps.target
}

@test "indexer | reinstall | back up and connected to node" {
	assert_up indexer
}

@test "indexer | reinstall | finds the data it had before the uninstall" {
	[ "$(podman exec archy-indexer cat /data/e2e-uninstall-marker)" = written-before-uninstall ]
}

@test "indexer | reinstall | idempotent: applying again keeps every container" {
	record_ids "$BATS_FILE_TMPDIR/after"
	apply_manifest "$PRISTINE"
	systemctl start archy-apps.target
	sleep 2
	record_ids "$BATS_FILE_TMPDIR/again"
	diff "$BATS_FILE_TMPDIR/after" "$BATS_FILE_TMPDIR/again"
}

untouched() {
	[ "$(cid "$1")" = "$(recorded_id "$1" "$BATS_FILE_TMPDIR/before")" ]
}
@test "node | reinstall-other | untouched by the reinstall of indexer" { untouched node; }
@test "wallet | reinstall-other | untouched by the reinstall of indexer" { untouched wallet; }
