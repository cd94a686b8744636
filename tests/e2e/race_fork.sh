#!/bin/sh
# race_fork.sh: race detection in forked children. tests/e2e/race_fork.c is
# built with racedet-cc; each of its children must report its own data race
# ("race") or nothing ("fixed"), and no child may hang on a lock of the race
# engine that a thread of the parent held at the fork.
#
# Usage: sh tests/e2e/race_fork.sh [BUILD_DIR]     (from the repository root)
BUILD=${1:-build}
RACEDET=$BUILD/bin/racedet
CCWRAP=$BUILD/bin/racedet-cc
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-race-fork.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$RACEDET" ] || [ ! -x "$CCWRAP" ]; then
    echo "not ok - race_fork: racedet or racedet-cc is not built"
    exit 1
fi
if ! "$CCWRAP" -O1 -g -pthread -o "$TMP/race_fork" tests/e2e/race_fork.c 2> "$TMP/cc.err"; then
    echo "not ok - race_fork: racedet-cc could not build tests/e2e/race_fork.c"
    sed 's/^/# /' "$TMP/cc.err"
    exit 1
fi

failed=0
for mode in race fixed; do
    timeout 120 "$RACEDET" run --format json -o "$TMP/$mode.json" -- "$TMP/race_fork" "$mode" \
        > "$TMP/$mode.out" 2>&1
    status=$?
    races=$(grep -c '"kind": *"data_race"' "$TMP/$mode.json" 2> /dev/null)
    findings=$(grep -A1 '"findings"' "$TMP/$mode.json" 2> /dev/null | grep -c '"kind"')
    case $mode in
        race) want_status=66 ok=$([ "${races:-0}" -ge 1 ] && echo 1) ;;
        fixed) want_status=0 ok=$([ "${races:-0}" -eq 0 ] && [ "${findings:-0}" -eq 0 ] && echo 1) ;;
    esac
    if [ $status -eq 124 ]; then
        echo "not ok - race_fork $mode: hung (a child waiting on a lock held at the fork?)"
        failed=1
    elif [ "$status" -ne "$want_status" ] || [ "$ok" != 1 ]; then
        echo "not ok - race_fork $mode: exit $status (want $want_status), $races data races"
        sed 's/^/# /' "$TMP/$mode.out" | tail -20
        failed=1
    else
        echo "ok - race_fork $mode: exit $status, $races data races in forked children"
    fi
done
exit $failed
