#!/bin/sh
# A fork while another thread is in the middle of a stack walk (seen once
# under racedet explore: the forked child hung at its first stack capture,
# on a lock of libunwind's that it inherited taken). tests/e2e/walk/
# park_walk.c, preloaded after the shim, holds a thread inside libunwind's
# walk until the program has forked (or 1 s); the fork must wait for that
# walk to end, and the child, whose first lock at a new call site needs a
# walk of its own, must then run to its end: exit 0, printed by the parent
# (tests/e2e/fork_mid_walk.c, which kills a child that hangs 20 s).
BUILD=${1:-build}
. tests/e2e/lib.sh
PROG=$BUILD/tests/e2e/fork_mid_walk
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-fork-walk.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0
PARK=$TMP/libpark_walk.so
if ! ${CC:-cc} -shared -fPIC -g -O0 -Wall -Wextra -Werror -pthread -o "$PARK" \
    tests/e2e/walk/park_walk.c; then
    not_ok "fork mid-walk: build tests/e2e/walk/park_walk.c"
    exit 1
fi

timeout -k 5 120 env LD_PRELOAD="$PARK" "$RACEDET" run -- "$PROG" > "$TMP/out" 2> "$TMP/err"
status=$?
if [ $status -eq 0 ] && [ "$(cat "$TMP/out")" = "child 0" ] &&
    grep -q 'racedet: no findings' "$TMP/err"; then
    ok "fork while another thread walks a stack: the child takes a new stack and exits 0"
else
    not_ok "fork while another thread walks a stack (status $status; 9: the child hung)" \
        "stdout: $(cat "$TMP/out")" "$(tail -n 5 "$TMP/err")"
fi
exit $failed
