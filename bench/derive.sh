#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark archy-derive over the shipped node (manifests/archipelago.yaml, 12 derived files) in a
# temporary tree (--root), interleaving per round:
#   (b) bench/bare.c: an empty main linked against libyaml and libcrypto, as archy-derive is (it
#       dlopen()s libsystemd only to restart a unit): what starting such a process costs by itself
#   (s) the same empty main also linked against libsystemd, for comparison
#   (n) archy-derive with no drift: read the manifest and secrets, compare every file, exit
#   (r) archy-derive repairing one file (bitcoin.conf's rpcauth corrupted before the run)
# and, once, strace of a no-drift run: processes spawned and connect() calls (D-Bus).
# Usage: bench/derive.sh      Env: RUNS (default 21), ARCHY_DERIVE (default build/archy-derive)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
RUNS=${RUNS:-21}
derive=${ARCHY_DERIVE:-$top/build/archy-derive}
[ -x "$derive" ] || { echo "bench: $derive not found: run make first" >&2; exit 1; }
work=$(mktemp -d)
# The work dir is under a world-writable /tmp: trust it and above, as bench/run.sh does (path-trust.h).
export ARCHY_TEST_TRUSTED_DIR=${ARCHY_TEST_TRUSTED_DIR:-$(dirname "$work")}
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}
$cc -O2 -static -o "$work/timer" "$here/timer.c"
$cc -O2 -o "$work/bare" "$here/bare.c" -Wl,--no-as-needed -lyaml -lcrypto
$cc -O2 -o "$work/bare-sd" "$here/bare.c" -Wl,--no-as-needed -lyaml -lcrypto -lsystemd

root=$work/root
mkdir -p "$root/etc/archipelago"
cp "$top/manifests/archipelago.yaml" "$root/etc/archipelago/manifest.yaml"
files=$("$derive" --root "$root" 2>&1 | grep -c 'repaired:')
conf=$root/var/lib/archipelago/bitcoin/bitcoin.conf
corrupt() { sed -i -E 's/^(rpcauth=archipelago:[0-9a-f]{32}\$)[0-9a-f]{64}$/\1'"$(printf '0%.0s' $(seq 64))"'/' "$conf"; }

: >"$work/b"; : >"$work/s"; : >"$work/n"; : >"$work/r"
for _ in $(seq "$RUNS"); do
	"$work/timer" "$work/bare" >>"$work/b"
	"$work/timer" "$work/bare-sd" >>"$work/s"
	"$work/timer" "$derive" --root "$root" >>"$work/n"
	corrupt
	"$work/timer" "$derive" --root "$root" >>"$work/r"
done
"$derive" --root "$root" --check 2>/dev/null || { echo "bench: the tree is not in sync after the runs" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
stat_of() { # file column
	cut -d' ' -f"$2" "$1" | median
}
b=$(stat_of "$work/b" 1); n=$(stat_of "$work/n" 1); r=$(stat_of "$work/r" 1)
printf 'archy-derive over the shipped node (%s derived files), median of %s interleaved rounds\n' \
	"$files" "$RUNS"
awk -v b="$b" -v n="$n" -v r="$r" -v rb="$(stat_of "$work/b" 2)" -v rn="$(stat_of "$work/n" 2)" \
	-v rr="$(stat_of "$work/r" 2)" -v s="$(stat_of "$work/s" 1)" -v rs="$(stat_of "$work/s" 2)" 'BEGIN {
	printf "  (s) bare process + libsystemd      %7.2f ms  %6d KB peak RSS\n", s / 1e6, rs
	printf "  (b) bare process, same libraries   %7.2f ms  %6d KB peak RSS\n", b / 1e6, rb
	printf "  (n) no drift                       %7.2f ms  %6d KB peak RSS  (%.2fx b, own cost %.2f ms)\n", n / 1e6, rn, n / b, (n - b) / 1e6
	printf "  (r) one file repaired              %7.2f ms  %6d KB peak RSS  (%.2fx n)\n", r / 1e6, rr, r / n
}'
if command -v strace >/dev/null; then
	strace -f -qq -e trace=execve,clone,clone3,fork,vfork,connect -o "$work/trace" "$derive" --root "$root"
	printf '  no-drift run under strace: %s execve, %s clone/fork, %s connect\n' \
		"$(grep -c 'execve(' "$work/trace")" "$(grep -cE 'clone|fork' "$work/trace")" "$(grep -c 'connect(' "$work/trace")"
fi
