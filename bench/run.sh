#!/bin/bash
# Benchmark archy-generator against podman's Quadlet, inside the cached Debian 13 rootfs (chroot).
# Usage: bench/run.sh          (as root; `make bench` builds first and runs this)
# Env:   RUNS (default 21)  timed runs per series
#        SIZES (default "shipped 100 1000")  "shipped" is manifests/archipelago.yaml, a number N
#              is bench/make-manifest.sh N
#        ARCHY_GENERATOR (default build/archy-generator)  CC (default cc, builds bench/timer.c)
#        BASELINE  another archy-generator binary (say, built from main) timed as (n0) in the same
#              rounds as (n), for a before/after comparison that shares the machine's load
# Prints the results on stdout only; leaves nothing behind (its work dir is under the rootfs's /tmp).
#
# For each manifest, RUNS rounds of, in this order:
#   (a) the whole generator run the way systemd runs it: archy-generator OUT OUT OUT, which renders
#       the Quadlet files into the staging dir and runs Quadlet on them
#   (b) Quadlet alone on the same already-rendered files: QUADLET_UNIT_DIRS=STAGING quadlet -no-kmsg-log
#   (n) the generator with ARCHY_QUADLET=/nonexistent: read, parse, validate, render and write the
#       staging files, then fail to find Quadlet; our own cost with nothing else in it
#   (t) /bin/true, timed the same way: what spawning, exec, dynamic loading and exit cost by themselves
# Staging and output dirs are emptied before every run (as at boot), on a tmpfs like /run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
RUNS=${RUNS:-21}
SIZES=${SIZES:-shipped 100 1000}
gen=${ARCHY_GENERATOR:-$top/build/archy-generator}
baseline=${BASELINE:-}
QUADLET=/usr/libexec/podman/quadlet

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (it uses chroot)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, got \"$RUNS\""
[ -x "$gen" ] || die "$gen not found: run make first"
command -v chroot >/dev/null || die "chroot not found"

root=$(realpath "$("$top/test/e2e/rootfs.sh")")
[ -x "$root$QUADLET" ] || die "no Quadlet at $root$QUADLET"

work=$(mktemp -d "$root/tmp/archy-bench.XXXXXX")
chmod 0755 "$work"
mounted=
cleanup() {
	if [ -n "$mounted" ]; then umount "$work" 2>/dev/null || umount -l "$work" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# At boot the staging dir (/run/archy) and the output dirs (/run/systemd/generator*) are on tmpfs.
if mount -t tmpfs -o size=512m,mode=0755 archy-bench "$work" 2>/dev/null; then
	mounted=y
	fs=tmpfs
else
	fs="$(stat -f -c %T "$work") (tmpfs mount failed)"
fi
t=${work#"$root"}    # the work dir as seen inside the chroot

cc=${CC:-cc}
"$cc" -O2 -static -o "$work/timer" "$here/timer.c" 2>/dev/null || "$cc" -O2 -o "$work/timer" "$here/timer.c" ||
	die "cannot build bench/timer.c with $cc"
cp "$gen" "$work/archy-generator"
if [ -n "$baseline" ]; then
	[ -x "$baseline" ] || die "BASELINE: $baseline is not an executable"
	cp "$baseline" "$work/archy-generator-baseline"
fi

# in_root VAR=VALUE... COMMAND...: run in the chroot with only these variables (and PATH) set.
# The work dir is under the rootfs's world-writable /tmp: trust /tmp and above (ARCHY_TEST_TRUSTED_DIR).
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ARCHY_TEST_TRUSTED_DIR=/tmp "$@"; }

# sample SERIES-FILE EXPECTED-STATUS VAR=VALUE... -- COMMAND...: time one run, append "ns rss cpu-ns".
sample() {
	local file=$1 want=$2 res ns rss code cpu
	shift 2
	local vars=()
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	res=$(in_root "${vars[@]}" "$t/timer" -o "$t/last.log" "$@") || die "timer failed: $*"
	read -r ns rss code cpu <<<"$res"
	if [ "$code" != "$want" ]; then
		echo "bench: $* exited with status $code, expected $want; its output:" >&2
		cat "$work/last.log" >&2
		exit 1
	fi
	echo "$ns $rss $cpu" >>"$file"
}

# stats FILE COLUMN: "median min max" of a column (1: wall ns, 2: RSS KB, 3: CPU ns).
stats() {
	cut -d' ' -f"$2" "$1" | sort -n |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'
}
ms() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e6 }'; }
# the median, min and max of a series in ms
series_ms() { stats "$1" 1 | awk '{ printf "%9.3f %9.3f %9.3f", $1 / 1e6, $2 / 1e6, $3 / 1e6 }'; }
median_ns() { stats "$1" 1 | cut -d' ' -f1; }
# the same for the CPU time (user + system)
series_cpu_ms() { stats "$1" 3 | awk '{ printf "%9.3f %9.3f %9.3f", $1 / 1e6, $2 / 1e6, $3 / 1e6 }'; }
median_cpu_ns() { stats "$1" 3 | cut -d' ' -f1; }

