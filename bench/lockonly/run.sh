#!/bin/sh
# bench/lockonly/run.sh: lock-only mode on real programs (issue 15): Debian's
# own binaries, not rebuilt, run natively and under `racedet run`. The
# issue's targets: median slowdown <= 1.2x, none above 1.5x.
#
#   sh bench/lockonly/run.sh [BUILD_DIR] [RUNS]   (from the repository root)
#
# Environment: BENCH_RUNS (runs of each when RUNS is not given, default 3), LOCKONLY_PROGRAMS
# (default: all of pigz zstd xz sort sqlite3 python3 git memcached redis),
# BENCH_TIMEOUT (seconds a run may take, default 300; then it is killed).
#
# A program that is missing is installed with apt-get (Debian's package);
# one that cannot be had is skipped with one line. Workloads:
#   pigz -p 2, zstd -T2 -9   a 32 MiB input from bench/real/gen_input.c
#   xz -T2 -3                8 MiB of the same
#   sort --parallel=2        32 MiB of text lines
#   sqlite3                  sqlite.sql (400 000 rows, an index, a join)
#   python3                  threads.py (threads, queue.Queue, a Lock)
#   git                      repack -adf with 2 threads of a bare clone of
#                            this repository
#   memcached -t 2           mc_client.c: 2 connections x 100 000 requests
#   redis-server             redis-benchmark -n 200000 -c 8 -P 8 -t set,get
# Servers listen on 127.0.0.1 only, are started fresh for every run, timed
# from the client's side once they answer, and stopped (SIGTERM) after it.
# Outputs of the racedet runs must equal the native ones.
#
# Runs alternate (native, racedet, native, ...). Each cell: median wall
# time with min..max; the slowdown of the medians; peak RSS (GNU time's %M,
# not for servers: their client's is not theirs).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
bench_init 3 "$@"
PROGRAMS=${LOCKONLY_PROGRAMS:-"pigz zstd xz sort sqlite3 python3 git memcached redis"}
RACEDET=$BUILD/bin/racedet
LIMIT=${BENCH_TIMEOUT:-300} # seconds for one run; a run past it is killed and counted as failed
export RACEDET_OPTIONS="exitcode=0"

# ---- programs ---------------------------------------------------------------
binary_of() {
    case $1 in
        xz) echo /usr/bin/xz ;;
        memcached) echo /usr/bin/memcached ;;
        redis) echo /usr/bin/redis-server ;;
        *) echo "/usr/bin/$1" ;;
    esac
}
package_of() {
    case $1 in
        xz) echo xz-utils ;;
        sort) echo coreutils ;;
        python3) echo python3 ;;
        redis) echo "redis-server redis-tools" ;;
        *) echo "$1" ;;
    esac
}
updated=""
install() { # package...
    [ "$(id -u)" = 0 ] || SUDO=sudo
    ${SUDO:-} apt-get install -y -q "$@" > "$OUT/apt.log" 2>&1 && return 0
    [ -n "$updated" ] && return 1
    updated=yes
    ${SUDO:-} apt-get update -q > /dev/null 2>&1
    ${SUDO:-} apt-get install -y -q "$@" > "$OUT/apt.log" 2>&1
}
available=""
for p in $PROGRAMS; do
    bin=$(binary_of "$p")
    [ "$p" = redis ] && ! [ -x /usr/bin/redis-benchmark ] && bin=/usr/bin/redis-benchmark
    if ! [ -x "$bin" ]; then
        echo "lockonly: installing $(package_of "$p")"
        install $(package_of "$p") || true
    fi
    if [ -x "$(binary_of "$p")" ] && { [ "$p" != redis ] || [ -x /usr/bin/redis-benchmark ]; }; then
        available="$available $p"
    else
        echo "lockonly: $p skipped: apt-get install $(package_of "$p") failed: $(tail -1 "$OUT/apt.log")"
    fi
done

# ---- inputs -----------------------------------------------------------------
bench_input mix 32 "$OUT/in32"
head -c 8388608 "$OUT/in32" > "$OUT/in8"
bench_input lines 32 "$OUT/lines"
case " $available " in *" git "*)
    # the first repack of a fresh clone does more than the later ones: not timed
    { git clone -q --bare "$(cd "$HERE/../.." && pwd)" "$OUT/repo.git" &&
        git -C "$OUT/repo.git" -c pack.threads=2 repack -adfq; } 2> /dev/null ||
        { echo "lockonly: git skipped: this directory is not a git repository"
          available=$(echo "$available" | sed 's/ git//'); } ;;
