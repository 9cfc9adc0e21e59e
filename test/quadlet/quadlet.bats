#!/usr/bin/env bats
# podman's real Quadlet (podman 5.4, Debian 13) accepts every file archy-generator writes. It runs
# in a chroot of the cached Debian 13 root filesystem (test/e2e/rootfs.sh): Debian 12 has no Quadlet.
# Booting that system with systemd as PID 1 is the end-to-end suite's job (test/e2e).

setup_file() {
	: "${ROOTFS:?set ROOTFS to the Debian 13 root filesystem (test/quadlet/check-quadlet.sh does)}"
}

setup() {
	TOP=$BATS_TEST_DIRNAME/../..
	W=/tmp/archy-quadlet-test
	rm -rf "$ROOTFS$W"
	mkdir -p "$ROOTFS$W/etc" "$ROOTFS$W/out"
	chmod 755 "$ROOTFS$W" "$ROOTFS$W/etc"
	cp "${ARCHY_GENERATOR:-$TOP/build/archy-generator}" "$ROOTFS$W/archy-generator"
	cp "$TOP/manifests/archipelago.yaml" "$ROOTFS$W/etc/manifest.yaml"
}

teardown() { rm -rf "${ROOTFS:?}$W"; }

in_root() {
	# $W is under the chroot's world-writable /tmp: trust /tmp and above (ARCHY_TEST_TRUSTED_DIR)
	chroot "$ROOTFS" env ARCHY_MANIFEST=$W/etc/manifest.yaml ARCHY_LAST_GOOD=$W/etc/last-good.yaml \
		ARCHY_STAGING_DIR=$W/staging ARCHY_LOG_LEVEL=warning ARCHY_TEST_TRUSTED_DIR=/tmp "$@"
}

generate() { run in_root "$W/archy-generator" $W/out $W/out $W/out; }

@test "Quadlet turns the shipped node into units with no warning, as systemd runs the generator" {
	generate
	[ "$status" -eq 0 ]
	[ -z "$output" ]    # neither archy nor Quadlet had anything to complain about
	cd "$ROOTFS$W/out"
	for c in bitcoin-knots bitcoin-knots-ui lnd lnd-ui lnd-wallet electrumx btcpay-server btcpay-server-nbxplorer \
		btcpay-server-postgres mempool mempool-ui mempool-db fedimint; do
		[ -f "archy-$c.service" ]
		[ "$(readlink "archy-apps.target.wants/archy-$c.service")" = "../archy-$c.service" ]
		grep -q "^ExecStart=/usr/bin/podman run --name archy-$c " "archy-$c.service"
	done
	[ "$(ls archy-apps.target.wants | wc -l)" -eq 13 ]
	[ "$(ls *-volume.service | wc -l)" -eq 10 ]
	[ -f archipelago-network.service ]
	[ ! -e archy-bitcoin-core.service ]
}

@test "the generated units match the golden units byte for byte" {
	run in_root sh -c "cd $W && ./archy-generator --dry-run --manifest etc/manifest.yaml --output dry"
	[ "$status" -eq 0 ]
	golden=$TOP/test/golden/archipelago-units
	canonical "$ROOTFS$W/dry/units"
	if [ -n "${ARCHY_UPDATE_GOLDEN:-}" ]; then
		rm -rf "$golden" && cp -r "$ROOTFS$W/dry/units" "$golden"
	fi
	diff -r "$golden" "$ROOTFS$W/dry/units"
}

