#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the libFuzzer harnesses built by `make fuzz-build` (Makefile, "Fuzzing").
#
#   test/fuzz/run.sh fuzz   BUILD SECONDS HARNESS...   fuzz each harness for SECONDS on a working
#                                                       copy of its corpus under BUILD/corpus
#   test/fuzz/run.sh replay BUILD 0 HARNESS...         run each file of test/fuzz/regressions/HARNESS/
#                                                       once (no fuzzing)
#
# FUZZ_JOBS: harnesses fuzzed at once (default: the number of cores).
# Prints one line per harness (execs, cov, ft, exec/s, verdict) and exits 1 when any harness
# crashed, leaked, failed an oracle or timed out. The tree is never written to.
set -euo pipefail

mode=$1 build=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# One input may take this long (seconds) before it counts as a hang.
timeout=${FUZZ_TIMEOUT:-10}
failed=0

# Seeds: the hand-made ones under test/fuzz/corpus/<harness>, plus the tree's own test inputs.
seed_dirs() {
        echo "$here/corpus/$1"
        case $1 in
        manifest | manifest-derived) echo "$top/test/cases/good" "$top/test/cases/bad" "$top/test/generator" "$top/manifests" ;;
        podman-info) echo "$top/test/unit/podman-outputs" ;;
        esac
}

dict_for() {
        case $1 in
        manifest | manifest-derived | ota-marker | podman-info | crun-status) echo "-dict=$here/yaml.dict" ;;
        esac
}

seed_corpus() {
        local harness=$1 work=$2 dir file
        mkdir -p "$work"
        for dir in $(seed_dirs "$harness"); do
                [ -d "$dir" ] || continue
                for file in "$dir"/*; do
                        [ -f "$file" ] || continue
                        case $file in *.yaml | *.json | *.txt | *.conf | *.state | "$here"/corpus/*)
                                cp -n "$file" "$work/" ;;
                        esac
                done
        done
}

# The last status line libFuzzer printed ("#123 DONE cov: 45 ft: 67 corp: ... exec/s: 89 ...").
summary() {
        local log=$1 line execs cov ft rate
        line=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line")
        ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
        printf 'execs %s  cov %s  ft %s  exec/s %s' "${execs:-?}" "${cov:-?}" "${ft:-?}" "${rate:-?}"
}

fuzz_one() {
        local harness=$1 bin=$build/fuzz-$1 work=$build/corpus/$1 art=$build/artifacts/$1/ log
        log=$build/logs/$harness.log
        mkdir -p "$art" "$build/logs"
        touch "$log.start"
        seed_corpus "$harness" "$work"
        local dict rc=0
        dict=$(dict_for "$harness")
        # shellcheck disable=SC2086 # $dict is one optional word
        "$bin" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 -max_len=65536 \
                -print_final_stats=1 -artifact_prefix="$art" $dict "$work" >"$log" 2>&1 || rc=$?
        if [ "$rc" -eq 0 ]; then
                printf '%-18s %s  found nothing\n' "$harness" "$(summary "$log")"
                return 0
        fi
        printf '%-18s %s  FOUND (exit %s): %s\n' "$harness" "$(summary "$log")" "$rc" \
                "$(grep -m1 -E '^==[0-9]+==ERROR|oracle failed|^SUMMARY' "$log" || echo "see $log")"
        find "$art" -maxdepth 1 -type f -newer "$log.start" -printf '    reproducer: %p\n'
        echo "    log: $log"
        failed=1
}

replay_one() {
        local harness=$1 bin=$build/fuzz-$1 dir=$here/regressions/$1 file log n=0 bad=0
        log=$build/logs/$harness.replay.log
        mkdir -p "$build/logs"
        : >"$log"
        for file in "$dir"/*; do
                [ -f "$file" ] || continue
                n=$((n + 1))
                if ! "$bin" -timeout="$timeout" -rss_limit_mb=2048 "$file" >>"$log" 2>&1; then
                        echo "    FAILS: $file"
                        bad=$((bad + 1))
                fi
        done
        printf '%-18s %d regression inputs, %d fail\n' "$harness" "$n" "$bad"
        [ "$bad" -eq 0 ] || failed=1
}

# Fuzzing runs FUZZ_JOBS harnesses at a time (default: one per core; libFuzzer uses one core each, so
# every harness still gets its SECONDS of a whole core), and prints their lines in the order given.
fuzz_all() {
        local jobs=${FUZZ_JOBS:-$(nproc)} harness
        mkdir -p "$build/logs"
        for harness in "$@"; do
                while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
                (
                        fuzz_one "$harness"
                        echo "$failed" >"$build/logs/$harness.failed"
                ) >"$build/logs/$harness.line" 2>&1 &
        done
        wait
        for harness in "$@"; do
                cat "$build/logs/$harness.line"
                [ "$(cat "$build/logs/$harness.failed" 2>/dev/null)" = 0 ] || failed=1
        done
}

case $mode in
fuzz) fuzz_all "$@" ;;
replay)
        for harness in "$@"; do replay_one "$harness"; done
        ;;
*)
        echo "usage: $0 fuzz|replay BUILD SECONDS HARNESS..." >&2
        exit 2
        ;;
esac
exit "$failed"
