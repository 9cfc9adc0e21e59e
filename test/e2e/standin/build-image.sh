#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build archy-standin and a minimal busybox root tree around it, packed as a tar for `podman import`.
# Made from the host's own Debian packages instead of pulled from a registry, so it builds offline:
# static busybox for the shell tools, the stand-in, and exactly the shared libraries it links.
# Usage: test/e2e/standin/build-image.sh OUTDIR
#        writes OUTDIR/archy-standin and OUTDIR/archy-standin-rootfs.tar, prints the tar's path on stdout
set -euo pipefail
[ $# -eq 1 ] || {
	echo "usage: $0 OUTDIR" >&2
	exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
missing=()
for pkg in busybox-static libssl-dev gcc libc6-dev; do installed "$pkg" || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
	# Quiet unless it fails: apt's progress chatter would bury the tar path the caller reads.
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$tmp/apt.log" 2>&1; then
		cat "$tmp/apt.log" >&2
		echo "build-image: could not install ${missing[*]}" >&2
		exit 1
	fi
fi

gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
	-o "$tmp/archy-standin" "$here"/*.c -lssl -lcrypto
mv "$tmp/archy-standin" "$out/archy-standin"

root=$tmp/root
mkdir -p "$root"/{bin,usr/local/bin,etc,www,data,root,proc,sys,dev,run,tmp}
chmod 1777 "$root/tmp"

busybox=$(dpkg -L busybox-static | grep -m1 '/bin/busybox$')
install -m 0755 "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done

install -m 0755 "$out/archy-standin" "$root/usr/local/bin/archy-standin"
# ldd prints "name => /abs/path (addr)" and "/abs/loader (addr)"; the vDSO has no path.
libs=$(ldd "$out/archy-standin" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }')
[ -n "$libs" ] || {
	echo "build-image: ldd found no libraries for archy-standin" >&2
	exit 1
}
for lib in $libs; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
# glibc >= 2.34 has files and dns built in, so no libnss_*.so needs copying for this to work.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '<!doctype html>\n<title>archy stand-in UI</title>\n<h1>archy stand-in UI</h1>\n' >"$root/www/index.html"

# Fixed owner, order and mtime: the same inputs give the same tar, so callers can cache on its hash.
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 \
	-C "$root" -cf "$out/archy-standin-rootfs.tar.new" .
mv "$out/archy-standin-rootfs.tar.new" "$out/archy-standin-rootfs.tar"
echo "$out/archy-standin-rootfs.tar"
