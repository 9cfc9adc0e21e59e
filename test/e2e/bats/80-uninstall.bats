# SPDX-License-Identifier: LGPL-2.1-or-later
# Uninstall (state: uninstalled, applied): no unit, no container, no published port left; the
# app's named volume and its data are kept (archy never deletes data; see archy-manifest(5));
# every other app untouched.
load helpers

setup_file() {
	assert_up indexer
	podman exec archy-indexer sh -c "echo written-before-uninstall > /data/e2e-uninstall-marker"
	record_ids "$BATS_FILE_TMPDIR/before"
	apply_manifest "$(manifest_with_state indexer uninstalled)"
	systemctl stop archy-indexer.service
}

@test "indexer | uninstall | no unit left" {
	[ "$(systemctl show -p LoadState --value archy-indexer.service)" = not-found ]
	[ ! -e /run/systemd/generator/archy-indexer.service ]
	! ls /run/systemd/generator/*.wants/archy-indexer* 2>/dev/null
	! ls /run/archy/quadlet/archy-indexer* 2>/dev/null
}

@test "indexer | uninstall | no container, port released" {
	! podman container exists archy-indexer
	[ -z "$(podman ps -aq --filter label=archy.app=indexer)" ]
	port_closed indexer
}

@test "indexer | uninstall | its named volume and data are kept" {
	podman volume exists archy-indexer-indexer-data
	grep -qx written-before-uninstall "$(podman volume inspect --format '{{.Mountpoint}}' archy-indexer-indexer-data)/e2e-uninstall-marker"
}

untouched() {
	assert_up "$1" 10
	[ "$(cid "$1")" = "$(recorded_id "$1" "$BATS_FILE_TMPDIR/before")" ]
}
@test "node | uninstall-other | untouched by the uninstall of indexer" { untouched node; }
@test "node-ui | uninstall-other | untouched by the uninstall of indexer" { untouched node-ui; }
@test "wallet | uninstall-other | untouched by the uninstall of indexer" { untouched wallet; }
@test "wallet-ui | uninstall-other | untouched by the uninstall of indexer" { untouched wallet-ui; }
