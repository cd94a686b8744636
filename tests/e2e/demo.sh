#!/bin/sh
# demo.sh: shows racedet on every bundled sample (`make demo`).
#
# Usage: sh tests/e2e/demo.sh [BUILD_DIR]     (from the repository root)
#
# For each samples/NAME.c (or NAME.cpp) that has a NAME.expect: prints what the sample is
# about, runs it once under racedet, shows the program's output and racedet's
# human-readable report, and says whether the findings are the expected ones.
# Ends with a summary; exits 1 naming the samples that did not match.
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-demo.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

for tool in "$RACEDET" "$EXPECT_CHECK"; do
    if [ ! -x "$tool" ]; then
        echo "demo: $tool is not built (run make demo)" >&2
        exit 1
    fi
done

total=0
good=0
bad_names=""
for name in $(sample_names); do
    total=$((total + 1))
    echo
    echo "=== $(sample_source "$name") — $(sample_title "$name")"
    if [ ! -x "$BUILD/samples/$name" ]; then
        echo "✗ $name: $BUILD/samples/$name is not built"
        bad_names="$bad_names $name"
        continue
    fi
    json=$TMP/$name.json
    run_sample "$name" "$json" "$TMP/$name.out"
    if [ -s "$TMP/$name.out" ]; then
        echo "--- output of the run:"
        indent '  | ' "$TMP/$name.out"
    fi
    echo "--- racedet report (racedet run exited with $run_status after $(seconds "$run_ms")s):"
    if [ -s "$json" ]; then
        "$RACEDET" report "$json" 2>&1
    else
        echo "(no report was written)"
    fi
    if check_sample "$name" "$json" "$run_status" "$TMP/$name.check"; then
        explored=""
        if [ -n "$(explore_expect "$name" explore)" ] && ! expects_findings "$name"; then
            # a bug only an unlucky schedule shows: racedet explore
            echo "--- racedet explore --seed 1 -- build/samples/$name:"
            "$RACEDET" explore --seed 1 -- "$BUILD/samples/$name" > "$TMP/$name.explore" 2>&1 < /dev/null
            explore_status=$?
            indent '  ' "$TMP/$name.explore"
            explored=" racedet run sees nothing; racedet explore found it"
            [ "$explore_status" -eq 66 ] || explored=" (but racedet explore did not find it!)"
        fi
        if [ -n "$(explore_expect "$name" confirm)" ]; then
            echo "--- racedet explore --confirm REPORT.json --seed 1 -- build/samples/$name:"
            "$RACEDET" explore --confirm "$json" --seed 1 -- "$BUILD/samples/$name" \
                > "$TMP/$name.confirm" 2>&1 < /dev/null
            explore_status=$?
            indent '  ' "$TMP/$name.confirm"
            explored="; racedet explore --confirm made the deadlock happen"
            [ "$explore_status" -eq 66 ] || explored="; but racedet explore --confirm did not confirm it!"
        fi
        case $explored in
            *!) echo "✗ $name: expected findings$explored"; bad_names="$bad_names $name" ;;
            "") if expects_findings "$name"; then
                    echo "✓ $name: expected findings"
                else
                    echo "✓ $name: expected findings (none: a correct program)"
                fi
                good=$((good + 1)) ;;
            *) echo "✓ $name: expected findings$explored"; good=$((good + 1)) ;;
        esac
    else
        echo "✗ $name: the findings are not those of samples/$name.expect"
        indent '    ' "$TMP/$name.check"
        bad_names="$bad_names $name"
    fi
done

echo
echo "$total samples, $good as expected, $((total - good)) not"
if [ -n "$bad_names" ]; then
    echo "not as expected:$bad_names"
    exit 1
fi
