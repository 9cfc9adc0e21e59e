#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build one `podman import`-able root tree tar per image spec (test/e2e/images/*.image, format in
# test/e2e/images/README.md), cached by the hash of everything that goes into it, so that a run
# with nothing changed only hashes. Bases: standin (test/e2e/standin/build-image.sh's busybox tree
# with archy-standin), debian-postgres and debian-mariadb (test/e2e/images/debian-root.sh).
# Usage: test/e2e/images/build.sh OUTDIR
#        writes per spec OUTDIR/<slug>.tar, .changes (one `podman import --change` per line) and
#        .refs (one image reference per line); OUTDIR/images.list names the slugs of this build.
#        Prints OUTDIR/images.list on stdout, the time it took on stderr.
# Env:   ARCHY_CACHE (the Debian trees' cache, see debian-root.sh)
#        E2E_IMAGES (default: every spec): space-separated slugs to build, the others are skipped
# load_spec sources a spec in a subshell on purpose and takes its variables back with declare -p.
# shellcheck disable=SC2030,SC2031
set -euo pipefail
[ $# -eq 1 ] || {
	echo "usage: $0 OUTDIR" >&2
	exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
t0=$(date +%s%N)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

die() {
	echo "images: $*" >&2
	exit 1
}

# The stand-in binary and its busybox tree, shared by every BASE=standin image.
standin_tar=$("$here/../standin/build-image.sh" "$out/standin")

# Reads one spec into the globals below, in a clean environment; checks what the builder relies on.
load_spec() {
	local spec=$1 vars
	vars=$(
		REFS=() BASE=standin APPLETS=() HOST_BINARIES=() FILES=() ENTRYPOINT='' CMD='' ENV=() WORKDIR=/
		USER='' PASSWD=() PRUNE=() STOPSIGNAL=''
		# shellcheck disable=SC1090
		source "$spec"
		declare -p REFS BASE APPLETS HOST_BINARIES FILES ENTRYPOINT CMD ENV WORKDIR USER PASSWD PRUNE STOPSIGNAL
	) || die "$spec: sourcing it failed"
	eval "${vars//declare -/declare -g -}"
	[ ${#REFS[@]} -gt 0 ] || die "$spec: REFS is empty: an image needs at least one reference"
	case $BASE in standin | debian-postgres | debian-mariadb) ;; *)
		die "$spec: BASE=$BASE: expected standin, debian-postgres or debian-mariadb" ;;
	esac
	local f
	for f in "${FILES[@]}"; do
		[[ $f =~ ^[^:]+:/[^:]*:[0-7]{3,4}$ ]] || die "$spec: FILES entry '$f': expected SOURCE:/ABS/DEST:MODE"
		[ -f "$here/${f%%:*}" ] || die "$spec: FILES entry '$f': no file test/e2e/images/${f%%:*}"
	done
	for f in "${HOST_BINARIES[@]}"; do
		# executables, or shared libraries a binary dlopen()s (not mode +x on Debian)
		if [ ! -f "$f" ] || { [ ! -x "$f" ] && [[ $f != *.so* ]]; }; then
			die "$spec: HOST_BINARIES entry '$f': not an executable or shared library on this host"
		fi
	done
	for f in "${PASSWD[@]}"; do
		[[ $f =~ ^[a-z_][a-z0-9_-]*:x:[0-9]+:[0-9]+:[^:]*:/[^:]*:/[^:]*$ ]] ||
			die "$spec: PASSWD entry '$f': expected name:x:uid:gid:gecos:/home:/shell"
	done
}

base_tree() {
	case $BASE in
	standin) echo "$standin_tar" ;;
	*) "$here/debian-root.sh" "$BASE" ;;
	esac
}

# Everything an image is made of: the builder, the spec, its files, its host binaries, its base.
content_hash() {
	local spec=$1 base=$2 f
	{
		sha256sum "$0" "$spec"
		for f in "${FILES[@]}"; do sha256sum "$here/${f%%:*}"; done
		for f in "${HOST_BINARIES[@]}"; do sha256sum "$f"; done
		if [ "$BASE" = standin ]; then sha256sum "$base"; else echo "$base"; fi
	} | sha256sum | cut -c1-16
}

