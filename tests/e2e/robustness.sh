#!/bin/sh
# The shim never breaks the program it watches: thousands of threads with
# reused handles and lock addresses stay silent and correct; exit() from a
# non-main thread keeps the program's status and loses no report.
BUILD=${1:-build}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-robust.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

"$BUILD/bin/racedet" run --format json -o "$OUT/many.json" -- "$BUILD/tests/e2e/many_threads" 3000 > "$OUT/many.out" 2> "$OUT/many.err"
status=$?
if [ $status -eq 0 ] && [ "$(cat "$OUT/many.out")" = 4498500 ] && grep -q '"findings": \[\]' "$OUT/many.json"; then
    echo "ok - 3000 threads, reused handles and lock addresses: silent, program output unchanged"
else
    echo "not ok - 3000 threads (exit $status, output $(cat "$OUT/many.out"))"
    tail -5 "$OUT/many.err" | sed 's/^/# /'
fi

"$BUILD/bin/racedet" run --format json -o "$OUT/exit.json" -- "$BUILD/tests/e2e/exit_from_thread" 2> "$OUT/exit.err"
status=$?
if [ $status -eq 66 ] && grep -q '"kind": "lock_held_at_exit"' "$OUT/exit.json" &&
    grep -q '"status": 7' "$OUT/exit.json"; then
    echo "ok - exit() from a thread: report made, program status kept in the report"
else
    echo "not ok - exit() from a thread (exit $status)"
    tail -5 "$OUT/exit.err" | sed 's/^/# /'
fi

"$BUILD/bin/racedet" run --no-report-lock-misuse -- "$BUILD/tests/e2e/exit_from_thread" 2> /dev/null
status=$?
if [ $status -eq 7 ]; then
    echo "ok - with nothing found, the program's own exit status passes through"
else
    echo "not ok - program status through racedet run: $status, expected 7"
fi

# A bad RACEDET_OPTIONS for the shim alone: one line naming the problem,
# status 2, and the program does not run.
for opts in bogus=1 deadlock_timeout_ms=abc report_lock_order=maybe; do
    out=$(RACEDET_OPTIONS=$opts LD_PRELOAD="$BUILD/lib/libracedet.so" sh -c 'echo ran' 2>&1)
    status=$?
    if [ $status -eq 2 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q '^racedet: RACEDET_OPTIONS: '; then
        echo "ok - shim rejects RACEDET_OPTIONS=$opts with one line and status 2"
    else
        echo "not ok - shim with RACEDET_OPTIONS=$opts: status $status, output: $out"
    fi
done
