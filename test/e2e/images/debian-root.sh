#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build (once) and print the path of a cached Debian 12 (bookworm) minbase tree holding one real
# database server, the base of the e2e's real database images (test/e2e/images/build.sh):
#   debian-postgres  postgresql-15 (the major the shipped manifest's postgres:15.10-alpine pins)
#   debian-mariadb   mariadb-server 10.11 (as mariadb:10.11.10)
# The cache key is this script's own hash, like test/e2e/rootfs.sh: editing a package list rebuilds.
# Usage: test/e2e/images/debian-root.sh BASE     prints the tree's path on stdout, progress on stderr
# Env:   ARCHY_CACHE (default <repo>/.cache)   MIRROR (default: the host's own Debian mirror)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=${1:?usage: debian-root.sh debian-postgres|debian-mariadb}
cache=${ARCHY_CACHE:-$here/../../../.cache}
key=$(sha256sum "$0" | cut -c1-16)
root="$cache/$base-bookworm-$key"
case $base in
debian-postgres) pkgs=postgresql-15,postgresql-client-15 probe=usr/lib/postgresql/15/bin/postgres ;;
debian-mariadb) pkgs=mariadb-server,mariadb-client probe=usr/sbin/mariadbd ;;
*) echo "debian-root: unknown base '$base' (debian-postgres or debian-mariadb)" >&2 && exit 2 ;;
esac
if [ -x "$root/$probe" ]; then echo "$root"; exit 0; fi

mirror=${MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.$base-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "debian-root: debootstrap bookworm + $pkgs from $mirror into $tmp (a few minutes)" >&2
# No daemons start during the install (policy-rc.d), and Debian's own cluster is not created:
# the image's entrypoint creates its data directory the way the docker-library images do.
debootstrap --variant=minbase --include="$pkgs" bookworm "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
	tail -n 30 "$tmp/debootstrap.log" >&2
	exit 1
}
rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"* \
	"$tmp/root/usr/share/doc" "$tmp/root/usr/share/man" "$tmp/root/usr/share/locale"
rm -rf "$root"
mv "$tmp/root" "$root"
echo "$root"
