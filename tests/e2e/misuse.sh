#!/bin/sh
# misuse.sh: lock misuse through the shim, as the real calls behave: a mutex
# used or destroyed again after pthread_mutex_destroy, used after its
# memory was freed, freed while locked, re-initialised while held,
# deadlines with tv_nsec out of range, a semaphore value above
# SEM_VALUE_MAX and that semaphore's use, main returning with a lock held;
# a mutex, barrier and semaphore initialised twice with no destroy between;
# a condition waited on with two mutexes at once; a join of itself or of a
# detached thread.
# Each is reported with the call's stack, and the program's own results
# are the same as without racedet. Correct uses that look alike stay
# silent: a condition destroyed after its waiters were woken, a robust
# mutex recovered after its owner died, a lock that pthread_exit's cleanup
# handler unlocks.
#
# Usage: sh tests/e2e/misuse.sh [BUILD_DIR]     (from the repository root)
# Needs BUILD/bin/racedet and BUILD/tests/e2e/{lock_misuse,reinit_live,
# cond_two_mutexes,join_misuse,cond_destroy_woken,robust_owner_died,
# exit_cleanup_unlocks}
# (make e2e-helpers).
# Prints "ok - ..." / "not ok - ..." and '#' lines; exits 1 when anything
# failed.
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-misuse.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
failed=0
PROG=$BUILD/tests/e2e/lock_misuse

for p in "$RACEDET" "$PROG"; do
    if [ ! -x "$p" ]; then
        echo "not ok - misuse: $p is not built (make e2e-helpers)"
        exit 1
    fi
done

# count KIND: findings of this kind in the report
count() {
    python3 -c '
import json, sys
print(sum(f["kind"] == sys.argv[2] for f in json.load(open(sys.argv[1]))["findings"]))' \
        "$TMP/report.json" "$1" 2>/dev/null
}

# finding KIND TEXT FUNCTION: a finding of KIND whose summary has TEXT and
# one of whose stacks has a frame of FUNCTION in lock_misuse.c
finding() {
    python3 -c '
import json, sys
kind, text, fn = sys.argv[2:5]
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["kind"] == kind and text in f["summary"] and any(
            fr.get("function") == fn and (fr.get("file") or "").endswith("lock_misuse.c")
            for st in f["stacks"] for fr in st["frames"]):
        sys.exit(0)
sys.exit(1)' "$TMP/report.json" "$1" "$2" "$3" 2>/dev/null
}

"$PROG" > "$TMP/native" 2>&1
timeout -k 5 60 "$RACEDET" run --format json -o "$TMP/report.json" -- "$PROG" \
    > "$TMP/watched" 2> "$TMP/stderr" < /dev/null
status=$?

if [ "$status" -eq 66 ] && [ -s "$TMP/report.json" ]; then
    ok "the misuses are found (exit 66)"
else
    not_ok "the misuses are found" "racedet run exited $status (want 66)"
    indent '#   ' "$TMP/stderr" 10
fi
if cmp -s "$TMP/native" "$TMP/watched"; then
    ok "every call returned what it returns without racedet"
else
    not_ok "every call returned what it returns without racedet" "diff native watched:"
    diff "$TMP/native" "$TMP/watched" | sed 's/^/#   /'
fi

check() { # NAME KIND TEXT
    if finding "$2" "$3" main; then
        ok "$1"
    else
        not_ok "$1" "no $2 finding whose summary has '$3' with main in a stack"
    fi
}
check "lock after destroy" sync_misuse "locks mutex \`destroyed_then_locked\`, which it destroyed"
check "unlock after destroy" sync_misuse "unlocks mutex \`destroyed_then_unlocked\`, which it destroyed"
check "destroy after destroy" sync_misuse "destroys mutex \`destroyed_twice\`, which was already destroyed"
check "trylock in freed memory" sync_misuse "whose memory was freed"
check "free of the memory of a locked mutex" destroy_locked "frees the memory of"
check "init of a held mutex" sync_misuse "re-initialises mutex \`reinitialised\` while it holds it itself"
check "cond timedwait with tv_nsec 1e9" sync_misuse "calls pthread_cond_timedwait on cond \`cond\` with a deadline whose tv_nsec is 1000000000"
check "sem_timedwait with tv_nsec 1e9" sync_misuse "calls sem_timedwait on sem \`sem_ok\`"
check "sem_init above SEM_VALUE_MAX" sync_misuse "initialises sem \`sem_too_big\` with the value 4294967295"
check "sem_post on a semaphore whose init failed" sync_misuse "posts to sem \`sem_too_big\`, whose initialisation failed"
check "sem_wait on a semaphore whose init failed" sync_misuse "waits on sem \`sem_too_big\`, whose initialisation failed"
check "main returns holding a mutex" lock_held_at_exit "ends while holding mutex \`held_at_exit\`"

