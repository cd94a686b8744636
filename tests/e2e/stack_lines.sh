#!/bin/sh
# stack_lines.sh: every stack of a report names the true line, also when
# the lock call is reached through a wrapper from consecutive lines (the
# same return address at the same depth), in C and through C++'s
# std::lock_guard, and when the held locks were taken on the lock fast path
# with both paths through the wrapper cached (fast_path_lines). Each
# program's report must match tests/e2e/data/NAME.expect
# (tests/e2e/expect_check.c: kind, function:line of every acquisition).
#
# Usage: sh tests/e2e/stack_lines.sh [BUILD_DIR]   (from the repository root)
# Needs BUILD/bin/racedet and BUILD/tests/e2e/{lock_wrapper,lock_guard,
# fast_path_lines,expect_check} (make all e2e-helpers).
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-stack-lines.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
failed=0

for name in lock_wrapper lock_guard fast_path_lines; do
    prog=$BUILD/tests/e2e/$name
    if [ ! -x "$prog" ]; then
        echo "not ok - stack lines: $prog is not built (make e2e-helpers)"
        failed=1
        continue
    fi
    timeout -k 5 60 "$RACEDET" run --format json -o "$TMP/$name.json" -- "$prog" \
        > "$TMP/$name.out" 2>&1 < /dev/null
    status=$?
    if "$EXPECT_CHECK" "tests/e2e/data/$name.expect" "$TMP/$name.json" "$status" \
        > "$TMP/$name.check" 2>&1; then
        echo "ok - stack lines: $name names each acquisition's own line"
    else
        echo "not ok - stack lines: $name"
        indent '# ' "$TMP/$name.check" 20
        failed=1
    fi
done
exit $failed
