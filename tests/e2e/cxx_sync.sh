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

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-cxx-sync.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

failed=0
for cxx in g++ clang++; do
    if ! command -v "$cxx" > /dev/null 2>&1; then
        echo "# skip cxx_sync with $cxx: not installed"
        continue
    fi
    check_programs cxx_sync tests/e2e/cxx_sync cpp "$cxx" -std=c++20 -g -O1 -pthread || failed=1
done
exit $failed
