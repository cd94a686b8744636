#!/bin/sh
# Libraries loaded by a relative name are symbolized (issue 14, item 7):
# dlopen("./libcycle.so") from the library's directory, and a bare name
# found through a relative LD_LIBRARY_PATH; the program leaves that
# directory before the finding, and the analyzer runs elsewhere. The
# record must name the file by its absolute path.
BUILD=${1:-build}
PROG=$BUILD/tests/e2e/dlopen_relative
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-modules.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
mkdir "$OUT/lib"
if ! ${CC:-cc} -shared -fPIC -g -O0 -pthread -o "$OUT/lib/libcycle.so" tests/e2e/dl/cycle_lib.c; then
    echo "not ok - build the test library"
    exit 0
fi

check() { # label, json
    if grep -q '"kind": "lock_order_cycle"' "$2" &&
        grep -q '"function": "second_then_first"' "$2" &&
        grep -q "\"module\": \"$OUT/lib/libcycle.so\"" "$2"; then
        echo "ok - $1: the library's frames are symbolized, its path is absolute"
    else
        echo "not ok - $1"
        grep -E '"(function|module)"' "$2" | sort | uniq -c | sed 's/^/# /' | head -12
    fi
}

"$BUILD/bin/racedet" run --format json -o "$OUT/dot.json" -- "$PROG" "$OUT/lib" ./libcycle.so \
    2> "$OUT/dot.err"
check 'dlopen("./libcycle.so")' "$OUT/dot.json"

LD_LIBRARY_PATH=. "$BUILD/bin/racedet" run --format json -o "$OUT/bare.json" -- \
    "$PROG" "$OUT/lib" libcycle.so 2> "$OUT/bare.err"
check 'dlopen("libcycle.so") through LD_LIBRARY_PATH=.' "$OUT/bare.json"
