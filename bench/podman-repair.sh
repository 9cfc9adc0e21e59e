#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark archy-podman-repair's healthy run against podman itself. podman 5.4 runs only in the
# Debian 13 guest, so this boots the end-to-end suite's nspawn guest with plan bench-podman
# (install the e2e apps, then bench/guest/podman-repair.sh) and prints what the guest measured.
# Usage: bench/podman-repair.sh (root, or it re-runs itself through sudo)   Env: RUNS (default 11)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
[ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"
out=$top/build/bench-e2e
mkdir -p "$out"
${CC:-cc} -O2 -static -o "$out/timer" "$here/timer.c"
E2E_OUT=$out E2E_NSPAWN_PLAN=bench-podman E2E_BENCH_DIR=$here/guest E2E_BENCH_TIMER=$out/timer \
	"$top/test/e2e/run.sh" nspawn >"$out/run.log" 2>&1 || {
	tail -20 "$out/run.log" >&2
	exit 1
}
cat "$out/nspawn/share/out/podman-repair.out"
