# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# The stand-in for systemd the host tests of archyctl and archy-reconcile talk to: a private
# dbus-daemon and test/ctl/fake-systemd.c on it, serving the units of the table $T/units and
# recording the calls in $T/calls. Sourced by a bats file, which keeps its own setup().

FAKE_SYSTEMD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fake-systemd.c

# In setup_file: build the stand-in once per file.
build_fake_systemd() {
	cc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Werror -o "$BATS_FILE_TMPDIR/fake-systemd" \
		"$FAKE_SYSTEMD_SRC" -lsystemd
}

# Start the bus and the stand-in on it, and point archy's binaries at it.
fake_systemd() {
	dbus-daemon --session --nofork --address="unix:path=$T/bus" --print-address=1 >"$T/address" 2>/dev/null &
	DAEMON=$!
	for _ in $(seq 50); do [ -s "$T/address" ] && break; sleep 0.1; done
	"$BATS_FILE_TMPDIR/fake-systemd" "unix:path=$T/bus" "$T/units" "$T/calls" >"$T/fake.out" 2>&1 &
	FAKE=$!
	for _ in $(seq 50); do grep -q ready "$T/fake.out" && break; sleep 0.1; done
	export ARCHY_SYSTEMD_BUS=unix:path=$T/bus
}

teardown() {
	[ -z "${FAKE:-}" ] || kill "$FAKE" 2>/dev/null || true
	[ -z "${DAEMON:-}" ] || kill "$DAEMON" 2>/dev/null || true
	# a small tmpfs a test mounted (metrics.bats: a full filesystem)
	if mountpoint -q "$T/full" 2>/dev/null; then umount "$T/full"; fi
	rm -rf "$T"
}
