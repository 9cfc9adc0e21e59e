#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# archyctl's metrics on the host, against the stand-in systemd of status.bats
# (test/ctl/fake-systemd.c) serving the units of manifests/e2e.yaml: archyctl status --prometheus
# on stdout (the series, the helpers' counters, promtool's lint), and archyctl metrics writing
# DIR/archy.prom atomically; a missing DIR, a full and a read-only filesystem. The real systemd,
# node_exporter and archy-metrics.timer are the e2e suite's (test/e2e/bats/210-archyctl-status.bats).

CTL=${ARCHY_CTL:-$BATS_TEST_DIRNAME/../../build/archyctl}
load fake-systemd

setup_file() {
	build_fake_systemd
}

setup() {
	ctl_test_dirs
	export ARCHY_RECONCILE_STATE=$T/reconcile.json \
		ARCHY_DERIVE_STATE=$T/derive.state ARCHY_PODMAN_REPAIR_STATE=$T/podman-repair.state \
		ARCHY_DISK_ROOT=$T ARCHY_DISK_CONTAINERS=$T/storage ARCHY_DISK_ARCHIPELAGO=$T/no-such-dir \
		ARCHY_TEXTFILE_DIR=$T/textfile
	mkdir -p "$T/textfile"
	# NAME LOAD ACTIVE SUB TYPE RESULT CODE STATUS RESTARTS EXIT_USEC CHANGE_USEC INACTIVE_USEC
	cat >"$T/units" <<-EOF
		archy-node.service loaded active running notify success 0 0 0 0 1795777200000000 0
		archy-node-ui.service loaded active running notify success 0 0 0 0 1795777201000000 0
		archy-wallet.service loaded failed failed notify exit-code 1 3 4 1795780680000000 1795780681000000 1795780681000000
		archy-wallet-ui.service loaded active running notify success 0 0 0 0 1795777203000000 0
		archy-indexer.service loaded active running notify success 0 0 0 0 1795777204000000 0
		archy-derive.service loaded inactive dead oneshot success 1 0 0 1795780790000000 1795780790000000 1795780790000000
		archy-reconcile.service loaded inactive dead oneshot exit-code 1 1 0 1795780700000000 1795780700000000 1795780700000000
		archy-metrics.service loaded inactive dead oneshot success 1 0 0 1795780780000000 1795780780000000 1795780780000000
	EOF
	printf '# archy-derive state: see archy-derive(8)\nnode 3 2 /var/lib/archipelago/node/bitcoin.conf\ngone 1 1 /x\n' \
		>"$T/derive.state"
	printf '# archy-podman-repair state: see archy-podman-repair(8)\nfailures=0\nrepairs=1795780000\nrepairs_total=7\n' \
		>"$T/podman-repair.state"
}

prom() { grep -v '^#' "$T/out.prom"; }

status_prometheus() {
	"$CTL" status --prometheus >"$T/out.prom" 2>"$T/err" && rc=0 || rc=$?
}

