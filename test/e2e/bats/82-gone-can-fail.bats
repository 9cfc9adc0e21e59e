# SPDX-License-Identifier: LGPL-2.1-or-later
# Right after 80-uninstall: assert_gone passes for an uninstalled app, and fails for each of the
# remnants it looks for when one is put back on purpose (a wants link, a container, a listener on
# its port); so does 80-uninstall's "no published port left".
load helpers

LISTENER_PID=
LINK=$GENERATOR_DIR/multi-user.target.wants/archy-notes.service

teardown() {
	[ -z "$LISTENER_PID" ] || kill "$LISTENER_PID" 2>/dev/null || true
	app_podman rm -f archy-notes >/dev/null 2>&1 || true
	rm -f "$LINK"
}

no_published_port() { ! ss -Hltn | grep -E ':(18332|18081|18080|18082|18501|18090) ' || false; }

@test "all | gone-can-fail | an uninstalled app passes assert_gone and no published port is left" {
	assert_gone notes
	no_published_port
}

@test "all | gone-can-fail | assert_gone fails while a wants link of the unit is left" {
	mkdir -p "$(dirname "$LINK")"
	ln -s /nonexistent/archy-notes.service "$LINK"
	run as_test_line assert_gone notes
	[ "$status" -ne 0 ]
}

@test "all | gone-can-fail | assert_gone fails while a container of the app is left" {
	app_podman create --name archy-notes localhost/archy-standin:1 true
	run as_test_line assert_gone notes
	[ "$status" -ne 0 ]
}

@test "all | gone-can-fail | assert_gone and the no-published-port check fail while the port is listened on" {
	archy-standin web --port "$(port_of notes)" --body squatter &
	LISTENER_PID=$!
	wait_for 10 listening notes
	run as_test_line assert_gone notes
	[ "$status" -ne 0 ]
	run no_published_port
	[ "$status" -ne 0 ]
}
