#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build a bootable Debian 13 guest tree for the end-to-end suite: a copy of the cached root
# filesystem (rootfs.sh), archy installed into it the way a package would (`make install
# DESTDIR=`), the stand-in images loaded into the guest's own podman storage, the test manifest,
# an nginx front end for the routes archy-derive writes, and the guest-side runner. The node's
# credentials are archy-derive's job: it creates the secret on first boot.
# The rootless layer (LAYER rootless, its manifest with node: {mode: rootless}): the apps user made
# by archy-setup-rootless, and the stand-in images in that user's own podman storage instead of
# root's (rootless podman cannot use root's).
# Usage: test/e2e/prepare-guest.sh GUEST_DIR IMAGE_TAR [LAYER]
# Env:   E2E_GUEST_MANIFEST (default manifests/e2e.yaml): the manifest installed, byte for byte, as
#        /etc/archipelago/manifest.yaml and as the pristine copy the tests compare with
#        E2E_GUEST_IMAGES: an images.list of test/e2e/images/build.sh: every image in it is loaded
#        too, tagged with each of its REFS (the node layer: the references the shipped manifest names)
#        E2E_NODE_MANIFEST_SED: sed expression, or a file of them, applied to the installed copy
#        only (a deliberately broken node); it must change the manifest
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
guest=$1
image_tar=$2
layer=${3:-nspawn}

rootfs=$("$here/rootfs.sh")
rm -rf "$guest"
cp -a "$rootfs" "$guest"

# Built on this host: the guest has the same sonames (libyaml-0-2, libsystemd0) and a newer glibc.
# run.sh prepares two lanes' guests at once, and both would build into the same directory: one
# make links a binary while the other is still writing its objects (a CI run failed so, an
# undefined reference at link time). The first holds the lock and builds; the second then finds
# everything up to date and only installs.
bin=${ARCHY_E2E_BUILD:-build/e2e/bin}
mkdir -p "$repo/$bin"
flock "$repo/$bin/.build.lock" make -s -C "$repo" BUILD="$bin" install DESTDIR="$guest" PREFIX=/usr \
	SYSCONFDIR=/etc GENERATORDIR=/usr/lib/systemd/system-generators UNITDIR=/usr/lib/systemd/system \
	USERGENERATORDIR=/usr/lib/systemd/user-generators USERUNITDIR=/usr/lib/systemd/user \
	CATALOGDIR=/usr/lib/systemd/catalog >/dev/null
# What a package's postinst does: the guest's journalctl compiles archy's catalog (journalctl -x).
chroot "$guest" journalctl --update-catalog

install -d "$guest/usr/local/libexec/archy-e2e" "$guest/etc/systemd/system/multi-user.target.wants"
install -m755 "$here/guest/runner" "$here/guest/archipelagod" "$guest/usr/local/libexec/archy-e2e/"
for unit in archy-e2e.service archipelago.service; do
	install -m644 "$here/guest/$unit" "$guest/etc/systemd/system/"
	ln -sf "../$unit" "$guest/etc/systemd/system/multi-user.target.wants/$unit"
done

# The nspawn guests' uplink (the VM has QEMU's): see guest/e2e-uplink.service; not named archy-*,
# which the rows that look for leftover archy units would count.
if [ "$layer" != vm ]; then
	install -d "$guest/etc/systemd/system/sysinit.target.wants" "$guest/etc/systemd/system/user@.service.d"
	install -m644 "$here/guest/e2e-uplink.service" "$guest/etc/systemd/system/"
	ln -sf ../e2e-uplink.service "$guest/etc/systemd/system/sysinit.target.wants/e2e-uplink.service"
	printf '[Unit]\nWants=e2e-uplink.service\nAfter=e2e-uplink.service\n' \
		>"$guest/etc/systemd/system/user@.service.d/90-e2e-uplink.conf"
fi

# archy-podman-repair.timer every 20 s instead of 3 min in nspawn: the podman faults are repaired
# within a test's patience, and every other test runs with the timer firing, so a false alarm would
# show. The VM (TCG, a podman probe costs seconds there) keeps the shipped 3 min: its FM6 test is
# the repair at boot.
# The rootless layer: the same for the apps user's own timer (archy-podman-repair --user).
if [ "$layer" != vm ]; then
	for scope in system user; do
		install -d "$guest/etc/systemd/$scope/archy-podman-repair.timer.d"
		printf '[Timer]\nOnActiveSec=\nOnActiveSec=20s\nOnUnitActiveSec=\nOnUnitActiveSec=20s\n' \
			>"$guest/etc/systemd/$scope/archy-podman-repair.timer.d/90-e2e.conf"
	done
fi

# Metrics (issue 15): prometheus-node-exporter stays enabled, as on a node (its textfile collector
# serves archy.prom from /var/lib/prometheus/node-exporter); the Prometheus server is the test's
# only (260-metrics.bats starts one with its own config and the shipped rules): disabled here.
rm -f "$guest/etc/systemd/system/multi-user.target.wants/prometheus.service"

