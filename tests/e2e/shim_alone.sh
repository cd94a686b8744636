#!/bin/sh
# The shim alone (LD_PRELOAD, no racedet run) never loses a report (issue
# 14, item 2): after a finding, a program that calls _exit, aborts, is
# killed with SIGKILL from outside, crashes, closes its stderr, calls exit
# from another thread, forks or execs, still gets the finding on its
# stderr, with function names and lines, and ends with the status it has
# natively (a normal exit with findings: the exitcode option, as
# documented). The reporter process is one per program, leaves no process
# behind, and `racedet run` still gives one report.
BUILD=${1:-build}
. tests/e2e/lib.sh
PROG=$BUILD/tests/e2e/die_after_finding
SHIM=$BUILD/lib/libracedet.so
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-shim-alone.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failed=0
# the reporter's directory is made in TMPDIR: ours, so that its processes
# are told from other runs' by their command line
RDIR=$TMP/rd
mkdir -p "$RDIR"

reporters() { pgrep -f "_reporter [0-9]+ $RDIR/" | wc -l; }

# wait_reporters_gone: true once no reporter of ours is left (30 s at most)
wait_reporters_gone() {
    _i=0
    while [ "$(reporters)" -ne 0 ]; do
        _i=$((_i + 1))
        [ $_i -gt 300 ] && return 1
        sleep 0.1
    done
}

# wait_ready FILE: until the program has written "ready PID" (30 s at most)
wait_ready() {
    _i=0
    until grep -q '^ready' "$1" 2>/dev/null; do
        _i=$((_i + 1))
        [ $_i -gt 300 ] && return 1
        sleep 0.1
    done
}

# has_report FILE: the cycle, with both threads' functions and lines
has_report() {
    grep -q '==racedet== lock_order_cycle' "$1" &&
        grep -q 'second_then_first tests/e2e/die_after_finding\.c:[0-9][0-9]* ' "$1" &&
        grep -q 'first_then_second tests/e2e/die_after_finding\.c:[0-9][0-9]* ' "$1"
}

native_status() {
    sh -c '"$0" "$1" > /dev/null 2>&1; echo $?' "$PROG" "$1" 2> /dev/null
}

# check NAME EXPECTED_STATUS STATUS ERRFILE
check() {
    _gone=yes
    wait_reporters_gone || _gone=no
    if [ "$3" -eq "$2" ] && has_report "$4" && [ $_gone = yes ] &&
        [ "$(grep -c '==racedet== lock_order_cycle' "$4")" -eq 1 ]; then
        ok "shim alone: $1: the report, once, with lines; status $3 (natively: the same; a normal exit with findings: exitcode); no reporter left"
    else
        not_ok "shim alone: $1 (status $3, expected $2; reporters left: $(reporters))" \
            "$(tail -n 5 "$4")"
    fi
}

# the exit paths the program itself takes: the command substitution reads
# stderr to its end, which the reporter holds until it has printed
for mode in _exit abort segv kill close_stderr; do
    want=$(native_status $mode)
    err=$(TMPDIR=$RDIR LD_PRELOAD=$SHIM timeout -k 5 60 "$PROG" $mode 2>&1 > /dev/null)
    status=$?
    printf '%s\n' "$err" > "$TMP/$mode.err"
    check "$mode" "$want" "$status" "$TMP/$mode.err"
done

# exit(4) from a non-main thread: a normal exit, so the exitcode option
# applies (66), and with exitcode=0 the program's own 4
err=$(TMPDIR=$RDIR LD_PRELOAD=$SHIM timeout -k 5 60 "$PROG" thread_exit 2>&1 > /dev/null)
status=$?
printf '%s\n' "$err" > "$TMP/thread_exit.err"
check "exit from a non-main thread" 66 "$status" "$TMP/thread_exit.err"
err=$(TMPDIR=$RDIR LD_PRELOAD=$SHIM RACEDET_OPTIONS=exitcode=0 timeout -k 5 60 "$PROG" thread_exit 2>&1 > /dev/null)
status=$?
printf '%s\n' "$err" > "$TMP/thread_exit0.err"
check "exit from a non-main thread, exitcode=0" "$(native_status thread_exit)" "$status" \
    "$TMP/thread_exit0.err"

