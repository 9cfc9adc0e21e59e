# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest booted with a manifest that has a YAML syntax error: every started app comes back from
# the last good manifest, stopped apps stay stopped, and this boot's journal says why.
load helpers

# The pristine manifest back through archyctl: it plans from the last good copy in use.
teardown_file() {
	archyctl_apply "$PRISTINE"
}

@test "node | bad-yaml-reboot | back from the last good manifest and answers" { assert_up node 180; }
@test "node-ui | bad-yaml-reboot | back from the last good manifest and answers" { assert_up node-ui 180; }
@test "wallet | bad-yaml-reboot | back from the last good manifest, connected" { assert_up wallet 180; }
@test "wallet-ui | bad-yaml-reboot | back from the last good manifest and answers" { assert_up wallet-ui 180; }
@test "indexer | bad-yaml-reboot | back from the last good manifest, connected" { assert_up indexer 180; }

@test "notes | bad-yaml-reboot | a stopped app stays stopped" {
	[ "$(app_systemctl is-active archy-notes.service)" = inactive ]
	port_closed notes
}

@test "all | bad-yaml-reboot | this boot's journal names the file, line and the fallback" {
	run journalctl -b --no-pager -o cat
	echo "$output" | grep -qE '/etc/archipelago/manifest\.yaml:[0-9]+:[0-9]+: '
	# From the generator through kmsg (a VM), and from archy-manifest-save.service (also in nspawn,
	# where a generator has no log at boot).
	echo "$output" | grep -qE 'unusable.*(using|uses) the last good copy /etc/archipelago/manifest.last-good.yaml'
	# The broken manifest is still in place: it was not "repaired" behind the user's back.
	! cmp -s "$MANIFEST" "$PRISTINE" || false
}

# Rootful, the generator runs before journald and reaches the journal through /dev/kmsg; rootless,
# the apps' generator is the apps user's, run when its manager starts, after journald.
@test "all | bad-yaml-reboot | the apps' generator's own boot messages reached the journal" {
	if ! rootless && systemd-detect-virt --container -q; then
		skip "a container has no /dev/kmsg: the generator's boot messages go nowhere (the VM layer checks this)"
	fi
	run apps_generator_journal -b
	echo "$output" | grep -qE '^archy-generator\[[0-9]+\]: /etc/archipelago/manifest\.yaml:[0-9]+:[0-9]+: YAML syntax error|/etc/archipelago/manifest\.yaml:[0-9]+:[0-9]+: YAML syntax error'
	echo "$output" | grep -q 'is unusable (see above): using the last good copy /etc/archipelago/manifest.last-good.yaml instead'
}
