# SPDX-License-Identifier: LGPL-2.1-or-later
# Fresh install: the guest's first boot with the test manifest. Every started app must be up the
# way a user checks it, in archipelago-apps.slice (the system's, or rootless the apps user's
# manager's), resolving host.archipelago to the mode's address of the host (HOST_ALIAS_ADDR).
load helpers

assert_installed() {
	local app=$1 pid cg
	assert_up "$app" 180
	pid=$(pid_of "$app")
	cg=$(cat "/proc/$pid/cgroup")
	echo "container cgroup: $cg ($ARCHY_MODE: under $(apps_slice_cgroup))"
	[[ $cg == *"$(apps_slice_cgroup)/archy-$app.service/"* ]]
	run app_podman exec "archy-$app" archy-standin resolve host.archipelago
	echo "host.archipelago inside archy-$app: $output (expected $HOST_ALIAS_ADDR)"
	[ "$status" = 0 ]
	[ "$output" = "$HOST_ALIAS_ADDR" ]
}

@test "node | install | unit active, container running, RPC answers, in the apps slice, host.archipelago" {
	assert_installed node
}

@test "node-ui | install | unit active, container running, UI answers, in the apps slice, host.archipelago" {
	assert_installed node-ui
}

@test "wallet | install | unit active, container running, connected to node, in the apps slice, host.archipelago" {
	assert_installed wallet
}

@test "wallet-ui | install | unit active, container running, UI answers, in the apps slice, host.archipelago" {
	assert_installed wallet-ui
}

@test "indexer | install | unit active, container running, connected to node, in the apps slice, host.archipelago" {
	assert_installed indexer
}

@test "notes | install | a stopped app has its unit but is not started" {
	[ "$(app_systemctl show -p LoadState --value archy-notes.service)" = loaded ]
	[ "$(app_systemctl is-active archy-notes.service)" = inactive ]
	no_container notes
	port_closed notes
}

@test "node | install | the node rejects a wrong password" {
	run curl -s -o /dev/null -w '%{http_code}' -m 3 -u e2e:wrong http://127.0.0.1:18332/
	[ "$output" = 401 ]
}
