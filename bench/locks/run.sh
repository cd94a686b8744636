#!/bin/sh
# Lock-analysis overhead (issue 2): native vs racedet's shim, with libtsan,
# Helgrind and DRD for comparison. Each figure: ns per iteration, median
# (min..max) of RUNS runs. Usage: bench/locks/run.sh [BUILD_DIR] [RUNS]
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cc -O2 -pthread -o "$OUT/native" "$HERE/lock_bench.c" || exit 1
tsan=""
if cc -O2 -pthread -fsanitize=thread -o "$OUT/tsan" "$HERE/lock_bench.c" 2>/dev/null; then tsan=yes; fi

stats() { # numbers on stdin -> "median (min..max)"
    sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
        printf "%.1f (%.1f..%.1f)", m, v[1], v[NR]}'
}
median_of() { echo "$1" | sed 's/ .*//'; }
run() { # label, N, command... -> prints stats
    n=$1; shift
    i=0; : > "$OUT/r"
    while [ $i -lt "$RUNS" ]; do "$@" "$n" >> "$OUT/r" 2>/dev/null; i=$((i+1)); done
    stats < "$OUT/r"
}

echo "racedet lock benchmark: ns per iteration, median (min..max) of $RUNS runs; $(nproc) cores"
printf '%-8s %-26s %-26s %-8s %-22s %s\n' mode native racedet ratio libtsan "helgrind / drd (1 run)"
for mode in pair nested churn; do
    case $mode in pair) N=5000000; V=20000 ;; nested) N=2000000; V=10000 ;; churn) N=5000; V=200 ;; esac
    # native and racedet runs alternate, so that drift in the machine's
    # speed (a shared VM) hits both alike
    : > "$OUT/n"; : > "$OUT/d"; i=0
    while [ $i -lt "$RUNS" ]; do
        "$OUT/native" $mode $N >> "$OUT/n" 2>/dev/null
        env LD_PRELOAD="$BUILD/lib/libracedet.so" "$OUT/native" $mode $N >> "$OUT/d" 2>/dev/null
        i=$((i+1))
    done
    nat=$(stats < "$OUT/n")
    rd=$(stats < "$OUT/d")
    ratio=$(awk -v a="$(median_of "$rd")" -v b="$(median_of "$nat")" 'BEGIN{printf "%.2fx", a/b}')
    ts=-; [ -n "$tsan" ] && ts=$(run $N "$OUT/tsan" $mode)
    hg=-; dr=-
    if command -v valgrind >/dev/null; then
        hg=$(valgrind -q --tool=helgrind "$OUT/native" $mode $V 2>/dev/null)
        dr=$(valgrind -q --tool=drd "$OUT/native" $mode $V 2>/dev/null)
    fi
    printf '%-8s %-26s %-26s %-8s %-22s %s / %s\n' $mode "$nat" "$rd" "$ratio" "$ts" "$hg" "$dr"
done
