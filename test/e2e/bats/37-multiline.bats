# SPDX-License-Identifier: LGPL-2.1-or-later
# Multi-line values (archy-manifest(5)) with real systemd 257, podman 5.4 and Quadlet: a command
# string written as a YAML block scalar runs in /bin/sh line by line, a list-form argument with
# newlines reaches the program as one argument, and an env value with a newline, a tab, % and $
# reaches the process byte for byte (archy writes \n and \t into a quoted word, Quadlet and
# systemd undo the escapes).
load helpers

# An extra app, started by the apply of setup_file (archyctl waits until both its units run).
extra_apps() {
	cat <<'YAML'

  lines:
    state: started
    containers:
      main:
        image: localhost/archy-standin:1
        command: |
          echo one >/tmp/line1
          echo two >/tmp/line2
          printf '%s' "$MULTI" >/tmp/env
          exec sleep 1000000
        env:
          MULTI: "first line\n\tsecond line 100% $HOME\n"
      list:
        image: localhost/archy-standin:1
        command: [sh, -c, "echo three >/tmp/line3\necho four >/tmp/line4\nexec sleep 1000000"]
YAML
}

setup_file() {
	add_extra_apps
	# few podman calls (each takes seconds in a TCG guest): what each container wrote
	wait_for 60 save_traces
}

teardown_file() { drop_extra_apps; }

save_traces() {
	app_podman exec archy-lines sh -c 'cat /tmp/line1 /tmp/line2' >"$BATS_FILE_TMPDIR/main" &&
		app_podman exec archy-lines cat /tmp/env >"$BATS_FILE_TMPDIR/env" &&
		app_podman exec archy-lines-list sh -c 'cat /tmp/line3 /tmp/line4' >"$BATS_FILE_TMPDIR/list"
}

@test "lines | command-string | a block scalar runs in /bin/sh, every line of it" {
	printf 'one\ntwo\n' | cmp - "$BATS_FILE_TMPDIR/main"
}

@test "lines | command-list | an argument with newlines is one argument: sh -c ran both lines" {
	printf 'three\nfour\n' | cmp - "$BATS_FILE_TMPDIR/list"
}

@test "lines | env | a value with a newline, a tab, % and \$ reaches the process byte for byte" {
	od -c "$BATS_FILE_TMPDIR/env"
	# shellcheck disable=SC2016 # the $ is the manifest's, not this shell's
	printf 'first line\n\tsecond line 100%% $HOME\n' | cmp - "$BATS_FILE_TMPDIR/env"
}