n_misuse=$(count sync_misuse)
n_all=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["findings"]))' \
    "$TMP/report.json" 2>/dev/null)
n_other=$((n_all - n_misuse - $(count destroy_locked) - $(count lock_held_at_exit)))
if [ "$n_misuse" = 10 ] && [ "$(count destroy_locked)" = 1 ] &&
    [ "$(count lock_held_at_exit)" = 1 ] && [ "$n_other" = 0 ]; then
    ok "nothing else is reported (10 sync_misuse, 1 destroy_locked, 1 lock_held_at_exit)"
else
    not_ok "nothing else is reported" \
        "$n_misuse sync_misuse (want 10), $(count destroy_locked) destroy_locked (want 1), $(count lock_held_at_exit) lock_held_at_exit (want 1), $n_other other (want 0)"
    "$RACEDET" report "$TMP/report.json" 2>&1 | grep '^==racedet==' | sed 's/^/#   /'
fi

# ---- objects initialised again without a destroy (reinit_live.c) ----------------
REINIT=$BUILD/tests/e2e/reinit_live
if [ -x "$REINIT" ]; then
    "$REINIT" > "$TMP/reinit.native" 2>&1
    timeout -k 5 60 "$RACEDET" run --format json -o "$TMP/report.json" -- "$REINIT" \
        > "$TMP/reinit.watched" 2> "$TMP/stderr" < /dev/null
    if cmp -s "$TMP/reinit.native" "$TMP/reinit.watched"; then
        ok "re-initialisations: every call returned what it returns without racedet"
    else
        not_ok "re-initialisations: every call returned what it returns without racedet" \
            "diff native watched:"
        diff "$TMP/reinit.native" "$TMP/reinit.watched" | sed 's/^/#   /'
    fi
    reinit() { # NAME TEXT
        if python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["kind"] == "sync_misuse" and sys.argv[2] in f["summary"] and any(
            fr.get("function") == "main" and (fr.get("file") or "").endswith("reinit_live.c")
            for st in f["stacks"] for fr in st["frames"]):
        sys.exit(0)
sys.exit(1)' "$TMP/report.json" "$2" 2> /dev/null; then
            ok "$1"
        else
            not_ok "$1" "no sync_misuse finding whose summary has '$2' with main in a stack"
        fi
    }
    reinit "a mutex initialised twice" "re-initialises mutex \`inited_twice\`, which was initialised and never destroyed"
    reinit "a barrier initialised twice" "re-initialises barrier 0x"
    reinit "a semaphore initialised twice" "re-initialises sem \`sem_inited_twice\`, which was initialised and never destroyed"
    n_all=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["findings"]))' \
        "$TMP/report.json" 2>/dev/null)
    if [ "$n_all" = 3 ] && [ "$(count sync_misuse)" = 3 ]; then
        ok "re-initialisations: nothing else (static initialiser then init, init after destroy or free, a function's local objects)"
    else
        not_ok "re-initialisations: nothing else" "$n_all findings, $(count sync_misuse) sync_misuse (want 3 and 3)"
        "$RACEDET" report "$TMP/report.json" 2>&1 | grep '^==racedet==' | sed 's/^/#   /'
    fi
else
    not_ok "re-initialisations" "$REINIT is not built (make e2e-helpers)"
fi

# ---- a condition waited on with two mutexes at once (cond_two_mutexes.c) --------
TWO=$BUILD/tests/e2e/cond_two_mutexes
if [ -x "$TWO" ]; then
    timeout -k 5 60 "$RACEDET" run --format json -o "$TMP/report.json" -- "$TWO" \
        > "$TMP/two.out" 2> "$TMP/stderr" < /dev/null
    if python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
want = "waits on cond `shared_cond` with mutex `m2` while other waits on it use mutex `m1`"
sys.exit(0 if len(fs) == 1 and fs[0]["kind"] == "sync_misuse" and want in fs[0]["summary"] and any(
    fr.get("function") == "wait_for_go" and fr.get("line") == 30
    for st in fs[0]["stacks"] for fr in st["frames"]) else 1)' "$TMP/report.json" 2> /dev/null; then
        ok "a condition waited on with two mutexes at once (and not when the first wait has returned)"
    else
        not_ok "a condition waited on with two mutexes at once" \
            "want exactly one sync_misuse: T2 waits on shared_cond with m2 while ... m1, at wait_for_go:30"
        "$RACEDET" report "$TMP/report.json" 2>&1 | grep '^==racedet==' | sed 's/^/#   /'
    fi
