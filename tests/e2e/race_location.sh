#!/bin/sh
# race_location.sh: data_race reports say where the memory is. The bundled
# race samples name a global (race_counter's `processed`) and a heap block
# with its allocation (race_heap_handoff), in the text, HTML and SARIF
# reports and in the JSON document read back; a race on a local variable
# (built here with racedet-cc) names the thread whose stack it is on.
#
# Usage: sh tests/e2e/race_location.sh [BUILD_DIR]   (from the repository root)
# shellcheck disable=SC2016  # backquotes in single quotes are the report's own
BUILD=${1:-build}
RACEDET=$BUILD/bin/racedet
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-location.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
unset RACEDET_OPTIONS
failed=0

ok() { echo "ok - $1"; }
not_ok() {
    echo "not ok - $1"
    failed=1
    [ -f "$2" ] && sed 's/^/#   /' "$2" | head -20
}

# has FILE TEXT: the fixed string TEXT is in FILE
has() { grep -qF -- "$2" "$1"; }

for s in race_counter race_heap_handoff; do
    if [ ! -x "$BUILD/samples/$s" ]; then
        not_ok "$s is built (make samples)"
        exit 1
    fi
done

"$RACEDET" run --format json -o "$TMP/counter.json" -- "$BUILD/samples/race_counter" \
    > /dev/null 2>&1 < /dev/null
"$RACEDET" report "$TMP/counter.json" > "$TMP/counter.txt" 2>&1
if has "$TMP/counter.txt" 'location: write of 8 bytes to global `processed` (race_counter+0x' ||
    has "$TMP/counter.txt" 'location: read of 8 bytes from global `processed` (race_counter+0x'; then
    ok "race_counter: the text report names the global \`processed\`"
else
    not_ok "race_counter: the text report names the global \`processed\`" "$TMP/counter.txt"
fi
"$RACEDET" report --format html -o "$TMP/counter.html" "$TMP/counter.json" > /dev/null 2>&1
"$RACEDET" report --format sarif -o "$TMP/counter.sarif" "$TMP/counter.json" > /dev/null 2>&1
if has "$TMP/counter.html" '<p class="location">location: ' &&
    has "$TMP/counter.html" 'global `processed`' &&
    has "$TMP/counter.sarif" 'global `processed` (race_counter+0x'; then
    ok "race_counter: the HTML and SARIF reports name the global too"
else
    not_ok "race_counter: the HTML and SARIF reports name the global too" "$TMP/counter.sarif"
fi

"$RACEDET" run -- "$BUILD/samples/race_heap_handoff" > /dev/null 2> "$TMP/heap.txt" < /dev/null
if grep -q 'location: .* a heap block of 8 bytes at offset 4, allocated by T0 at main samples/race_heap_handoff.c:[0-9]' "$TMP/heap.txt"; then
    ok "race_heap_handoff: the block's size, the offset in it and where it was allocated"
else
    not_ok "race_heap_handoff: the block's size, the offset in it and where it was allocated" "$TMP/heap.txt"
fi

# a local variable of main, handed to a thread by address
cat > "$TMP/stack.c" << 'END'
#include <pthread.h>
static void *bump(void *arg)
{
    ++*(int *)arg;
    return 0;
}
int main(void)
{
    int local = 0;
    pthread_t t;
    pthread_create(&t, 0, bump, &local);
    ++local;
    pthread_join(t, 0);
    return local == 7;
}
END
if "$BUILD/bin/racedet-cc" -g -O1 -pthread -o "$TMP/stack" "$TMP/stack.c" > "$TMP/build.log" 2>&1; then
    "$RACEDET" run -- "$TMP/stack" > /dev/null 2> "$TMP/stack.txt" < /dev/null
    if grep -q 'location: .* the stack of T0$' "$TMP/stack.txt"; then
        ok "a race on a local variable names the thread whose stack it is on"
    else
        not_ok "a race on a local variable names the thread whose stack it is on" "$TMP/stack.txt"
    fi
else
    not_ok "racedet-cc builds the local-variable race" "$TMP/build.log"
fi
exit $failed
