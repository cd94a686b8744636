#!/bin/sh
# deadlocks.sh: racedet never lets a CI job hang, and stays out of the way of
# programs that only look like they might: real deadlocks end within 5 s
# with exit 66 and a `deadlock` finding (also in a forked child, also with
# the shim alone; also a wait for a mutex whose owner exited, or is a
# thread of the parent of a forked child), a 2 s lock holder and a timed
# wait are no deadlock (and a timed lock that backs off closes no
# lock-order cycle), signal handlers that interrupt intercepted calls or
# take locks run unchanged, pthread_cancel and exit() from a thread lose
# no report, and a shell running two programs gets both reports.
#
# Usage: sh tests/e2e/deadlocks.sh [BUILD_DIR]     (from the repository root)
# Needs BUILD/bin/racedet, BUILD/lib/libracedet.so, BUILD/samples/deadlock_*
# and the test programs BUILD/tests/e2e/{slow_holder,timed_cycle,
# signal_interrupt,signal_lock,cancel_exit,fork_deadlock,owner_exited}
# (make samples e2e-helpers). Prints "ok - ..." / "not ok - ..." and '#' lines; exits 1
# when anything failed.
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"

SHIM=$BUILD/lib/libracedet.so
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-deadlocks.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
failed=0

RUN_OUT=$TMP/out   # lib.sh's not_ok shows the end of the run's output

# run_json JSON PROG [ARGS...]: racedet run --format json (extra racedet
# flags in $FLAGS), at most 30 s. Sets status and ms; output in $TMP/out.
run_json() {
    _json=$1
    shift
    rm -f "$_json"
    _t0=$(now_ms)
    # shellcheck disable=SC2086  # FLAGS is a list of flags
    timeout -k 5 30 "$RACEDET" run $FLAGS --format json -o "$_json" -- "$@" > "$TMP/out" 2>&1 < /dev/null
    status=$?
    ms=$(($(now_ms) - _t0))
}

# count KIND JSON: how many findings of this kind the report has.
count() {
    grep -c "\"kind\": \"$1\"" "$2" 2>/dev/null
}

need() {
    for _p in "$@"; do
        if [ ! -x "$_p" ]; then
            echo "not ok - deadlocks: $_p is not built (make samples e2e-helpers)"
            failed=1
        fi
    done
}
need "$RACEDET" "$SHIM" "$BUILD/samples/deadlock_abba" "$BUILD/samples/deadlock_three" \
    "$BUILD/samples/deadlock_join" "$BUILD/samples/deadlock_fork" "$BUILD/samples/lock_order_abba"
for p in slow_holder timed_cycle signal_interrupt signal_lock cancel_exit fork_deadlock \
    owner_exited; do
    need "$BUILD/tests/e2e/$p"
done
[ $failed -eq 0 ] || exit 1

# ---- real deadlocks end, quickly, with the report --------------------------
FLAGS=
for name in deadlock_abba deadlock_three deadlock_join; do
    run_json "$TMP/$name.json" "$BUILD/samples/$name"
    n=$(count deadlock "$TMP/$name.json")
    if [ "$status" -eq 66 ] && [ "$n" = 1 ] && [ "$ms" -lt 5000 ]; then
        ok "$name ends in $(seconds "$ms")s with a deadlock report"
    else
        not_ok "$name ends within 5 s with a deadlock report" \
            "exit $status (want 66), $n deadlock finding(s) (want 1), $(seconds "$ms")s (want < 5)"
    fi
done

run_json "$TMP/fork.json" "$BUILD/tests/e2e/fork_deadlock"
n=$(count deadlock "$TMP/fork.json")
if [ "$status" -eq 66 ] && [ "$n" = 1 ] && [ "$ms" -lt 5000 ] &&
    grep -q 'child exit status 66' "$TMP/out"; then
    ok "a forked child's deadlock is found by the child's own watchdog"
else
    not_ok "a forked child's deadlock is found by the child's own watchdog" \
        "exit $status (want 66), $n deadlock finding(s) (want 1), $(seconds "$ms")s (want < 5)"
fi

# ---- a lock nobody can release: the owner is gone ------------------------------
# summary TEXT JSON: a deadlock finding whose summary has TEXT
has_summary() {
    grep -q "\"summary\": \".*$1" "$2" 2>/dev/null
}
# deadlock_fork: the parent waits for a child that locks a mutex a thread of
# the parent held at the fork (natively both hang)
run_json "$TMP/forkheld.json" "$BUILD/samples/deadlock_fork"
n=$(count deadlock "$TMP/forkheld.json")
if [ "$status" -eq 66 ] && [ "$n" = 1 ] && [ "$ms" -lt 5000 ] &&
    has_summary 'held by T1, a thread of the parent process, which does not exist in this forked child' \
        "$TMP/forkheld.json" &&
    grep -q 'child exit status 66' "$TMP/out"; then
    ok "a forked child locking a mutex its parent's thread held at the fork: deadlock, the child ends, the run too"
else
    not_ok "a forked child locking a mutex its parent's thread held at the fork: deadlock, the child ends, the run too" \
        "exit $status (want 66), $n deadlock finding(s) (want 1, owner not in this child), $(seconds "$ms")s (want < 5)"