esac
case " $available " in *" memcached "*)
    "${CC:-cc}" -O2 -pthread -o "$OUT/mc_client" "$HERE/mc_client.c" || exit 1 ;;
esac

# ---- servers ----------------------------------------------------------------
PORT=$((20000 + $$ % 20000))
# server NAME TIMES_FILE WRAPPER...: a fresh server, one timed client run
server() {
    name=$1 tf=$2
    shift 2
    PORT=$((PORT + 1))
    case $name in
        memcached)
            [ "$(id -u)" = 0 ] && set -- "$@" /usr/bin/memcached -u nobody || set -- "$@" /usr/bin/memcached
            exec "$@" -U 0 -l 127.0.0.1 -p $PORT -t 2 -m 64 ;;
        redis)
            exec "$@" /usr/bin/redis-server --port $PORT --bind 127.0.0.1 --save "" --appendonly no ;;
    esac > "$OUT/server.log" 2>&1 &
    spid=$! # the server itself, or racedet run, which passes SIGTERM on
    BENCH_ON_EXIT="kill $spid 2> /dev/null; wait $spid"
    # up to 10 s for the server to answer, then the timed client
    tries=0
    until case $name in
              memcached) "$OUT/mc_client" $PORT 1 2 ;;
              redis) redis-cli -h 127.0.0.1 -p $PORT ping ;;
          esac > /dev/null 2>&1; do
        tries=$((tries + 1))
        if [ $tries -ge 50 ] || ! kill -0 $spid 2> /dev/null; then
            echo "the server did not answer on 127.0.0.1:$PORT within 10 s" > "$OUT/err"
            kill -TERM $spid 2> /dev/null
            sleep 1
            kill -KILL $spid 2> /dev/null
            wait $spid
            BENCH_ON_EXIT=""
            return 1
        fi
        sleep 0.2
    done
    case $name in
        memcached) timed "$tf" timeout "$LIMIT" "$OUT/mc_client" $PORT 2 100000 > "$OUT/o" 2> "$OUT/err" ;;
        redis) timed "$tf" timeout "$LIMIT" redis-benchmark -h 127.0.0.1 -p $PORT -n 200000 -c 8 -P 8 \
                   -t set,get -q > /dev/null 2> "$OUT/err" ;;
    esac
    st=$?
    : > "$OUT/o" # throughput varies: nothing to compare
    kill -TERM $spid 2> /dev/null
    wait $spid
    BENCH_ON_EXIT=""
    cat "$OUT/server.log" >> "$OUT/err"
    return $st
}

# one NAME TIMES_FILE WRAPPER...: one run of NAME's workload; output in
# $OUT/o, stderr in $OUT/err
one() {
    name=$1 tf=$2
    shift 2
    [ "$name" = memcached ] || [ "$name" = redis ] || set -- timeout "$LIMIT" "$@"
    case $name in
        pigz) timed "$tf" "$@" /usr/bin/pigz -p 2 -c "$OUT/in32" > "$OUT/o" 2> "$OUT/err" ;;
        zstd) timed "$tf" "$@" /usr/bin/zstd -T2 -9 -q -c "$OUT/in32" > "$OUT/o" 2> "$OUT/err" ;;
        xz) timed "$tf" "$@" /usr/bin/xz -T2 -3 -c "$OUT/in8" > "$OUT/o" 2> "$OUT/err" ;;
        sort) timed "$tf" "$@" /usr/bin/sort --parallel=2 -S 100M "$OUT/lines" > "$OUT/o" 2> "$OUT/err" ;;
        sqlite3) rm -f "$OUT/db"
                 timed "$tf" "$@" /usr/bin/sqlite3 "$OUT/db" < "$HERE/sqlite.sql" > "$OUT/o" 2> "$OUT/err" ;;
        python3) timed "$tf" "$@" /usr/bin/python3 "$HERE/threads.py" > "$OUT/o" 2> "$OUT/err" ;;
        git) timed "$tf" "$@" /usr/bin/git -C "$OUT/repo.git" -c pack.threads=2 repack -adfq \
                 > "$OUT/o" 2> "$OUT/err" ;;
        memcached|redis) server "$name" "$tf" "$@" ;;
    esac
}

