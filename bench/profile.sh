#!/bin/sh
# bench/profile.sh: where a benchmark's time goes, for the cases where
# racedet misses a target (issue 15): `perf record` of a command and its
# children, then the top symbols by self time (`perf report`).
#
#   sh bench/profile.sh [-n TOP] [-o PERF_DATA] -- COMMAND [ARGS...]
#
# TOP defaults to 15. The perf data goes to a temporary file unless -o
# names one (then `perf report -i PERF_DATA` shows more). Prints the exact
# perf commands it ran first. Needs perf (Debian: linux-perf) and
# kernel.perf_event_paranoid <= 2 for one's own processes.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
TOP=15
DATA=""
while [ $# -gt 0 ]; do
    case $1 in
        -n) TOP=$2; shift 2 ;;
        -o) DATA=$2; shift 2 ;;
        --) shift; break ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: sh bench/profile.sh [-n TOP] [-o PERF_DATA] -- COMMAND [ARGS...]" >&2; exit 2; }
have perf || { echo "profile: perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
bench_tmpdir
[ -n "$DATA" ] || DATA=$OUT/perf.data
echo "\$ perf record -F 999 -g -o $DATA -- $*"
perf record -q -F 999 -g -o "$DATA" -- "$@" > "$OUT/stdout" 2> "$OUT/stderr"
st=$?
[ -s "$DATA" ] || { echo "profile: perf record wrote nothing: $(tail -1 "$OUT/stderr")" >&2; exit 1; }
echo "\$ perf report -i $DATA --no-children --sort symbol,dso --stdio (top $TOP)"
perf report -i "$DATA" --no-children --sort symbol,dso --stdio -g none 2> /dev/null |
    grep -E '^ +[0-9.]+%' | sed 's/[ -]*$//' | head -n "$TOP"
echo "(the command exited with status $st)"