@test "status --prometheus: one series per app of the manifest, containers, helpers and counters, from systemd's answer" {
	fake_systemd
	status_prometheus
	cat "$T/err" "$T/out.prom"
	[ "$rc" -eq 5 ] # the failed wallet needs a person: status's exit status
	prom | grep -qx 'archy_app_running{app="node"} 1'
	prom | grep -qx 'archy_app_running{app="wallet"} 0'
	prom | grep -qx 'archy_app_running{app="indexer"} 1'
	prom | grep -qx 'archy_app_running{app="notes"} 0'
	prom | grep -qx 'archy_app_desired_running{app="notes"} 0'
	prom | grep -qx 'archy_app_desired_running{app="wallet"} 1'
	[ "$(prom | grep -c '^archy_app_running{')" -eq 4 ]
	prom | grep -qx 'archy_app_level{app="wallet",level="attention"} 1'
	prom | grep -qx 'archy_status_verdict{verdict="attention"} 1'
	prom | grep -qx 'archy_container_up{app="wallet",container="main"} 0'
	prom | grep -qx 'archy_container_up{app="wallet",container="ui"} 1'
	prom | grep -qx 'archy_container_restarts_total{app="wallet",container="main"} 4'
	prom | grep -qx 'archy_container_last_failure_timestamp_seconds{app="wallet",container="main"} 1795780680'
	prom | grep -qx 'archy_helper_last_run_timestamp_seconds{helper="derive"} 1795780790'
	prom | grep -qx 'archy_helper_last_run_duration_seconds{helper="derive"} 2.5'
	prom | grep -qx 'archy_helper_last_run_success{helper="derive"} 1'
	prom | grep -qx 'archy_helper_last_run_success{helper="reconcile"} 0'
	prom | grep -qx 'archy_helper_last_run_success{helper="metrics"} 1'
	# not loaded: no series
	[ "$(prom | grep -c 'helper="podman-repair"')" -eq 0 ]
	prom | grep -qx 'archy_derive_drift_found_total{app="node",file="/var/lib/archipelago/node/bitcoin.conf"} 3'
	prom | grep -qx 'archy_derive_drift_repaired_total{app="node",file="/var/lib/archipelago/node/bitcoin.conf"} 2'
	[ "$(prom | grep -c 'app="gone"')" -eq 0 ] # not in the manifest
	prom | grep -qx 'archy_podman_repairs_total 7'
	prom | grep -q "^archy_disk_free_bytes{path=\"$T\"} [0-9][0-9]*$"
	prom | grep -q "^archy_disk_size_bytes{path=\"$T/storage\"} [1-9][0-9]*$"
	[ "$(prom | grep -c 'no-such-dir')" -eq 0 ] # statvfs failed: left out
	# nothing known of the OTA verifier or podman's health: no series, no header
	[ "$(grep -c 'archy_ota_\|archy_podman_healthy' "$T/out.prom")" -eq 0 ]
	# each family's header once, before its samples
	[ "$(grep -c '^# TYPE archy_app_running gauge$' "$T/out.prom")" -eq 1 ]
	[ "$(grep -c '^# TYPE archy_container_restarts_total counter$' "$T/out.prom")" -eq 1 ]
}

@test "status --prometheus is accepted by promtool check metrics" {
	command -v promtool >/dev/null || skip "promtool is not installed (prometheus: tools/deps.sh test)"
	fake_systemd
	status_prometheus
	promtool check metrics <"$T/out.prom"
}

@test "status --prometheus with --json is a usage error (exit 2); no bus is exit 1 with nothing on stdout" {
	run "$CTL" status --json --prometheus
	[ "$status" -eq 2 ]
	[[ "$output" == *"--json and --prometheus go alone"* ]]
	status_prometheus
	[ "$rc" -eq 1 ]
	[ ! -s "$T/out.prom" ]
	grep -q "cannot connect to the bus at unix:path=$T/no-bus" "$T/err"
}

@test "metrics --help and usage errors" {
	run "$CTL" metrics --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: archyctl metrics [--textfile DIR]"* ]]
	[[ "$output" == *"ARCHY_TEXTFILE_DIR"* ]]
	run "$CTL" metrics extra
	[ "$status" -eq 2 ]
	run "$CTL" metrics --frobnicate
	[ "$status" -eq 2 ]
	run "$CTL" --help
	[[ "$output" == *"metrics [--textfile DIR]"* ]]
}