# SIGKILL from outside, and a fork or an exec (one reporter for all the
# images and processes of the program): stderr goes to a file, which the
# reporter has finished writing when it is gone
for mode in pause fork exec; do
    rm -f "$TMP/$mode.out"
    TMPDIR=$RDIR LD_PRELOAD=$SHIM "$PROG" $mode > "$TMP/$mode.out" 2> "$TMP/$mode.err" &
    pid=$!
    if ! wait_ready "$TMP/$mode.out"; then
        kill -KILL $pid 2> /dev/null
        not_ok "shim alone: SIGKILL from outside ($mode): the program never got ready"
        continue
    fi
    n=$(reporters)
    kill -KILL "$(sed -n 's/^ready //p' "$TMP/$mode.out")"
    wait $pid
    status=$?
    case $mode in
        fork) want=3 ;;      # the parent's _exit(3) after its child was killed
        *) want=137 ;;
    esac
    if [ "$n" -ne 1 ]; then
        not_ok "shim alone: SIGKILL from outside ($mode): $n reporters ran while it did, not 1"
        continue
    fi
    check "SIGKILL from outside ($mode), one reporter" $want $status "$TMP/$mode.err"
done

# the record says how each process ended (issue 14, item 3): main's return
# value, exit(n) from a thread, _exit(n); written by the reporter or at exit
for case in "return 5 return" "thread_exit 4 exit" "_exit 3 _exit"; do
    set -- $case
    rm -f "$TMP/status.json"
    TMPDIR=$RDIR LD_PRELOAD=$SHIM RACEDET_OPTIONS="exitcode=0 format=json output=$TMP/status.json" \
        "$PROG" "$1" > "$TMP/status.out" 2> "$TMP/status.err"
    status=$?
    wait_reporters_gone
    if [ $status -eq "$2" ] && [ ! -s "$TMP/status.out" ] &&
        tr -d ' \n' < "$TMP/status.json" | grep -q "\"exit\":{\"status\":$2,\"how\":\"$3\"}"; then
        ok "shim alone: $1: the report says status $2 ($3)"
    else
        not_ok "shim alone: $1: exit status in the JSON report (status $status)" \
            "$(tr -d ' \n' < "$TMP/status.json" 2>/dev/null | grep -o '"exit":{[^}]*}')" \
            "$(tail -n 3 "$TMP/status.err")"
    fi
done

# a machine format never shares the program's stdout (DESIGN.md §5): as
# racedet run does, the shim refuses format=json without output=FILE
TMPDIR=$RDIR LD_PRELOAD=$SHIM RACEDET_OPTIONS=format=json "$PROG" return > "$TMP/json.out" 2> "$TMP/json.err"
status=$?
if [ $status -eq 2 ] && [ ! -s "$TMP/json.out" ] &&
    grep -q '^racedet: RACEDET_OPTIONS: format=json needs output=FILE' "$TMP/json.err" &&
    wait_reporters_gone; then
    ok "shim alone: format=json without output=FILE: one line, exit 2, nothing on stdout"
else
    not_ok "shim alone: format=json without output (status $status)" \
        "stdout: $(head -c 200 "$TMP/json.out")" "stderr: $(head -n 3 "$TMP/json.err")"
fi

# Ctrl-C: the terminal signals the program's process group, in its
# session. The reporter is in neither (a session of its own), is not the
# program's child, and holds /dev/null as stdin and stdout: SIGINT ends the program as natively (130), and the
# report still comes.
rm -f "$TMP/int.out"
# (a background job of a script starts with SIGINT ignored: not this one)
TMPDIR=$RDIR LD_PRELOAD=$SHIM env --default-signal=INT "$PROG" pause > "$TMP/int.out" \
    2> "$TMP/int.err" &
