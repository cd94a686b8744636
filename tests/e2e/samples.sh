#!/bin/sh
# samples.sh: runs every bundled sample under racedet and compares the
# findings with samples/NAME.expect (`make check` runs this through
# tests/run_all.sh).
#
# Usage: sh tests/e2e/samples.sh [BUILD_DIR]     (from the repository root)
#
# Prints one TAP-like line per sample, "ok - sample NAME" or
# "not ok - sample NAME" followed by '#' lines that say why. Before running
# anything it checks that each expect file's frame tokens still point into
# the right functions of its sample (stale line numbers). The deadlock_*
# samples hang natively; racedet must end them in under 5 s, else
# "not ok - sample NAME took Ns". Samples whose binary is not built are
# skipped with a '#' line. Exits 1 when anything failed.
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-samples.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

failed=0
ran=0
for tool in "$RACEDET" "$EXPECT_CHECK"; do
    if [ ! -x "$tool" ]; then
        echo "not ok - samples: $tool is not built"
        failed=1
    fi
done
[ $failed -eq 0 ] || exit 1

for name in $(sample_names); do
    lint_expect "$name" > "$TMP/$name.lint" 2>&1
    if [ -s "$TMP/$name.lint" ]; then
        failed=1
        echo "not ok - sample $name: samples/$name.expect does not fit $(sample_source "$name")"
        indent '# ' "$TMP/$name.lint"
        continue
    fi
    if [ ! -x "$BUILD/samples/$name" ]; then
        echo "# skip sample $name: $BUILD/samples/$name is not built"
        continue
    fi
    ran=$((ran + 1))
    json=$TMP/$name.json
    run_sample "$name" "$json" "$TMP/$name.out"
    if check_sample "$name" "$json" "$run_status" "$TMP/$name.check"; then
        echo "ok - sample $name"
    else
        failed=1
        echo "not ok - sample $name"
        if [ "$run_ms" -ge $((RUN_TIMEOUT * 1000)) ]; then
            echo "# racedet run was killed after ${RUN_TIMEOUT}s: it hung"
        fi
        indent '# ' "$TMP/$name.check"
        if [ -s "$TMP/$name.out" ]; then
            echo "# output of the run (last 15 lines):"
            indent '#   ' "$TMP/$name.out" 15
        fi
    fi
    case $name in
        deadlock_*)
            if [ "$run_ms" -ge 5000 ]; then
                failed=1
                echo "not ok - sample $name took $(seconds "$run_ms")s"
            fi
            ;;
    esac
done

if [ $ran -eq 0 ]; then
    echo "not ok - samples: no sample binary in $BUILD/samples (make samples)"
    failed=1
fi
exit $failed
