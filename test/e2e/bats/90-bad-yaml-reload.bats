# SPDX-License-Identifier: LGPL-2.1-or-later
# A manifest with a YAML syntax error reaches daemon-reload: archy-generator falls back to the last
# good manifest, so every unit stays and every running app keeps running; the error is in the
# journal. On a rootless node that is the apps user's generator, at its manager's reload (the
# apps' units are its own). The runner reboots next with the broken manifest still in place
# (91-bad-yaml-reboot).
load helpers

setup_file() {
	local broken
	record_ids "$STATE/ids-before-bad-yaml"
	broken=$(mktemp /tmp/manifest.XXXXXX)
	# An unclosed flow sequence: the whole document becomes unusable.
	sed '0,/^    state: started$/s//    state: [started/' "$PRISTINE" >"$broken"
	! cmp -s "$broken" "$PRISTINE" || false
	# Where this test's journal starts: the cursor of the last entry before the broken manifest.
	journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p' >"$STATE/bad-yaml-cursor"
	[ -s "$STATE/bad-yaml-cursor" ]
	# Written by hand: archyctl apply refuses a manifest with a syntax error (exit 3, nothing
	# written); this file is about one that reaches daemon-reload all the same.
	apply_manifest_raw "$broken"
	wait_for 30 no_jobs
}

# What the generator that makes the apps' units said since the broken manifest.
journal_since_bad_yaml() { apps_generator_journal -b --after-cursor "$(cat "$STATE/bad-yaml-cursor")"; }
journal_names_fallback() {
	journal_since_bad_yaml | grep -qE '/etc/archipelago/manifest\.yaml:[0-9]+:[0-9]+: ' &&
		journal_since_bad_yaml | grep -q 'is unusable (see above): using the last good copy /etc/archipelago/manifest.last-good.yaml'
}

kept_running() {
	assert_same_container "$1" "$STATE/ids-before-bad-yaml"
	[ "$(app_systemctl show -p LoadState --value "$(unit_of "$1")")" = loaded ]
}

@test "node | bad-yaml-reload | keeps running (same container), unit still there" { kept_running node; }
@test "node-ui | bad-yaml-reload | keeps running (same container), unit still there" { kept_running node-ui; }
@test "wallet | bad-yaml-reload | keeps running (same container), unit still there" { kept_running wallet; }
@test "wallet-ui | bad-yaml-reload | keeps running (same container), unit still there" { kept_running wallet-ui; }
@test "indexer | bad-yaml-reload | keeps running (same container), unit still there" { kept_running indexer; }

@test "all | bad-yaml-reload | the apps' generator's journal names the file, line and the fallback to the last good copy" {
	wait_for 30 journal_names_fallback || journalctl -b --no-pager -o verbose --after-cursor "$(cat "$STATE/bad-yaml-cursor")" \
		-t archy-generator | grep -E '_UID=|MESSAGE=' >&2
	journal_names_fallback
}

@test "all | bad-yaml-reload | the last good copy was not overwritten by the broken manifest" {
	cmp /etc/archipelago/manifest.last-good.yaml "$PRISTINE"
}