# Quadlet 5.4 emits some options from Go maps (AddHost=, NetworkAlias=, Entrypoint=, StopTimeout=
# ...), in an order that changes from run to run: the byte-for-byte comparison sorts each run of
# adjacent "--flag value" pairs of those flags.
canonical() {
	local f
	for f in "$1"/*.service; do
		awk -v set=' --add-host --network-alias --entrypoint --stop-timeout --hostname --workdir --user --stop-signal --shm-size ' '
			function flush(   i, j, t) {
				for (i = 2; i <= np; i++) for (j = i; j > 1 && pr[j - 1] > pr[j]; j--) { t = pr[j]; pr[j] = pr[j - 1]; pr[j - 1] = t }
				for (i = 1; i <= np; i++) out = out " " pr[i]
				np = 0
			}
			/^ExecStart=/ {
				n = split($0, w, " "); out = w[1]; np = 0
				for (i = 2; i <= n; i++) {
					if (index(set, " " w[i] " ") && i < n) { pr[++np] = w[i] " " w[i + 1]; i++ } else { flush(); out = out " " w[i] }
				}
				flush(); print out; next
			}
			{ print }' "$f" >"$f.canonical" && mv "$f.canonical" "$f"
	done
}

@test "every unit passes systemd-analyze verify (systemd 257)" {
	generate
	[ "$status" -eq 0 ]
	mkdir -p "$ROOTFS$W/verify"
	cp "$ROOTFS$W"/out/*.service "$ROOTFS$W/verify/"
	cp "$TOP"/units/archipelago-apps.slice "$TOP"/units/archy-apps.target "$TOP"/units/archy-manifest-save.path \
		"$ROOTFS$W/verify/"
	sed "s|@GENERATORDIR@|$W|" "$TOP/units/archy-manifest-save.service.in" \
		>"$ROOTFS$W/verify/archy-manifest-save.service"
	cp "${ARCHY_DERIVE:-$TOP/build/archy-derive}" "$ROOTFS$W/archy-derive"
	sed "s|@SBINDIR@|$W|" "$TOP/units/archy-derive.service.in" >"$ROOTFS$W/verify/archy-derive.service"
	cp "$TOP/units/archy-derive.timer" "$ROOTFS$W/verify/"
	run chroot "$ROOTFS" sh -c "cd $W/verify && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no *"
	echo "$output"
	[ "$status" -eq 0 ]
	# podman is not a running service in a chroot; anything else is a real complaint
	[ -z "$(echo "$output" | grep -v 'podman.*not executable\|Failed to prepare' || true)" ]
}

@test "every key of the schema, with edge values, is accepted by Quadlet" {
	cp "$TOP/test/cases/good/every-key.yaml" "$ROOTFS$W/etc/manifest.yaml"
	generate
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -F 'ExecStart=' "$ROOTFS$W/out/archy-node.service" >"$BATS_TEST_TMPDIR/exec"
	# the escaped command reaches podman as the manifest wrote it (systemd undoes %% and $$)
	grep -qF "sh -c \"echo \\\"100%% \$\$HOME\\\" \\\\ ; exit 0\" \"';'\"" "$BATS_TEST_TMPDIR/exec"
	grep -qF -- '--env "QUOTE=say \"hi\""' "$BATS_TEST_TMPDIR/exec"
	[ ! -e "$ROOTFS$W/out/archy-wallet.service" ] || ! [ -e "$ROOTFS$W/out/archy-apps.target.wants/archy-wallet.service" ]
	[ ! -e "$ROOTFS$W/out/archy-gone.service" ]
}

@test "a reload after an app is uninstalled leaves none of its units" {
	generate
	[ -f "$ROOTFS$W/out/archy-mempool.service" ]
	# mempool: no other app requires it or mounts its volumes
	sed -i '/^  mempool:/,/^  fedimint:/ s/^    state: started/    state: uninstalled/' "$ROOTFS$W/etc/manifest.yaml"
	rm -rf "$ROOTFS$W/out" && mkdir "$ROOTFS$W/out"   # systemd hands generators empty dirs
	generate
	[ "$status" -eq 0 ]
	[ ! -e "$ROOTFS$W/out/archy-mempool.service" ]
	[ ! -e "$ROOTFS$W/out/archy-mempool-db.service" ]
	[ ! -e "$ROOTFS$W/staging/archy-mempool.container" ]
	[ -f "$ROOTFS$W/out/archy-btcpay-server.service" ]
}

@test "every container runtime and hardening key is accepted by Quadlet and becomes its podman option" {
	# every runtime and hardening key (test/generator/container-keys.yaml), each as its podman option
	cp "$TOP/test/generator/container-keys.yaml" "$ROOTFS$W/etc/manifest.yaml"
	generate
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

@test "a newline and a tab in a command and an env value reach ExecStart= as \\n and \\t in a quoted word" {
	cat >"$ROOTFS$W/etc/manifest.yaml" <<'YAML'
version: 1
apps:
  lines:
    containers:
      main:
        image: localhost/busybox:test
        command: |
          echo one >/tmp/a
          	echo "two" 100% $HOME
        env: {MULTI: "l1\nl2\tx"}
        health: {cmd: "test\t-e /tmp/a"}
      list:
        image: localhost/busybox:test
        command: [sh, -c, "echo three\necho four"]
YAML
	generate
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	exec_line=$(grep '^ExecStart=' "$ROOTFS$W/out/archy-lines.service")
	echo "$exec_line"
	# Quadlet unescaped archy's \n and \t (SplitCUnescape) and escaped them again for systemd
	# shellcheck disable=SC2016 # the $ are the unit's
	[[ "$exec_line" == *' --env "MULTI=l1\nl2\tx" '* ]]
	[[ "$exec_line" == *' --health-cmd "test\t-e /tmp/a" '* ]]
	# shellcheck disable=SC2016
	[[ "$exec_line" == *' localhost/busybox:test /bin/sh -c "echo one >/tmp/a\n\techo \"two\" 100%% $$HOME\n"' ]]
	grep -qF 'localhost/busybox:test sh -c "echo three\necho four"' "$ROOTFS$W/out/archy-lines-list.service"
	# one ExecStart= line each: no newline of a value started a line of its own
	[ "$(grep -c '^ExecStart=' "$ROOTFS$W/out/archy-lines.service")" -eq 1 ]
	! grep -q '^echo\|^	echo' "$ROOTFS$W/out/archy-lines.service" "$ROOTFS$W/staging/archy-lines.container" || false
	# systemd 257 reads these ExecStart= lines without a complaint
	mkdir -p "$ROOTFS$W/verify"
	cp "$ROOTFS$W"/out/archy-lines*.service "$TOP"/units/archipelago-apps.slice "$ROOTFS$W/verify/"
	run chroot "$ROOTFS" sh -c "cd $W/verify && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no *"
	echo "$output"
	[ -z "$(echo "$output" | grep -v 'podman.*not executable\|Failed to prepare\|archy-apps.target\|archipelago-network' || true)" ]
}
