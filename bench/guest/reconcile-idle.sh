#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of bench/reconcile-idle.sh, run by the e2e runner in the booted Debian 13 guest with
# the shipped node up (after 100-node-install.bats). Interleaved rounds, median of RUNS, with the
# static bench/timer.c in /ci/bench, each command's output to /dev/null:
#   (s) systemctl list-units 'archy-*': the baseline, one ListUnitsByPatterns and its printing
#   (r) archy-reconcile with nothing to do (the idle path the timer takes every minute): the
#       manifest, one ListUnitsByPatterns, the cid files, the state file; no podman
#   (d) archy-reconcile --dry-run: the same plus podman ps, volume ls, network ls (for reference)
#   (t) /bin/true: one process spawn by itself
set -euo pipefail
RUNS=${RUNS:-11}
timer=/ci/bench/timer
work=$(mktemp -d)
# The timer would run it between rounds: held. Two runs first: the full scan recorded, the apps
# seen healthy, so that every measured run is an idle one.
systemctl stop archy-reconcile.timer
for _ in 1 2 3; do archy-reconcile >/dev/null; systemctl list-units 'archy-*' >/dev/null; done
: >"$work/s"; : >"$work/r"; : >"$work/d"; : >"$work/t"
for _ in $(seq "$RUNS"); do
	"$timer" /usr/bin/systemctl list-units 'archy-*' >>"$work/s"
	"$timer" /usr/sbin/archy-reconcile >>"$work/r"
	"$timer" /usr/sbin/archy-reconcile --dry-run >>"$work/d" || true
	"$timer" /bin/true >>"$work/t"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { cut -d' ' -f"$2" "$work/$1" | median; }
printf 'archy-reconcile with nothing to do on the shipped node, median of %s interleaved rounds\n' "$RUNS"
awk -v s="$(col s 1)" -v rs="$(col s 2)" -v cs="$(col s 4)" -v r="$(col r 1)" -v rr="$(col r 2)" -v cr="$(col r 4)" \
	-v d="$(col d 1)" -v t="$(col t 1)" 'BEGIN {
	printf "  (s) systemctl list-units archy-*     %8.2f ms  %6d KB peak RSS  %8.2f ms CPU\n", s / 1e6, rs, cs / 1e6
	printf "  (r) archy-reconcile (idle)           %8.2f ms  %6d KB peak RSS  %8.2f ms CPU\n", r / 1e6, rr, cr / 1e6
	printf "  (d) archy-reconcile --dry-run        %8.2f ms\n", d / 1e6
	printf "  (t) /bin/true                        %8.2f ms\n", t / 1e6
	printf "  ratio r / s: %.2fx; without the spawn (r - t) / (s - t): %.2fx\n", r / s, (r - t) / (s - t)
}'
# Processes of one idle run: none besides itself.
strace -f -qq -e trace=execve -o "$work/trace" archy-reconcile >/dev/null || true
printf '  processes an idle archy-reconcile starts: %s\n' "$(($(grep -c 'execve(' "$work/trace") - 1))"
systemctl start archy-reconcile.timer
rm -rf "$work"
