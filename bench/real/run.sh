#!/bin/sh
# bench/real/run.sh: racedet's race detection on real programs built from
# their Debian 12 sources (issue 15): zstd, pigz and libuv's thread tests,
# each built three ways per compiler (gcc and clang):
#   native   cc -O2 -g
#   libtsan  cc -O2 -g -fsanitize=thread          (the compiler's own runtime)
#   racedet  RACEDET_CC=cc racedet-cc -O2 -g      (racedet's runtime, run
#                                                  directly: it loads itself)
#
#   sh bench/real/run.sh [BUILD_DIR] [RUNS]       (from the repository root)
#
# Environment: BENCH_RUNS (runs of each build when RUNS is not given, default 3), COMPILERS
# ("gcc clang"), BENCH_PROGRAMS ("zstd pigz libuv"), BENCH_INPUT_MIB (32).
#
# Workloads: `zstd -T2 -9` and `pigz -p 2` of a BENCH_INPUT_MIB MiB input made
# by gen_input.c (fixed seed: the same bytes everywhere), and their -d of
# what they made; libuv's uv_run_tests_a over its thread, lock, async and
# threadpool tests (LIBUV_TESTS), one test per process as its runner does.
# The compressed output of every run must be byte-identical to the native
# build's, and every decompression must give the input back; a run that
# fails either check is counted in the summary. The findings column counts
# what each tool reported; for libuv from one more, untimed pass in which
# a finding fails its test (the runner shows a passing test's output to
# nobody).
#
# Runs alternate between the builds (native, libtsan, racedet, native, ...)
# so that drift in the machine's speed hits all three alike. Each cell is
# the median wall time with min..max, the slowdown of the medians over
# native, and the largest peak RSS (GNU time's %M; for libuv the largest
# test process). One Markdown table per compiler, with nproc and the load
# average before and after.
#
# Sources come from bench/real/fetch.sh (a private apt configuration) and
# are kept, with the builds, under BUILD_DIR/bench-src/: a second run
# fetches and builds nothing (a racedet build is relinked when
# libracedet_tsan.a changed). Without network the programs whose sources
# are missing are skipped with one line each. A build that fails leaves its
# column "build failed", the others run; the exit status is then 1, as for
# a failed run or an output that differs.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
bench_init 3 "$@"
COMPILERS=${COMPILERS:-"gcc clang"}
PROGRAMS=${BENCH_PROGRAMS:-"zstd pigz libuv"}
INPUT_MIB=${BENCH_INPUT_MIB:-32}
LIBUV_TESTS=${LIBUV_TESTS:-"thread_create thread_equal thread_local_storage thread_stack_size
    thread_mutex thread_mutex_recursive thread_rwlock thread_rwlock_trylock
    condvar_1 condvar_2 condvar_3 condvar_4 condvar_5 semaphore_1 semaphore_2 semaphore_3
    barrier_1 barrier_2 barrier_3 barrier_serial_thread barrier_serial_thread_single run_once
    async async_ref async_null_cb threadpool_queue_work_simple threadpool_queue_work_einval
    threadpool_cancel_work threadpool_cancel_fs threadpool_cancel_single fs_file_async
    fs_async_dir random_async queue_foreach_delete metrics_idle_time_thread"}
VARIANTS="native tsan racedet"
CACHE=$BUILD/bench-src
CCWRAP=$BUILD/bin/racedet-cc
TSANRT=$BUILD/lib/libracedet_tsan.a
export TSAN_OPTIONS="exitcode=0 report_signal_unsafe=0"
export RACEDET_OPTIONS="exitcode=0"
# libuv's test runner refuses root unless told; its thread tests (the ones
# above: no network beyond the machine itself) do not care
[ "$(id -u)" = 0 ] && export UV_RUN_AS_ROOT=1

pkg_of() {
    case $1 in libuv) echo libuv1 ;; *) echo "$1" ;; esac
}

# ---- sources ----------------------------------------------------------------
pkgs=""
for p in $PROGRAMS; do pkgs="$pkgs $(pkg_of "$p")"; done
why=$(sh "$HERE/fetch.sh" "$CACHE" $pkgs) # says something only when nothing could be fetched
available=""
missing=""
for p in $PROGRAMS; do
    log=$CACHE/src/$(pkg_of "$p").log
    if [ -f "$CACHE/src/$(pkg_of "$p")/.fetched" ]; then
        available="$available $p"
    elif [ -f "$log" ] && grep -q '^E:' "$log"; then
        missing="$missing; $p ($(grep -m1 '^E:' "$log"))"
    else
        missing="$missing; $p"
    fi
done
if [ -n "$why" ]; then
    echo "real: no sources, skipped:$(echo "$missing" | sed 's/ ([^)]*)//g; s/;//g'): ${why#fetch: }"
elif [ -n "$missing" ]; then
    echo "real: skipped, source could not be fetched: ${missing#; }"
fi
case " $available " in *" pigz "*)
    dpkg -s zlib1g-dev > /dev/null 2>&1 || apt-get install -y -q zlib1g-dev > /dev/null 2>&1 ||
        echo "real: zlib1g-dev could not be installed; pigz will not build" ;;
