#!/bin/sh
# cxx_names.sh: C++ names are demangled everywhere in reports: functions
# (qualified, from the debug info's linkage names: "shop::Till::ring", a
# lambda, std::thread's own frames from libstdc++'s symbols), globals and
# the locks named after them. Built with racedet-c++ over g++ and clang++.
#
# Usage: sh tests/e2e/cxx_names.sh [BUILD_DIR]   (from the repository root)
# shellcheck disable=SC2016  # backquotes in single quotes are the report's own
BUILD=${1:-build}
RACEDET=$BUILD/bin/racedet
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-cxxnames.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
unset RACEDET_OPTIONS
failed=0

cat > "$TMP/shop.cpp" << 'END'
#include <mutex>
#include <thread>

namespace shop {
std::mutex drawer, ledger;
long takings;

struct Till {
    void ring(long n) { takings += n; }
};
}

static void cashier()
{
    shop::Till t;
    t.ring(1);
    std::lock_guard<std::mutex> d(shop::drawer);
    std::lock_guard<std::mutex> l(shop::ledger);
}

int main()
{
    std::thread a(cashier);
    a.join();
    std::thread b([] {
        shop::Till t;
        t.ring(2);
        std::lock_guard<std::mutex> l(shop::ledger);
        std::lock_guard<std::mutex> d(shop::drawer);
    });
    shop::takings++;
    b.join();
}
END

# check NAME TEST_COMMAND...: one test line
check() {
    _name=$1
    shift
    if "$@"; then
        echo "ok - $_name"
    else
        echo "not ok - $_name"
        failed=1
    fi
}

# functions JSON: every function name of every frame, one a line
functions() {
    python3 -c '
import json, sys
def walk(v):
    if isinstance(v, dict):
        if isinstance(v.get("function"), str):
            print(v["function"])
        for x in v.values():
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(json.load(open(sys.argv[1]))["findings"])' "$1"
}

for cxx in g++ clang++; do
    if ! command -v $cxx > /dev/null; then
        echo "ok - $cxx: # SKIP not installed"
        continue
    fi
    bin=$TMP/shop-$cxx
    if ! RACEDET_CXX=$cxx "$BUILD/bin/racedet-c++" -g -O0 -o "$bin" "$TMP/shop.cpp" > "$TMP/log" 2>&1; then
        echo "not ok - $cxx: racedet-c++ builds the C++ program"
        sed 's/^/#   /' "$TMP/log" | head -10
        failed=1
        continue
    fi
    "$RACEDET" run --format json -o "$TMP/$cxx.json" -- "$bin" > /dev/null 2>&1 < /dev/null
    "$RACEDET" report "$TMP/$cxx.json" > "$TMP/$cxx.txt" 2>&1
    functions "$TMP/$cxx.json" | sort -u > "$TMP/$cxx.fn"
    check "$cxx: methods are named with their class and namespace (shop::Till::ring)" \
        grep -qx 'shop::Till::ring' "$TMP/$cxx.fn"
    # g++ mangles it as main::{lambda()#1}, clang++ as main::$_0
    check "$cxx: a lambda is named inside its function (main::...::operator())" \
        grep -qx 'main::.*::operator()' "$TMP/$cxx.fn"
    check "$cxx: libstdc++'s frames are demangled (std::thread::_M_start_thread)" \
        grep -qx 'std::thread::_M_start_thread' "$TMP/$cxx.fn"
    check "$cxx: std::lock_guard's constructor is named as C++ writes it" \
        grep -q '^std::lock_guard<std::mutex>::lock_guard$' "$TMP/$cxx.fn"
    check "$cxx: no mangled name is left in any frame" \
        sh -c "! grep -q '^_Z' '$TMP/$cxx.fn'"
    check "$cxx: the global is named with its namespace (shop::takings)" \
        grep -q 'global `shop::takings`' "$TMP/$cxx.txt"
    check "$cxx: locks are named with their namespace (shop::drawer, shop::ledger)" \
        sh -c "grep -q 'lock_order_cycle: .*mutex \`shop::drawer\`' '$TMP/$cxx.txt' &&
               grep -q 'mutex \`shop::ledger\`' '$TMP/$cxx.txt'"
    if [ $failed -ne 0 ]; then
        sed 's/^/#   /' "$TMP/$cxx.txt" | head -40
    fi
done
exit $failed