install -d -m755 "$guest/etc/archipelago" "$guest/usr/local/share/archy-e2e"
manifest=${E2E_GUEST_MANIFEST:-$repo/manifests/e2e.yaml}
install -m644 "$manifest" "$guest/etc/archipelago/manifest.yaml"
install -m644 "$manifest" "$guest/usr/local/share/archy-e2e/manifest.yaml"
if [ -n "${E2E_NODE_MANIFEST_SED:-}" ]; then
	sed_args=(-e "$E2E_NODE_MANIFEST_SED")
	[ -f "$E2E_NODE_MANIFEST_SED" ] && sed_args=(-f "$E2E_NODE_MANIFEST_SED")
	sed "${sed_args[@]}" "$manifest" >"$guest/etc/archipelago/manifest.yaml"
	if cmp -s "$manifest" "$guest/etc/archipelago/manifest.yaml"; then
		echo "prepare-guest: E2E_NODE_MANIFEST_SED changed nothing in $manifest: no broken copy to test" >&2
		exit 1
	fi
	# The tests know they run a broken copy (the diff tells which contract is broken).
	diff -u --label shipped --label installed "$manifest" "$guest/etc/archipelago/manifest.yaml" >"$guest/usr/local/share/archy-e2e/manifest.broken" || true
fi

# The node's front end: nginx serves the routes archy-derive writes, as a node sets it up
# (archy-manifest(5) NGINX ROUTES): the location form's snippets from /etc/nginx/archipelago.d inside
# the port-80 server; the port form's whole servers from /etc/nginx/archipelago-ports.d at the http
# level (Debian's nginx.conf includes conf.d/*.conf there), each with the node's certificate.
rm -f "$guest/etc/nginx/sites-enabled/default"
install -d -m755 "$guest/etc/nginx/archipelago.d" "$guest/etc/nginx/archipelago-ports.d" "$guest/etc/archipelago/tls"
printf 'server {\n\tlisten 80 default_server;\n\tinclude /etc/nginx/archipelago.d/*.conf;\n}\n' \
	>"$guest/etc/nginx/sites-enabled/archipelago"
printf 'include /etc/nginx/archipelago-ports.d/*.conf;\n' >"$guest/etc/nginx/conf.d/archipelago-ports.conf"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=archipelago -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	-keyout "$guest/etc/archipelago/tls/node.key" -out "$guest/etc/archipelago/tls/node.crt" >/dev/null 2>&1
chmod 600 "$guest/etc/archipelago/tls/node.key"

# Every image test/e2e/images/build.sh built (LIST: its images.list), tagged with each of its REFS.
load_images() {
	local list=$1 dir slug refs changes line
	dir=$(dirname "$list")
	while read -r slug; do
		mapfile -t refs <"$dir/$slug.refs"
		changes=()
		while IFS= read -r line; do changes+=(--change "$line"); done <"$dir/$slug.changes"
		cp "$dir/$slug.tar" "$guest/tmp/image.tar"
		# shellcheck disable=SC2016 # expanded by the inner bash
		unshare -m --propagation private bash -ec '
			guest=$1; shift
			mount --bind "$guest" "$guest"; mount -t proc proc "$guest/proc"; mount -t sysfs sys "$guest/sys"
			mount --rbind /dev "$guest/dev"; mount -t tmpfs tmpfs "$guest/run"
			p() { chroot "$guest" env PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman "$@"; }
			n=$1; shift
			refs=("${@:1:$n}"); shift "$n"
			p import -q "$@" /tmp/image.tar "${refs[0]}" >/dev/null
			for r in "${refs[@]:1}"; do p tag "${refs[0]}" "$r"; done' _ "$guest" "${#refs[@]}" "${refs[@]}" "${changes[@]}" || {
			echo "prepare-guest: could not load image $slug (${refs[*]})" >&2
			return 1
		}
		rm -f "$guest/tmp/image.tar"
		echo "prepare-guest: loaded $slug as ${refs[*]}" >&2
	done <"$list"
}

