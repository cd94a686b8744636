#!/bin/sh
# install.sh: `make install PREFIX=...` into a temporary prefix, then the
# installed tools: racedet runs a sample with the installed shim (found as
# ../lib/libracedet.so next to itself), racedet-cc and racedet-c++ build
# instrumented programs against the installed runtime, `man -l` renders the man page,
# pkg-config finds racedet.pc and its flags compile a program using
# <racedet.h>; `make uninstall` leaves no file behind.
#
# Usage: sh tests/e2e/install.sh [BUILD_DIR]     (from the repository root)
# Prints only "ok - ...", "not ok - ..." and "#" lines; exits 1 on failure.
BUILD=${1:-build}
MAKE=${MAKE:-make}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-install.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
P=$TMP/prefix
failed=0
unset RACEDET_SHIM RACEDET_OPTIONS

ok() { echo "ok - $1"; }
not_ok() {
    echo "not ok - $1"
    shift
    for _why in "$@"; do echo "# $_why"; done
    if [ -s "$TMP/err" ]; then
        echo "# output was:"
        tail -n 8 "$TMP/err" | sed 's/^/#   /'
    fi
    failed=1
}

if "$MAKE" --no-print-directory -s BUILD="$BUILD" PREFIX="$P" install > "$TMP/err" 2>&1; then
    missing=
    for f in bin/racedet bin/racedet-cc bin/racedet-c++ lib/libracedet.so include/racedet.h \
        lib/pkgconfig/racedet.pc share/man/man1/racedet.1; do
        [ -f "$P/$f" ] || missing="$missing $f"
    done
    if [ -z "$missing" ]; then
        ok "make install PREFIX=...: command, compiler wrappers, shim, header, pkg-config file, man page"
    else
        not_ok "make install PREFIX=...: command, compiler wrappers, shim, header, pkg-config file, man page" "missing:$missing"
    fi
else
    not_ok "make install PREFIX=..." "make failed"
    exit 1
fi

"$P/bin/racedet" run --verbose -- "$BUILD/samples/lock_order_abba" > "$TMP/out" 2> "$TMP/err" < /dev/null
st=$?
if [ $st -eq 66 ] && grep -q "with $P/lib/libracedet.so" "$TMP/err" &&
    grep -q '^==racedet== lock_order_cycle' "$TMP/err"; then
    ok "the installed racedet runs a sample with the installed shim and reports it"
else
    not_ok "the installed racedet runs a sample with the installed shim and reports it" "status $st"
fi

# wrapper_finds_race TOOL SOURCE WHAT: the installed TOOL builds SOURCE
# against the installed runtime, and racedet finds its race
wrapper_finds_race() {
    _name="the installed $1 builds $3 against the installed runtime; the race is found"
    if "$P/bin/$1" -g -O1 -o "$TMP/racy" "$2" > "$TMP/err" 2>&1; then
        "$P/bin/racedet" run -- "$TMP/racy" > "$TMP/out" 2> "$TMP/err" < /dev/null
        _st=$?
        if [ $_st -eq 66 ] && grep -q '^==racedet== data_race' "$TMP/err"; then
            ok "$_name"
        else
            not_ok "$_name" "status $_st"
        fi
    else
        not_ok "$_name" "$1 failed"
    fi
}
wrapper_finds_race racedet-cc samples/race_counter.c "a C program"
# the C++ twin: a std::thread program links (libstdc++ too) with no extra flags
wrapper_finds_race racedet-c++ samples/race_cxx_counter.cpp "a std::thread program"

if command -v man > /dev/null 2>&1; then
    MANWIDTH=80 man -l "$P/share/man/man1/racedet.1" > "$TMP/man" 2> "$TMP/err" < /dev/null
    if grep -q 'racedet run' "$TMP/man" && grep -q 'suppressions' "$TMP/man" &&
        grep -q 'SARIF' "$TMP/man" && ! grep -q 'OPTIONS-TABLE' "$TMP/man" &&
        grep -q 'report-thread-leaks' "$TMP/man"; then
        ok "man -l renders the installed page, with the option table from options.def"
    else
        not_ok "man -l renders the installed page, with the option table from options.def"
    fi
else
    not_ok "man -l renders the installed page" "man is not installed (make deps installs man-db)"
fi

flags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs racedet 2> "$TMP/err")
st=$?
shim=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --variable=shim racedet 2>> "$TMP/err")
if [ $st -eq 0 ] && [ "$(echo $flags)" = "-I$P/include" ] && [ "$shim" = "$P/lib/libracedet.so" ]; then
    ok "pkg-config --cflags --libs racedet (and --variable=shim) with PKG_CONFIG_PATH"
else
    not_ok "pkg-config --cflags --libs racedet (and --variable=shim) with PKG_CONFIG_PATH" "got: $flags / $shim"
fi
printf '#include <racedet.h>\nint main(void) { RACEDET_THREAD_NAME("main"); return 0; }\n' > "$TMP/a.c"
# shellcheck disable=SC2086
if cc $flags -o "$TMP/a" "$TMP/a.c" > "$TMP/err" 2>&1 && "$TMP/a"; then
    ok "a program using <racedet.h> builds with the pkg-config flags and runs without racedet"
else
    not_ok "a program using <racedet.h> builds with the pkg-config flags and runs without racedet"
fi

if "$MAKE" --no-print-directory -s BUILD="$BUILD" PREFIX="$P" uninstall > "$TMP/err" 2>&1 &&
    [ -z "$(find "$P" ! -type d)" ]; then
    ok "make uninstall PREFIX=... leaves no file behind"
else
    not_ok "make uninstall PREFIX=... leaves no file behind" "$(find "$P" ! -type d | head -n 5)"
fi
exit $failed
