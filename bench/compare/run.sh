#!/bin/sh
# What each tool finds on the bundled samples: every buggy sample should be
# reported (exit status 66 with the tool's report), every correct twin
# should be silent, and no run should hang (killed after TIMEOUT s).
# racedet runs the binaries the Makefile built (race_* with racedet-cc);
# ThreadSanitizer gets each sample built with `cc -fsanitize=thread`;
# Helgrind and DRD get a plain -g -O0 build.
# Usage: bench/compare/run.sh [BUILD_DIR] [TIMEOUT]
BUILD=$(cd "${1:-build}" && pwd)
TIMEOUT=${2:-20}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-compare.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -pthread"

verdict() { # status -> found | silent | hang | crash
    case $1 in
        66) echo found ;;
        0) echo silent ;;
        124|137) echo hang ;;
        *) echo "exit$1" ;;
    esac
}

printf '%-28s %-8s %-8s %-8s %-8s\n' sample racedet tsan helgrind drd
for src in samples/*.c; do
    name=$(basename "$src" .c)
    cc $CFLAGS -fsanitize=thread -o "$OUT/$name.tsan" "$src" 2>/dev/null
    cc $CFLAGS -O0 -o "$OUT/$name.plain" "$src" 2>/dev/null
    timeout -s KILL "$TIMEOUT" "$BUILD/bin/racedet" run -- "$BUILD/samples/$name" >/dev/null 2>&1
    r=$(verdict $?)
    TSAN_OPTIONS="exitcode=66 halt_on_error=0 detect_deadlocks=1 report_thread_leaks=1 report_signal_unsafe=0" \
        timeout -s KILL "$TIMEOUT" "$OUT/$name.tsan" >/dev/null 2>&1
    t=$(verdict $?)
    timeout -s KILL "$TIMEOUT" valgrind -q --tool=helgrind --error-exitcode=66 "$OUT/$name.plain" >/dev/null 2>&1
    h=$(verdict $?)
    timeout -s KILL "$TIMEOUT" valgrind -q --tool=drd --error-exitcode=66 "$OUT/$name.plain" >/dev/null 2>&1
    d=$(verdict $?)
    printf '%-28s %-8s %-8s %-8s %-8s\n' "$name" "$r" "$t" "$h" "$d"
done > "$OUT/table"
cat "$OUT/table"
echo
# Summary: buggy samples (with findings in their .expect) found; correct ones silent.
awk '{
        buggy = system("sh -c \". tests/e2e/lib.sh 2>/dev/null; expects_findings " $1 "\"") == 0
        for (i = 2; i <= 5; i++) {
            if (buggy) { nb[i]++; if ($i == "found") fb[i]++; }
            else { ns[i]++; if ($i == "silent") ss[i]++; }
            if ($i == "hang") hang[i]++;
        }
     }
     END {
        split("racedet tsan helgrind drd", tool, " ")
        printf "%-10s %-22s %-22s %s\n", "tool", "buggy samples found", "correct twins silent", "runs that hung"
        for (i = 2; i <= 5; i++)
            printf "%-10s %-22s %-22s %d\n", tool[i-1], fb[i]+0 "/" nb[i], ss[i]+0 "/" ns[i], hang[i]+0
     }' "$OUT/table"
