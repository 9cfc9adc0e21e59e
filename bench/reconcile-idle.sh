#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark an idle archy-reconcile run (nothing to do: what its timer costs every minute) against
# `systemctl list-units 'archy-*'` on the shipped node (issue 14: a run with nothing to do spawns no
# process and costs little). systemd as PID 1 with the node's units runs only in the Debian 13
# guest, so this boots the end-to-end suite's node layer (manifests/archipelago.yaml) with plan
# bench-reconcile (100-node-install.bats, then bench/guest/reconcile-idle.sh) and prints what the
# guest measured.
# Usage: bench/reconcile-idle.sh (root, or it re-runs itself through sudo); the guest takes the
# median of RUNS=11 rounds (test/e2e/guest/runner).
# Takes one node-layer boot (about 6-10 minutes); the rootfs and image caches are the suite's
# (ARCHY_CACHE, as test/e2e/run.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
[ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"
out=${E2E_OUT:-$top/build/bench-e2e-reconcile}
mkdir -p "$out"
${CC:-cc} -O2 -static -o "$out/timer" "$here/timer.c"
E2E_OUT=$out E2E_NODE_PLAN=bench-reconcile E2E_BENCH_DIR=$here/guest E2E_BENCH_TIMER=$out/timer \
	"$top/test/e2e/run.sh" node >"$out/run.log" 2>&1 || {
	tail -20 "$out/run.log" >&2
	exit 1
}
cat "$out/node/share/out/reconcile-idle.out"
