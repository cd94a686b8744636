#!/bin/sh
# annotations.sh: the annotations a program can make, in each spelling
# racedet accepts: ThreadSanitizer's dynamic annotations (Annotate*), the
# __tsan_mutex_* calls of <sanitizer/tsan_interface.h>, and
# include/racedet.h's macros. Each program of tests/e2e/annotations/ is
# built with racedet-cc (around $CC, default cc) and run under racedet;
# its report must match NAME.expect next to it. thread_name's report must
# also name the thread "decoder".
#
# Usage: sh tests/e2e/annotations.sh [BUILD_DIR]   (from the repository root)
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-annotations.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

after_program() {
    [ "$1" = thread_name ] || return 0
    if grep -q '"decoder"' "$TMP/run.json" 2> /dev/null; then
        echo "ok - annotations thread_name: the report names the thread \"decoder\""
    else
        echo "not ok - annotations thread_name: no thread named \"decoder\" in the report"
        return 1
    fi
}

check_programs annotations tests/e2e/annotations c "${CC:-cc}" -std=gnu11 -g -O1 -pthread \
    -Iinclude