echo "archy-generator benchmark: $RUNS runs per series" >&2
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
qver=$(in_root "$QUADLET" -version 2>/dev/null || echo "?")

declare -A label apps ctrs vols
order=()
for size in $SIZES; do
	d=$work/$size
	mkdir -p "$d"
	case $size in
	shipped)
		cp "$top/manifests/archipelago.yaml" "$d/manifest.yaml"
		label[$size]="shipped node" ;;
	*)
		[[ $size =~ ^[1-9][0-9]*$ ]] || die "SIZES: expected \"shipped\" or a number, got \"$size\""
		"$here/make-manifest.sh" "$size" >"$d/manifest.yaml"
		label[$size]="$size apps" ;;
	esac
	chmod 0644 "$d/manifest.yaml"
	order+=("$size")
	mf=$t/$size/manifest.yaml

	# Render once, untimed: the staging files (b) runs Quadlet on, and the counts for the table.
	echo "bench: ${label[$size]}: preparing" >&2
	if in_root ARCHY_MANIFEST="$mf" ARCHY_STAGING_DIR="$t/$size/stage-b" ARCHY_QUADLET=/nonexistent \
		"$t/archy-generator" "$t/$size/out-n" "$t/$size/out-n" "$t/$size/out-n" 2>"$d/prepare.log"; then
		die "the generator succeeded without Quadlet; expected it to fail: $(cat "$d/prepare.log")"
	fi
	grep -q "Quadlet was not found at /nonexistent" "$d/prepare.log" || die "unexpected: $(cat "$d/prepare.log")"
	read -r "apps[$size]" "ctrs[$size]" "vols[$size]" skipped < <(
		sed -n 's/.*: \([0-9]*\) apps, \([0-9]*\) containers, \([0-9]*\) volumes from .*; \([0-9]*\) apps skipped$/\1 \2 \3 \4/p' \
			"$d/prepare.log")
	[ "${skipped:-x}" = 0 ] || die "${label[$size]}: apps skipped or no summary: $(cat "$d/prepare.log")"
	want_files=$((ctrs[$size] + vols[$size] + 1))
	got=$(find "$d/stage-b" -type f | wc -l)
	[ "$got" = "$want_files" ] || die "${label[$size]}: $got staging files, expected $want_files"

	# One untimed round of (a) and (b) as a warm-up and to check they make the same units.
	mkdir -p "$d/out-a" "$d/out-b" "$d/out-n"
	sample "$d/warmup" 0 ARCHY_LOG_LEVEL=err ARCHY_MANIFEST="$mf" ARCHY_STAGING_DIR="$t/$size/stage-a" -- \
		"$t/archy-generator" "$t/$size/out-a" "$t/$size/out-a" "$t/$size/out-a"
	sample "$d/warmup" 0 QUADLET_UNIT_DIRS="$t/$size/stage-b" -- \
		"$QUADLET" -no-kmsg-log "$t/$size/out-b" "$t/$size/out-b" "$t/$size/out-b"
	units=$(find "$d/out-a" -maxdepth 1 -name '*.service' | wc -l)
	[ "$units" = "$want_files" ] || die "${label[$size]}: Quadlet made $units units, expected $want_files"
	diff -r -I "^SourcePath=" "$d/out-a" "$d/out-b" >&2 || die "${label[$size]}: (a) and (b) made different units"

	echo "bench: ${label[$size]}: ${apps[$size]} apps, ${ctrs[$size]} containers, ${vols[$size]} volumes;" \
		"timing $RUNS rounds" >&2
	for ((r = 1; r <= RUNS; r++)); do
		rm -rf "$d/stage-a" "$d/out-a" && mkdir "$d/out-a"
		sample "$d/a" 0 ARCHY_LOG_LEVEL=err ARCHY_MANIFEST="$mf" ARCHY_STAGING_DIR="$t/$size/stage-a" -- \
			"$t/archy-generator" "$t/$size/out-a" "$t/$size/out-a" "$t/$size/out-a"
		rm -rf "$d/out-b" && mkdir "$d/out-b"
		sample "$d/b" 0 QUADLET_UNIT_DIRS="$t/$size/stage-b" -- \
			"$QUADLET" -no-kmsg-log "$t/$size/out-b" "$t/$size/out-b" "$t/$size/out-b"
		rm -rf "$d/stage-n"
		sample "$d/n" 1 ARCHY_LOG_LEVEL=err ARCHY_MANIFEST="$mf" ARCHY_STAGING_DIR="$t/$size/stage-n" \
			ARCHY_QUADLET=/nonexistent -- \
			"$t/archy-generator" "$t/$size/out-n" "$t/$size/out-n" "$t/$size/out-n"
		sample "$work/true" 0 -- /bin/true
		if [ -n "$baseline" ]; then
			rm -rf "$d/stage-n0"
			sample "$d/n0" 1 ARCHY_LOG_LEVEL=err ARCHY_MANIFEST="$mf" ARCHY_STAGING_DIR="$t/$size/stage-n0" \
				ARCHY_QUADLET=/nonexistent -- \
				"$t/archy-generator-baseline" "$t/$size/out-n" "$t/$size/out-n" "$t/$size/out-n"
		fi
	done
	got=$(find "$d/stage-n" -type f | wc -l)
	[ "$got" = "$want_files" ] || die "${label[$size]}: (n) wrote $got staging files, expected $want_files"

	# Cross-check the peak RSS with GNU time (package "time" in the rootfs), same (n) run.
	rm -rf "$d/stage-n"
	in_root ARCHY_LOG_LEVEL=err ARCHY_MANIFEST="$mf" ARCHY_STAGING_DIR="$t/$size/stage-n" ARCHY_QUADLET=/nonexistent \
		/usr/bin/time -f %M -o "$t/$size/gnu-time" \
		"$t/archy-generator" "$t/$size/out-n" "$t/$size/out-n" "$t/$size/out-n" 2>/dev/null || true
