#!/bin/sh
# bench/race/run.sh: racedet's race detection against libtsan and native,
# on the very same sources, for gcc and clang (issue 3, "Performance").
#
#   sh bench/race/run.sh [BUILD_DIR] [RUNS]      (from the repository root)
#
# Each benchmark is built three ways per compiler: native (-O2 -g -pthread),
# libtsan (-fsanitize=thread, the compiler's own runtime) and racedet
# (racedet-cc, racedet's runtime; run directly: it loads libracedet.so by
# itself). Each build runs RUNS times (default 5), the runs of the three
# alternating; the table gives the median wall time with min..max, the
# slowdown of the medians over native, and the largest peak RSS (GNU
# time's %M). Output goes to stdout; binaries to BUILD_DIR/bench/race.
BUILD=${1:-build}
RUNS=${2:-${BENCH_RUNS:-5}}
BENCHES=${BENCHES:-"mem_loop lock_loop prodcons churn mixed"}
COMPILERS=${COMPILERS:-"gcc clang"}
OUT=$BUILD/bench/race
mkdir -p "$OUT"
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"

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

# The runs of one benchmark alternate between its three builds (native,
# libtsan, racedet, native, ...), so that drift in the machine's speed hits
# all three alike; t.VARIANT gets "seconds peak_rss_kib" per run.
measure() { # compiler bench
    rm -f "$OUT"/t.native "$OUT"/t.tsan "$OUT"/t.racedet
    i=0
    while [ $i -lt "$RUNS" ]; do
        for v in native tsan racedet; do
            [ -x "$OUT/$2.$1.$v" ] || continue
            timed "$OUT/t.$v" "$OUT/$2.$1.$v" > /dev/null 2> "$OUT/stderr" ||
                { echo "# $2.$1.$v failed:" >&2; tail -5 "$OUT/stderr" >&2; }
        done
        i=$((i + 1))
    done
}

echo "# load average before: $(bench_load); $(nproc) cores; runs alternate between the three builds"
printf '%-6s %-10s %-8s %10s %18s %9s %10s\n' cc bench runtime median_s "min..max" slowdown rss_MiB
for cc in $COMPILERS; do
    for b in $BENCHES; do
        for v in native tsan racedet; do
            rm -f "$OUT/$b.$cc.$v"
            build "$cc" "$b" "$v" || echo "build failed: $cc $b $v"
        done
        measure "$cc" "$b"
        base=""
        for v in native tsan racedet; do
            [ -s "$OUT/t.$v" ] || continue
            set -- $(cut -d' ' -f1 "$OUT/t.$v" | stats) \
                $(cut -d' ' -f2 "$OUT/t.$v" | sort -n | tail -1)
            [ "$v" = native ] && base=$1
            printf '%-6s %-10s %-8s %10.2f %18s %9s %10d\n' "$cc" "$b" "$v" "$1" \
                "$(printf '%.2f..%.2f' "$2" "$3")" "$(ratio "$1" "$base" %.1fx)" $(($4 / 1024))
        done
    done
done
echo "# load average after: $(bench_load)"
