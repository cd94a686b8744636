#!/bin/sh
# Runs every test suite and prints one closing line "N passed, N failed".
# Each suite prints TAP-like lines: "ok - NAME" or "not ok - NAME".
# Usage: tests/run_all.sh [BUILD_DIR]   (the Makefile's `make check` calls it)
BUILD=${1:-build}
LOG=$(mktemp -d "${TMPDIR:-/tmp}/racedet-check.XXXXXX")
trap 'rm -rf "$LOG"' EXIT
n=0

run_suite() { # name, command...
    name=$1; shift
    n=$((n + 1))
    echo "== $name"
    "$@" > "$LOG/$n.out" 2> "$LOG/$n.err"
    status=$?
    cat "$LOG/$n.out"
    if grep -q '^not ok' "$LOG/$n.out" || [ $status -ne 0 ]; then
        echo "-- stderr of $name (exit $status):"
        tail -n 60 "$LOG/$n.err"
    fi
    if [ $status -ne 0 ] && ! grep -q '^not ok' "$LOG/$n.out"; then
        # a suite that died without saying which test failed still counts
        echo "not ok - $name exited with status $status" >> "$LOG/$n.out"
        echo "not ok - $name exited with status $status"
    fi
}

for t in "$BUILD"/tests/unit/test_*; do
    [ -x "$t" ] && run_suite "unit $(basename "$t")" "$t"
done
for t in build-asan/tests/unit/test_*; do
    [ -x "$t" ] && run_suite "unit+asan/ubsan $(basename "$t")" \
        env ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 "$t"
done
for t in tests/e2e/*.sh; do
    case "$t" in */demo.sh|*/lib.sh) continue ;; esac
    run_suite "e2e $(basename "$t" .sh)" sh "$t" "$BUILD"
done

passed=$(cat "$LOG"/*.out | grep -c '^ok ')
failed=$(cat "$LOG"/*.out | grep -c '^not ok')
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