esac

# ---- builds -----------------------------------------------------------------
# the compiler command for one variant: CC with its sanitizer flag, or the
# wrapper (RACEDET_CC is exported by the caller)
cc_of() { # compiler variant
    case $2 in
        native) echo "$1" ;;
        tsan) echo "$1 -fsanitize=thread" ;;
        racedet) echo "$CCWRAP" ;;
    esac
}

bin_of() { # program dir
    case $1 in
        zstd) echo "$2/programs/zstd" ;;
        pigz) echo "$2/pigz" ;;
        libuv) echo "$2/out/uv_run_tests_a" ;;
    esac
}

# build program compiler variant -> the binary's path on stdout, or nothing
build() {
    dir=$CACHE/build/$1.$2.$3
    bin=$(bin_of "$1" "$dir")
    stamp=$dir/.built
    if [ -f "$stamp" ] && [ -x "$bin" ]; then
        if [ "$3" != racedet ] || ! [ "$TSANRT" -nt "$stamp" ]; then
            echo "$bin"
            return 0
        fi
        rm -f "$bin" # relink against the new runtime archive
    fi
    if ! [ -d "$dir" ]; then
        mkdir -p "$CACHE/build"
        cp -a "$(find "$CACHE/src/$(pkg_of "$1")" -mindepth 1 -maxdepth 1 -type d | head -1)" "$dir" ||
            return 1
    fi
    cc=$(cc_of "$2" "$3")
    echo "real: building $1 with $2, $3 (log: $dir.log)" >&2
    (
        cd "$dir" || exit 1
        export RACEDET_CC=$2
        case $1 in
            zstd) make -C programs -j2 zstd CC="$cc" CFLAGS="-O2 -g" \
                      HAVE_ZLIB=0 HAVE_LZMA=0 HAVE_LZ4=0 ;;
            pigz) make -j2 pigz CC="$cc" CFLAGS="-O2 -g" ;;
            libuv) set -- $cc
                   cmake -S . -B out -DCMAKE_BUILD_TYPE=None -DBUILD_TESTING=ON \
                       -DCMAKE_C_COMPILER="$1" -DCMAKE_C_FLAGS="-O2 -g ${cc#"$1"}" &&
                       make -C out -j2 uv_run_tests_a ;;
        esac
    ) > "$dir.log" 2>&1 && [ -x "$bin" ] || {
        echo "real: build of $1 with $2, $3 failed ($dir.log):" \
            "$(grep -m1 -E 'error:|undefined reference|Error [0-9]' "$dir.log")" >&2
        return 1
    }
    touch "$stamp"
    echo "$bin"
}

# ---- runs -------------------------------------------------------------------
bench_input mix "$INPUT_MIB" "$OUT/input"
failures=0
buildfail=""
failed() {
    echo "real: $*" >&2
    failures=$((failures + 1))
}

# row labels (the table's first column), in order, for one program
rows_of() {
    case $1 in
        zstd) echo "zstd_c zstd_d" ;;
        pigz) echo "pigz_c pigz_d" ;;
        libuv) echo "libuv" ;;
    esac
}
label() {
    case $1 in
        zstd_c) echo "zstd -T2 -9, $INPUT_MIB MiB" ;;
        zstd_d) echo "zstd -d of that" ;;
        pigz_c) echo "pigz -p 2, $INPUT_MIB MiB" ;;
        pigz_d) echo "pigz -d of that" ;;
        libuv) echo "libuv thread tests ($(echo $LIBUV_TESTS | wc -w))" ;;
    esac
}

# findings a run's stderr shows (libtsan's warnings, racedet's summary)
findings() {
    awk '/^ThreadSanitizer: reported [0-9]+ warning/ { n += $3 }
         /^racedet: [0-9]+ finding/ { n += $2 }
         END { print n + 0 }' "$1"
}

# one run of one program's workloads with one build: cc variant bin
run_once() {
    t=$OUT/t.$cc
    case $prog in
        zstd|pigz)
            if [ "$prog" = zstd ]; then c="-T2 -9 -q -c"; else c="-p 2 -c"; fi
            timed "$t.${prog}_c.$2" "$3" $c "$OUT/input" > "$OUT/out.$2" 2> "$OUT/err" ||
                failed "$prog ($1, $2) failed: $(tail -1 "$OUT/err")"
            echo $(( $(findings "$OUT/err") )) >> "$t.found.$prog.$2"
            if [ "$2" = native ]; then
                cp "$OUT/out.native" "$OUT/ref.$prog"
            elif [ -f "$OUT/ref.$prog" ] && ! cmp -s "$OUT/out.$2" "$OUT/ref.$prog"; then
                failed "$prog ($1, $2): compressed output differs from the native build's"
            fi
            timed "$t.${prog}_d.$2" "$3" -d -c "$OUT/out.$2" > "$OUT/back" 2> "$OUT/err" ||
                failed "$prog -d ($1, $2) failed: $(tail -1 "$OUT/err")"
            echo $(( $(findings "$OUT/err") )) >> "$t.found.$prog.$2"
            cmp -s "$OUT/back" "$OUT/input" ||
                failed "$prog -d ($1, $2) did not give the input back"
            ;;
        libuv)
            # the tests read fixtures relative to the source tree
            (cd "$(dirname "$3")/.." &&
                timed "$t.libuv.$2" sh -c 'for t in $1; do "$0" "$t" || exit 1; done' \
                    "$3" "$LIBUV_TESTS" > "$OUT/err" 2>&1) ||
                failed "libuv tests ($1, $2) failed: $(grep -m1 '^not ok' "$OUT/err")"
            # the runner shows a test's output only when it fails: the
            # findings come from one more pass, untimed, in which a finding
            # fails its test (the tools' own exit status); its lines are
            # the runner's, "# " first
            [ -f "$t.found.libuv.$2" ] || {
                (cd "$(dirname "$3")/.." &&
                    TSAN_OPTIONS=report_signal_unsafe=0 RACEDET_OPTIONS= \
                        sh -c 'for t in $1; do "$0" "$t"; done' "$3" "$LIBUV_TESTS" \
                        > "$OUT/err" 2>&1)
                sed 's/^# //' "$OUT/err" > "$OUT/err.found"
                echo $(( $(findings "$OUT/err.found") )) >> "$t.found.libuv.$2"
            }
            ;;
    esac
}

