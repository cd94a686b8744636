#!/bin/sh
# race_semantics.sh: what counts as a data race where racedet takes it as
# ThreadSanitizer does, each point found by running compiler-rt's own tsan
# tests against racedet (bench/peers/llvm_tsan.sh) and said at the top of
# its program. Each program of tests/e2e/race_semantics/ is built with
# racedet-cc around gcc and clang and must match NAME.expect;
# dtls/detached_tls and dtls/loaded_names run with a library built alongside.
#
# Usage: sh tests/e2e/race_semantics.sh [BUILD_DIR]   (from the repository root)
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-race-semantics.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

DIR=tests/e2e/race_semantics
failed=0
for cc in gcc clang; do
    if ! command -v "$cc" > /dev/null 2>&1; then
        echo "# skip race_semantics with $cc: not installed"
        continue
    fi
    check_programs race_semantics "$DIR" c "$cc" -std=gnu11 -g -O1 -pthread -Iinclude ||
        failed=1
    if ! "$cc" -shared -fPIC -g -O1 -o "$TMP/libtls.so" "$DIR/dtls/tls_lib.c" > "$TMP/cc.err" 2>&1; then
        echo "not ok - race_semantics libtls.so ($cc): could not build it"
        indent '# ' "$TMP/cc.err" 20
        failed=1
        continue
    fi
    # programs that load libtls.so themselves
    for prog in detached_tls loaded_names; do
        if ! RACEDET_CC=$cc "$BUILD/bin/racedet-cc" -std=gnu11 -g -O1 -pthread \
            -o "$TMP/$prog" "$DIR/dtls/$prog.c" -ldl > "$TMP/cc.err" 2>&1; then
            echo "not ok - race_semantics $prog ($cc): could not build it"
            indent '# ' "$TMP/cc.err" 20
            failed=1
            continue
        fi
        run_checked "race_semantics $prog ($cc)" "$DIR/dtls/$prog.expect" \
            "$TMP/$prog" "$TMP/libtls.so" || failed=1
    done
done
exit $failed
