# SPDX-License-Identifier: LGPL-2.1-or-later
# FM4 in the node's mode: inside an app's container, host.archipelago names the host and reaches a
# server on it. Rootful, the archipelago network's gateway (10.89.0.1); rootless, pasta's address
# that leads to the host (169.254.1.2): 10.89.0.1 there is the rootless network namespace, not the
# host: with --add-host host.archipelago:10.89.0.1 hand-written into the rootless node's unit, the
# node's resolve row failed ('10.89.0.1', expected 169.254.1.2) and the wallet's passed.
# pasta maps 169.254.1.2 to the host's address on its uplink (--map-guest-addr): the nspawn guest
# has one, as a node has (guest/e2e-uplink.service); with only lo, pasta fell back to its
# local mode and the connection was refused (rootless rows 2 and 4).
load helpers

HOST_PORT=18999

setup_file() {
	local dir=$BATS_FILE_TMPDIR/www
	mkdir -p "$dir"
	# what only this server on the host can answer
	echo "host-alias-$$-$RANDOM" >"$dir/token"
	cp "$dir/token" "$BATS_FILE_TMPDIR/token"
	python3 -m http.server "$HOST_PORT" --bind 0.0.0.0 --directory "$dir" >"$BATS_FILE_TMPDIR/server.log" 2>&1 &
	echo $! >"$BATS_FILE_TMPDIR/server.pid"
	wait_for 20 curl -fsS -m 2 "http://127.0.0.1:$HOST_PORT/token"
}

teardown_file() { kill "$(cat "$BATS_FILE_TMPDIR/server.pid")" 2>/dev/null || true; }

resolves_to_host() {
	assert_up "$1" 60
	run app_podman exec "archy-$1" archy-standin resolve host.archipelago
	echo "host.archipelago inside archy-$1 ($ARCHY_MODE): '$output', expected $HOST_ALIAS_ADDR"
	[ "$status" -eq 0 ]
	[ "$output" = "$HOST_ALIAS_ADDR" ]
}

# The container's resolver names the address, busybox nc fetches from it (busybox's static wget
# crashes, status 139, in this image).
reaches_host_server() {
	assert_up "$1" 60
	run app_podman exec "archy-$1" sh -c "printf 'GET /token HTTP/1.0\\r\\n\\r\\n' |
		nc -w 5 \$(archy-standin resolve host.archipelago | head -n1) $HOST_PORT | tail -n1"
	echo "GET http://host.archipelago:$HOST_PORT/token inside archy-$1 ($ARCHY_MODE): status $status, '$output'"
	echo "the server's log: $(cat "$BATS_FILE_TMPDIR/server.log")"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_FILE_TMPDIR/token")" ]
}

@test "node | host-alias | host.archipelago resolves to the mode's address of the host" { resolves_to_host node; }
@test "node | host-alias | a server on the host answers at host.archipelago" { reaches_host_server node; }
@test "wallet | host-alias | host.archipelago resolves to the mode's address of the host" { resolves_to_host wallet; }
@test "wallet | host-alias | a server on the host answers at host.archipelago" { reaches_host_server wallet; }