# "median min max rss_mib" of a times file
summary_of() {
    [ -s "$1" ] || { echo "- - - -"; return; }
    echo "$(cut -d' ' -f1 "$1" | stats) $(awk '$2 > m { m = $2 } END { printf "%d", m / 1024 }' "$1")"
}

most() { # the largest number in a file, or "-"
    if [ -s "$1" ]; then sort -n "$1" | tail -1; else echo -; fi
}

cell() { # times_file native_median
    set -- $(summary_of "$1") "$2"
    [ "$1" = - ] && { echo "build failed"; return; }
    if [ "$5" = self ]; then
        printf '%.2f (%.2f..%.2f), %d MiB' "$1" "$2" "$3" "$4"
    else
        printf '%.2f (%.2f..%.2f), %s, %d MiB' "$1" "$2" "$3" "$(ratio "$1" "$5" %.1fx)" "$4"
    fi
}

echo "racedet real-program benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), nproc $(nproc)"
for cc in $COMPILERS; do
    have "$cc" || { echo "real: $cc not found, skipped"; continue; }
    progs=""
    for prog in $available; do
        # a build that failed is "-": its column says so, the others run
        bins=""
        for v in $VARIANTS; do
            b=$(build "$prog" "$cc" "$v") || { b=-; buildfail="$buildfail $prog/$cc/$v"; }
            bins="$bins $b"
        done
        progs="$progs $prog"
        eval "bins_$prog=\"$bins\""
    done
    [ -n "$progs" ] || continue
    load0=$(bench_load)
    i=0
    while [ $i -lt "$RUNS" ]; do
        for prog in $progs; do
            eval "set -- \$bins_$prog"
            for v in $VARIANTS; do
                [ "$1" = - ] || run_once "$cc" "$v" "$1"
                shift
            done
        done
        i=$((i + 1))
    done
    load1=$(bench_load)
    echo
    echo "$($cc --version | head -1): seconds, median (min..max) of $RUNS runs, slowdown over" \
        "native, peak RSS; nproc $(nproc), load average $load0 before, $load1 after"
    echo
    echo "| program | native | libtsan | racedet | racedet / libtsan: time, RSS | findings (libtsan, racedet) |"
    echo "|---|---|---|---|---|---|"
    for prog in $progs; do
        for row in $(rows_of "$prog"); do
            f=$OUT/t.$cc.$row
            set -- $(summary_of "$f.native")
            nat=$1
            set -- $(summary_of "$f.tsan") $(summary_of "$f.racedet")
            printf '| %s | %s | %s | %s | %s, %s | %s, %s |\n' "$(label "$row")" \
                "$(cell "$f.native" self)" "$(cell "$f.tsan" "$nat")" "$(cell "$f.racedet" "$nat")" \
                "$(ratio "$5" "$1")" "$(ratio "$8" "$4")" \
                "$(most "$OUT/t.$cc.found.$prog.tsan")" "$(most "$OUT/t.$cc.found.$prog.racedet")"
            # for the closing summary: is racedet slower than libtsan here?
            [ "$1" != - ] && [ "$5" != - ] && awk -v r="$5" -v t="$1" 'BEGIN { exit !(r > t) }' &&
                echo "$cc $(label "$row")" >> "$OUT/slower"
        done
    done
done

echo
echo "summary: $RUNS runs per build; programs run:${available:- none};" \
    "$failures failed runs or output mismatches; builds that failed:${buildfail:- none};" \
    "racedet slower than libtsan on $( [ -f "$OUT/slower" ] && wc -l < "$OUT/slower" || echo 0) rows" \
    "$( [ -f "$OUT/slower" ] && tr '\n' ';' < "$OUT/slower" | sed 's/;$//; s/^/(/; s/$/)/')"
# a build that failed is a missed check too: racedet-cc must build what cc builds
[ "$failures" -eq 0 ] && [ -z "$buildfail" ]
