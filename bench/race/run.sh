#!/bin/sh
# bench/race/run.sh: racedet's race detection against libtsan and native,
# on the very same sources, for gcc and clang (issue 3, "Performance").
#
#   sh bench/race/run.sh [BUILD_DIR] [RUNS]      (from the repository root)
#
# Each benchmark is built three ways per compiler: native (-O2 -g -pthread),
# libtsan (-fsanitize=thread, the compiler's own runtime) and racedet
# (racedet-cc, racedet's runtime; run directly: it loads libracedet.so by
# itself). Each build runs RUNS times (default 5); the table gives the
# median wall time with min..max, the slowdown of the medians over native,
# and the largest peak RSS (GNU time's %M). Output goes to stdout;
# binaries to BUILD_DIR/bench/race.
BUILD=${1:-build}
RUNS=${2:-${BENCH_RUNS:-5}}
BENCHES=${BENCHES:-"mem_loop lock_loop prodcons churn mixed"}
COMPILERS=${COMPILERS:-"gcc clang"}
OUT=$BUILD/bench/race
mkdir -p "$OUT"
CCWRAP=$(cd "$BUILD/bin" && pwd)/racedet-cc
export TSAN_OPTIONS="report_signal_unsafe=0 exitcode=0"
export RACEDET_OPTIONS="exitcode=0"

build() { # compiler bench variant
    src=bench/race/$2.c bin=$OUT/$2.$1.$3
    case $3 in
        native) $1 -O2 -g -pthread -o "$bin" "$src" ;;
        tsan) $1 -O2 -g -pthread -fsanitize=thread -o "$bin" "$src" ;;
        racedet) RACEDET_CC=$1 "$CCWRAP" -O2 -g -pthread -o "$bin" "$src" ;;
    esac
}

# run BIN: prints "median min max maxrss_kib" over RUNS runs
measure() {
    i=0
    : > "$OUT/times"
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %M" -o "$OUT/one" "$1" > /dev/null 2> "$OUT/stderr" ||
            { echo "# $1 failed:" >&2; tail -5 "$OUT/stderr" >&2; }
        cat "$OUT/one" >> "$OUT/times"
        i=$((i + 1))
    done
    sort -n "$OUT/times" | awk '{t[NR]=$1; if ($2>m) m=$2} END {print t[int((NR+1)/2)], t[1], t[NR], m}'
}

printf '%-6s %-10s %-8s %10s %18s %9s %10s\n' cc bench runtime median_s "min..max" slowdown rss_MiB
for cc in $COMPILERS; do
    for b in $BENCHES; do
        base=""
        for v in native tsan racedet; do
            build "$cc" "$b" "$v" || { echo "build failed: $cc $b $v"; continue; }
            set -- $(measure "$OUT/$b.$cc.$v")
            [ "$v" = native ] && base=$1
            slow=$(awk -v a="$1" -v b="$base" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')
            printf '%-6s %-10s %-8s %10s %18s %9s %10d\n' "$cc" "$b" "$v" "$1" "$2..$3" "$slow" $(($4 / 1024))
        done
    done
done