label() {
    case $1 in
        pigz) echo "pigz -p 2, 32 MiB" ;;
        zstd) echo "zstd -T2 -9, 32 MiB" ;;
        xz) echo "xz -T2 -3, 8 MiB" ;;
        sort) echo "sort --parallel=2, 32 MiB of lines" ;;
        sqlite3) echo "sqlite3, 400k rows, index, join" ;;
        python3) echo "python3, 4 threads, queue + lock" ;;
        git) echo "git repack -adf, 2 threads" ;;
        memcached) echo "memcached -t 2, 200k requests" ;;
        redis) echo "redis-server, redis-benchmark -n 200000" ;;
    esac
}

cell() { # times file -> "median (min..max)", or "failed" when no run finished
    if [ -s "$1" ]; then cut -d' ' -f1 "$1" | fmt_stats; else echo failed; fi
}

findings() {
    awk '/^racedet: [0-9]+ finding/ { n += $2 } END { print n + 0 }' "$1"
}

# ---- runs -------------------------------------------------------------------
failures=0
for p in $available; do : > "$OUT/t.$p.native"; : > "$OUT/t.$p.racedet"; done
load0=$(bench_load)
i=0
while [ $i -lt "$RUNS" ]; do
    for p in $available; do
        one "$p" "$OUT/t.$p.native" || { failures=$((failures + 1)); echo "lockonly: $p failed natively: $(tail -1 "$OUT/err")"; }
        mv "$OUT/o" "$OUT/ref"
        if one "$p" "$OUT/t.$p.racedet" "$RACEDET" run --; then
            cmp -s "$OUT/o" "$OUT/ref" ||
                { failures=$((failures + 1)); echo "lockonly: $p: output under racedet run differs from native"; }
        else
            failures=$((failures + 1))
            echo "lockonly: $p failed under racedet run: $(tail -1 "$OUT/err")"
        fi
        findings "$OUT/err" >> "$OUT/f.$p"
    done
    i=$((i + 1))
done
load1=$(bench_load)

echo "racedet lock-only mode on Debian's binaries, $(date -u '+%Y-%m-%d %H:%M UTC'): seconds, median" \
    "(min..max) of $RUNS runs; nproc $(nproc), load average $load0 before, $load1 after"
echo
echo "| program | native | racedet run | slowdown | peak RSS native, racedet | findings |"
echo "|---|---|---|---|---|---|"
: > "$OUT/slowdowns"
for p in $available; do
    nat=$(cut -d' ' -f1 "$OUT/t.$p.native" | stats)
    rd=$(cut -d' ' -f1 "$OUT/t.$p.racedet" | stats)
    slow=$(ratio "${rd%% *}" "${nat%% *}" %.2f)
    [ "$slow" != - ] && echo "$slow $p" >> "$OUT/slowdowns"
    case $p in
        memcached|redis) rss="-" ;;
        *) rss="$(awk '$2 > m { m = $2 } END { printf "%d", m / 1024 }' "$OUT/t.$p.native"),"
           rss="$rss $(awk '$2 > m { m = $2 } END { printf "%d MiB", m / 1024 }' "$OUT/t.$p.racedet")" ;;
    esac
    printf '| %s | %s | %s | %s | %s | %s |\n' "$(label "$p")" \
        "$(cell "$OUT/t.$p.native")" "$(cell "$OUT/t.$p.racedet")" \
        "$( [ "$slow" = - ] && echo - || echo "${slow}x")" "$rss" "$(sort -n "$OUT/f.$p" | tail -1)"
done
echo
# a program that never finished under racedet run counts as above 1.5x
nofinish=""
for p in $available; do [ -s "$OUT/t.$p.racedet" ] || nofinish="$nofinish $p"; done
set -- $(cut -d' ' -f1 "$OUT/slowdowns" | stats)
worst=$(sort -n "$OUT/slowdowns" | tail -1)
echo "summary: $(wc -l < "$OUT/slowdowns") programs timed; median slowdown ${1}x (target <= 1.2x:" \
    "$(awk -v m="$1" 'BEGIN { print (m != "-" && m <= 1.2) ? "met" : "not met" }'));" \
    "worst ${worst%% *}x, ${worst#* } (target: none above 1.5x:" \
    "$(awk -v m="$3" -v f="$nofinish" 'BEGIN { print (m != "-" && m <= 1.5 && f == "") ? "met" : "not met" }'));" \
    "never finished under racedet run:${nofinish:- none}; $failures failed runs or output mismatches"
[ "$failures" -eq 0 ]
