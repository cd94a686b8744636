#!/bin/sh
# explore.sh: racedet explore end to end (`make check` runs it through
# tests/run_all.sh).
#
# Usage: sh tests/e2e/explore.sh [BUILD_DIR]     (from the repository root)
#
# For every sample whose samples/NAME.expect has an `explore OUTCOME
# [TOKENS]` line: racedet explore, with a fixed seed and the default number
# of runs, must fail with that outcome (signal:N, exit:N, hang, or a finding
# kind whose frames match TOKENS); the replay command it prints must fail
# the same way 5 times out of 5; the program alone with the shim and the
# same schedule must too; and the twin NAME_fixed must pass 200 runs. For a
# `confirm deadlock TOKENS` line: racedet explore --confirm on racedet run's
# report must make the deadlock happen, mark the cycle confirmed, and its
# replay must deadlock 5 times out of 5. Then: every other bundled correct
# twin passes EXPLORE_TWIN_RUNS runs (10; 200 for the closing figures); a
# real deadlock is reported and ended; a thread blocked or spinning where
# the scheduler cannot see it does not stall a run; --run-timeout ends a
# hang; memory points (--points=memory): the sample only they find passes
# the default points, private memory makes none, the racedet-cc twins pass
# them; gcc- and clang-built programs, and racedet-cc builds; usage errors.
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

JSON_GET=$BUILD/tests/e2e/json_get
SEED=${EXPLORE_SEED:-1}
TWIN_RUNS=${EXPLORE_TWIN_RUNS:-10}
EXPLORE_TIMEOUT=${EXPLORE_TIMEOUT:-900} # seconds one racedet explore may take (many runs)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-explore.XXXXXX") || exit 1
mkdir "$TMP/want"   # expect files made here are named like the sample's
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
failed=0

CHECK_PREFIX='explore: '
get() { "$JSON_GET" "$1" "$2" 2>/dev/null; }

for tool in "$RACEDET" "$EXPECT_CHECK" "$JSON_GET"; do
    [ -x "$tool" ] || { echo "not ok - explore: $tool is not built"; exit 1; }
done

# explore_run OUT.json ARGS...: racedet explore ARGS with a JSON report;
# sets st (its exit status); its stderr goes to OUT.err.
explore_run() {
    _out=$1; shift
    rm -f "$_out"
    timeout -k 5 "$EXPLORE_TIMEOUT" "$RACEDET" explore --format json -o "$_out" "$@" \
        > "$_out.out" 2> "$_out.err" < /dev/null
    st=$?
}

# failure_of JSON: "signal:6", "exit:3", "hang" or "findings:ID ID..." for
# the first failure of a racedet explore report.
failure_of() {
    case $(get "$1" explore.failures.0.failure) in
        signal) echo "signal:$(get "$1" explore.failures.0.signal)" ;;
        exit) echo "exit:$(get "$1" explore.failures.0.status)" ;;
        hang) echo hang ;;
        findings)
            _ids=""
            _n=$(get "$1" findings.#)
            _i=0
            while [ "$_i" -lt "${_n:-0}" ]; do
                _ids="$_ids $(get "$1" findings.$_i.id)"
                _i=$((_i + 1))
            done
            echo "findings:$_ids" ;;
        *) echo none ;;
    esac
}

