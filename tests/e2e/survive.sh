#!/bin/sh
# Reports survive the program: abort, SIGKILL, _exit and a crash after a
# finding still give the lock_order_cycle report and exit status 66.
BUILD=${1:-build}
PROG=$BUILD/tests/e2e/die_after_finding
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-survive.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
for mode in abort kill _exit segv; do
    "$BUILD/bin/racedet" run --format json -o "$OUT/$mode.json" -- "$PROG" "$mode" 2> "$OUT/$mode.err"
    status=$?
    if [ $status -eq 66 ] && grep -q '"kind": "lock_order_cycle"' "$OUT/$mode.json" &&
        grep -q '"function": "second_then_first"' "$OUT/$mode.json"; then
        echo "ok - report survives $mode"
    else
        echo "not ok - report survives $mode (exit $status)"
        sed 's/^/# /' "$OUT/$mode.err" | tail -5
    fi
done
