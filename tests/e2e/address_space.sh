#!/bin/sh
# address_space.sh: a program built with racedet-cc runs wherever it fits
# by itself. Under `ulimit -v` the race engine reserves what the limit
# allows; when it truly runs out, it says so once and the program runs on
# with its own status (lock analysis goes on).
# Usage: sh tests/e2e/address_space.sh [BUILD_DIR]   (from the repository root)
BUILD=${1:-build}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-as.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
failed=0

printf '#include <stdio.h>\nint main(void) { puts("hello"); return 3; }\n' > "$TMP/hello.c"
if ! "$BUILD/bin/racedet-cc" -g -o "$TMP/hello" "$TMP/hello.c" > "$TMP/cc.out" 2>&1; then
    echo "not ok - address space: racedet-cc could not build hello.c"
    sed 's/^/# /' "$TMP/cc.out"
    exit 1
fi

# 4 GB of address space: the program alone needs a few MB.
out=$(sh -c "ulimit -v 4000000 && exec '$TMP/hello'" 2> "$TMP/err")
status=$?
if [ $status -eq 3 ] && [ "$out" = hello ] && [ ! -s "$TMP/err" ]; then
    echo "ok - address space: hello world runs under ulimit -v 4000000"
else
    echo "not ok - address space: hello world under ulimit -v 4000000 (exit $status, output '$out')"
    sed 's/^/# /' "$TMP/err"
    failed=1
fi

# 1 GB: races are still found (the call tree is reserved smaller).
sh -c "ulimit -v 1000000 && exec '$BUILD/bin/racedet' run --format json -o '$TMP/race.json' -- '$BUILD/samples/race_counter'" \
    > "$TMP/race.out" 2>&1
status=$?
if [ $status -eq 66 ] && grep -q '"kind": "data_race"' "$TMP/race.json"; then
    echo "ok - address space: race_counter's race found under ulimit -v 1000000"
else
    echo "not ok - address space: race_counter under ulimit -v 1000000 (exit $status)"
    tail -5 "$TMP/race.out" | sed 's/^/# /'
    failed=1
fi

# Too little for shadow memory: race_counter (whose race needs shadow) runs
# to its end with its own status, and one line says race detection is off.
sh -c "ulimit -v 300000 && exec '$BUILD/samples/race_counter'" > "$TMP/out" 2> "$TMP/err"
status=$?
lines=$(grep -c 'race detection is off' "$TMP/err")
if [ $status -eq 0 ] && grep -q 'processed [0-9]* items' "$TMP/out" && [ "$lines" -eq 1 ] &&
    ! grep -q 'internal error' "$TMP/err"; then
    echo "ok - address space: under ulimit -v 300000 the program runs on, one line from racedet"
else
    echo "not ok - address space: race_counter under ulimit -v 300000 (exit $status)"
    sed 's/^/# /' "$TMP/out" "$TMP/err"
    failed=1
fi
exit $failed
