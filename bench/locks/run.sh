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
echo "load average $(bench_load) after"