# Images without a registry: the guest's own podman imports the stand-in tree. containers/storage
# remounts "/" while unpacking, so the chroot root must be a mount point (bind it onto itself).
cp "$image_tar" "$guest/tmp/archy-standin.tar"
if [ "$layer" = rootless ]; then
	apps_user=archipelago
	chroot "$guest" archy-setup-rootless "$apps_user" >&2
	uid=$(chroot "$guest" id -u "$apps_user")
	gid=$(chroot "$guest" id -g "$apps_user")
	home=$(chroot "$guest" getent passwd "$apps_user" | cut -d: -f6)
	# Into the user's own storage, as the user. Rootless podman needs a user namespace, which the
	# kernel refuses to a chrooted process: a container (nspawn, not booted) pivots into the tree
	# instead; its /tmp is its own, so the tar waits in /var/tmp. The runtime directory is the one
	# the user's manager has at boot (/run/user/UID), the path podman records in its database.
	mv "$guest/tmp/archy-standin.tar" "$guest/var/tmp/archy-standin.tar"
	chmod 644 "$guest/var/tmp/archy-standin.tar"
	systemd-nspawn -q -D "$guest" --machine="archy-prepare-$$" --register=no --keep-unit --pipe \
		--system-call-filter='@keyring bpf' --setenv=PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
		/bin/sh -ec "
		install -d -m700 -o $uid -g $gid /run/user/$uid
		as_user() {
			setpriv --reuid=$uid --regid=$gid --init-groups env -C / HOME='$home' USER=$apps_user \\
				LOGNAME=$apps_user XDG_RUNTIME_DIR=/run/user/$uid \"\$@\"
		}
		as_user podman import -q --change 'CMD [\"/bin/sh\"]' --change 'WORKDIR /' /var/tmp/archy-standin.tar \
			localhost/archy-standin:1 >/dev/null
		as_user podman tag localhost/archy-standin:1 localhost/archy-standin:2
		as_user podman images --format '{{.Repository}}:{{.Tag}}' | grep -qx localhost/archy-standin:2" >&2 || {
		echo "prepare-guest: could not load the stand-in image into $apps_user's podman storage" >&2
		exit 1
	}
	rm -f "$guest/var/tmp/archy-standin.tar"
	echo "prepare-guest: loaded localhost/archy-standin:1 and :2 into $apps_user's storage ($home)" >&2
else
	unshare -m --propagation private sh -ec "
		mount --bind '$guest' '$guest'; mount -t proc proc '$guest/proc'; mount -t sysfs sys '$guest/sys'
		mount --rbind /dev '$guest/dev'; mount -t tmpfs tmpfs '$guest/run'
		chroot '$guest' env PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman import -q \
			--change 'CMD [\"/bin/sh\"]' --change 'WORKDIR /' /tmp/archy-standin.tar localhost/archy-standin:1 >/dev/null
		chroot '$guest' env PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman tag localhost/archy-standin:1 localhost/archy-standin:2"
fi
rm -f "$guest/tmp/archy-standin.tar"
[ -z "${E2E_GUEST_IMAGES:-}" ] || load_images "$E2E_GUEST_IMAGES"
passwd_root_empty=$(chroot "$guest" passwd -d root 2>&1) || echo "$passwd_root_empty" >&2

# FM5: the node's web front end as an update replaces it (archy-verify-ota's tests). Release
# 1.3.2 of a stand-in daemon (archy-standin web, built on this host with the image) and of its web
# UI, behind nginx on https://127.0.0.1/ with a self-signed certificate, as on a node.
install -m755 "$(dirname "$image_tar")/archy-standin" "$guest/usr/local/bin/archy-standin"
install -d "$guest/opt/archipelago/bin" "$guest/opt/archipelago/web-ui"
printf '#!/bin/sh\nexec /usr/local/bin/archy-standin web --port 8090 --status 200 --body "archipelago 1.3.2"\n' \
	>"$guest/opt/archipelago/bin/archipelago-web"
chmod 755 "$guest/opt/archipelago/bin/archipelago-web"
echo "web ui 1.3.2" >"$guest/opt/archipelago/web-ui/index.html"
printf '[Unit]\nDescription=Archipelago web front end (e2e stand-in)\n\n[Service]\nExecStart=/opt/archipelago/bin/archipelago-web\n\n[Install]\nWantedBy=multi-user.target\n' \
	>"$guest/etc/systemd/system/archipelago-web.service"
ln -sf ../archipelago-web.service "$guest/etc/systemd/system/multi-user.target.wants/archipelago-web.service"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost -keyout "$guest/etc/nginx/archy-e2e.key" \
	-out "$guest/etc/nginx/archy-e2e.crt" >/dev/null 2>&1
printf 'server {\n\tlisten 443 ssl default_server;\n\tssl_certificate /etc/nginx/archy-e2e.crt;\n\tssl_certificate_key /etc/nginx/archy-e2e.key;\n\tlocation /ui/ { alias /opt/archipelago/web-ui/; }\n\tlocation / { proxy_pass http://127.0.0.1:8090; }\n}\n' \
	>"$guest/etc/nginx/sites-enabled/archipelago-tls"

# The UI checks: browser-check (headless Chromium, from the rootfs) and its iframe harness, served
# from the dashboard's origin at https://127.0.0.1/ui/archy-frame.html (bats/helpers-browser.bash).
install -m755 "$here/guest/browser-check" "$guest/usr/local/bin/browser-check"
install -m644 "$here/guest/archy-frame.html" "$guest/opt/archipelago/web-ui/archy-frame.html"
