#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The end-to-end suite: boots a Debian 13 guest with systemd as PID 1, real podman and real
# Quadlet, archy installed as a package would install it, and runs the lifecycle bats files in it.
# By default the full matrix runs in systemd-nspawn (fast), then the shipped node
# (manifests/archipelago.yaml byte for byte, the images it names built by test/e2e/images/build.sh)
# in nspawn, side by side with the rootless layer (nspawn), which boots the test node in rootless
# mode: manifests/e2e.yaml with node: {mode: rootless}, the apps user made by
# archy-setup-rootless, the apps in its podman and its user manager; then the reboot-survival and
# smoke subset in a QEMU VM (faithful), alone. Prints the app x event matrix per layer, with the layer's mode.
# Usage: test/e2e/run.sh [nspawn|rootless|node|vm|LANE+LANE...]...: lanes joined by "+" run side
#        by side (each nspawn guest in a cgroup of its own), a lane's ","-joined layers and the
#        steps one after the other. Default: nspawn,node+rootless vm (two nspawn guests at a time,
#        then the VM alone: under TCG it wants both cores)
# Env:   E2E_NSPAWN_PLAN (default full), E2E_ROOTLESS_PLAN (default rootless), E2E_NODE_PLAN
#        (default node), E2E_VM_PLAN (default vm): a file name under test/e2e/plans
#        E2E_NODE_MANIFEST_SED: a sed expression, or the path of a file of sed expressions, applied
#        to the node layer's installed copy of the shipped manifest (the pristine copy stays as
#        shipped): a deliberately broken node, which must fail the suite at the matching app
#        E2E_IMAGES: build only these image specs (slugs, see test/e2e/images/build.sh)
#        E2E_BENCH_DIR, E2E_BENCH_TIMER: a benchmark's guest scripts and timer (bench/podman-repair.sh)
#        E2E_OUT (default <repo>/build/e2e): guest trees, shares, and what the guests left behind
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${E2E_OUT:-$repo/build/e2e}
layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=("nspawn,node+rootless" vm)
# A step of "+"-joined lanes runs them side by side (each nspawn guest has a cgroup of its own,
# boot-nspawn.sh; their tests mostly wait on systemd, podman and timers); a lane of ","-joined
# layers runs them one after the other: "nspawn,node+rootless" is two guests at a time.
steps=("${layers[@]}")
layers=()
for step in "${steps[@]}"; do
	for layer in ${step//[+,]/ }; do
		case $layer in
		nspawn | rootless | node | vm) layers+=("$layer") ;;
		*) echo "usage: $0 [nspawn|rootless|node|vm|LANE+LANE...]..., a LANE being LAYER[,LAYER...]" >&2 && exit 2 ;;
		esac
	done
done

if [ "$(id -u)" != 0 ]; then
	echo "e2e: booting guests needs root: running through sudo" >&2
	exec sudo -E "$0" "$@"
fi
"$repo/tools/deps.sh" e2e || exit 1

