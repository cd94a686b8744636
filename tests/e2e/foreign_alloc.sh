#!/bin/sh
# Another allocator under racedet (commit 45e85b9: redis-server with its
# jemalloc hung, then crashed): tests/e2e/alloc/page_alloc.c, whose malloc
# takes its lock with pthread_mutex_trylock and whose page-aligned blocks
# have an unreadable page in front, preloaded after the shim, runs the
# threaded alloc_churn to its end with its output and status, and no
# finding: under the shim alone and under racedet run. A hang is a
# failure after 120 s.
BUILD=${1:-build}
. tests/e2e/lib.sh
PROG=$BUILD/tests/e2e/alloc_churn
SHIM=$BUILD/lib/libracedet.so
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-foreign-alloc.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0
ALLOC=$TMP/libpage_alloc.so
if ! ${CC:-cc} -shared -fPIC -g -O0 -pthread -o "$ALLOC" tests/e2e/alloc/page_alloc.c; then
    not_ok "foreign allocator: build tests/e2e/alloc/page_alloc.c"
    exit 1
fi

# check LABEL STATUS: the program's output and status, nothing from racedet
check() {
    if [ "$2" -eq 0 ] && [ "$(cat "$TMP/out")" = "sum 8000 blocks" ] &&
        ! grep -q '==racedet==\|racedet: [1-9][0-9]* finding' "$TMP/err"; then
        ok "foreign allocator: $1: runs to its end, right output, exit 0, no finding"
    else
        not_ok "foreign allocator: $1 (status $2; 124: hung)" "stdout: $(head -c 200 "$TMP/out")" \
            "$(tail -n 5 "$TMP/err")"
    fi
}

# (timeout itself without them: a hang must not take the guard with it)
timeout -k 5 120 env LD_PRELOAD="$SHIM:$ALLOC" "$PROG" > "$TMP/out" 2> "$TMP/err"
check "shim alone" $?
timeout -k 5 120 env LD_PRELOAD="$ALLOC" "$BUILD/bin/racedet" run -- "$PROG" > "$TMP/out" 2> "$TMP/err"
check "racedet run" $?
exit $failed
