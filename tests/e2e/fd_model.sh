#!/bin/sh
# fd_model.sh: file descriptors as locations and synchronisation objects
# (docs/design.md "File descriptors"). The race_fd_* samples (samples.sh
# runs them as built by make, with gcc) are built here with racedet-cc
# around clang too and checked against their .expect; each program of
# tests/e2e/fd_model/ (UDP and unix-socket hand-offs, dup2 over a
# descriptor in use, numbers reused by another thread) is built with gcc
# and clang and checked the same way. The close race's report names the
# descriptor in the text, HTML and SARIF reports and in the JSON location.
#
# Usage: sh tests/e2e/fd_model.sh [BUILD_DIR]     (from the repository root)
BUILD=${1:-build}
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-fd-model.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
unset RACEDET_OPTIONS

failed=0
for cc in gcc clang; do
    if ! command -v "$cc" > /dev/null 2>&1; then
        echo "# skip fd_model with $cc: not installed"
        continue
    fi
    check_programs fd_model tests/e2e/fd_model c "$cc" -g -O1 -pthread || failed=1
done

# the samples with clang (samples.sh has them built with gcc)
if command -v clang > /dev/null 2>&1; then
    for src in samples/race_fd_*.c; do
        name=$(basename "$src" .c)
        if ! RACEDET_CC=clang "$BUILD/bin/racedet-cc" -g -O1 -o "$TMP/$name" "$src" \
            > "$TMP/cc.err" 2>&1; then
            not_ok "fd_model sample $name (clang): racedet-cc could not build it"
            indent '# ' "$TMP/cc.err" 20
            continue
        fi
        run_checked "fd_model sample $name (clang)" "samples/$name.expect" "$TMP/$name" || failed=1
    done
else
    echo "# skip the samples with clang: not installed"
fi

# where the memory is: the descriptor, in every renderer
if [ ! -x "$BUILD/samples/race_fd_close" ]; then
    not_ok "race_fd_close is built (make samples)"
    exit 1
fi
"$RACEDET" run --format json -o "$TMP/close.json" -- "$BUILD/samples/race_fd_close" \
    > /dev/null 2>&1 < /dev/null
"$RACEDET" report "$TMP/close.json" > "$TMP/close.txt" 2>&1
"$RACEDET" report --format html -o "$TMP/close.html" "$TMP/close.json" > /dev/null 2>&1
"$RACEDET" report --format sarif -o "$TMP/close.sarif" "$TMP/close.json" > /dev/null 2>&1
fd=$(tr -d ' \n' < "$TMP/close.json" | sed -n 's/.*"location":{"kind":"fd","fd":\([0-9]*\)}.*/\1/p')
if [ -n "$fd" ] &&
    grep -q "location: close of file descriptor $fd\$" "$TMP/close.txt" &&
    grep -q "close of file descriptor $fd by T0" "$TMP/close.txt" &&
    grep -q "previous use of file descriptor $fd by T1" "$TMP/close.txt"; then
    ok "race_fd_close: the JSON location and the text report name file descriptor $fd"
else
    not_ok "race_fd_close: the JSON location and the text report name the file descriptor" \
        "fd in the JSON location: '${fd:-none}'" "$(head -5 "$TMP/close.txt")"
fi
if [ -n "$fd" ] && grep -q "<p class=\"location\">location: close of file descriptor $fd" "$TMP/close.html" &&
    grep -q "close of file descriptor $fd" "$TMP/close.sarif"; then
    ok "race_fd_close: the HTML and SARIF reports name the descriptor too"
else
    not_ok "race_fd_close: the HTML and SARIF reports name the descriptor too"
fi
exit $failed
