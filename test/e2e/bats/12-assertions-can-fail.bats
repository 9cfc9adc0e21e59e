# SPDX-License-Identifier: LGPL-2.1-or-later
# The negative assertions of helpers.bash can fail: each one, run where its property is broken on
# purpose (a container that should be gone exists, a port that should be free is listened on),
# must fail; run where the property holds, it must pass. A stopped app (notes) is the subject.
load helpers

LISTENER_PID=

teardown() {
	[ -z "$LISTENER_PID" ] || kill "$LISTENER_PID" 2>/dev/null || true
	app_podman rm -f archy-notes >/dev/null 2>&1 || true
}

# Something (not the app) listening on notes' port.
listen_on_notes_port() {
	archy-standin web --port "$(port_of notes)" --body squatter &
	LISTENER_PID=$!
	wait_for 10 listening notes
}

@test "all | assertions-can-fail | the stopped app passes assert_stopped, no_container and port_closed" {
	assert_stopped notes
	no_container notes
	port_closed notes
}

@test "all | assertions-can-fail | no_container and assert_stopped fail while the container exists" {
	app_podman create --name archy-notes localhost/archy-standin:1 true
	run as_test_line no_container notes
	[ "$status" -ne 0 ]
	run as_test_line assert_stopped notes
	[ "$status" -ne 0 ]
}

@test "all | assertions-can-fail | port_closed and assert_stopped fail while the port is listened on" {
	listen_on_notes_port
	run as_test_line port_closed notes
	[ "$status" -ne 0 ]
	run as_test_line assert_stopped notes
	[ "$status" -ne 0 ]
}

@test "all | assertions-can-fail | port_closed fails for a running app's published port" {
	assert_up node
	run as_test_line port_closed node
	[ "$status" -ne 0 ]
}
