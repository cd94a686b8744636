#!/bin/sh
# Lock-analysis overhead (issues 2 and 15), programs not rebuilt: native vs
# racedet's shim alone (LD_PRELOAD) vs `racedet run`, with libtsan (rebuilt),
# Helgrind and DRD for comparison. Each time: ns per iteration, median
# (min..max) of RUNS runs; the native, LD_PRELOAD and `racedet run` runs
# alternate, so that drift in the machine's speed (a shared VM) hits all
# three alike.
#
# Instructions per iteration (valgrind --tool=callgrind) stand next to the
# times: they do not drift with the machine. Each is the difference of two
# runs with N and 11 N iterations divided by 10 N, so start-up, the shim's
# set-up and `racedet run`'s own process cancel out.
#
# Usage: bench/locks/run.sh [BUILD_DIR] [RUNS]   (RUNS also from BENCH_RUNS)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
bench_init 7 "$@"
SHIM=$BUILD/lib/libracedet.so
RACEDET=$BUILD/bin/racedet
cc -O2 -pthread -o "$OUT/native" "$HERE/lock_bench.c" || exit 1
tsan=""
if cc -O2 -pthread -fsanitize=thread -o "$OUT/tsan" "$HERE/lock_bench.c" 2>/dev/null; then tsan=yes; fi

run() { # N command... -> prints stats of RUNS runs
    n=$1; shift
    i=0; : > "$OUT/r"
    while [ $i -lt "$RUNS" ]; do "$@" "$n" >> "$OUT/r" 2>/dev/null; i=$((i+1)); done
    fmt_stats %.1f < "$OUT/r"
}

# instructions per iteration of $mode: callgrind N native|shim|run
callgrind() {
    cg_n=$1 cg_how=$2
    set -- valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$OUT/cg.%p"
    for k in 1 11; do
        rm -f "$OUT"/cg.*
        case $cg_how in
            native) "$@" "$OUT/native" "$mode" $((cg_n * k)) ;;
            shim) env LD_PRELOAD="$SHIM" "$@" "$OUT/native" "$mode" $((cg_n * k)) ;;
            run) "$@" "$RACEDET" run -- "$OUT/native" "$mode" $((cg_n * k)) ;;
        esac > /dev/null 2>&1
        cat "$OUT"/cg.* 2>/dev/null | awk '/^totals:/ { s += $2 } END { print s + 0 }' > "$OUT/ir.$k"
    done
    awk -v a="$(cat "$OUT/ir.1")" -v b="$(cat "$OUT/ir.11")" -v n="$cg_n" \
        'BEGIN { if (a > 0 && b > 0) printf "%.0f", (b - a) / (10 * n); else print "-" }'
}

echo "racedet lock benchmark: ns per iteration, median (min..max) of $RUNS runs;" \
    "nproc $(nproc), load average $(bench_load) before"
printf '%-7s %-22s %-30s %-30s %-20s %-16s %s\n' mode native "LD_PRELOAD shim" "racedet run" \
    libtsan "helgrind / drd" "instructions: native, shim, racedet run"
for mode in pair nested churn; do
    case $mode in pair) N=5000000; V=20000 ;; nested) N=2000000; V=10000 ;; churn) N=5000; V=200 ;; esac
    : > "$OUT/n"; : > "$OUT/p"; : > "$OUT/d"; i=0
    while [ $i -lt "$RUNS" ]; do
        "$OUT/native" $mode $N >> "$OUT/n" 2>/dev/null
        env LD_PRELOAD="$SHIM" "$OUT/native" $mode $N >> "$OUT/p" 2>/dev/null
        "$RACEDET" run -- "$OUT/native" $mode $N >> "$OUT/d" 2>/dev/null
        i=$((i+1))
    done
    nat=$(fmt_stats %.1f < "$OUT/n")
    pre=$(fmt_stats %.1f < "$OUT/p")
    rd=$(fmt_stats %.1f < "$OUT/d")
    pre="$pre, $(ratio "${pre%% *}" "${nat%% *}" %.1fx)"
    rd="$rd, $(ratio "${rd%% *}" "${nat%% *}" %.1fx)"
    ts=-; [ -n "$tsan" ] && ts=$(run $N "$OUT/tsan" $mode)
    hg=-; dr=-; ir="-"
    if have valgrind; then
        hg=$(valgrind -q --tool=helgrind "$OUT/native" $mode $V 2>/dev/null)
        dr=$(valgrind -q --tool=drd "$OUT/native" $mode $V 2>/dev/null)
        # thread creation's count depends on the kernel and the scheduler
        [ $mode != churn ] &&
            ir="$(callgrind $V native), $(callgrind $V shim), $(callgrind $V run)"
    fi
    printf '%-7s %-22s %-30s %-30s %-20s %-16s %s\n' $mode "$nat" "$pre" "$rd" "$ts" "$hg / $dr" "$ir"
done

# The lock graphs' own figures: "median (min..max)" with $1 decimals.
lg_stats() {
    sort -n | awk -v d="${1:-1}" '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
        f = "%." d "f"; printf f " (" f ".." f ")", m, v[1], v[NR]}'
}
lg_median() { echo "$1" | sed 's/ .*//'; }

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
nat=$(lg_stats < "$OUT/n"); rd=$(lg_stats < "$OUT/d")
printf 'fixed  64 mutexes in one order, 2 threads x 1e6: native %s, racedet %s ns/iteration, %s\n' \
    "$nat" "$rd" "$(awk -v a="$(lg_median "$rd")" -v b="$(lg_median "$nat")" 'BEGIN{printf "%.2fx", a/b}')"
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
    ns=$(lg_stats 3 < "$OUT/n.s"); ds=$(lg_stats 3 < "$OUT/d.s")
    nk=$(lg_stats 0 < "$OUT/n.kb"); dk=$(lg_stats 0 < "$OUT/d.kb")
    printf 'chain  100000 mutexes, chains 100 deep: native %s s %s KB, racedet %s s %s KB: %s the time, %s bytes a lock\n' \
        "$ns" "$nk" "$ds" "$dk" \
        "$(awk -v a="$(lg_median "$ds")" -v b="$(lg_median "$ns")" 'BEGIN{printf "%.1fx", a/b}')" \
        "$(awk -v a="$(lg_median "$dk")" -v b="$(lg_median "$nk")" 'BEGIN{printf "%.0f", (a-b)*1024/100000}')"
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
        "$(lg_stats 2 < "$OUT/a.s")" "$(wc -c < "$OUT/graph.json")" "$rec" "$(cat "$OUT"/rec/*.jsonl | wc -c)"
else
    echo "chain, graph: skipped (they need /usr/bin/time)"
fi

echo "load average $(bench_load) after"
