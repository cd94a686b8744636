#!/bin/sh
# annotations.sh: the annotations a program can make, in each spelling
# racedet accepts: ThreadSanitizer's dynamic annotations (Annotate*), the
# __tsan_mutex_* calls of <sanitizer/tsan_interface.h>, and
# include/racedet.h's macros. Each program of tests/e2e/annotations/ is
# built with racedet-cc (gcc) and run under racedet; its report must match
# NAME.expect next to it. thread_name's report must also name the thread
# "decoder".
#
# Usage: sh tests/e2e/annotations.sh [BUILD_DIR]   (from the repository root)
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
CCWRAP=$BUILD/bin/racedet-cc
DIR=tests/e2e/annotations

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-annotations.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

for tool in "$RACEDET" "$CCWRAP" "$EXPECT_CHECK"; do
    if [ ! -x "$tool" ]; then
        echo "not ok - annotations: $tool is not built (make all e2e-helpers)"
        exit 1
    fi
done

failed=0
for src in "$DIR"/*.c; do
    name=$(basename "$src" .c)
    bin=$TMP/$name
    if ! RACEDET_CC=${CC:-cc} "$CCWRAP" -std=gnu11 -g -O1 -pthread -Iinclude -o "$bin" "$src" \
        > "$TMP/cc.err" 2>&1; then
        echo "not ok - annotations $name: racedet-cc could not build it"
        indent '# ' "$TMP/cc.err" 20
        failed=1
        continue
    fi
    run_checked "annotations $name" "$DIR/$name.expect" "$bin" || failed=1
    if [ "$name" = thread_name ]; then
        if grep -q '"decoder"' "$TMP/run.json" 2> /dev/null; then
            echo "ok - annotations thread_name: the report names the thread \"decoder\""
        else
            echo "not ok - annotations thread_name: no thread named \"decoder\" in the report"
            failed=1
        fi
    fi
done
exit $failed
