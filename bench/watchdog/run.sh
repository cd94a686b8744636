#!/bin/sh
# The deadlock watchdog's cost (issue 4): a lock-heavy program under the
# shim with detect_deadlocks=true and =false (RACEDET_OPTIONS), and natively
# for scale. Each figure: ns per (lock; unlock), median (min..max) of RUNS
# runs, runs of the two settings interleaved so that machine noise hits
# both alike.
#   private: every thread locks its own mutex, nobody ever blocks: the
#            watchdog is running (started by one forced wait before the
#            timed part) but parked; this is the case the issue asks about
#   shared:  all threads hammer one mutex and block on it all the time: each
#            contended wait is published to the watchdog
# Usage: bench/watchdog/run.sh [BUILD_DIR] [RUNS] [THREADS]
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-${BENCH_RUNS:-7}}
THREADS=${3:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cc -O2 -pthread -o "$OUT/wd_bench" "$HERE/wd_bench.c" || exit 1
SHIM=$BUILD/lib/libracedet.so
# nothing but the watchdog differs between the two settings
COMMON="blocking_threshold_ms=100000 report_lock_order=false"

stats() { # numbers on stdin -> "median (min..max)"
    sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
        printf "%.2f (%.2f..%.2f)", m, v[1], v[NR]}'
}

echo "racedet watchdog benchmark: ns per lock+unlock, median (min..max) of $RUNS runs;" \
    "$THREADS threads; $(nproc) cores"
printf '%-8s %-10s %-24s %-24s %-24s %s\n' mode N native "detect_deadlocks=false" \
    "detect_deadlocks=true" "true/false"
for mode in private shared; do
    case $mode in private) N=5000000 ;; shared) N=1000000 ;; esac
    : > "$OUT/nat"; : > "$OUT/off"; : > "$OUT/on"
    i=0
    while [ $i -lt "$RUNS" ]; do
        "$OUT/wd_bench" $mode "$THREADS" "$N" >> "$OUT/nat"
        RACEDET_RECORD_DIR=$OUT RACEDET_OPTIONS="$COMMON detect_deadlocks=false" \
            LD_PRELOAD=$SHIM "$OUT/wd_bench" $mode "$THREADS" "$N" >> "$OUT/off"
        RACEDET_RECORD_DIR=$OUT RACEDET_OPTIONS="$COMMON detect_deadlocks=true" \
            LD_PRELOAD=$SHIM "$OUT/wd_bench" $mode "$THREADS" "$N" >> "$OUT/on"
        i=$((i + 1))
    done
    off=$(stats < "$OUT/off")
    on=$(stats < "$OUT/on")
    ratio=$(awk -v a="${on%% *}" -v b="${off%% *}" 'BEGIN{printf "%.3f", a/b}')
    printf '%-8s %-10s %-24s %-24s %-24s %s\n' $mode "$N" "$(stats < "$OUT/nat")" "$off" "$on" "$ratio"
done