copy_with_libs() {
	local root=$1 bin=$2 lib dir
	mkdir -p "$root$(dirname "$bin")"
	cp -L "$bin" "$root$bin"
	# openssl(1) refuses to run without its default config (OPENSSLDIR/openssl.cnf), which every
	# Debian-based image has (openssl's package, /etc/ssl/openssl.cnf): copy it along
	if [ "$(basename "$bin")" = openssl ]; then
		dir=$("$bin" version -d | sed -n 's/^OPENSSLDIR: "\(.*\)"$/\1/p')
		mkdir -p "$root$dir"
		cp -L "$dir/openssl.cnf" "$root$dir/openssl.cnf"
	fi
	for lib in $(ldd "$bin" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# A PASSWD line for a name the base already has replaces it, and what the old ids owned moves to
# the new ones (Debian's postgres and mysql get the official images' uids, 70 and 999).
add_user() {
	local root=$1 line=$2 name uid gid old_uid old_gid
	IFS=: read -r name _ uid gid _ <<<"$line"
	old_uid=$(awk -F: -v n="$name" '$1 == n { print $3 }' "$root/etc/passwd")
	old_gid=$(awk -F: -v n="$name" '$1 == n { print $3 }' "$root/etc/group")
	sed -i "/^$name:/d" "$root/etc/passwd"
	echo "$line" >>"$root/etc/passwd"
	if [ -n "$old_gid" ]; then
		sed -i "s/^$name:\([^:]*\):$old_gid:/$name:\1:$gid:/" "$root/etc/group"
	else
		echo "$name:x:$gid:" >>"$root/etc/group"
	fi
	sed -i "/^$name:/d" "$root/etc/shadow" 2>/dev/null || true
	if [ -n "$old_uid" ] && [ "$old_uid" != "$uid" ]; then
		find "$root" -xdev -uid "$old_uid" -exec chown -h "$uid" {} +
	fi
	if [ -n "$old_gid" ] && [ "$old_gid" != "$gid" ]; then
		find "$root" -xdev -gid "$old_gid" -exec chgrp -h "$gid" {} +
	fi
}

write_changes() {
	local e
	[ -z "$ENTRYPOINT" ] || echo "ENTRYPOINT $ENTRYPOINT"
	[ -z "$CMD" ] || echo "CMD $CMD"
	for e in "${ENV[@]}"; do echo "ENV $e"; done
	echo "WORKDIR ${WORKDIR:-/}"
	[ -z "$USER" ] || echo "USER $USER"
	[ -z "$STOPSIGNAL" ] || echo "STOPSIGNAL $STOPSIGNAL"
}

build_one() {
	local spec=$1 slug=$2 base=$3 root=$tmp/$2 a f src dst mode
	mkdir -p "$root"
	if [ "$BASE" = standin ]; then
		tar -xf "$base" -C "$root"
	else
		cp -a "$base/." "$root/"
	fi
	for a in "${APPLETS[@]}"; do
		[ -x "$root/usr/local/bin/archy-standin" ] || die "$spec: APPLETS need BASE=standin"
		ln -sfn archy-standin "$root/usr/local/bin/$a"
	done
	for f in "${HOST_BINARIES[@]}"; do copy_with_libs "$root" "$f"; done
	for f in "${FILES[@]}"; do
		IFS=: read -r src dst mode <<<"$f"
		install -D -m "$mode" "$here/$src" "$root$dst"
	done
	for f in "${PASSWD[@]}"; do add_user "$root" "$f"; done
	for f in "${PRUNE[@]}"; do
		[[ $f == /?* && $f != *..* ]] || die "$spec: PRUNE entry '$f': expected an absolute path"
		if [ -d "$root$f" ]; then find "$root$f" -mindepth 1 -delete; else rm -f "$root$f"; fi
	done
	write_changes >"$out/$slug.changes.new"
	printf '%s\n' "${REFS[@]}" >"$out/$slug.refs.new"
	# Fixed order and mtime: the same inputs give the same tar.
	tar --numeric-owner --sort=name --mtime=@0 -C "$root" -cf "$out/$slug.tar.new" .
	rm -rf "$root"
	mv "$out/$slug.changes.new" "$out/$slug.changes"
	mv "$out/$slug.refs.new" "$out/$slug.refs"
	mv "$out/$slug.tar.new" "$out/$slug.tar"
}

built=0 cached=0
: >"$out/images.list.new"
for spec in "$here"/*.image; do
	[ -e "$spec" ] || continue
	slug=$(basename "$spec" .image)
	if [ -n "${E2E_IMAGES:-}" ] && [[ " $E2E_IMAGES " != *" $slug "* ]]; then continue; fi
	load_spec "$spec"
	base=$(base_tree) || die "$spec: its base $BASE could not be built"
	hash=$(content_hash "$spec" "$base")
	if [ "$(cat "$out/$slug.hash" 2>/dev/null)" = "$hash" ] && [ -s "$out/$slug.tar" ]; then
		cached=$((cached + 1))
	else
		rm -f "$out/$slug.hash"
		build_one "$spec" "$slug" "$base"
		echo "$hash" >"$out/$slug.hash"
		built=$((built + 1))
	fi
	echo "$slug" >>"$out/images.list.new"
done
mv "$out/images.list.new" "$out/images.list"
echo "images: $built built, $cached cached, in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
echo "$out/images.list"
