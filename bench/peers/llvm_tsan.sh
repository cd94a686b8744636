#!/bin/sh
# bench/peers/llvm_tsan.sh: LLVM's own ThreadSanitizer tests
# (compiler-rt/test/tsan of Debian's llvm-toolchain-16 source) built with
# racedet-cc / racedet-c++ (-fsanitize=thread, racedet's runtime instead of
# libtsan), with clang and with gcc, run under `racedet run`, and compared
# with what each test expects ThreadSanitizer to report.
#
#   sh bench/peers/llvm_tsan.sh [BUILD_DIR] [TEST...]
#
# BUILD_DIR (default build) needs `make all e2e-helpers` (racedet,
# racedet-cc, racedet-c++, tests/e2e/json_get). TEST names (e.g. "race_on_heap"
# or "Linux/mutex_robust") run only those. LLVM_TSAN_COMPILERS="clang gcc"
# (the default) chooses the compilers. LLVM_TSAN_KEEP=DIR keeps the binaries
# and reports there.
#
# Sources: bench/real/fetch.sh -d downloads the package (a private apt
# configuration under BUILD_DIR/peers-llvm/apt); only the tests, the
# sanitizer headers and two headers they include are taken out of the
# orig tarball; both are kept under BUILD_DIR/peers-llvm/.
#
# Which tests: those whose RUN lines only compile with %clang_tsan /
# %clangxx_tsan and run the program with %run, `not %run` or %deflake, piped
# into FileCheck. Tests that set TSAN_OPTIONS (suppressions, flags only
# libtsan has), use other tools (llvm-objdump, shell steps), or need another
# OS or feature (REQUIRES: other than linux / x86_64 / stable-runtime / a
# glibc version; XFAIL: *) are left out and counted.
#
# What a run expects, from the FileCheck lines of its check prefixes: each
# "WARNING: ThreadSanitizer: KIND" in a positive line is a report racedet
# must make (kinds mapped below); a CHECK-NOT line naming a kind forbids it,
# one naming ThreadSanitizer forbids every kind not expected. A run that
# expects no report must have no finding at all (lit runs with pipefail, so
# a report's exit status 66 fails it); a run under `not` or %deflake with
# no kind named must have some finding. Tests that use an interface only
# libtsan has (its Java, debugging and report-inspection APIs, its options
# set from the program, its interceptors by name) are "n.a.", as are runs
# that expect a kind of report only libtsan makes (signal-unsafe calls,
# errno spoiled in a signal handler, ...); both are counted apart.
# %deflake runs the program up to 10 times until a run reports, as the
# test's deflake.bash does.
#
# Prints one line per run: the test, its expectation, and per compiler
# "ok" or what racedet found instead; then a total per compiler.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
BUILD=$(cd "${1:-build}" && pwd) || exit 1
[ $# -gt 0 ] && shift
COMPILERS=${LLVM_TSAN_COMPILERS:-clang gcc}
RACEDET=$BUILD/bin/racedet
JSON_GET=$BUILD/tests/e2e/json_get
for t in "$RACEDET" "$BUILD/bin/racedet-cc" "$BUILD/bin/racedet-c++" "$JSON_GET"; do
    if ! [ -x "$t" ]; then
        echo "llvm_tsan: $t is not built (make all e2e-helpers)"
        exit 1
    fi
done

CACHE=$BUILD/peers-llvm
PKG=llvm-toolchain-16
if ! [ -f "$CACHE/tsan/.extracted" ]; then
    if ! sh "$HERE/../real/fetch.sh" -d "$CACHE" "$PKG"; then
        echo "llvm_tsan: could not get $PKG: $(tail -1 "$CACHE/src/$PKG.log" 2>/dev/null)"
        exit 1
    fi
    rm -rf "$CACHE/tsan"
    mkdir -p "$CACHE/tsan"
    # the orig tarball is ~130 MiB of xz: take out only what the tests use
    if ! tar -xJf "$CACHE/src/$PKG/"*.orig.tar.xz -C "$CACHE/tsan" --wildcards \
        '*/compiler-rt/test/tsan/*' '*/compiler-rt/test/sanitizer_common/print_address.h' \
        '*/compiler-rt/include/sanitizer/*' '*/compiler-rt/test/sanitizer_common/sanitizer_ucontext.h'; then
        echo "llvm_tsan: could not extract the tests from $CACHE/src/$PKG"
        exit 1
    fi
    touch "$CACHE/tsan/.extracted"
fi
TSAN=$(find "$CACHE/tsan" -maxdepth 4 -type d -path '*/compiler-rt/test/tsan' | head -1)
[ -n "$TSAN" ] || { echo "llvm_tsan: no compiler-rt/test/tsan under $CACHE/tsan"; exit 1; }
CRT=${TSAN%/test/tsan}

bench_tmpdir
if [ -n "${LLVM_TSAN_KEEP:-}" ]; then
    rmdir "$OUT"
    trap - EXIT # the kept directory stays
    mkdir -p "$LLVM_TSAN_KEEP" && OUT=$(cd "$LLVM_TSAN_KEEP" && pwd) || exit 1
fi

# plan FILE: what the test's lines say, one step per line:
#   skip REASON
#   na REASON                  (first: every run of it is n.a.)
#   cc c|c++|c++11 ARGS...           (%s, %t already replaced by @S@, @T@)
#   run plain|not|deflake PREFIXES ARGS...   (PREFIXES comma-separated)
plan() {
    awk '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    function skip(why) { if (!skipped) print "skip " why; skipped = 1 }
    /(REQUIRES|UNSUPPORTED|XFAIL):/ {
        line = $0; sub(/.*(REQUIRES|UNSUPPORTED|XFAIL):[ \t]*/, "", line)
        if ($0 ~ /REQUIRES:/) {
            n = split(line, req, /[ \t]*(,|\|\||&&)[ \t]*/)
            for (i = 1; i <= n; i++) {
                r = trim(req[i])
                if (r !~ /^(linux|x86_64-target-arch|stable-runtime|glibc-2\.[0-9]+|android-[0-9]+)$/)
                    skip("REQUIRES: " line)
            }
        } else if (line ~ /^\*$|x86_64|(^|[ ,])linux/) skip(($0 ~ /XFAIL/ ? "XFAIL: " : "UNSUPPORTED: ") line)
    }
    # interfaces only libtsan has: its Java, report-inspection and debugging
    # APIs, its options and test-only hooks, its interceptors by name
    match($0, /__tsan_(java_|on_report|get_current_report|get_report_|locate_address|get_alloc_stack|testonly_shadow_stack|symbolize_external|default_options|test_only_on_fork|on_initialize|on_finalize)|__interceptor_|__sanitizer_report_error_summary/) {
        if (!libtsan) libtsan = substr($0, RSTART, RLENGTH)
    }
    /RUN:/ {
        line = $0; sub(/.*RUN:[ \t]*/, "", line)
        cmd = cmd " " line
        if (cmd ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, "", cmd); next }
        cmds[++ncmd] = cmd; cmd = ""
    }
    END {
        for (c = 1; c <= ncmd; c++) {
            n = split(cmds[c], part, /&&/)
            for (p = 1; p <= n; p++) {
                s = trim(part[p])
                gsub(/%link_libcxx_tsan|%darwin_min_target_with_tls_support/, "", s)
                if (s ~ /%env_tsan_opts|TSAN_OPTIONS/) { skip("TSAN_OPTIONS"); continue }
                if (s ~ /^%clang(xx)?_tsan /) {
                    # a .cpp built by %clang_tsan is C++ all the same; gcc
                    # would leave libstdc++ out of the link
                    lang = s ~ /^%clangxx/ ? "c++11" : FILENAME ~ /\.cpp$/ ? "c++" : "c"
                    sub(/^%clang(xx)?_tsan /, "", s)
                    if (s ~ /[|;<>`$]|%[^st]/) { skip("compile step: " s); continue }
                    gsub(/%s/, "@S@", s); gsub(/%t/, "@T@", s)
                    steps[++nsteps] = "cc " lang " " s
                    continue
                }
                # a run with no FileCheck must end with status 0: no report
                fc = "-"
                if (s ~ /\|[ \t]*FileCheck/) { fc = s; sub(/.*\|[ \t]*FileCheck[ \t]*/, "", fc) }
                prog = s; sub(/[ \t]*\|[ \t]*FileCheck.*/, "", prog)
                mode = "plain"
                if (prog ~ /^not /) { mode = "not"; sub(/^not +/, "", prog) }
                if (prog ~ /^%deflake /) { mode = "deflake"; sub(/^%deflake +/, "", prog) }
                if (prog !~ /^%run %t/) { skip("run step: " prog); continue }
                sub(/^%run +/, "", prog); sub(/[ \t]*2>&1[ \t]*$/, "", prog)
                if (prog ~ /[|;<>`$]/) { skip("run step: " prog); continue }
                gsub(/%t/, "@T@", prog)
                prefixes = ""
                nf = split(fc, arg, /[ \t]+/)
                for (i = 1; i <= nf; i++) {
                    a = arg[i]
                    if (a == "%s" || a ~ /^--?allow-empty$/ || a == "") continue
                    if (a == "-") { prefixes = "-"; break }
                    sub(/^--?/, "--", a)
                    if (a == "--check-prefix" || a == "--check-prefixes") { a = a "=" arg[++i] }
                    if (a ~ /^--check-prefix(es)?=/) {
                        sub(/^[^=]*=/, "", a); gsub(/%os/, "Linux", a)
                        prefixes = prefixes (prefixes == "" ? "" : ",") a
                        continue
                    }
                    skip("FileCheck " a); break
                }
                if (prefixes == "") prefixes = "CHECK"
                steps[++nsteps] = "run " mode " " prefixes " " prog
            }
        }
        if (skipped) exit
        if (!nsteps) { print "skip no RUN lines"; exit }
        if (libtsan) print "na uses " libtsan
        for (i = 1; i <= nsteps; i++) print steps[i]
    }' "$1"
}

# expect FILE PREFIXES MODE: "KINDS|FORBIDDEN" for one run, racedet kind
# names, space-separated; KINDS "any" when some report is needed but none
# is named, FORBIDDEN "all" when nothing may be reported; "n.a. KIND" when
# the test expects a report only libtsan makes.
expect() {
    awk -v prefixes="$2" -v mode="$3" '
    function kind(s) {
        if (s ~ /ThreadSanitizer: (data race|heap-use-after-free)/) return "data_race"
        if (s ~ /ThreadSanitizer: thread leak/) return "thread_leak"
        if (s ~ /ThreadSanitizer: lock-order-inversion/) return "lock_order_cycle"
        if (s ~ /ThreadSanitizer: destroy of a locked mutex/) return "destroy_locked"
        if (s ~ /ThreadSanitizer: (read )?unlock of an? (un|write )locked mutex/) return "unlock_not_held"
        if (s ~ /ThreadSanitizer: (double lock of a mutex|read lock of a write locked mutex)/) return "self_deadlock"
        if (s ~ /ThreadSanitizer: use of an invalid mutex/) return "sync_misuse"
        if (s ~ /ThreadSanitizer: (reported|Matched)/) return ""
        if (s ~ /ThreadSanitizer: [a-z]/) { t = s; sub(/.*ThreadSanitizer: /, "", t); return "n.a.:" t }
        return ""
    }
    BEGIN { n = split(prefixes, pre, ",") }
    {
        for (i = 1; i <= n; i++) {
            p = pre[i]
            if (match($0, "(^|[^A-Za-z0-9_-])" p "-NOT:")) {
                k = kind($0)
                if (k ~ /^n\.a\./) k = ""
                if (k != "") forbid[k] = 1
                else if ($0 ~ /ThreadSanitizer|WARNING/) forbid["all"] = 1
            } else if (match($0, "(^|[^A-Za-z0-9_-])" p "(-NEXT|-DAG|-SAME|-LABEL)?:")) {
                k = kind($0)
                if (k ~ /^n\.a\./) { sub(/^n\.a\.:/, "", k); na = na == "" ? k : na; continue }
                if (k != "") want[k] = 1
            }
        }
    }
    END {
        if (na != "") { print "n.a. " na; exit }
        w = ""; for (k in want) w = w (w == "" ? "" : " ") k
        f = ""; for (k in forbid) f = f (f == "" ? "" : " ") k
        if (w == "" && mode == "plain") f = "all"
        if (w == "" && mode != "plain") w = "any"
        print w "|" f
    }' "$1"
}

# found JSON: the kinds of its findings, sorted, space-separated
found() {
    _n=$("$JSON_GET" "$1" 'findings.#' 2>/dev/null) || { echo "no-report"; return; }
    _i=0
    while [ "$_i" -lt "$_n" ]; do
        "$JSON_GET" "$1" "findings.$_i.kind"
        _i=$((_i + 1))
    done | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# judge EXPECTATION FOUND: "ok" or what is wrong
judge() {
    awk -v e="$1" -v f="$2" 'BEGIN {
        split(e, ef, "|"); nw = split(ef[1], w, " "); split(ef[2], x, " ")
        nf = split(f, got, " "); for (i = 1; i <= nf; i++) has[got[i]] = 1
        if (f == "no-report") { print "no report"; exit }
        why = ""
        for (i = 1; i <= nw; i++)
            if (w[i] == "any") { if (nf == 0) why = why " missed a report" }
            else if (!has[w[i]]) why = why " missed " w[i]
        for (i = 1; i <= nw; i++) wanted[w[i]] = 1
        for (k in x)
            if (x[k] == "all") {
                # a CHECK-NOT of any report, after the reports checked
                for (i = 1; i <= nf; i++) if (!wanted[got[i]]) why = why " extra " got[i]
            } else if (has[x[k]]) why = why " extra " x[k]
        print why == "" ? "ok" : substr(why, 2)
    }'
}

# run_once BIN ARGS...: runs it under racedet run; RUN_JSON, RUN_STATUS
run_once() {
    RUN_JSON=$OUT/run.json
    rm -f "$RUN_JSON"
    timeout -k 5 120 "$RACEDET" run --format json -o "$RUN_JSON" -- "$@" \
        > "$OUT/run.out" 2>&1 < /dev/null
    RUN_STATUS=$?
}

tests=""
if [ $# -gt 0 ]; then
    for t in "$@"; do
        f=$(ls "$TSAN/$t.c" "$TSAN/$t.cpp" 2>/dev/null | head -1)
        [ -n "$f" ] || { echo "llvm_tsan: no test $t in $TSAN"; exit 2; }
        tests="$tests $f"
    done
else
    tests=$(ls "$TSAN"/*.c "$TSAN"/*.cpp "$TSAN"/Linux/*.c "$TSAN"/Linux/*.cpp 2>/dev/null)
fi

echo "LLVM 16 compiler-rt/test/tsan with racedet-cc/racedet-c++ (load $(bench_load))"
printf '%-40s %-26s' "test (run)" "expects"
for c in $COMPILERS; do printf ' %-22s' "$c"; done
echo
nskip=0
skips=$OUT/skips
: > "$skips"
for c in $COMPILERS; do eval "ok_$c=0 all_$c=0 na_$c=0"; done
for src in $tests; do
    name=${src#"$TSAN"/}
    name=${name%.*}
    steps=$(plan "$src")
    case $steps in
    skip*)
        nskip=$((nskip + 1))
        echo "$name: ${steps#skip }" >> "$skips"
        continue ;;
    esac
    na=""
    case $steps in
    na*) na=$(echo "$steps" | head -1) ;;
    esac
    for c in $COMPILERS; do
        if [ -n "$na" ]; then
            # not built: every run is n.a.
            echo "$steps" | grep '^run ' | sed "s/.*/n.a. ${na#na }|/" > "$OUT/exp"
            sed 's/.*/n.a./' "$OUT/exp" > "$OUT/res.$c"
            continue
        fi
        case $c in
        clang) cxx=clang++ ;;
        gcc) cxx=g++ ;;
        *) cxx=$c ;;
        esac
        bin=$OUT/$c/$(echo "$name" | tr / _)
        mkdir -p "$OUT/$c"
        barrier=$OUT/$c/tsan_testonly_barrier.o
        [ -f "$barrier" ] || "$c" -O2 -c -o "$barrier" "$HERE/tsan_testonly_barrier.c" || exit 1
        : > "$OUT/res.$c"
        : > "$OUT/exp"
        # the steps in their order: a test may build %t again with other
        # flags between its runs (strerror_r), so each group of builds is
        # followed by the runs of its binary
        echo "$steps" | awk '/^cc / { if (prev == "run") g++ } { prev = $1; print g + 0, $0 }' \
            > "$OUT/all.steps"
        g=0
        while grep -q "^$g " "$OUT/all.steps"; do
            built=1
            sed -n "s/^$g cc /cc /p" "$OUT/all.steps" > "$OUT/cc.steps"
            while read -r _ lang args; do
                args=$(echo "$args" | sed "s|@S@|$src|g; s|@T@|$bin|g")
                if [ "$lang" = c ]; then
                    set -- env RACEDET_CC=clang "$BUILD/bin/racedet-cc"
                    [ "$c" = clang ] || set -- env RACEDET_CC="$c" "$BUILD/bin/racedet-cc"
                else
                    set -- env RACEDET_CXX="$cxx" "$BUILD/bin/racedet-c++"
                    [ "$lang" = c++11 ] && set -- "$@" -std=c++11
                fi
                # lit's %clang_tsan flags (-gline-tables-only -> -g; gcc's own
                # extra -pthread -ldl -lrt), without -fsanitize=thread: the
                # wrapper adds it
                case " $args " in
                *" -c "*) ;;
                *) set -- "$@" "$barrier" ;;
                esac
                # shellcheck disable=SC2086
                if ! "$@" -Wall -g -I"$CRT/test" -I"$CRT/include" -pthread $args -ldl -lrt \
                    > "$OUT/cc.err" 2>&1; then
                    built=0
                    break
                fi
            done < "$OUT/cc.steps"
            sed -n "s/^$g run /run /p" "$OUT/all.steps" > "$OUT/run.steps"
            while read -r _ mode prefixes args; do
                e=$(expect "$src" "$prefixes" "$mode")
                echo "$e" >> "$OUT/exp"
                if [ "$built" = 0 ]; then
                    [ -n "${LLVM_TSAN_KEEP:-}" ] && cp "$OUT/cc.err" "$bin.cc.err"
                    case $e in
                    n.a.*) echo "n.a." ;;
                    *) echo "build failed: $(grep -m1 -E 'error|undefined' "$OUT/cc.err" | cut -c1-100)" ;;
                    esac >> "$OUT/res.$c"
                    continue
                fi
                args=$(echo "$args" | sed "s|@T@|$bin|g")
                tries=1
                [ "$mode" = deflake ] && tries=10
                while [ "$tries" -gt 0 ]; do
                    # shellcheck disable=SC2086
                    run_once $args
                    [ "$RUN_STATUS" != 0 ] && break
                    tries=$((tries - 1))
                done
                f=$(found "$RUN_JSON")
                case $e in
                n.a.*) r="n.a." ;;
                *) r=$(judge "$e" "$f") ;;
                esac
                case $RUN_STATUS in
                0|66) ;;
                124|137) r="timed out, $r" ;;
                *) [ "$r" = ok ] || r="$r (status $RUN_STATUS)" ;;
                esac
                [ "$r" = ok ] || [ "$r" = n.a. ] || r="$r [found: ${f:-none}]"
                echo "$r" >> "$OUT/res.$c"
                if [ -n "${LLVM_TSAN_KEEP:-}" ]; then
                    n=$(wc -l < "$OUT/res.$c")
                    cp "$RUN_JSON" "$bin.$n.json" 2>/dev/null
                    cp "$OUT/run.out" "$bin.$n.out"
                fi
            done < "$OUT/run.steps"
            g=$((g + 1))
        done
    done
    nrun=$(wc -l < "$OUT/exp")
    j=1
    while [ "$j" -le "$nrun" ]; do
        e=$(sed -n "${j}p" "$OUT/exp")
        label=$name
        [ "$nrun" -gt 1 ] && label="$name ($j)"
        case $e in
        n.a.*) shown=${e%|} ;;
        "|all") shown="no report" ;;
        *"|") shown=${e%|} ;;
        *) shown="${e%%|*}, not ${e#*|}" ;;
        esac
        printf '%-40s %-26s' "$label" "$shown"
        for c in $COMPILERS; do
            r=$(sed -n "${j}p" "$OUT/res.$c")
            printf ' | %s' "$r"
            case $r in
            n.a.) eval "na_$c=\$((na_$c + 1))" ;;
            ok) eval "ok_$c=\$((ok_$c + 1)); all_$c=\$((all_$c + 1))" ;;
            *) eval "all_$c=\$((all_$c + 1))" ;;
            esac
        done
        echo
        j=$((j + 1))
    done
done
echo
for c in $COMPILERS; do
    eval "echo \"$c: \$ok_$c/\$all_$c runs as ThreadSanitizer expects (\$na_$c more expect reports only libtsan makes)\""
done
echo "$nskip tests left out (they need libtsan's options, other tools or another OS):"
sed 's/^/  /' "$skips"
