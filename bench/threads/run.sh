#!/bin/sh
# Thread churn (issue 14, item 4): N short threads created and joined two at
# a time, each locking a mutex once; natively and under the shim alone
# (LD_PRELOAD). Each figure: median (min..max) of RUNS runs, native and
# shim runs interleaved so that machine noise hits both alike: the wall
# time of the create/join loop and the process's peak RSS. Once for each
# number of threads in THREADS (default "20000 100000"): the shim's peak
# RSS must stay nearly the same however many threads were made.
# Usage: bench/threads/run.sh [BUILD_DIR] [RUNS] [THREADS]
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-3}
NS=${3:-20000 100000}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cc -O2 -pthread -o "$OUT/thread_churn" "$HERE/thread_churn.c" || exit 1

stats() { # numbers on stdin -> "median (min..max)"
    sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
        printf "%.2f (%.2f..%.2f)", m, v[1], v[NR]}'
}

for N in $NS; do
    : > "$OUT/native"; : > "$OUT/shim"
    i=0
    while [ $i -lt "$RUNS" ]; do
        "$OUT/thread_churn" "$N" >> "$OUT/native" || { echo "native run failed"; exit 1; }
        LD_PRELOAD=$BUILD/lib/libracedet.so "$OUT/thread_churn" "$N" >> "$OUT/shim" ||
            { echo "shim run failed"; exit 1; }
        i=$((i + 1))
    done
    echo "racedet thread churn: $N threads, 2 at a time, median (min..max) of $RUNS runs; $(nproc) cores"
    printf '%-8s %-26s %-26s\n' "" "seconds" "peak RSS (MiB)"
    for w in native shim; do
        printf '%-8s %-26s %-26s\n' $w "$(cut -d' ' -f1 < "$OUT/$w" | stats)" \
            "$(awk '{print $2 / 1024}' < "$OUT/$w" | stats)"
    done
    awk 'NR == FNR {n[FNR] = $1; next} {print $1 / n[FNR]}' "$OUT/native" "$OUT/shim" |
        stats | sed 's/^/shim\/native time: /'
    echo
done
