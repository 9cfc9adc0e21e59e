#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The end-to-end suite: boots a Debian 13 guest with systemd as PID 1, real podman and real
# Quadlet, archy installed as a package would install it, and runs the lifecycle bats files in it.
# By default the full matrix runs in systemd-nspawn (fast) and the reboot-survival and smoke subset
# in a QEMU VM (faithful), one after the other. Prints the app x event matrix per layer.
# Usage: test/e2e/run.sh [nspawn|vm]...
# Env:   E2E_NSPAWN_PLAN (default full), E2E_VM_PLAN (default vm): a file name under test/e2e/plans
#        E2E_BENCH_DIR, E2E_BENCH_TIMER: a benchmark's guest scripts and timer (bench/podman-repair.sh)
#        E2E_OUT (default <repo>/build/e2e): guest trees, shares, and what the guests left behind
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${E2E_OUT:-$repo/build/e2e}
layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(nspawn vm)

if [ "$(id -u)" != 0 ]; then
	echo "e2e: booting guests needs root: running through sudo" >&2
	exec sudo -E "$0" "$@"
fi
"$repo/tools/deps.sh" e2e || exit 1

now() { date +%s; }
t0=$(now)
mkdir -p "$out"
image_tar=$("$here/standin/build-image.sh" "$out/image") || exit 1
"$here/standin/selftest.sh" "$out/image/archy-standin" >"$out/standin-selftest.tap" 2>&1 || {
	cat "$out/standin-selftest.tap"
	echo "e2e: the stand-in apps fail their own self-test on the host" >&2
	exit 1
}
"$here/rootfs.sh" >/dev/null || exit 1
declare -A took
took[setup]=$(($(now) - t0))
echo "e2e: images and root filesystem ready after ${took[setup]} s" >&2

run_layer() {
	local layer=$1 plan=$2 dir=$out/$1 t
	t=$(now)
	rm -rf "$dir"
	mkdir -p "$dir/share/out"
	cp "$here/plans/$plan" "$dir/share/plan"
	cp -r "$here/bats" "$dir/share/bats"
	# bench/podman-repair.sh: the guest half of a benchmark and its static timer.
	if [ -n "${E2E_BENCH_DIR:-}" ]; then
		cp -r "$E2E_BENCH_DIR" "$dir/share/bench"
		cp "$E2E_BENCH_TIMER" "$dir/share/bench/timer"
	fi
	"$here/prepare-guest.sh" "$dir/root" "$image_tar" "$layer" || {
		echo "e2e: $layer: preparing the guest failed (see above)" >&2
		return 1
	}
	echo "e2e: $layer: guest prepared in $(($(now) - t)) s; booting (plan $plan)" >&2
	case $layer in
	nspawn) "$here/boot-nspawn.sh" "$dir/root" "$dir/share" ;;
	vm) "$here/boot-vm.sh" "$dir/root" "$dir/share" "$dir/vm" && rm -f "$dir/vm/root.img" ;;
	esac
	cat "$dir/share/out/host.log" >&2
	took[$layer]=$(($(now) - t))
	echo "e2e: $layer: finished in ${took[$layer]} s; the guest left its journal, units and TAP in $dir/share/out" >&2
}

failed=0
declare -A plan_of=([nspawn]=${E2E_NSPAWN_PLAN:-full} [vm]=${E2E_VM_PLAN:-vm})
for layer in "${layers[@]}"; do
	case $layer in
	nspawn | vm) run_layer "$layer" "${plan_of[$layer]}" ;;
	*) echo "usage: $0 [nspawn|vm]..." >&2 && exit 2 ;;
	esac
done
for layer in "${layers[@]}"; do
	"$here/matrix.sh" "$layer" "$out/$layer/share" || failed=1
done
echo
echo "e2e: time per layer: images and root filesystem ${took[setup]} s"
for layer in "${layers[@]}"; do
	echo "e2e:   $layer: ${took[$layer]:-?} s, plan ${plan_of[$layer]}$(sed -n 's/^vm: accelerator used: / (accelerator: /p' \
		"$out/$layer/share/out/host.log" 2>/dev/null | sed 's/$/)/')"
done
echo "e2e: $([ $failed = 0 ] && echo passed || echo FAILED) in $(($(now) - t0)) s"
exit $failed
