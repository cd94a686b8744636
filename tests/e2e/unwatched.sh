#!/bin/sh
# A process that cannot write its record runs unwatched, unchanged, with
# its own exit status, and racedet says so once (issue 14, item 3): a
# child that becomes another user (as libuv's spawn_setuid_setgid test
# does) cannot write in the record directory racedet run made as root.
BUILD=${1:-build}
PROG=$BUILD/tests/e2e/setuid_child
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-unwatched.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

# said_once FILE: one "not watched" line, naming the record as the reason
said_once() {
    [ "$(grep -c 'not watched: cannot write the record' "$1")" -eq 1 ]
}

if [ "$(id -u)" != 0 ]; then
    echo "ok - setuid child keeps its exit status # SKIP not root"
    echo "ok - setuid child exec'ing /bin/true keeps its exit status # SKIP not root"
else
    "$BUILD/bin/racedet" run -- "$PROG" > "$OUT/self.out" 2> "$OUT/self.err"
    status=$?
    if [ $status -eq 0 ] && grep -qx 'child status 7' "$OUT/self.out" && said_once "$OUT/self.err"; then
        echo "ok - setuid child keeps its exit status, runs unwatched, said once"
    else
        echo "not ok - setuid child (exit $status, $(cat "$OUT/self.out"))"
        tail -5 "$OUT/self.err" | sed 's/^/# /'
    fi
    "$BUILD/bin/racedet" run -- "$PROG" /bin/true > "$OUT/true.out" 2> "$OUT/true.err"
    status=$?
    if [ $status -eq 0 ] && grep -qx 'child status 0' "$OUT/true.out" && said_once "$OUT/true.err"; then
        echo "ok - setuid child exec'ing /bin/true keeps its exit status, said once"
    else
        echo "not ok - setuid child exec'ing /bin/true (exit $status, $(cat "$OUT/true.out"))"
        tail -5 "$OUT/true.err" | sed 's/^/# /'
    fi
fi

# Any process whose record directory cannot be written: the same.
mkdir "$OUT/missing" && rmdir "$OUT/missing"
RACEDET_RECORD_DIR=$OUT/missing LD_PRELOAD=$BUILD/lib/libracedet.so sh -c 'echo ran; exit 5' \
    > "$OUT/sh.out" 2> "$OUT/sh.err"
status=$?
if [ $status -eq 5 ] && grep -qx ran "$OUT/sh.out" && said_once "$OUT/sh.err" &&
    grep -q "^racedet: pid [0-9]* (sh) not watched: cannot write the record in $OUT/missing: No such file or directory\$" "$OUT/sh.err"; then
    echo "ok - an unwritable record directory: the program runs with its own status, one line says why"
else
    echo "not ok - unwritable record directory (exit $status)"
    sed 's/^/# /' "$OUT/sh.err"
fi