now() { date +%s; }
t0=$(now)
mkdir -p "$out"
image_tar=$("$here/standin/build-image.sh" "$out/image") || exit 1
# The host-side checks run the archy binaries built here (a checkout need not have run make).
nb_bin=${ARCHY_E2E_BUILD:-build/e2e/bin}
make -s -C "$repo" BUILD="$nb_bin" "$nb_bin/archy-generator" "$nb_bin/archy-derive" >/dev/null || exit 1
ARCHY_DERIVE=$repo/$nb_bin/archy-derive "$here/standin/selftest.sh" "$out/image/archy-standin" >"$out/standin-selftest.tap" 2>&1 || {
	cat "$out/standin-selftest.tap"
	echo "e2e: the stand-in apps fail their own self-test on the host" >&2
	exit 1
}
# The broken copies of the shipped manifest (test/e2e/broken/*.sed) refused at the matching app,
# naming the contract: host side, ~15 s, so every run (and make check) proves the stand-ins can tell.
ARCHY_GENERATOR=$repo/$nb_bin/archy-generator ARCHY_DERIVE=$repo/$nb_bin/archy-derive \
	"$here/node-broken.sh" "$out/image/archy-standin" "$out/node-broken" >"$out/node-broken.tap" 2>&1 || {
	cat "$out/node-broken.tap"
	echo "e2e: a broken copy of the shipped manifest is not refused with its contract (test/e2e/node-broken.sh)" >&2
	exit 1
}
if [[ " ${layers[*]} " == *" node "* ]]; then
	images_list=$("$here/images/build.sh" "$out/images") || exit 1
	# The databases' self-test takes 1-3 min: once per set of images (and version of the test).
	selftest_key=$(cat "$here/images/selftest.sh" "$out"/images/*.hash | sha256sum | cut -c1-16)
	if [ "$(cat "$out/images-selftest.passed" 2>/dev/null)" != "$selftest_key" ]; then
		"$here/images/selftest.sh" "$out/images" >"$out/images-selftest.tap" 2>&1 || {
			cat "$out/images-selftest.tap"
			echo "e2e: the real database images fail their own self-test on the host" >&2
			exit 1
		}
		echo "$selftest_key" >"$out/images-selftest.passed"
	fi
fi
"$here/rootfs.sh" >/dev/null || exit 1
setup_took=$(($(now) - t0))
echo "e2e: images and root filesystem ready after $setup_took s" >&2

# The test node in rootless mode: node: {mode: rootless} after "version: 1", the containers-conf
# derived file dropped (refused on a rootless node). Installed byte for byte as both the manifest
# and the pristine copy the tests compare with.
rootless_manifest() {
	local m
	m=$(sed -e '/^version: 1$/a node: {mode: rootless}' -e '/kind: containers-conf/d' "$1") || return 1
	if ! grep -qx 'node: {mode: rootless}' <<<"$m" || grep -q 'kind: containers-conf' <<<"$m"; then
		echo "e2e: rootless: could not derive the rootless manifest from $1 (no 'version: 1' line?)" >&2
		return 1
	fi
	printf '%s\n' "$m"
}

# The mode a manifest runs its node in (archy-manifest(5) NODE), for the matrix.
mode_of() {
	if grep -qE '^node:.*mode: *rootless|^  mode: *rootless' "$1"; then echo rootless; else echo rootful; fi
}

# The host's CPU ticks, busy and all (/proc/stat): a layer's share of the machine, for choosing
# what may run side by side.
cpu_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat; }
run_layer() {
	local layer=$1 plan=$2 dir=$out/$1 t busy0 all0 busy1 all1
	t=$(now)
	read -r busy0 all0 < <(cpu_ticks)
	rm -rf "$dir"
	mkdir -p "$dir/share/out"
	cp "$here/plans/$plan" "$dir/share/plan"
	cp -r "$here/bats" "$dir/share/bats"
	# bench/podman-repair.sh: the guest half of a benchmark and its static timer.
	if [ -n "${E2E_BENCH_DIR:-}" ]; then
		cp -r "$E2E_BENCH_DIR" "$dir/share/bench"
		cp "$E2E_BENCH_TIMER" "$dir/share/bench/timer"
	fi
	local manifest=$repo/manifests/e2e.yaml images=
	if [ "$layer" = node ]; then manifest=$repo/manifests/archipelago.yaml images=$images_list; fi
	if [ "$layer" = rootless ]; then
		manifest=$dir/e2e-rootless.yaml
		rootless_manifest "$repo/manifests/e2e.yaml" >"$manifest" || return 1
	fi
	mode_of "$manifest" >"$dir/share/mode"
	E2E_GUEST_MANIFEST=$manifest E2E_GUEST_IMAGES=$images \
		"$here/prepare-guest.sh" "$dir/root" "$image_tar" "$layer" || {
		echo "e2e: $layer: preparing the guest failed (see above)" >&2
		return 1
	}
	echo "e2e: $layer: guest prepared in $(($(now) - t)) s; booting (plan $plan, $(cat "$dir/share/mode"))" >&2
	case $layer in
	# the full plan's chaos 6 (270-disk-full) fills the guest's own disk
	nspawn) E2E_NSPAWN_DISK=${E2E_NSPAWN_DISK-6G} "$here/boot-nspawn.sh" "$dir/root" "$dir/share" ;;
	rootless | node) "$here/boot-nspawn.sh" "$dir/root" "$dir/share" ;;
	vm) "$here/boot-vm.sh" "$dir/root" "$dir/share" "$dir/vm" && rm -f "$dir/vm/root.img" ;;
	esac
	cat "$dir/share/out/host.log" >&2
	read -r busy1 all1 < <(cpu_ticks)
	# in files: a layer run side by side runs in a subshell
	echo $(($(now) - t)) >"$dir/took"
	echo "host CPU $((100 * (busy1 - busy0) / (all1 - all0 + 1)))% busy on $(nproc) cores" >"$dir/cpu"
	echo "e2e: $layer: finished in $(cat "$dir/took") s; the guest left its journal, units and TAP in $dir/share/out" >&2
}

failed=0
declare -A plan_of=([nspawn]=${E2E_NSPAWN_PLAN:-full} [rootless]=${E2E_ROOTLESS_PLAN:-rootless}
	[node]=${E2E_NODE_PLAN:-node} [vm]=${E2E_VM_PLAN:-vm})
side_by_side=()
run_lane() {
	local layer
	for layer in ${1//,/ }; do run_layer "$layer" "${plan_of[$layer]}"; done
}
for step in "${steps[@]}"; do
	IFS=+ read -r -a lanes <<<"$step"
	if [ ${#lanes[@]} = 1 ]; then
		run_lane "$step"
		continue
	fi
	echo "e2e: side by side: ${lanes[*]}" >&2
	pids=() t=$(now)
	for lane in "${lanes[@]}"; do
		run_lane "$lane" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for layer in ${step//[+,]/ }; do echo "$step" >"$out/$layer/side-by-side"; done
	side_by_side+=("$step: $(($(now) - t)) s")
done
for layer in "${layers[@]}"; do
	"$here/matrix.sh" "$layer" "$out/$layer/share" | tee "$out/$layer/matrix" || failed=1
done
echo
echo "e2e: time per layer: images and root filesystem $setup_took s"
for layer in "${layers[@]}"; do
	side=$(cat "$out/$layer/side-by-side" 2>/dev/null) || true
	echo "e2e:   $layer: $(cat "$out/$layer/took" 2>/dev/null || echo '?') s ($(cat "$out/$layer/cpu" 2>/dev/null || echo 'CPU ?')${side:+, side by side: $side}), plan ${plan_of[$layer]}, $(cat "$out/$layer/share/mode" 2>/dev/null || echo '?')$(sed -n 's/^vm: accelerator used: / (accelerator: /p' \
		"$out/$layer/share/out/host.log" 2>/dev/null | sed 's/$/)/')"
done
for line in "${side_by_side[@]}"; do echo "e2e:   side by side, $line"; done
# the failures again, last: a CI log is often read from its tail
for layer in "${layers[@]}"; do
	grep -E '^  [a-z]+: not ok |did not complete' "$out/$layer/matrix" 2>/dev/null | sed "s/^ */e2e: $layer: /"
done
echo "e2e: $([ $failed = 0 ] && echo passed || echo FAILED) in $(($(now) - t0)) s"
exit $failed