done

# ---- report ----------------------------------------------------------------------------------------
true_med=$(median_ns "$work/true")
# row MANIFEST APPS CTRS VOLS SERIES VALUES: one line of the table
row() { printf '%-13s %5s %5s %5s  %-34s %s\n' "$@"; }
rss_kb() { stats "$1" 2 | awk '{ printf "%9d %9d %9d", $1, $2, $3 }'; }
echo
echo "archy-generator benchmark  ($(date -u +%Y-%m-%dT%H:%MZ), archy $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?'))"
echo "  machine   $cpu, $(nproc) CPUs, Linux $(uname -r)"
echo "  chroot    Debian 13 rootfs ${root#"$top"/}, podman Quadlet $qver; work dirs on $fs"
echo "  method    $RUNS rounds of a, b, n, t (interleaved), each timed from posix_spawn to wait4 (CLOCK_MONOTONIC);"
echo "            staging and output dirs emptied before every run (as at boot)"
echo "  (a) archy-generator OUT OUT OUT: render the manifest, run Quadlet (what systemd runs)"
echo "  (b) Quadlet alone on the same rendered files: QUADLET_UNIT_DIRS=STAGING quadlet -no-kmsg-log OUT OUT OUT"
echo "  (n) archy-generator with ARCHY_QUADLET=/nonexistent: read, parse, validate, render, write; no Quadlet"
[ -z "$baseline" ] || echo "  (n0) the same with BASELINE=$baseline, in the same rounds"
echo "  (t) /bin/true timed the same way: the cost of the timing method and of any exec, included in a, b, n"
echo "  CPU       user + system time of the run (rusage): less disturbed than wall time by other load"
echo
row manifest apps ctrs vols series "$(printf '%9s %9s %9s' median min max)"
for size in "${order[@]}"; do
	d=$work/$size
	a=$(median_ns "$d/a") b=$(median_ns "$d/b") n=$(median_ns "$d/n")
	row "${label[$size]}" "${apps[$size]}" "${ctrs[$size]}" "${vols[$size]}" "(a) generator + Quadlet, ms" "$(series_ms "$d/a")"
	row "" "" "" "" "(b) Quadlet alone, ms" "$(series_ms "$d/b")"
	row "" "" "" "" "(n) generator without Quadlet, ms" "$(series_ms "$d/n")"
	row "" "" "" "" "(n) CPU time, ms" "$(series_cpu_ms "$d/n")"
	if [ -n "$baseline" ]; then
		row "" "" "" "" "(n0) baseline without Quadlet, ms" "$(series_ms "$d/n0")"
		row "" "" "" "" "(n0) CPU time, ms" "$(series_cpu_ms "$d/n0")"
		row "" "" "" "" "(n0) peak RSS, KB" "$(rss_kb "$d/n0")"
		row "" "" "" "" "n / n0, CPU time n / n0" "$(awk -v x="$(median_ns "$d/n")" -v y="$(median_ns "$d/n0")" \
			-v p="$(median_cpu_ns "$d/n")" -v q="$(median_cpu_ns "$d/n0")" 'BEGIN { printf "%8.2fx %8.2fx", x / y, p / q }')"
	fi
	row "" "" "" "" "a - b, ms (own cost in whole run)" "$(awk -v x="$a" -v y="$b" 'BEGIN { printf "%9.3f", (x - y) / 1e6 }')"
	row "" "" "" "" "n - t, ms (own cost net of exec)" "$(awk -v x="$n" -v y="$true_med" 'BEGIN { printf "%9.3f", (x - y) / 1e6 }')"
	row "" "" "" "" "a / b" "$(awk -v x="$a" -v y="$b" 'BEGIN { printf "%8.2fx", x / y }')"
	row "" "" "" "" "(n) peak RSS, KB" "$(rss_kb "$d/n")   GNU time: $(tail -n 1 "$d/gnu-time" 2>/dev/null || echo '?')"
	row "" "" "" "" "(b) Quadlet's peak RSS, KB" "$(rss_kb "$d/b")"
