# SPDX-License-Identifier: LGPL-2.1-or-later
# A key written twice (`ports:` twice in one container, an ordinary copy-paste mistake) once
# crashed archy-generator, archy-derive and archy-podman-repair. At daemon-reload the generator must
# fall back to the last good manifest: every unit stays, every running app keeps running, the
# journal names the duplicate (rootless: the apps user's generator, at its manager's reload, says
# so). The runner reboots next with the manifest still in place (93-dup-key-boot-after.bats).
load helpers

setup_file() {
	local dup=$STATE/manifest-dup-key.yaml
	record_ids "$STATE/ids-before-dup-key"
	# node's ui container gets a second ports: right under its first.
	awk '{ print } /^        ports: \["127.0.0.1:18081:80"\]$/ && !done { print "        ports: [\"127.0.0.1:18083:80\"]"; done = 1 }' \
		"$PRISTINE" >"$dup"
	[ "$(grep -c '^        ports: \["127.0.0.1:1808[13]:80"\]$' "$dup")" = 2 ]
	journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p' >"$STATE/dup-key-cursor"
	[ -s "$STATE/dup-key-cursor" ]
	# Written by hand: archyctl apply refuses a key written twice (exit 3, nothing written); this
	# file is about such a manifest reaching daemon-reload all the same.
	apply_manifest_raw "$dup"
	wait_for 30 no_jobs
}

# What the generator that makes the apps' units said since the manifest with the duplicate.
journal_since_dup_key() { apps_generator_journal -b --after-cursor "$(cat "$STATE/dup-key-cursor")"; }
journal_names_dup_key() {
	journal_since_dup_key | grep -qE '/etc/archipelago/manifest\.yaml:[0-9]+:[0-9]+: .*duplicate key "ports"' &&
		journal_since_dup_key | grep -qE 'unusable.*(using|uses) the last good copy /etc/archipelago/manifest.last-good.yaml'
}

kept_running() {
	assert_same_container "$1" "$STATE/ids-before-dup-key"
	[ "$(app_systemctl show -p LoadState --value "$(unit_of "$1")")" = loaded ]
}

@test "node | dup-key-reload | keeps running (same container), unit still there" { kept_running node; }
@test "node-ui | dup-key-reload | keeps running (same container), unit still there" { kept_running node-ui; }
@test "wallet | dup-key-reload | keeps running (same container), unit still there" { kept_running wallet; }
@test "wallet-ui | dup-key-reload | keeps running (same container), unit still there" { kept_running wallet-ui; }
@test "indexer | dup-key-reload | keeps running (same container), unit still there" { kept_running indexer; }

@test "all | dup-key-reload | the generator wrote every unit (none lost), from the last good copy" {
	local app
	for app in node node-ui wallet wallet-ui indexer notes; do
		[ -s "$QUADLET_DIR/archy-$app.container" ]
		[ -s "$GENERATOR_DIR/$(unit_of "$app")" ]
	done
	# the unit of node-ui publishes only the last good copy's port
	! grep -q 18083 "$QUADLET_DIR/archy-node-ui.container" || false
}

@test "all | dup-key-reload | the apps' generator's journal names the duplicate key and the fallback to the last good copy" {
	wait_for 30 journal_names_dup_key || journalctl -b --no-pager -o verbose --after-cursor "$(cat "$STATE/dup-key-cursor")" \
		-t archy-generator | grep -E '_UID=|MESSAGE=' >&2
	journal_names_dup_key
}

@test "all | dup-key-reload | no archy program crashed (generator, derive, podman-repair)" {
	# archy-derive's next run (30 s timer) reads the same manifest; so does podman-repair (rootless:
	# the apps user's, in its manager; the system's says it has nothing to do).
	systemctl start archy-derive.service archy-podman-repair.service || true
	if rootless; then app_systemctl start archy-podman-repair.service || true; fi
	run sh -c "journalctl -b --no-pager -o cat --after-cursor '$(cat "$STATE/dup-key-cursor")' |
		grep -E 'code=dumped|dumped core|SIGSEGV|SIGABRT|malloc\\(\\)|free\\(\\)'"
	echo "$output"
	[ -z "$output" ]
	cmp /etc/archipelago/manifest.last-good.yaml "$PRISTINE"
}
