#!/bin/sh
# cxx_sync.sh: C++'s own synchronisation under racedet. Each program of
# tests/e2e/cxx_sync/ (function-local statics, std::call_once, shared_ptr,
# the standard mutexes and condition variable, C++20 latch, barrier,
# semaphores and atomic wait, futures) is built with racedet-cc around g++
# and around clang++ (-std=c++20, the link recipe every racedet-cc program
# gets: instrumented objects, libracedet_tsan.a, libracedet.so) and run
# under racedet; its report must match NAME.expect next to it (silent for
# correct hand-offs; unsynchronised.cpp is the control that must race).
#
# Usage: sh tests/e2e/cxx_sync.sh [BUILD_DIR]     (from the repository root)
# Prints "ok - cxx_sync NAME (COMPILER)" per program and compiler; a
# compiler that is not installed is skipped with a '#' line.
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
CCWRAP=$BUILD/bin/racedet-cc
DIR=tests/e2e/cxx_sync

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-cxx-sync.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

for tool in "$RACEDET" "$CCWRAP" "$EXPECT_CHECK"; do
    if [ ! -x "$tool" ]; then
        echo "not ok - cxx_sync: $tool is not built (make all e2e-helpers)"
        exit 1
    fi
done

failed=0
for cxx in g++ clang++; do
    if ! command -v "$cxx" > /dev/null 2>&1; then
        echo "# skip cxx_sync with $cxx: not installed"
        continue
    fi
    for src in "$DIR"/*.cpp; do
        name=$(basename "$src" .cpp)
        bin=$TMP/$name.$cxx
        if ! RACEDET_CC=$cxx "$CCWRAP" -std=c++20 -g -O1 -pthread -o "$bin" "$src" \
            > "$TMP/cc.err" 2>&1; then
            echo "not ok - cxx_sync $name ($cxx): racedet-cc could not build it"
            indent '# ' "$TMP/cc.err" 20
            failed=1
            continue
        fi
        run_checked "cxx_sync $name ($cxx)" "$DIR/$name.expect" "$bin" || failed=1
    done
done
exit $failed
