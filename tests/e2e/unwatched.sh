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

# setuid_child PROGRAM STATUS LABEL: the child execs PROGRAM ("": the
# helper itself), which exits with STATUS natively.
setuid_child() {
    "$BUILD/bin/racedet" run -- "$PROG" $1 > "$OUT/child.out" 2> "$OUT/child.err"
    status=$?
    if [ $status -eq 0 ] && grep -qx "child status $2" "$OUT/child.out" && said_once "$OUT/child.err"; then
        echo "ok - $3 keeps its exit status, runs unwatched, said once"
    else
        echo "not ok - $3 (exit $status, $(cat "$OUT/child.out"))"
        tail -5 "$OUT/child.err" | sed 's/^/# /'
    fi
}

if [ "$(id -u)" != 0 ]; then
    echo "ok - setuid child keeps its exit status # SKIP not root"
    echo "ok - setuid child exec'ing /bin/true keeps its exit status # SKIP not root"
else
    setuid_child "" 7 "setuid child"
    setuid_child /bin/true 0 "setuid child exec'ing /bin/true"
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
