# lib.sh: helpers shared by the end-to-end scripts (samples.sh, demo.sh,
# misuse.sh, deadlocks.sh).
# Sourced, POSIX sh. The caller sets BUILD (the build directory) first and
# runs from the repository root.
# shellcheck shell=sh disable=SC2034  # run_status and run_ms are for the caller

RACEDET=$BUILD/bin/racedet
EXPECT_CHECK=$BUILD/tests/e2e/expect_check
RUN_TIMEOUT=${RUN_TIMEOUT:-60}   # seconds one sample may run under racedet (env may lower it)

# now_ms: milliseconds since the epoch (seconds * 1000 where date has no %N).
now_ms() {
    _t=$(date +%s%N 2>/dev/null)
    case $_t in
        '' | *[!0-9]*) echo $(($(date +%s) * 1000)) ;;
        *) echo $((_t / 1000000)) ;;
    esac
}

# sample_names: the NAME of every samples/NAME.expect, sorted.
sample_names() {
    for _f in samples/*.expect; do
        [ -f "$_f" ] || continue
        _f=${_f##*/}
        echo "${_f%.expect}"
    done
}

# sample_source NAME: samples/NAME.c, or samples/NAME.cpp for a C++ sample.
sample_source() {
    if [ -f "samples/$1.cpp" ]; then
        echo "samples/$1.cpp"
    else
        echo "samples/$1.c"
    fi
}

# expects_findings NAME: true when samples/NAME.expect has finding lines.
expects_findings() {
    sed 's/#.*//' "samples/$1.expect" | grep -v '^[[:space:]]*$' |
        grep -v '^[[:space:]]*\(explore\|confirm\)[[:space:]]' |
        grep -qv '^[[:space:]]*exit[[:space:]]'
}

# explore_expect NAME WHAT: the `explore` (WHAT=explore) or `confirm` line of
# samples/NAME.expect without its first word ("signal:6", "deadlock f:12
# g:30", "--points=atomics signal:6": racedet explore's options come first);
# empty when there is none.
explore_expect() {
    sed 's/#.*//' "samples/$1.expect" | awk -v w="$2" '$1 == w { $1 = ""; sub(/^ +/, ""); print; exit }'
}