pid=$!
if wait_ready "$TMP/int.out"; then
    rpid=$(pgrep -f "_reporter [0-9]+ $RDIR/" | head -n 1)
    set -- $(ps -o sid=,pgid=,ppid= -p "$rpid") x x x
    set -- "$@" $(ps -o sid=,pgid= -p $pid) x x
    rio="$(readlink "/proc/$rpid/fd/0") $(readlink "/proc/$rpid/fd/1")"
    kill -INT $pid
    _i=0
    while kill -0 $pid 2> /dev/null && [ $_i -lt 300 ]; do
        _i=$((_i + 1))
        sleep 0.1
    done
    kill -KILL $pid 2> /dev/null # still there after 30 s: SIGINT did not end it
    wait $pid
    status=$?
    if [ "$1" != "$7" ] && [ "$2" != "$8" ] && [ "$3" != "$pid" ] && [ "$1" = "$rpid" ] &&
        [ "$rio" = "/dev/null /dev/null" ]; then
        check "SIGINT (Ctrl-C), the reporter in a session of its own" 130 $status "$TMP/int.err"
    else
        wait_reporters_gone
        not_ok "shim alone: the reporter's session, group, parent: $1 $2 $3 (stdin, stdout: $rio); the program's: $7 $8, pid $pid"
    fi
else
    kill -KILL $pid 2> /dev/null
    not_ok "shim alone: Ctrl-C: the program never got ready"
fi

# a racedet-cc binary run directly links the runtime: the same reporter
if "$BUILD/bin/racedet-cc" -g -O0 -o "$TMP/race_then_exit" tests/e2e/shim_alone/race_then_exit.c \
    2> "$TMP/cc.err"; then
    err=$(TMPDIR=$RDIR "$TMP/race_then_exit" 2>&1 > /dev/null)
    status=$?
    printf '%s\n' "$err" > "$TMP/rcc.err"
    wait_reporters_gone
    if [ $status -eq 7 ] && grep -q '==racedet== data_race' "$TMP/rcc.err" &&
        grep -q '#0 bump .*race_then_exit\.c:13 ' "$TMP/rcc.err" &&
        grep -q '#0 main .*race_then_exit\.c:21 ' "$TMP/rcc.err"; then
        ok "racedet-cc binary run directly: _exit(7) after a race: the race with lines, status 7"
    else
        not_ok "racedet-cc binary run directly (status $status)" "$(head -n 5 "$TMP/rcc.err")"
    fi
else
    not_ok "racedet-cc could not build tests/e2e/shim_alone/race_then_exit.c" "$(head -n 5 "$TMP/cc.err")"
fi

# a correct program: silent, its status, no reporter left
err=$(TMPDIR=$RDIR LD_PRELOAD=$SHIM "$BUILD/samples/lock_order_abba_fixed" 2>&1 > /dev/null)
status=$?
if [ $status -eq 0 ] && [ -z "$err" ] && wait_reporters_gone && [ -z "$(ls -A "$RDIR")" ]; then
    ok "shim alone: a correct program is silent, exits 0, leaves no reporter and no file"
else
    not_ok "shim alone: correct program (status $status, files: $(ls -A "$RDIR"))" "$err"
fi

# racedet run: no reporter, one report
err=$(TMPDIR=$RDIR "$BUILD/bin/racedet" run -- "$PROG" _exit 2>&1 > /dev/null)
status=$?
printf '%s\n' "$err" > "$TMP/run.err"
if [ $status -eq 66 ] && [ "$(grep -c '==racedet== lock_order_cycle' "$TMP/run.err")" -eq 1 ] &&
    [ "$(grep -c '^racedet: 1 finding' "$TMP/run.err")" -eq 1 ]; then
    ok "racedet run: one report, no second one from a reporter"
else
    not_ok "racedet run (status $status)" "$(tail -n 5 "$TMP/run.err")"
fi

exit $failed
