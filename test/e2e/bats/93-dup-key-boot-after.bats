# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest booted with a manifest that repeats a key (92-dup-key-boot-before.bats): the generator
# falls back to the last good manifest at boot, every started app comes back, stopped apps stay
# stopped, nothing crashed, and this boot's journal says why.
load helpers

# The pristine manifest back through archyctl (it plans from the last good copy in use); its
# start of archy-apps.target brings back any app the boot lost, for the steps after this one.
teardown_file() {
	archyctl_apply "$PRISTINE"
}

@test "node | dup-key-boot | back from the last good manifest and answers" { assert_up node 180; }
@test "node-ui | dup-key-boot | back from the last good manifest and answers" { assert_up node-ui 60; }
@test "wallet | dup-key-boot | back from the last good manifest, connected" { assert_up wallet 60; }
@test "wallet-ui | dup-key-boot | back from the last good manifest and answers" { assert_up wallet-ui 60; }
@test "indexer | dup-key-boot | back from the last good manifest, connected" { assert_up indexer 60; }

@test "notes | dup-key-boot | a stopped app stays stopped" {
	[ "$(app_systemctl is-active archy-notes.service)" = inactive ]
	port_closed notes
}

@test "all | dup-key-boot | this boot's journal names the duplicate key and the fallback" {
	run journalctl -b --no-pager -o cat
	echo "$output" | grep -qE '/etc/archipelago/manifest\.yaml:[0-9]+:[0-9]+: .*duplicate key "ports"'
	echo "$output" | grep -qE 'unusable.*(using|uses) the last good copy /etc/archipelago/manifest.last-good.yaml'
	# The manifest with the duplicate is still in place: it was not "repaired" behind the user's back.
	grep -c '^        ports: \["127.0.0.1:1808[13]:80"\]$' "$MANIFEST" | grep -qx 2
}

@test "all | dup-key-boot | no archy program crashed at boot or on its timers" {
	systemctl start archy-derive.service archy-podman-repair.service || true
	if rootless; then app_systemctl start archy-podman-repair.service || true; fi
	run sh -c "journalctl -b --no-pager -o cat | grep -E 'code=dumped|dumped core|SIGSEGV|SIGABRT|malloc\\(\\)|free\\(\\)'"
	echo "$output"
	[ -z "$output" ]
	local unit
	for unit in archy-derive archy-podman-repair archy-manifest-save; do
		systemctl show -p Result --value "$unit.service" | grep -vqxE 'signal|core-dump'
	done
	if rootless; then
		app_systemctl show -p Result --value archy-podman-repair.service | grep -vqxE 'signal|core-dump'
	fi
}
