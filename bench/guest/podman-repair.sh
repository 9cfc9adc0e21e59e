#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of bench/podman-repair.sh, run by the e2e runner in a booted Debian 13 guest with
# the e2e apps up. Interleaved rounds, median of RUNS, with the static bench/timer.c in /ci/bench:
#   (p) podman info --format json alone: the probe's own cost, the baseline
#   (a) archy-podman-repair on the healthy node: the probe, the manifest, D-Bus for 5 app units
#   (o) archy-podman-repair with podman replaced by `cat` of a recorded answer: archy's own cost
#   (c) that stand-in alone
set -euo pipefail
RUNS=${RUNS:-11}
timer=/ci/bench/timer
work=$(mktemp -d)
podman info --format json >"$work/info.json"
printf '#!/bin/sh\nexec cat %s\n' "$work/info.json" >"$work/podman"
chmod +x "$work/podman"
own=(--status-file "$work/status.json" --state-file "$work/state")
# Settle: first runs write the state file and verify the volume records once.
archy-podman-repair "${own[@]}" >/dev/null
ARCHY_PODMAN=$work/podman archy-podman-repair "${own[@]}" >/dev/null
: >"$work/p"; : >"$work/a"; : >"$work/o"; : >"$work/c"
for _ in $(seq "$RUNS"); do
	"$timer" /usr/bin/podman info --format json >>"$work/p"
	"$timer" /usr/sbin/archy-podman-repair "${own[@]}" >>"$work/a"
	ARCHY_PODMAN=$work/podman "$timer" /usr/sbin/archy-podman-repair "${own[@]}" >>"$work/o"
	"$timer" "$work/podman" >>"$work/c"
done
grep -q '"result": "healthy"' "$work/status.json"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { cut -d' ' -f"$2" "$work/$1" | median; }
printf 'archy-podman-repair, healthy node (5 started app units), median of %s interleaved rounds\n' "$RUNS"
awk -v p="$(col p 1)" -v rp="$(col p 2)" -v a="$(col a 1)" -v ra="$(col a 2)" -v o="$(col o 1)" \
	-v ro="$(col o 2)" -v c="$(col c 1)" -v rc="$(col c 2)" 'BEGIN {
	printf "  (p) podman info --format json     %8.2f ms  %7d KB peak RSS\n", p / 1e6, rp
	printf "  (a) archy-podman-repair           %8.2f ms  %7d KB peak RSS  (%.2fx p)\n", a / 1e6, ra, a / p
	printf "  (o) same, podman answered by cat  %8.2f ms  %7d KB peak RSS\n", o / 1e6, ro
	printf "  (c) the cat stand-in alone        %8.2f ms  %7d KB peak RSS\n", c / 1e6, rc
	printf "  archy own cost (o - c): %.2f ms, %.1f%% of the probe (p)\n", (o - c) / 1e6, 100 * (o - c) / p
}'
strace -f -qq -e trace=execve -o "$work/trace" archy-podman-repair "${own[@]}" >/dev/null
printf '  processes archy starts on a healthy run: %s (%s)\n' \
	"$(grep -c 'execve("/usr/bin/podman"' "$work/trace")" \
	"$(grep -o 'execve("/usr/bin/podman", \[[^]]*\]' "$work/trace" | sed 's/.*\[//' | tr -d '"' | head -3)"
rm -rf "$work"