fi
run_json "$TMP/exited.json" "$BUILD/tests/e2e/owner_exited"
n=$(count deadlock "$TMP/exited.json")
if [ "$status" -eq 66 ] && [ "$n" = 1 ] && [ "$ms" -lt 5000 ] &&
    [ "$(count lock_held_at_exit "$TMP/exited.json")" = 1 ] &&
    has_summary 'held by T1, which exited without releasing it' "$TMP/exited.json"; then
    ok "waiting for a mutex whose owner exited holding it: deadlock, and the lock held at exit"
else
    not_ok "waiting for a mutex whose owner exited holding it: deadlock, and the lock held at exit" \
        "exit $status (want 66), $n deadlock finding(s) (want 1, owner exited), $(count lock_held_at_exit "$TMP/exited.json") lock_held_at_exit (want 1), $(seconds "$ms")s (want < 5)"
fi

# the shim alone (no racedet run): the report on stderr, the exit code 66
rm -f "$TMP/out"
_t0=$(now_ms)
timeout -k 5 30 env LD_PRELOAD="$SHIM" RACEDET_RECORD_DIR= "$BUILD/samples/deadlock_abba" \
    > "$TMP/out" 2>&1 < /dev/null
status=$?
ms=$(($(now_ms) - _t0))
if [ "$status" -eq 66 ] && [ "$ms" -lt 5000 ] && grep -q 'deadlock' "$TMP/out"; then
    ok "deadlock_abba under the shim alone ends in $(seconds "$ms")s, report on stderr"
else
    not_ok "deadlock_abba under the shim alone ends with a report" \
        "exit $status (want 66), $(seconds "$ms")s"
fi

# ---- long waits that end are no deadlock -------------------------------------
FLAGS="--blocking-threshold-ms 10000"
run_json "$TMP/slow.json" "$BUILD/tests/e2e/slow_holder"
if [ "$status" -eq 0 ] && [ "$(count deadlock "$TMP/slow.json")" = 0 ] && [ "$ms" -ge 2000 ] &&
    grep -q 'slow_holder: done' "$TMP/out"; then
    ok "a 2 s lock holder is not a deadlock"
else
    not_ok "a 2 s lock holder is not a deadlock" "exit $status (want 0), $(seconds "$ms")s"
fi
FLAGS=
run_json "$TMP/timed.json" "$BUILD/tests/e2e/timed_cycle"
if [ "$status" -eq 0 ] && [ "$(count deadlock "$TMP/timed.json")" = 0 ] &&
    [ "$(count lock_order_cycle "$TMP/timed.json")" = 0 ] &&
    grep -q 'returned ETIMEDOUT, it took both locks on try 2' "$TMP/out"; then
    ok "a cycle closed by a timed lock that backs off is neither a deadlock nor a lock-order cycle"
else
    not_ok "a cycle closed by a timed lock that backs off is neither a deadlock nor a lock-order cycle" \
        "exit $status (want 0), deadlock $(count deadlock "$TMP/timed.json"), lock_order_cycle $(count lock_order_cycle "$TMP/timed.json") (want 0 each)"
fi

# ---- signals ---------------------------------------------------------------
run_json "$TMP/sigint.json" "$BUILD/tests/e2e/signal_interrupt"
if [ "$status" -eq 0 ] && grep -q 'all calls behaved' "$TMP/out"; then
    ok "a signal interrupting intercepted calls gives EINTR as natively"
else
    not_ok "a signal interrupting intercepted calls gives EINTR as natively" "exit $status (want 0)"
fi
run_json "$TMP/siglock.json" "$BUILD/tests/e2e/signal_lock"
if [ "$status" -eq 0 ] && grep -q 'signal(s) handled' "$TMP/out"; then
    ok "a signal handler that locks a mutex runs unchanged, nothing reported"
else
    not_ok "a signal handler that locks a mutex runs unchanged" "exit $status (want 0)"
fi

# ---- cancel and exit from a thread -------------------------------------------
run_json "$TMP/cancel.json" "$BUILD/tests/e2e/cancel_exit"
if [ "$status" -eq 66 ] && [ "$(count lock_held_at_exit "$TMP/cancel.json")" = 1 ]; then
    ok "a thread cancelled holding a lock and exit() from a thread lose no report"
else
    not_ok "a thread cancelled holding a lock and exit() from a thread lose no report" \
        "exit $status (want 66), $(count lock_held_at_exit "$TMP/cancel.json") lock_held_at_exit (want 1)"
fi

# ---- several processes, through exec ------------------------------------------
run_json "$TMP/sh.json" sh -c "$BUILD/samples/deadlock_abba; $BUILD/samples/lock_order_abba"
if [ "$status" -eq 66 ] && [ "$(count deadlock "$TMP/sh.json")" = 1 ] &&
    [ "$(count lock_order_cycle "$TMP/sh.json")" = 1 ]; then
    ok "sh -c 'a; b': both programs' reports, the deadlocked one ended"
else
    not_ok "sh -c 'a; b': both programs' reports" \
        "exit $status (want 66), deadlock $(count deadlock "$TMP/sh.json"), lock_order_cycle $(count lock_order_cycle "$TMP/sh.json") (want 1 each)"
fi

exit $failed