done
row "(t) /bin/true" "" "" "" "timer + exec overhead, ms" "$(series_ms "$work/true")"
row "" "" "" "" "CPU time, ms" "$(series_cpu_ms "$work/true")"
row "" "" "" "" "peak RSS, KB" "$(rss_kb "$work/true")"

echo
tgt() { printf '%-46s %-24s %-10s %s\n' "$@"; }
verdict() { awk -v v="$1" -v lim="$2" 'BEGIN { print (v < lim ? "met" : "MISSED") }'; }
tgt target measured goal verdict
for size in "${order[@]}"; do
	case $size in shipped) goal=1.5 ;; 100) goal=3 ;; 1000) goal=20 ;; *) continue ;; esac
	d=$work/$size
	n=$(median_ns "$d/n") a=$(median_ns "$d/a") b=$(median_ns "$d/b")
	tgt "own cost, ${label[$size]}: n median" "$(ms "$n") ms" "< $goal ms" "$(verdict "$(ms "$n")" "$goal")"
	tgt "  net of exec: n - t" "$(ms $((n - true_med))) ms" "< $goal ms" "$(verdict "$(ms $((n - true_med)))" "$goal")"
	tgt "  in the whole run: a - b" "$(ms $((a - b))) ms" "< $goal ms" "$(verdict "$(ms $((a - b)))" "$goal")"
	cpu=$(($(median_cpu_ns "$d/n") - $(median_cpu_ns "$work/true")))
	tgt "  CPU time net of exec: n - t" "$(ms "$cpu") ms" "< $goal ms" "$(verdict "$(ms "$cpu")" "$goal")"
done
if [ -f "$work/shipped/a" ]; then
	ratio=$(awk -v a="$(median_ns "$work/shipped/a")" -v b="$(median_ns "$work/shipped/b")" 'BEGIN { printf "%.2f", a / b }')
	tgt "whole run / Quadlet alone, shipped: a / b" "${ratio}x" "<= 1.10x" \
		"$(awk -v r="$ratio" 'BEGIN { print (r <= 1.10 ? "met" : "MISSED") }')"
fi
for size in "${order[@]}"; do
	read -r _ _ rss_max < <(stats "$work/$size/n" 2)
	tgt "peak RSS, ${label[$size]}: max of n" "$rss_max KB" "< 4096 KB" "$(verdict "$rss_max" 4096)"
done
echo
echo "Medians decide; min and max show the noise. Every time includes one process spawn (t); a - b and a / b"
echo "cancel it, n - t removes it. The verdicts are informational: the exit status is 0 whenever the runs worked."
