#!/bin/sh
# The program owns its descriptors (issue 14, item 1): one that closes
# every descriptor above 2 (close_range, closefrom, a close() loop, or the
# close_range system call, which no interposition sees), opens its own
# file and puts it also at the record's number, gets its file with its own
# lines only, the same descriptor numbers as without racedet, EBADF for the
# record's descriptor (close, dup, dup2, fcntl), and the finding it made
# reported.
BUILD=${1:-build}
PROG=$BUILD/tests/e2e/fd_owner
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-fds.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

# only_program_lines FILE: the program's lines, all of them, and nothing else
only_program_lines() {
    [ "$(grep -c '^program line' "$1")" -ge 2 ] && ! grep -qv '^program line' "$1"
}

for mode in close_range closefrom loop raw; do
    "$BUILD/bin/racedet" run --format json -o "$OUT/$mode.json" -- "$PROG" $mode "$OUT/$mode.txt" \
        > "$OUT/$mode.out" 2> "$OUT/$mode.err"
    status=$?
    if [ $status -eq 66 ] && grep -qx 'hidden 1' "$OUT/$mode.out" &&
        only_program_lines "$OUT/$mode.txt" &&
        grep -q '"kind": "lock_order_cycle"' "$OUT/$mode.json" &&
        grep -q '"function": "second_then_first"' "$OUT/$mode.json"; then
        echo "ok - $mode: the program's file has its lines only, the record is hidden, the cycle is reported"
    else
        echo "not ok - $mode (exit $status)"
        sed 's/^/# out: /' "$OUT/$mode.out" | head -8
        sed 's/^/# file: /' "$OUT/$mode.txt" 2> /dev/null | head -5
        tail -5 "$OUT/$mode.err" | sed 's/^/# /'
    fi
done

# The shim alone: the record is a temporary file made at the first finding.
LD_PRELOAD=$BUILD/lib/libracedet.so "$PROG" close_range "$OUT/alone.txt" > "$OUT/alone.out" 2> "$OUT/alone.err"
status=$?
if [ $status -eq 66 ] && only_program_lines "$OUT/alone.txt" &&
    grep -q 'lock_order_cycle' "$OUT/alone.err"; then
    echo "ok - the shim alone: the program's file has its lines only, the cycle is reported"
else
    echo "not ok - the shim alone (exit $status)"
    sed 's/^/# out: /' "$OUT/alone.out" | head -5
    tail -5 "$OUT/alone.err" | sed 's/^/# /'
fi
