# SPDX-License-Identifier: LGPL-2.1-or-later
# The temporary tree archy-derive runs on (--root: it restarts nothing there, so no systemd is
# needed), with the manifest read from stdin at $T/etc/archipelago/manifest.yaml.

# shellcheck disable=SC2034 # DERIVE and T are used by the tests that load this file
derive_tree() {
	DERIVE=${ARCHY_DERIVE:-$BATS_TEST_DIRNAME/../../build/archy-derive}
	T=$(mktemp -d)
	chmod 755 "$T"
	# the tree is under /tmp (world-writable): trust /tmp and above, check the tree itself
	# (ARCHY_TEST_TRUSTED_DIR, archy-manifest(5) OWNERSHIP AND MODE)
	export ARCHY_TEST_TRUSTED_DIR=${TMPDIR:-/tmp}
	install -d -m755 "$T/etc/archipelago"
	cat >"$T/etc/archipelago/manifest.yaml"
}

teardown() {
	# a small tmpfs a test mounted to fill it up
	if mountpoint -q "$T/full" 2>/dev/null; then umount "$T/full"; fi
	rm -rf "$T"
}
