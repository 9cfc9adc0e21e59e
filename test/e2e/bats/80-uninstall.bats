# SPDX-License-Identifier: LGPL-2.1-or-later
# Uninstall (state: uninstalled, applied as the daemon does: archyctl apply, which stops the units
# that will vanish before the manifest changes): no unit, no container, no published port left; named volumes and their data
# are kept (archy never deletes data, see archy-manifest(5)); every other app untouched. First the
# apps that require the node, then the node and the stopped app, so that nothing is left at all.
load helpers

setup_file() {
	local app
	for app in node wallet indexer; do
		assert_up "$app"
		app_podman exec "archy-$app" sh -c "echo $app-before-uninstall > /data/e2e-uninstall-marker"
	done
	record_ids "$BATS_FILE_TMPDIR/before"
	uninstall_apps wallet indexer
	apply_journal_gone
}

untouched() { assert_same_container "$1" "$BATS_FILE_TMPDIR/before"; }

@test "wallet | uninstall | no unit, no container, port released" { assert_gone wallet; }
@test "wallet-ui | uninstall | no unit, no container, port released" { assert_gone wallet-ui; }
@test "indexer | uninstall | no unit, no container, port released" { assert_gone indexer; }
@test "wallet | uninstall | its named volume and data are kept" { assert_data_kept wallet wallet-before-uninstall; }
@test "indexer | uninstall | its named volume and data are kept" { assert_data_kept indexer indexer-before-uninstall; }
@test "node | uninstall-other | untouched by the uninstall of wallet and indexer" { untouched node; }
@test "node-ui | uninstall-other | untouched by the uninstall of wallet and indexer" { untouched node-ui; }

@test "node | uninstall | then the node and the stopped app: no unit, no container, port released, data kept" {
	uninstall_apps wallet indexer node notes
	assert_gone node
	assert_data_kept node node-before-uninstall
}
@test "node-ui | uninstall | no unit, no container, port released" { assert_gone node-ui; }
@test "notes | uninstall | a stopped app: no unit left" { assert_gone notes; }

@test "all | uninstall | with every app uninstalled: no archy container, unit (not even failed) or published port left" {
	[ -z "$(app_podman ps -aq --filter label=archy.managed=true)" ]
	# rootless: the apps user's manager's units too
	local user_units=:
	if rootless; then user_units="systemctl --user -M $APPS_USER@ list-units --all --no-legend --plain 'archy-*' 'archipelago-*'"; fi
	run sh -c "{ systemctl list-units --all --no-legend --plain 'archy-*' 'archipelago-*'; $user_units; } |
		grep -vE '^(archy-(apps\.target|manifest-save\.(service|path)|derive\.(service|timer)|podman-repair\.(service|timer)|reconcile\.(service|timer)|metrics\.(service|timer)|verify-ota\.service|apply-resume\.service|e2e\.service)|archipelago-(apps\.slice|web\.service)) ' |
		grep -vE '^[^ ]+ +not-found +inactive +dead '"
	# A unit with no file that is inactive and not failed is gone: systemd only still holds the
	# lookup of a name (systemctl show above loaded it, or another unit names it) until its
	# garbage collection. Anything with a file, running, exited-but-active or failed is left.
	echo "units left: $output"
	echo "# names systemd still held: $(systemctl list-units --all --no-legend --plain 'archy-*' | grep -cE '^[^ ]+ +not-found +inactive +dead ')" >&3
	[ -z "$output" ]
	[ -z "$(ls "$QUADLET_DIR")" ]
	! ss -Hltn | grep -E ':(18332|18081|18080|18082|18501|18090) ' || false
	# The podman network itself stays defined (Quadlet 5.4 cannot delete it on stop); it holds nothing.
	[ -z "$(app_podman network inspect --format '{{range .Containers}}x{{end}}' archipelago 2>/dev/null)" ]
}
