#!/bin/bash
# Build (once) and print the path of a cached Debian 13 (trixie) root filesystem with systemd and
# podman/Quadlet. The cache key is this script's own hash, so editing the package list rebuilds it.
# Usage: test/e2e/rootfs.sh          prints the rootfs path on stdout, progress on stderr
# Env:   ARCHY_CACHE (default <repo>/.cache)   MIRROR (default: the host's own Debian mirror)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${ARCHY_CACHE:-$here/../../.cache}
key=$(sha256sum "$0" | cut -c1-16)
root="$cache/rootfs-trixie-$key"
if [ -x "$root/usr/libexec/podman/quadlet" ]; then echo "$root"; exit 0; fi

mirror=${MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2

pkgs=systemd,systemd-sysv,dbus,udev,kmod,iproute2,curl,ca-certificates,procps,time
pkgs=$pkgs,podman,crun,catatonit,conmon,netavark,aardvark-dns,passt,nftables,iptables,nginx
pkgs=$pkgs,linux-image-amd64,initramfs-tools,e2fsprogs,bats,strace
pkgs=$pkgs,libsystemd0,libyaml-0-2,libssl3t64,libcurl4t64
# Installed by apt in the new tree, not by debootstrap (its resolver takes no alternatives, and
# chromium's dependencies, dconf-service's dbus session bus, need them): the UI checks
# (guest/browser-check), headless Chromium driven over the DevTools pipe by python3.
apt_pkgs=(chromium python3 fonts-dejavu-core)
# The metrics checks (issue 15): node_exporter's textfile collector reads archy's metrics, and a
# Prometheus server scrapes it, evaluates archy's alert rules, and answers the tests' queries.
apt_pkgs+=(prometheus prometheus-node-exporter)
# Rootless mode (issue 16): newuidmap/newgidmap for the apps user's subuid/subgid ranges, and the
# user's D-Bus session bus, through which its systemd --user manager is driven.
apt_pkgs+=(uidmap dbus-user-session)

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.rootfs-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "rootfs: debootstrap trixie from $mirror into $tmp (about 1-2 minutes)" >&2
debootstrap --variant=minbase --include="$pkgs" trixie "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
	tail -n 30 "$tmp/debootstrap.log" >&2
	exit 1
}
printf 'deb %s trixie main\n' "$mirror" >"$tmp/root/etc/apt/sources.list"
unshare -m --propagation private sh -ec "
	mount -t proc proc '$tmp/root/proc'; mount --rbind /dev '$tmp/root/dev'
	chroot '$tmp/root' apt-get update -q
	chroot '$tmp/root' env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${apt_pkgs[*]}
	chroot '$tmp/root' apt-get clean
" >"$tmp/apt.log" 2>&1 || {
	tail -n 30 "$tmp/apt.log" >&2
	exit 1
}
echo archy-guest >"$tmp/root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 archy-guest\n' >"$tmp/root/etc/hosts"
rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*
rm -rf "$root"
mv "$tmp/root" "$root"
echo "$root"