else
    not_ok "a condition waited on with two mutexes at once" "$TWO is not built (make e2e-helpers)"
fi

# ---- joins glibc refuses (join_misuse.c) ------------------------------------------
JOIN=$BUILD/tests/e2e/join_misuse
if [ -x "$JOIN" ]; then
    "$JOIN" > "$TMP/join.native" 2>&1
    timeout -k 5 60 "$RACEDET" run --format json -o "$TMP/report.json" -- "$JOIN" \
        > "$TMP/join.watched" 2> "$TMP/stderr" < /dev/null
    if cmp -s "$TMP/join.native" "$TMP/join.watched" && python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
want = [("calls pthread_join on itself: the call fails with EDEADLK", 32),
        ("which is detached: the call fails with EINVAL", 37)]
sys.exit(0 if len(fs) == 2 and all(any(
    f["kind"] == "sync_misuse" and text in f["summary"] and any(
        fr.get("function") == "main" and fr.get("line") == line
        for st in f["stacks"] for fr in st["frames"]) for f in fs) for text, line in want) else 1)' \
            "$TMP/report.json" 2> /dev/null; then
        ok "a join of itself (EDEADLK) and of a detached thread (EINVAL), nothing else, same results"
    else
        not_ok "a join of itself and of a detached thread" \
            "want two sync_misuse (main:32 itself, main:37 detached) and the native output"
        diff "$TMP/join.native" "$TMP/join.watched" | sed 's/^/#   /'
        "$RACEDET" report "$TMP/report.json" 2>&1 | grep '^==racedet==' | sed 's/^/#   /'
    fi
else
    not_ok "a join of itself and of a detached thread" "$JOIN is not built (make e2e-helpers)"
fi

# ---- correct programs stay silent ----------------------------------------------
# silent NAME PROG: the program exits 0 under racedet with no finding
silent() {
    if [ ! -x "$2" ]; then
        not_ok "$1" "$2 is not built (make e2e-helpers)"
        return
    fi
    timeout -k 5 60 "$RACEDET" run --format json -o "$TMP/silent.json" -- "$2" \
        > "$TMP/silent.out" 2>&1 < /dev/null
    _status=$?
    if [ "$_status" -eq 0 ]; then
        ok "$1"
    else
        not_ok "$1" "racedet run exited $_status (want 0: no finding)"
        indent '#   ' "$TMP/silent.out" 15
    fi
}
silent "a condition destroyed once its waiter was woken, before it returned, is fine" \
    "$BUILD/tests/e2e/cond_destroy_woken"
silent "a robust mutex whose owner died is recovered (EOWNERDEAD): no lock held at exit" \
    "$BUILD/tests/e2e/robust_owner_died"
silent "pthread_exit holding a mutex its cleanup handler unlocks: no lock held at exit" \
    "$BUILD/tests/e2e/exit_cleanup_unlocks"
# ...and without the handler the lock is held at the end, where pthread_exit is
CLEANUP=$BUILD/tests/e2e/exit_cleanup_unlocks
if [ -x "$CLEANUP" ]; then
    timeout -k 5 60 "$RACEDET" run --format json -o "$TMP/report.json" -- "$CLEANUP" leak \
        > "$TMP/cleanup.out" 2>&1 < /dev/null
    if python3 -c '
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
sys.exit(0 if len(fs) == 1 and fs[0]["kind"] == "lock_held_at_exit" and any(
    st["role"] == "the thread exits here" and st["frames"] and
    st["frames"][0].get("function") == "worker" and st["frames"][0].get("line") == 28
    for st in fs[0]["stacks"]) else 1)' "$TMP/report.json" 2> /dev/null; then
        ok "pthread_exit holding a mutex, no cleanup handler: lock_held_at_exit where pthread_exit is"
    else
        not_ok "pthread_exit holding a mutex, no cleanup handler" \
            "want one lock_held_at_exit whose exit stack starts at worker:28"
        "$RACEDET" report "$TMP/report.json" 2>&1 | sed 's/^/#   /' | head -20
    fi
fi
exit $failed