@test "metrics writes DIR/archy.prom atomically, mode 0644, the text of status --prometheus; no temporary file left" {
	fake_systemd
	printf 'old\n' >"$T/textfile/archy.prom"
	before=$(stat -c %i "$T/textfile/archy.prom")
	run "$CTL" metrics
	echo "$output"
	[ "$status" -eq 0 ] # attention is not an error of the writer
	[ -z "$output" ]
	[ "$(stat -c %a "$T/textfile/archy.prom")" = 644 ]
	[ "$(stat -c %i "$T/textfile/archy.prom")" != "$before" ] # renamed over, not rewritten in place
	[ "$(ls -A "$T/textfile")" = archy.prom ]
	status_prometheus
	# (the time and the free bytes of the tree's filesystem move in between)
	diff <(grep -v '^archy_metrics_last_run\|^archy_disk_free' "$T/out.prom") \
		<(grep -v '^archy_metrics_last_run\|^archy_disk_free' "$T/textfile/archy.prom")
	now=$(date +%s)
	ts=$(sed -n 's/^archy_metrics_last_run_timestamp_seconds //p' "$T/textfile/archy.prom")
	[ $((now - ts)) -le 5 ]
	# --textfile wins over the environment
	mkdir "$T/other"
	"$CTL" metrics --textfile "$T/other"
	[ -s "$T/other/archy.prom" ]
}

@test "metrics runs take turns: one waits while another holds DIR, and its newer view is the file left" {
	fake_systemd
	# the holder: another run that gathered first and renames its older view last
	flock "$T/textfile" sh -c 'touch "$1/held"; sleep 2; printf "older\n" >"$1/textfile/archy.prom"' sh "$T" 3>&- &
	local holder=$!
	for _ in $(seq 100); do [ -e "$T/held" ] && break || sleep 0.05; done
	[ -e "$T/held" ]
	local t0
	t0=$(date +%s%N)
	run "$CTL" metrics
	local waited_ms=$((($(date +%s%N) - t0) / 1000000))
	wait "$holder"
	echo "$output, after $waited_ms ms"
	[ "$status" -eq 0 ]
	[ "$waited_ms" -ge 1000 ] # it waited for the holder
	grep -q '^archy_metrics_last_run_timestamp_seconds ' "$T/textfile/archy.prom"
}

@test "metrics with no such DIR (node_exporter not installed): exit 0, nothing written, nothing said" {
	run "$CTL" metrics --textfile "$T/absent"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$T/absent" ]
}

@test "metrics on a full filesystem (ENOSPC) and a read-only one: exit 1, the path named, the old file whole" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	fake_systemd
	mkdir "$T/full"
	mount -t tmpfs -o size=64k tmpfs "$T/full" || skip "cannot mount a tmpfs here"
	printf '# the previous metrics\narchy_app_running{app="node"} 1\n' >"$T/full/archy.prom"
	cp "$T/full/archy.prom" "$T/old.prom"
	dd if=/dev/zero of="$T/full/fill" bs=4k 2>/dev/null || true
	run "$CTL" metrics --textfile "$T/full"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot write $T/full/archy.prom (No space left on device): the previous metrics stay as they were"* ]]
	cmp "$T/old.prom" "$T/full/archy.prom"
	[ "$(ls -A "$T/full" | sort | tr '\n' ' ')" = "archy.prom fill " ]
	rm "$T/full/fill"
	mount -o remount,ro "$T/full"
	run "$CTL" metrics --textfile "$T/full"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot write $T/full/archy.prom (Read-only file system)"* ]]
	cmp "$T/old.prom" "$T/full/archy.prom"
	umount "$T/full"
}

@test "the node's mode in the metrics: archy_node_info, rootful root by default, rootless with its apps user" {
	fake_systemd
	status_prometheus
	prom | grep -qx 'archy_node_info{mode="rootful",user="root"} 1'
	getent passwd nobody >/dev/null || skip "no user nobody"
	sed -i -e '/^version: 1$/a node: {mode: rootless, user: nobody}' -e '/kind: containers-conf/d' "$T/manifest.yaml"
	printf 'nobody:524288:65536\n' >"$T/subuid"
	export ARCHY_SUBUID_FILE=$T/subuid ARCHY_SUBGID_FILE=$T/subuid
	status_prometheus
	cat "$T/err"
	prom | grep -qx 'archy_node_info{mode="rootless",user="nobody"} 1'
	[ "$(prom | grep -c '^archy_node_info')" -eq 1 ]
}
