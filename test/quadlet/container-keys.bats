#!/usr/bin/env bats
# podman 5.4's real Quadlet (Debian 13, in a chroot of the cached root filesystem) accepts every
# runtime and hardening key archy renders (test/generator/container-keys.yaml) and turns each into
# the podman option archy-manifest(5) says.

setup_file() {
	: "${ROOTFS:?set ROOTFS to the Debian 13 root filesystem (test/quadlet/check-quadlet.sh does)}"
}

setup() {
	TOP=$BATS_TEST_DIRNAME/../..
	W=/tmp/archy-quadlet-keys
	rm -rf "$ROOTFS$W"
	mkdir -p "$ROOTFS$W/etc" "$ROOTFS$W/out"
	chmod 755 "$ROOTFS$W" "$ROOTFS$W/etc"
	cp "${ARCHY_GENERATOR:-$TOP/build/archy-generator}" "$ROOTFS$W/archy-generator"
	cp "$TOP/test/generator/container-keys.yaml" "$ROOTFS$W/etc/manifest.yaml"
}

teardown() { rm -rf "${ROOTFS:?}$W"; }

@test "Quadlet takes every container key with no warning and passes each to podman" {
	run chroot "$ROOTFS" env ARCHY_MANIFEST=$W/etc/manifest.yaml ARCHY_LAST_GOOD=$W/etc/last-good.yaml \
		ARCHY_STAGING_DIR=$W/staging ARCHY_LOG_LEVEL=warning ARCHY_TEST_TRUSTED_DIR=/tmp \
		"$W/archy-generator" $W/out $W/out $W/out
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	exec_line=$(grep '^ExecStart=' "$ROOTFS$W/out/archy-keys.service")
	for opt in '--user 1000:1000' '--entrypoint "[\"/usr/bin/tini\",\"--\"]"' '--workdir /srv' \
		'--hostname keys.archipelago' '--stop-signal SIGINT' '--read-only' \
		'--tmpfs /run/app:rw,size=64m,mode=1777,uid=1000,gid=1000,noexec,nosuid,nodev' '--tmpfs /cache' \
		'--cap-drop all' '--cap-add cap_net_bind_service' '--cap-add cap_chown' '--security-opt=no-new-privileges' \
		'--shm-size 64m' '--ulimit nofile=20000:40000' '--ulimit nproc=512:512' \
		'--memory=256m --memory-swap=256m --cpus=1.5' '--init' \
		'localhost/busybox:test /bin/sh -c "exec httpd -f -p 8080 -h \"/srv/100%%\" $$EXTRA"'; do
		[[ "$exec_line" == *" $opt"* ]] || { echo "missing: $opt"; false; }
	done
	exec_line=$(grep '^ExecStart=' "$ROOTFS$W/out/archy-keys-worker.service")
	for opt in '--user 33' '--entrypoint /entrypoint.sh' '--stop-signal SIGTERM' '--tmpfs /tmp' \
		'--cap-drop cap_net_raw' '--cap-drop cap_mknod' '--shm-size 1m' '--ulimit nofile=65536:65536' \
		'--memory=1g --memory-swap=1g' 'localhost/busybox:test sleep infinity'; do
		[[ "$exec_line" == *" $opt"* ]] || { echo "missing: $opt"; false; }
	done
	[[ "$exec_line" != *--read-only* && "$exec_line" != *no-new-privileges* ]]
	grep -q -- '--cpus=0.25 localhost/busybox:test$' "$ROOTFS$W/out/archy-keys-limits.service"
}
