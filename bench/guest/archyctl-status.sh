#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of bench/archyctl-status.sh, run by the e2e runner in the booted Debian 13 guest with
# the shipped node up (after 100-node-install.bats). Interleaved rounds, median of RUNS, with the
# static bench/timer.c in /ci/bench, each command's output to /dev/null:
#   (s) systemctl list-units 'archy-*': the baseline a UI would otherwise poll (target: j <= 2 s)
#   (j) archyctl status --json: the manifest, one ListUnitsByPatterns, one batch of property reads,
#       the helpers' state files, podman's health logs
#   (x) archyctl status (the text summary)
#   (p) systemctl show for the same units and properties status reports: what systemctl costs to
#       say as much (for reference)
#   (t) /bin/true: one process spawn by itself
set -euo pipefail
RUNS=${RUNS:-11}
timer=/ci/bench/timer
work=$(mktemp -d)
units=$(archyctl status --json | python3 -c 'import json, sys
print(" ".join(u["unit"] for a in json.load(sys.stdin)["apps"] for u in a["units"] if u["loaded"]))')
props=ActiveState,SubState,NRestarts,Result,ExecMainCode,ExecMainStatus,ExecMainExitTimestamp,StateChangeTimestamp
# settle: caches warm, the node's jobs done
for _ in 1 2 3; do archyctl status --json >/dev/null || true; systemctl list-units 'archy-*' >/dev/null; done
: >"$work/s"; : >"$work/j"; : >"$work/x"; : >"$work/p"; : >"$work/t"
for _ in $(seq "$RUNS"); do
	"$timer" /usr/bin/systemctl list-units 'archy-*' >>"$work/s"
	"$timer" /usr/sbin/archyctl status --json >>"$work/j"
	"$timer" /usr/sbin/archyctl status >>"$work/x"
	# shellcheck disable=SC2086 # one argument per unit
	"$timer" /usr/bin/systemctl show -p "$props" $units >>"$work/p"
	"$timer" /bin/true >>"$work/t"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { cut -d' ' -f"$2" "$work/$1" | median; }
n_units=$(wc -w <<<"$units")
printf 'archyctl status on the shipped node (%s loaded app units), median of %s interleaved rounds\n' "$n_units" "$RUNS"
awk -v s="$(col s 1)" -v rs="$(col s 2)" -v cs="$(col s 4)" -v j="$(col j 1)" -v rj="$(col j 2)" -v cj="$(col j 4)" \
	-v x="$(col x 1)" -v p="$(col p 1)" -v t="$(col t 1)" 'BEGIN {
	printf "  (s) systemctl list-units archy-*     %8.2f ms  %6d KB peak RSS  %8.2f ms CPU\n", s / 1e6, rs, cs / 1e6
	printf "  (j) archyctl status --json           %8.2f ms  %6d KB peak RSS  %8.2f ms CPU\n", j / 1e6, rj, cj / 1e6
	printf "  (x) archyctl status                  %8.2f ms\n", x / 1e6
	printf "  (p) systemctl show, same properties  %8.2f ms\n", p / 1e6
	printf "  (t) /bin/true                        %8.2f ms\n", t / 1e6
	printf "  ratio j / s: %.2fx (target <= 2x: %s); without the spawn (j - t) / (s - t): %.2fx\n",
		j / s, (j / s <= 2) ? "met" : "MISSED", (j - t) / (s - t)
}'
# Processes and D-Bus calls of one run: no podman, no systemctl; one list call, one batch.
strace -f -qq -e trace=execve -o "$work/trace" archyctl status --json >/dev/null || true
printf '  processes archyctl status starts: %s\n' "$(($(grep -c 'execve(' "$work/trace") - 1))"
if command -v busctl >/dev/null; then
	timeout 10 busctl monitor --system --match "type=method_call,destination=org.freedesktop.systemd1" \
		>"$work/monitor" 2>/dev/null &
	mon=$!
	sleep 1
	# over the bus broker, so that busctl monitor sees the calls (as root archyctl uses systemd's
	# private socket, which no monitor sees): the same calls
	ARCHY_SYSTEMD_BUS=unix:path=/run/dbus/system_bus_socket archyctl status --json >/dev/null || true
	sleep 1
	kill "$mon" 2>/dev/null || true
	wait "$mon" 2>/dev/null || true
	printf '  D-Bus calls to systemd in one run: %s ListUnitsByPatterns, %s GetAll, %s Get\n' \
		"$(grep -c 'Member=ListUnitsByPatterns' "$work/monitor" || true)" "$(grep -c 'Member=GetAll' "$work/monitor" || true)" \
		"$(grep -c 'Member=Get$' "$work/monitor" || true)"
fi
rm -rf "$work"
