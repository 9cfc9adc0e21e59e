#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archy-setup-rootless on the host, in a throwaway root filesystem (--root DIR: useradd and
# usermod --prefix, the linger file): the apps user as archy-setup-rootless(8) makes it, run twice
# (nothing changes), a free subordinate range past the ones taken, and each failure's message and
# exit status. That the user runs rootless podman and its manager at boot is the e2e suite's
# (the rootless layer, test/e2e/plans/rootless).

SETUP=${ARCHY_SETUP_ROOTLESS:-$BATS_TEST_DIRNAME/../../tools/archy-setup-rootless}

setup() {
	[ "$(id -u)" = 0 ] || skip "useradd --prefix needs root"
	R=$(mktemp -d)
	mkdir -p "$R/etc"
	printf 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n' >"$R/etc/passwd"
	printf 'root:x:0:\ndaemon:x:1:\n' >"$R/etc/group"
	printf 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n' >"$R/etc/shadow"
	printf 'root:*::\ndaemon:*::\n' >"$R/etc/gshadow"
	touch "$R/etc/subuid" "$R/etc/subgid"
}

teardown() { [ -z "${R:-}" ] || rm -rf "$R"; }

field() { awk -F: -v u="$1" -v f="$2" '$1 == u { print $f }' "$R/etc/passwd"; }

@test "setup-rootless: --help names the user it makes and every exit status" {
	run "$SETUP" --help
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: archy-setup-rootless [--root DIR] [USER]"* ]]
	[[ $output == *"/var/lib/archy-apps/USER"* ]]
	for code in 0 2 3 4 5 6 7 8; do [[ $output == *" $code "* ]]; done
}

@test "setup-rootless: a system user, home 0700 its own, no login, 65536 subordinate ids from 524288, lingering" {
	run "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	local uid gid
	uid=$(field archipelago 3)
	gid=$(field archipelago 4)
	[ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ]
	[ "$(awk -F: -v g="$gid" '$3 == g { print $1 }' "$R/etc/group")" = archipelago ]
	[ "$(field archipelago 6)" = /var/lib/archy-apps/archipelago ]
	[ "$(field archipelago 7)" = /usr/sbin/nologin ]
	[ "$(stat -c '%u:%g %a' "$R/var/lib/archy-apps/archipelago")" = "$uid:$gid 700" ]
	[ "$(stat -c '%u %a' "$R/var/lib/archy-apps")" = "0 755" ]
	grep -qx 'archipelago:524288:65536' "$R/etc/subuid"
	grep -qx 'archipelago:524288:65536' "$R/etc/subgid"
	[ -f "$R/var/lib/systemd/linger/archipelago" ]
}

@test "setup-rootless: run again, it changes nothing and says the user is ready" {
	"$SETUP" --root "$R" bitcoin
	cat "$R"/etc/{passwd,group,subuid,subgid} >"$BATS_TEST_TMPDIR/before"
	run "$SETUP" --root "$R" bitcoin
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"bitcoin ready"* ]]
	[[ $output != *created* ]]
	cat "$R"/etc/{passwd,group,subuid,subgid} | diff "$BATS_TEST_TMPDIR/before" -
}

@test "setup-rootless: the range starts past every range taken in either file" {
	printf 'alice:524288:65536\nbob:600000:10\n' >"$R/etc/subuid"
	printf '1000:610000:100\n' >"$R/etc/subgid"
	run "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'archipelago:610100:65536' "$R/etc/subuid"
	grep -qx 'archipelago:610100:65536' "$R/etc/subgid"
}

@test "setup-rootless: a user's own range of 65536 ids or more is kept, the missing one added" {
	"$SETUP" --root "$R"
	sed -i '/^archipelago:/d' "$R/etc/subgid"
	printf 'archipelago:700000:100000\n' >"$R/etc/subgid"
	run "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^archipelago:' "$R/etc/subgid")" = 1 ]
	grep -qx 'archipelago:700000:100000' "$R/etc/subgid"
	grep -qx 'archipelago:524288:65536' "$R/etc/subuid"
}

@test "setup-rootless: a range smaller than 65536 is refused (6), naming the file" {
	"$SETUP" --root "$R"
	sed -i 's/^archipelago:.*/archipelago:524288:1000/' "$R/etc/subuid"
	run "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 6 ]
	[[ $output == *"only 1000 subordinate uids in $R/etc/subuid"* ]]
}

@test "setup-rootless: no free range left below 2^32 (6)" {
	printf 'everyone:524288:4294400000\n' >"$R/etc/subuid"
	run "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 6 ]
	[[ $output == *"no free range of 65536 subordinate ids"* ]]
}

@test "setup-rootless: a user of that name with another home is not taken over (5)" {
	printf 'archipelago:x:998:998::/home/archipelago:/bin/bash\n' >>"$R/etc/passwd"
	run "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output == *"exists with home /home/archipelago, not /var/lib/archy-apps/archipelago"* ]]
	[ ! -e "$R/var/lib/systemd/linger/archipelago" ]
}

@test "setup-rootless: bad user names and arguments (2)" {
	local bad
	for bad in root Bad 9lives "a b" "$(printf 'x%.0s' {1..33})"; do
		run "$SETUP" --root "$R" "$bad"
		echo "$bad -> $status $output"
		[ "$status" -eq 2 ]
		[[ $output == *"is not a user name for the apps"* ]]
	done
	run "$SETUP" --frobnicate
	[ "$status" -eq 2 ] && [[ $output == *"unknown option --frobnicate"* ]]
	run "$SETUP" one two
	[ "$status" -eq 2 ] && [[ $output == *"one user at a time"* ]]
	run "$SETUP" --root
	[ "$status" -eq 2 ] && [[ $output == *"--root needs a directory"* ]]
	run "$SETUP" --root "$R/nothing"
	[ "$status" -eq 2 ] && [[ $output == *"no such root filesystem"* ]]
}

@test "setup-rootless: not root (3)" {
	chmod 755 "$R"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"must run as root"* ]]
}

@test "setup-rootless: useradd failing (4) and missing (8)" {
	local bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	printf '#!/bin/sh\necho "useradd: cannot lock /etc/passwd" >&2\nexit 1\n' >"$bin/useradd"
	chmod +x "$bin/useradd"
	ln -s "$(command -v usermod)" "$bin/usermod"
	run env PATH="$bin:$PATH" "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"useradd could not create archipelago"* ]]
	rm "$bin/useradd" "$bin/usermod"
	ln -s "$(command -v id)" "$bin/id"
	run env PATH="$bin" "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ $output == *"useradd not found"* ]]
}

@test "setup-rootless: lingering that cannot be written (7)" {
	mkdir -p "$R/var/lib/systemd"
	touch "$R/var/lib/systemd/linger"
	run "$SETUP" --root "$R"
	echo "$output"
	[ "$status" -eq 7 ]
	[[ $output == *"cannot write $R/var/lib/systemd/linger/archipelago"* ]]
}
