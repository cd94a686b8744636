#!/bin/sh
# Lock-analysis overhead (issue 2): native vs racedet's shim, with libtsan,
# Helgrind and DRD for comparison; then lock graphs at the sizes of issue 12
# (below). Each figure: median (min..max) of RUNS runs.
# Usage: bench/locks/run.sh [BUILD_DIR] [RUNS]
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cc -O2 -pthread -o "$OUT/native" "$HERE/lock_bench.c" || exit 1
tsan=""
if cc -O2 -pthread -fsanitize=thread -o "$OUT/tsan" "$HERE/lock_bench.c" 2>/dev/null; then tsan=yes; fi

stats() { # numbers on stdin -> "median (min..max)", with $1 decimals (default 1)
    sort -n | awk -v d="${1:-1}" '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
        f = "%." d "f"; printf f " (" f ".." f ")", m, v[1], v[NR]}'
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

# Lock graphs at the sizes of issue 12, with tests/e2e/lock_order_stress.c:
#   fixed  2 threads x 1,000,000 iterations of 3 of 64 mutexes in ascending
#          order (ns per iteration; target: racedet <= 3x native)
#   chain  100,000 mutexes in nested chains 100 deep, once (seconds and peak
#          RSS of the whole process; target <= 10x native, <= 200 bytes a lock)
#   graph  620 mutexes, every pair in one order: 191,890 edges, no cycle;
#          the analyzer's time on the record and the report's size
#          (target <= 2 s), and the record with record_lock_graph=true
cc -O2 -pthread -o "$OUT/stress" "$HERE/../../tests/e2e/lock_order_stress.c" || exit 1
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""
echo
echo "lock graphs at scale: median (min..max) of $RUNS runs"
: > "$OUT/n"; : > "$OUT/d"; i=0
while [ $i -lt "$RUNS" ]; do
    "$OUT/stress" fixed 1000000 >> "$OUT/n" 2>/dev/null
    env LD_PRELOAD="$BUILD/lib/libracedet.so" "$OUT/stress" fixed 1000000 >> "$OUT/d" 2>/dev/null
    i=$((i+1))
done
nat=$(stats < "$OUT/n"); rd=$(stats < "$OUT/d")
printf 'fixed  64 mutexes in one order, 2 threads x 1e6: native %s, racedet %s ns/iteration, %s\n' \
    "$nat" "$rd" "$(awk -v a="$(median_of "$rd")" -v b="$(median_of "$nat")" 'BEGIN{printf "%.2fx", a/b}')"
if [ -n "$TIME" ]; then
    for who in n d; do : > "$OUT/$who.s"; : > "$OUT/$who.kb"; done
    i=0
    while [ $i -lt "$RUNS" ]; do
        # wall time from date (ns; time(1) has 10 ms), peak RSS from time(1)
        t0=$(date +%s%N)
        $TIME -f '%M' -o "$OUT/t" "$OUT/stress" chain 100000 100 > /dev/null 2>&1
        echo "$(date +%s%N) $t0" | awk '{printf "%.3f\n", ($1 - $2) / 1e9}' >> "$OUT/n.s"
        cat "$OUT/t" >> "$OUT/n.kb"
        t0=$(date +%s%N)
        $TIME -f '%M' -o "$OUT/t" env LD_PRELOAD="$BUILD/lib/libracedet.so" \
            "$OUT/stress" chain 100000 100 > /dev/null 2>&1
        echo "$(date +%s%N) $t0" | awk '{printf "%.3f\n", ($1 - $2) / 1e9}' >> "$OUT/d.s"
        cat "$OUT/t" >> "$OUT/d.kb"
        i=$((i+1))
    done
    ns=$(stats 3 < "$OUT/n.s"); ds=$(stats 3 < "$OUT/d.s")
    nk=$(stats 0 < "$OUT/n.kb"); dk=$(stats 0 < "$OUT/d.kb")
    printf 'chain  100000 mutexes, chains 100 deep: native %s s %s KB, racedet %s s %s KB: %s the time, %s bytes a lock\n' \
        "$ns" "$nk" "$ds" "$dk" \
        "$(awk -v a="$(median_of "$ds")" -v b="$(median_of "$ns")" 'BEGIN{printf "%.1fx", a/b}')" \
        "$(awk -v a="$(median_of "$dk")" -v b="$(median_of "$nk")" 'BEGIN{printf "%.0f", (a-b)*1024/100000}')"
    : > "$OUT/a.s"; i=0
    while [ $i -lt "$RUNS" ]; do
        rm -rf "$OUT/rec"; mkdir "$OUT/rec"
        env RACEDET_RECORD_DIR="$OUT/rec" LD_PRELOAD="$BUILD/lib/libracedet.so" \
            "$OUT/stress" graph 620 > /dev/null 2>&1
        $TIME -f '%e' -o "$OUT/t" "$BUILD/bin/racedet" report --format json -o "$OUT/graph.json" \
            "$OUT"/rec/*.jsonl > /dev/null 2>&1
        cat "$OUT/t" >> "$OUT/a.s"
        i=$((i+1))
    done
    rec=$(cat "$OUT"/rec/*.jsonl | wc -c)
    rm -rf "$OUT/rec"; mkdir "$OUT/rec"
    env RACEDET_RECORD_DIR="$OUT/rec" RACEDET_OPTIONS=record_lock_graph=true \
        LD_PRELOAD="$BUILD/lib/libracedet.so" "$OUT/stress" graph 620 > /dev/null 2>&1
    printf 'graph  191890 edges, no cycle: analyzer %s s, report %s bytes, record %s bytes (%s with record_lock_graph=true)\n' \
        "$(stats 2 < "$OUT/a.s")" "$(wc -c < "$OUT/graph.json")" "$rec" "$(cat "$OUT"/rec/*.jsonl | wc -c)"
else
    echo "chain, graph: skipped (they need /usr/bin/time)"
fi
