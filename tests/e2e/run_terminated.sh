#!/bin/sh
# `racedet run` stopped from outside still reports (issue 14): a program
# that made a finding and then waits for ever, under `timeout -s TERM 2
# racedet run PROG`. timeout sends SIGTERM to racedet (which forwards it to
# the program) and then to its whole process group, racedet again included;
# that second SIGTERM may reach racedet after the program was reaped, while
# it reads the records, and must not kill it before the report is out. The
# second check makes that order certain: SIGTERM to racedet, wait until the
# program is reaped, SIGTERM to racedet again.
BUILD=${1:-build}
. tests/e2e/lib.sh
PROG=$BUILD/tests/e2e/die_after_finding
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-terminated.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0

# reported LABEL STATUS: racedet's report is in $TMP/err and says the program
# was ended by SIGTERM, with the finding it made; racedet's status is STATUS.
reported() {
    if [ "$2" = "$3" ] && grep -q 'lock_order_cycle' "$TMP/err" &&
        grep -q 'was killed by signal 15 (SIGTERM); 1 finding' "$TMP/err"; then
        ok "$1"
    else
        not_ok "$1" "status $3 (want $2); racedet's stderr:" "$(tail -5 "$TMP/err")"
    fi
}

if ! command -v timeout > /dev/null; then
    ok "timeout -s TERM racedet run (skipped: no timeout command)"
else
    timeout -s TERM 2 "$RACEDET" run -- "$PROG" pause > "$TMP/out" 2> "$TMP/err"
    reported "timeout -s TERM 2 racedet run PROG: the finding is reported" 124 $?
fi

# the same order of signals as timeout's, made certain
"$RACEDET" run -- "$PROG" pause > "$TMP/out" 2> "$TMP/err" &
rd=$!
i=0
until grep -q '^ready' "$TMP/out" 2> /dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ]; then
        kill -KILL $rd
        break
    fi
    sleep 0.1
done
prog=$(sed -n 's/^ready //p' "$TMP/out")
kill -TERM $rd                   # forwarded to the program
i=0
while [ -n "$prog" ] && kill -0 "$prog" 2> /dev/null; do
    i=$((i + 1))                 # until racedet has reaped it (30 s at most)
    [ $i -gt 3000000 ] && break
done
kill -TERM $rd 2> /dev/null      # racedet reads the records now
wait $rd
reported "SIGTERM to racedet after the program was reaped: the report still comes" 66 $?

exit $failed
