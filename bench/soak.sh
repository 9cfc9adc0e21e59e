#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make soak`: the shipped node (the e2e suite's node layer, manifests/archipelago.yaml on the
# stand-in and real database images) run for SOAK_MINUTES with archy's timers at their shipped
# periods, probed every 10 s, with a fault from DESIGN's chaos list injected every 2-4 min
# (bench/guest/soak.sh); prints the report and fails on lost data, a leaked process, growing
# memory, an fd leak, a fault not healed, or availability below the thresholds
# (bench/guest/soak-report.py). Not part of make check or CI.
# Usage: bench/soak.sh (root, or it re-runs itself through sudo), e.g. make soak SOAK_MINUTES=30; it
#        boots a guest: run no other end-to-end run on the machine meanwhile (its figures would be off).
# Env:   SOAK_MINUTES (default 30), SOAK_SEED (default random; printed: the same seed injects the
#        same faults), SOAK_FAULTS ("kind:weight ..."), SOAK_FAULT_MIN/SOAK_FAULT_MAX (s between a
#        heal and the next fault, default 120/240), SOAK_FAULT_ORDER=cycle (each kind in turn),
#        SOAK_PROBE_EVERY (10), SOAK_RELOAD_EVERY (120), SOAK_MIN_AVAILABILITY (0.80),
#        SOAK_MIN_UNDISTURBED (0.98), SOAK_MAX_GROWTH (1.2); E2E_OUT (default build/e2e-soak),
#        ARCHY_CACHE as test/e2e/run.sh.
# Writes build/soak/report.txt, report.json and everything the guest recorded (the figures also go
# to stdout); the e2e run's own log is $E2E_OUT/run.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
[ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"
minutes=${SOAK_MINUTES:-30}
seed=${SOAK_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
if ! [[ $minutes =~ ^[1-9][0-9]*$ ]]; then
	echo "soak: SOAK_MINUTES=$minutes: expected a whole number of minutes >= 1" >&2
	exit 2
fi
if ! [[ $seed =~ ^[0-9]+$ ]]; then
	echo "soak: SOAK_SEED=$seed: expected a whole number" >&2
	exit 2
fi
out=${E2E_OUT:-$top/build/e2e-soak}
report=$top/build/soak
mkdir -p "$out"
rm -rf "$report" "$out/soak-bench"
mkdir -p "$report"
${CC:-cc} -O2 -static -o "$out/timer" "$here/timer.c"
cp -r "$here/guest" "$out/soak-bench"
{
	echo "SOAK_MINUTES=$minutes"
	echo "SOAK_SEED=$seed"
	for v in SOAK_FAULTS SOAK_FAULT_MIN SOAK_FAULT_MAX SOAK_FAULT_ORDER SOAK_PROBE_EVERY SOAK_RELOAD_EVERY \
		SOAK_MIN_AVAILABILITY SOAK_MIN_UNDISTURBED SOAK_MAX_GROWTH; do
		[ -z "${!v:-}" ] || printf '%s=%q\n' "$v" "${!v}"
	done
} >"$out/soak-bench/soak.env"
echo "soak: seed $seed, $minutes min (repeat with SOAK_SEED=$seed SOAK_MINUTES=$minutes make soak); booting the node layer, log in $out/run.log" >&2
# The node's install (~5-10 min) and the soak share nspawn's deadline.
rc=0
E2E_OUT=$out E2E_NODE_PLAN=soak E2E_BENCH_DIR=$out/soak-bench E2E_BENCH_TIMER=$out/timer \
	E2E_NSPAWN_TIMEOUT=$((1500 + minutes * 60 + 900)) \
	"$top/test/e2e/run.sh" node >"$out/run.log" 2>&1 || rc=$?
share=$out/node/share/out
[ -d "$share/soak" ] && cp -r "$share/soak/." "$report/"
[ -f "$share/soak.out" ] && cp "$share/soak.out" "$report/soak.out"
if [ ! -f "$report/report.txt" ]; then
	tail -30 "$out/run.log" >&2
	[ -f "$report/soak.out" ] && tail -30 "$report/soak.out" >&2
	echo "soak: FAILED: the guest wrote no report (the node did not install, or the soak stopped): see $out/run.log and $share" >&2
	exit 1
fi
cat "$report/report.txt"
if [ "$rc" != 0 ]; then
	grep -E 'not ok|FAILED' "$out/run.log" | head -20 >&2
	echo "soak: FAILED: the node layer's install rows failed (test/e2e/run.sh exit $rc): see $out/run.log" >&2
	exit 1
fi
[ "$(cat "$report/result" 2>/dev/null)" = 0 ] || { echo "soak: FAILED (see above; everything recorded is in $report)" >&2; exit 1; }
echo "soak: passed; report in $report/report.txt and report.json" >&2
