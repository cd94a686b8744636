# bench/lib.sh: what the bench/*/run.sh scripts share. POSIX sh; source it
# with `. "$HERE/../lib.sh"` after setting HERE. Nothing here runs by itself.
#
#   bench_init RUNS [BUILD_DIR] [N]   a benchmark starts with it, passing
#                         its own arguments: BUILD= BUILD_DIR's absolute path
#                         (default build), RUNS= N, else $BENCH_RUNS, else
#                         RUNS; then bench_tmpdir
#   bench_tmpdir          OUT= a fresh temporary directory, removed at exit
#                         (with whatever BENCH_ON_EXIT says to do first)
#   bench_load            the machine's load average: "1.02 0.98 0.87"
#   stats                 numbers on stdin -> "median min max"
#   fmt_stats FMT         numbers on stdin -> "median (min..max)", printf FMT
#   ratio A B [FMT]       A / B, or "-" when either is missing
#   timed FILE CMD...     runs CMD (stdin, stdout and stderr as given), appends
#                         "seconds peak_rss_kib" to FILE; returns CMD's status
#   have CMD              is CMD on PATH?
#   bench_input KIND MIB FILE   FILE= gen_input's deterministic input (mix
#                         or lines) of MIB MiB; the generator is built in $OUT

BENCH_ON_EXIT=""

bench_init() {
    RUNS=${3:-${BENCH_RUNS:-$1}}
    BUILD=$(cd "${2:-build}" && pwd) || exit 1
    bench_tmpdir
}

bench_tmpdir() {
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-bench.XXXXXX") || exit 1
    trap 'eval "$BENCH_ON_EXIT"; rm -rf "$OUT"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

bench_load() {
    cut -d' ' -f1-3 /proc/loadavg
}

stats() {
    sort -n | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            print m, v[1], v[NR]
        }'
}

fmt_stats() {
    stats | awk -v f="${1:-%.2f}" '$1 == "-" { print "-"; next }
        { printf f " (" f ".." f ")\n", $1, $2, $3 }'
}

ratio() {
    awk -v a="$1" -v b="$2" -v f="${3:-%.2fx}" 'BEGIN {
        if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"
        else printf f "\n", a / b }'
}

# Wall time from the shell's clock (GNU time's %e has 10 ms steps), peak
# RSS from GNU time's %M (KiB, of the largest process it waited for).
timed() {
    _tf=$1
    shift
    _t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$_tf.rss" "$@"
    _st=$?
    _t1=$(date +%s%N)
    echo "$(( (_t1 - _t0) / 1000000 )) $(tail -1 "$_tf.rss")" |
        awk '{ printf "%.3f %d\n", $1 / 1000, $2 }' >> "$_tf"
    rm -f "$_tf.rss"
    return $_st
}

have() {
    command -v "$1" > /dev/null 2>&1
}

bench_input() {
    if ! [ -x "$OUT/gen_input" ]; then
        "${CC:-cc}" -O2 -o "$OUT/gen_input" "$(dirname "$HERE")/real/gen_input.c" || exit 1
    fi
    "$OUT/gen_input" "$1" "$2" > "$3" || exit 1
}