# lint_expect NAME: checks, without running anything, that every frame token
# of samples/NAME.expect names a function defined in its source and, for
# `function:line`, a line inside that function's body (also on `explore` and
# `confirm` lines, whose tokens come after the outcome). Prints one line per
# problem (none when all is well), so stale line numbers show up at once.
lint_expect() {
    _src=$(sample_source "$1")
    awk -v expect="samples/$1.expect" -v source="$_src" '
        FNR == NR {
            # a definition: a line at column 0 with "(", then a line "{"
            if (prev_name != "" && $0 == "{") { cur = prev_name; start[cur] = FNR - 1 }
            prev_name = ""
            if ($0 ~ /^[A-Za-z_].*\(/ && $0 !~ /;[ \t]*$/) {
                name = $0
                sub(/\(.*/, "", name)
                sub(/.*[ *]/, "", name)
                prev_name = name
            }
            if ($0 == "}" && cur != "") { end[cur] = FNR; cur = "" }
            next
        }
        {
            sub(/#.*/, "")
            if (NF < 2 || $1 == "exit") next
            first = 2
            if ($1 == "explore" || $1 == "confirm") {
                while (first <= NF && $first ~ /^--/) first++   # its options
                first++                                        # its outcome
            }
            for (i = first; i <= NF; i++) {
                fn = $i; line = ""
                if (fn ~ /:[0-9]+$/) { line = fn; sub(/.*:/, "", line); sub(/:[0-9]+$/, "", fn) }
                if (!(fn in start))
                    printf "%s:%d: %s: no function %s() in %s\n", expect, FNR, $i, fn, source
                else if (line != "" && (line + 0 <= start[fn] || line + 0 >= end[fn]))
                    printf "%s:%d: %s: line %s is not inside %s() (lines %d-%d of %s)\n",
                        expect, FNR, $i, line, fn, start[fn], end[fn], source
            }
        }' "$_src" "samples/$1.expect"
}

# sample_title NAME: the first line of the sample's opening comment, without
# the comment markers and without a leading "NAME: ".
sample_title() {
    awk -v name="$1" '
        NR > 6 { exit }
        {
            sub(/^[ \t]*\/\*+[ \t]*/, "")
            sub(/^[ \t]*\*+[ \t]*/, "")
            sub(/[ \t]*\*\/.*$/, "")
            if ($0 == "") next
            if (index($0, name ": ") == 1) $0 = substr($0, length(name) + 3)
            print
            exit
        }' "$(sample_source "$1")"
}

# run_sample NAME JSON OUT: runs $BUILD/samples/NAME under `racedet run` with
# a JSON report written to JSON, the program's (and racedet's) own stdout and
# stderr going to OUT. Sets run_status (racedet's exit status, 124 when
# killed after RUN_TIMEOUT seconds) and run_ms (wall-clock milliseconds).
run_sample() {
    rm -f "$2"
    _t0=$(now_ms)
    timeout -k 5 "$RUN_TIMEOUT" "$RACEDET" run --format json -o "$2" -- "$BUILD/samples/$1" \
        > "$3" 2>&1 < /dev/null
    run_status=$?
    run_ms=$(($(now_ms) - _t0))
}

# check_sample NAME JSON STATUS OUT: compares the report with
# samples/NAME.expect; the checker's explanation goes to OUT. Returns the
# checker's status (0 match, 1 mismatch, 2 malformed expect file).
check_sample() {
    "$EXPECT_CHECK" "samples/$1.expect" "$2" "$3" > "$4" 2>&1
}

# indent PREFIX FILE [MAX]: prints FILE (its last MAX lines, if given)
# with every line prefixed.
indent() {
    if [ -n "$3" ]; then
        tail -n "$3" "$2"
    else
        cat "$2"
    fi | sed "s/^/$1/"
}

# ok NAME: a passed check. not_ok NAME [WHY...]: a failed one (sets
# failed=1), each WHY on a '#' line after it, then the end of the file
# RUN_OUT names (a run's output) when the caller set it and it is not empty.
# A suite that shares names with another sets CHECK_PREFIX ("explore: ").
ok() { echo "ok - ${CHECK_PREFIX:-}$1"; }
not_ok() {
    failed=1
    echo "not ok - ${CHECK_PREFIX:-}$1"
    shift
    for _why in "$@"; do echo "# $_why"; done
    if [ -n "${RUN_OUT:-}" ] && [ -s "$RUN_OUT" ]; then
        echo "# output of the run (last 10 lines):"
        indent '#   ' "$RUN_OUT" 10
    fi
}

# seconds MS: "1.234" for 1234.
seconds() {
    printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# run_checked LABEL EXPECT PROG [ARGS...]: runs PROG under `racedet run`
# with a JSON report and compares it with EXPECT (the format of
# samples/*.expect, tests/e2e/expect_check.c); prints "ok - LABEL" or
# "not ok - LABEL" with the reasons and the end of the run's output.
# Returns 0 when it matched. Uses $TMP for its files.
run_checked() {
    _label=$1 _expect=$2
    shift 2
    rm -f "$TMP/run.json"
    timeout -k 5 "$RUN_TIMEOUT" "$RACEDET" run --format json -o "$TMP/run.json" -- "$@" \
        > "$TMP/run.out" 2>&1 < /dev/null
    _status=$?
    if "$EXPECT_CHECK" "$_expect" "$TMP/run.json" "$_status" > "$TMP/run.check" 2>&1; then
        echo "ok - $_label"
        return 0
    fi
    echo "not ok - $_label"
    indent '# ' "$TMP/run.check" 20
    if [ -s "$TMP/run.out" ]; then
        echo "# output of the run (last 15 lines):"
        indent '#   ' "$TMP/run.out" 15
    fi
    return 1
}

# check_programs SUITE DIR EXT COMPILER FLAGS...: every DIR/*.EXT built with
# racedet-cc around COMPILER (RACEDET_CC) and FLAGS, run and checked with
# run_checked against DIR/NAME.expect as "SUITE NAME (COMPILER)"; then, if
# the caller defines a function after_program, `after_program NAME` (with
# the report in $TMP/run.json). Prints "not ok" and fails when racedet-cc
# or racedet is not built. Returns 1 when anything failed.
check_programs() {
    _suite=$1 _dir=$2 _ext=$3 _cc=$4
    shift 4
    for _tool in "$RACEDET" "$BUILD/bin/racedet-cc" "$EXPECT_CHECK"; do
        if [ ! -x "$_tool" ]; then
            echo "not ok - $_suite: $_tool is not built (make all e2e-helpers)"
            return 1
        fi
    done
    _failed=0
    for _src in "$_dir"/*."$_ext"; do
        _name=$(basename "$_src" ".$_ext")
        if ! RACEDET_CC=$_cc "$BUILD/bin/racedet-cc" "$@" -o "$TMP/$_name" "$_src" \
            > "$TMP/cc.err" 2>&1; then
            echo "not ok - $_suite $_name ($_cc): racedet-cc could not build it"
            indent '# ' "$TMP/cc.err" 20
            _failed=1
            continue
        fi
        run_checked "$_suite $_name ($_cc)" "$_dir/$_name.expect" "$TMP/$_name" || _failed=1
        if command -v after_program > /dev/null 2>&1; then
            after_program "$_name" || _failed=1
        fi
    done
    return $_failed
}
