#!/bin/sh
# sanitizer_hooks.sh: the system-call hooks of
# <sanitizer/linux_syscall_hooks.h>. Programs that call them (as libuv built
# by clang does) link against racedet and run: each program of
# tests/e2e/sanitizer_hooks/ is built with racedet-cc around clang (whose
# include directory has the header) and its report must match NAME.expect
# next to it; a raw read() into a buffer that another thread reads
# unordered is a data race. Also checks that
# preload/sanitizer_syscall_hooks.def still lists every hook the header
# declares (preload/gen_sanitizer_syscall_hooks.sh).
#
# Usage: sh tests/e2e/sanitizer_hooks.sh [BUILD_DIR]   (from the repository root)
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
DIR=tests/e2e/sanitizer_hooks

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-sanitizer-hooks.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

if ! command -v clang > /dev/null 2>&1; then
    echo "# skip sanitizer_hooks: clang is not installed"
    exit 0
fi

failed=0
if sh preload/gen_sanitizer_syscall_hooks.sh > "$TMP/hooks.def" 2> "$TMP/gen.err"; then
    if cmp -s "$TMP/hooks.def" preload/sanitizer_syscall_hooks.def; then
        echo "ok - sanitizer_hooks: the .def lists every hook of linux_syscall_hooks.h"
    else
        echo "not ok - sanitizer_hooks: preload/sanitizer_syscall_hooks.def differs from the header" \
            "(sh preload/gen_sanitizer_syscall_hooks.sh > preload/sanitizer_syscall_hooks.def)"
        diff preload/sanitizer_syscall_hooks.def "$TMP/hooks.def" | head -n 10 | sed 's/^/# /'
        failed=1
    fi
else
    echo "# skip the .def check: $(cat "$TMP/gen.err")"
fi

check_programs sanitizer_hooks "$DIR" c clang -g -O1 -pthread || failed=1
exit $failed