# replay CMD OUT.json: runs a printed replay command ("racedet explore ...")
# with our racedet and a JSON report; sets st.
replay() {
    _cmd=${1#racedet explore } _json=$2
    eval "set -- $_cmd"
    explore_run "$_json" "$@"
}

# replayed CMD WHAT: runs the replay command CMD 5 times, each a success
# when `WHAT JSON` is true after it exits 66; says how many were.
replayed() {
    _same=0
    for _i in 1 2 3 4 5; do
        replay "$1" "$TMP/replay$_i.json"
        [ "$st" -eq 66 ] && "$2" "$TMP/replay$_i.json" && _same=$((_same + 1))
    done
    if [ "$_same" -eq 5 ]; then
        ok "$name: '$1' $3 5 times out of 5"
    else
        not_ok "$name: '$1' $3 only $_same times out of 5"
    fi
}
fails_the_same_way() { [ "$(failure_of "$1")" = "$got" ]; }
deadlocks() { [ -n "$(get "$1" "findings.[kind=deadlock].id")" ]; }

# ---- the samples' explore and confirm lines -------------------------------------

for name in $(sample_names); do
    want=$(explore_expect "$name" explore)
    [ -n "$want" ] || continue
    if [ ! -x "$BUILD/samples/$name" ]; then
        echo "# skip explore $name: $BUILD/samples/$name is not built"
        continue
    fi
    json=$TMP/$name.json
    opts=$(echo "$want" | awk '{ for (i = 1; i <= NF && $i ~ /^--/; i++) printf "%s ", $i }')
    want=$(echo "$want" | awk '{ for (i = 1; i <= NF && $i ~ /^--/; i++) $i = ""; sub(/^ +/, ""); print }')
    # shellcheck disable=SC2086 # the options are words
    explore_run "$json" $opts --seed "$SEED" -- "$BUILD/samples/$name"
    outcome=${want%% *}
    tokens=$(echo "$want" | awk '{ $1 = ""; sub(/^ +/, ""); print }')
    got=$(failure_of "$json")
    run=$(get "$json" explore.failures.0.run)
    case $outcome in
        signal:* | exit:* | hang) match=$([ "$got" = "$outcome" ] && echo yes) ;;
        *)
            printf '%s %s\nexit 66\n' "$outcome" "$tokens" > "$TMP/want/$name.expect"
            match=$("$EXPECT_CHECK" "$TMP/want/$name.expect" "$json" "$st" > "$TMP/$name.check" 2>&1 &&
                echo yes)
            ;;
    esac
    if [ "$st" -eq 66 ] && [ "$match" = yes ]; then
        ok "$name: found in run $run of seed $SEED ($outcome)${opts:+ with ${opts% }}"
    else
        not_ok "$name: not found as '$want' with seed $SEED (exit $st, got $got)" \
            "$(tail -n 5 "$json.err" 2>/dev/null)" "$(cat "$TMP/$name.check" 2>/dev/null)"
        continue
    fi

    # the replay command it printed, 5 times
    replayed "$(get "$json" explore.failures.0.replay)" fails_the_same_way "fails the same way"

    # the shim alone, with the same schedule
    case $outcome in
        signal:*)
            spec="pct:$SEED:$run:$(get "$json" explore.depth):$(get "$json" explore.steps)"
            [ "$run" = 1 ] && spec="pct:$SEED:1:$(get "$json" explore.depth):0"
            [ "$(get "$json" explore.points)" = sync ] || spec="$spec:$(get "$json" explore.points)"
            RACEDET_OPTIONS="schedule=$spec" LD_PRELOAD=$PWD/$BUILD/lib/libracedet.so \
                timeout -k 5 "$RUN_TIMEOUT" "$BUILD/samples/$name" > /dev/null 2>&1 < /dev/null
            shim_st=$?
            if [ "$shim_st" -eq $((128 + ${outcome#signal:})) ]; then
                ok "$name: the shim alone with schedule=$spec fails the same way"
            else
                not_ok "$name: the shim alone with schedule=$spec exited $shim_st"
            fi
            ;;
    esac

    # its correct twin
    if [ -x "$BUILD/samples/${name}_fixed" ]; then
        # shellcheck disable=SC2086
        explore_run "$TMP/${name}_fixed.json" $opts --seed "$SEED" --runs 200 -- \
            "$BUILD/samples/${name}_fixed"
        if [ "$st" -eq 0 ] && [ "$(get "$TMP/${name}_fixed.json" explore.failed_runs)" = 0 ]; then
            ok "${name}_fixed: 200 runs, none failed"
        else
            not_ok "${name}_fixed: 200 runs: exit $st" "$(tail -n 5 "$TMP/${name}_fixed.json.err")"
        fi
    fi
done

for name in $(sample_names); do
    want=$(explore_expect "$name" confirm)
    [ -n "$want" ] && [ -x "$BUILD/samples/$name" ] || continue
    report=$TMP/$name.run.json
    "$RACEDET" run --format json -o "$report" -- "$BUILD/samples/$name" > /dev/null 2>&1 < /dev/null
    json=$TMP/$name.confirm.json
    explore_run "$json" --confirm "$report" --seed "$SEED" -- "$BUILD/samples/$name"
    # the report: the sample's findings (the cycle), and the deadlock
    { sed 's/#.*//' "samples/$name.expect" | grep -v '^[[:space:]]*\(explore\|confirm\|exit\)' |
        grep -v '^[[:space:]]*$'
      echo "$want"
      echo "exit 66"; } > "$TMP/want/$name.expect"
    confirmed=$(get "$json" "findings.[kind=lock_order_cycle].details.explore.confirmed")
    text=no
    "$RACEDET" report "$json" 2>&1 | grep -q "confirmed: the threads really deadlocked" && text=yes
    if [ "$st" -eq 66 ] && [ "$confirmed" = true ] && [ "$text" = yes ] &&
        "$EXPECT_CHECK" "$TMP/want/$name.expect" "$json" "$st" > "$TMP/$name.check" 2>&1; then
        ok "$name: --confirm made the cycle deadlock ($(get "$json" explore.runs) run(s)), the text report says confirmed"
    else
        not_ok "$name: --confirm did not confirm the cycle (exit $st, confirmed=$confirmed)" \
            "$(cat "$TMP/$name.check")" "$(tail -n 5 "$json.err")"
        continue
    fi
    "$RACEDET" report --format sarif -o "$TMP/$name.sarif" "$json" 2>/dev/null
    if grep -q '(confirmed: the threads really deadlocked' "$TMP/$name.sarif"; then
        ok "$name: the SARIF report marks the cycle confirmed"
    else
        not_ok "$name: the SARIF report does not mark the cycle confirmed"
    fi
    # and is still valid SARIF 2.1.0, when a python3 with jsonschema can say
    if python3 -c 'import jsonschema' 2> /dev/null; then
        if python3 tests/sarif/validate.py tests/sarif/sarif-schema-2.1.0.json "$TMP/$name.sarif" \
            > "$TMP/sarif.check" 2>&1; then
            ok "$name: the confirmed report is valid SARIF 2.1.0"
        else
            not_ok "$name: the confirmed report is not valid SARIF" "$(head -n 5 "$TMP/sarif.check")"
        fi
    fi
    replayed "$(get "$json" "findings.[kind=lock_order_cycle].details.explore.replay")" deadlocks \
        deadlocks
done

# ---- memory points ------------------------------------------------------------------

# schedule_memory_torn_pair with the default points: neither thread makes a
# synchronisation call between the painter's check of the flag and its two
# reads, nor inside the resizer's update, so a schedule that switches
# threads only at such calls runs each of them in one go and the painter
# never sees half of a resize; only --points=memory (above) can stop it
# between its reads.
name=schedule_memory_torn_pair
if [ -x "$BUILD/samples/$name" ]; then
    explore_run "$TMP/$name.sync.json" --seed "$SEED" -- "$BUILD/samples/$name"
    if [ "$st" -eq 0 ] && [ "$(get "$TMP/$name.sync.json" explore.runs)" = 100 ]; then
        ok "$name: the default points (synchronisation calls) never fail it in 100 runs"
    else
        not_ok "$name: with the default points: exit $st" "$(tail -n 3 "$TMP/$name.sync.json.err")"
    fi
fi

# A thread's stack and the memory only it touched are no scheduling points:
# explore_private's workers make 40,000 accesses to memory of their own,
# and a run with --points=memory has only a few more points than one with
# --points=sync (those at the shared total).
if RACEDET_CC=${CC:-cc} "$BUILD/bin/racedet-cc" -g -O1 -o "$TMP/private" tests/e2e/explore_private.c \
    2> "$TMP/cc.err"; then
    explore_run "$TMP/private.sync.json" --seed "$SEED" --runs 1 -- "$TMP/private"
    sync_steps=$(get "$TMP/private.sync.json" explore.steps)
    explore_run "$TMP/private.memory.json" --points=memory --seed "$SEED" --runs 1 -- "$TMP/private"
    memory_steps=$(get "$TMP/private.memory.json" explore.steps)
    if [ "$st" -eq 0 ] && [ -n "$sync_steps" ] && [ -n "$memory_steps" ] &&
        [ "$memory_steps" -le $((sync_steps + 20)) ]; then
        ok "--points=memory: private memory makes no points ($memory_steps points, $sync_steps with sync)"
    else
        not_ok "--points=memory: explore_private: exit $st, $memory_steps points ($sync_steps with sync)" \
            "$(tail -n 3 "$TMP/private.memory.json.err")"
    fi
else
    not_ok "racedet-cc cannot build explore_private.c" "$(cat "$TMP/cc.err")"
fi

# Correct programs built with racedet-cc stay correct when threads switch
# at their memory accesses too (their spins on flags included).
# explore_twin TWIN ARGS...: racedet explore ARGS on a correct twin, its
# TWIN_RUNS runs from SEED; a failure is added to $bad with its summary.
explore_twin() {
    _twin=$1
    shift
    explore_run "$TMP/twin.json" "$@" --seed "$SEED" --runs "$TWIN_RUNS" -- "$_twin"
    [ "$st" -eq 0 ] ||
        bad="$bad ${_twin##*/}(exit $st: $(get "$TMP/twin.json" explore.failures.0.summary || tail -n 1 "$TMP/twin.json.err"))"
}

bad=""
for twin in "$BUILD"/samples/race_*_fixed; do
    case ${twin##*/} in race_barrier_round_fixed) continue ;; esac # see below
    explore_twin "$twin" --points=memory
done
if [ -z "$bad" ]; then
    ok "every correct racedet-cc twin passes $TWIN_RUNS runs with --points=memory"
else
    not_ok "correct twins that failed with --points=memory:$bad"
fi

# ---- correct programs stay correct ------------------------------------------------

bad=""
for twin in "$BUILD"/samples/*_fixed; do
    name=${twin##*/}
    case $name in schedule_*) continue ;; esac  # 200 runs above
    # Known gaps, left out until fixed (the README's explore limitations):
    # race_barrier_round_fixed waits until /proc shows a thread asleep in
    # glibc's futex wait on the barrier, which a modelled barrier wait never
    # is (every run hangs); deadlock_fork_fixed failed about 1 run in 1,000
    # on a loaded machine (a modelled wait under a lock lasting past
    # blocking_threshold_ms; its other failure, a child forked during a
    # stack walk, is fixed and tested by fork_mid_walk.sh).
    case $name in deadlock_fork_fixed | race_barrier_round_fixed) continue ;; esac
    explore_twin "$twin"
done
if [ -z "$bad" ]; then
    ok "every other correct twin passes $TWIN_RUNS runs"
else
    not_ok "correct twins that failed under explore:$bad"
fi

# ---- deadlocks, blocking, hangs ---------------------------------------------------

t0=$(now_ms)
explore_run "$TMP/dl.json" --seed "$SEED" -- "$BUILD/samples/deadlock_abba"
ms=$(($(now_ms) - t0))
if [ "$st" -eq 66 ] && [ -n "$(get "$TMP/dl.json" "findings.[kind=deadlock].id")" ] && [ "$ms" -lt 5000 ]; then
    ok "a real deadlock is reported as deadlock and the run ended ($(seconds "$ms")s)"
else
    not_ok "deadlock_abba: exit $st after $(seconds "$ms")s" "$(tail -n 5 "$TMP/dl.json.err")"
fi

for mode in sleep spin; do
    t0=$(now_ms)
    explore_run "$TMP/out.json" --seed "$SEED" --runs 5 -- "$BUILD/tests/e2e/explore_outside" "$mode"
    ms=$(($(now_ms) - t0))
    if [ "$st" -eq 0 ] && [ "$ms" -lt 20000 ]; then
        ok "a thread that ${mode}s where the scheduler cannot see does not stall the runs ($(seconds "$ms")s for 5)"
    else
        not_ok "explore_outside $mode: exit $st after $(seconds "$ms")s" "$(tail -n 5 "$TMP/out.json.err")"
    fi
done
explore_run "$TMP/out.json" --seed "$SEED" --runs 20 -- "$BUILD/tests/e2e/explore_outside" cancel
if [ "$st" -eq 0 ]; then
    ok "a thread cancelled while it waits in the scheduler (a condition wait) acts on it"
else
    not_ok "explore_outside cancel: exit $st" "$(tail -n 5 "$TMP/out.json.err")"
fi

t0=$(now_ms)
explore_run "$TMP/hang.json" --seed "$SEED" --run-timeout 1 -- "$BUILD/tests/e2e/explore_outside" hang
ms=$(($(now_ms) - t0))
if [ "$st" -eq 66 ] && [ "$(get "$TMP/hang.json" explore.failures.0.failure)" = hang ] &&
    grep -q 'took longer than 1 s (--run-timeout)' "$TMP/hang.json.err" && [ "$ms" -lt 5000 ]; then
    ok "--run-timeout ends a hanging run with a clear message ($(seconds "$ms")s)"
else
    not_ok "--run-timeout 1: exit $st after $(seconds "$ms")s" "$(tail -n 3 "$TMP/hang.json.err")"
fi

# ---- compilers and builds -------------------------------------------------------------

for cc in gcc clang; do
    command -v "$cc" > /dev/null 2>&1 || { echo "# skip $cc: not installed"; continue; }
    "$cc" -g -O1 -pthread -o "$TMP/cta_$cc" samples/schedule_check_then_act.c 2> "$TMP/cc.err" ||
        { not_ok "$cc cannot build schedule_check_then_act.c" "$(cat "$TMP/cc.err")"; continue; }
    explore_run "$TMP/cta_$cc.json" --seed "$SEED" -- "$TMP/cta_$cc"
    if [ "$st" -eq 66 ] && [ "$(failure_of "$TMP/cta_$cc.json")" = signal:6 ]; then
        ok "a $cc-built program, not rebuilt for racedet: found in run $(get "$TMP/cta_$cc.json" explore.runs)"
    else
        not_ok "a $cc-built program: exit $st" "$(tail -n 3 "$TMP/cta_$cc.json.err")"
    fi
    RACEDET_CC=$cc "$BUILD/bin/racedet-cc" -g -O1 -o "$TMP/ctarc_$cc" samples/schedule_check_then_act.c \
        2> "$TMP/cc.err" || { not_ok "racedet-cc ($cc) cannot build it" "$(cat "$TMP/cc.err")"; continue; }
    explore_run "$TMP/ctarc_$cc.json" --seed "$SEED" -- "$TMP/ctarc_$cc"
    if [ "$st" -eq 66 ] && [ "$(failure_of "$TMP/ctarc_$cc.json")" = signal:6 ]; then
        ok "a racedet-cc ($cc) build: found in run $(get "$TMP/ctarc_$cc.json" explore.runs)"
    else
        not_ok "a racedet-cc ($cc) build: exit $st" "$(tail -n 3 "$TMP/ctarc_$cc.json.err")"
    fi
    RACEDET_CC=$cc "$BUILD/bin/racedet-cc" -g -O1 -o "$TMP/torn_$cc" samples/schedule_memory_torn_pair.c \
        2> "$TMP/cc.err" || { not_ok "racedet-cc ($cc) cannot build schedule_memory_torn_pair.c" "$(cat "$TMP/cc.err")"; continue; }
    explore_run "$TMP/torn_$cc.json" --points=memory --seed "$SEED" -- "$TMP/torn_$cc"
    if [ "$st" -eq 66 ] && [ "$(failure_of "$TMP/torn_$cc.json")" = signal:6 ]; then
        ok "a racedet-cc ($cc) build, --points=memory: found in run $(get "$TMP/torn_$cc.json" explore.runs)"
    else
        not_ok "a racedet-cc ($cc) build, --points=memory: exit $st" "$(tail -n 3 "$TMP/torn_$cc.json.err")"
    fi
done

# ---- usage ------------------------------------------------------------------------------

usage() { # NAME ARGS...: racedet ARGS must exit 2 with one line on stderr
    _name=$1; shift
    "$RACEDET" "$@" > /dev/null 2> "$TMP/usage.err" < /dev/null
    _st=$?
    if [ "$_st" -eq 2 ] && [ "$(wc -l < "$TMP/usage.err")" -eq 1 ]; then
        ok "usage: $_name"
    else
        not_ok "usage: $_name: exit $_st" "$(head -n 3 "$TMP/usage.err")"
    fi
}
usage "--replay wants SEED:RUN" explore --replay 12 -- /bin/true
usage "--runs 0" explore --runs 0 -- /bin/true
usage "no program" explore --seed 3
usage "racedet run has no --runs" run --runs 3 -- /bin/true
usage "--confirm of a report without cycles" explore --confirm "$TMP/dl.json" -- /bin/true
if "$RACEDET" help explore | grep -q -- '--replay'; then
    ok "racedet help explore"
else
    not_ok "racedet help explore does not list --replay"
fi

exit $failed
