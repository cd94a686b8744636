#!/bin/sh
# bench/peers/valgrind.sh: Valgrind's own Helgrind and DRD regression tests
# (helgrind/tests, drd/tests of Debian 12's valgrind source package) run
# under racedet, and racedet's findings set against what each test's
# .stderr.exp says Helgrind or DRD reports. See bench/peers/README.md.
#
#   sh bench/peers/valgrind.sh [BUILD_DIR] [TEST...]     (from the repository root)
#
# BUILD_DIR (default build) has bin/racedet and bin/racedet-cc. The sources
# are fetched once into BUILD_DIR/peers-valgrind/ (bench/real/fetch.sh: a private apt
# configuration); the release tarball's config.h (some tests include it)
# is used as it is, ./configure runs only when there is none. Test
# programs are built under
# BUILD_DIR/peers-valgrind/tests/{run,cc}/. TEST: helgrind/tc09_bad_unlock or
# tc09_bad_unlock (every suite's). PEERS_JOBS (2) tests run at once, each
# for at most PEERS_TIMEOUT (60) seconds. PEERS_CACHE=DIR takes the sources
# from DIR instead (to compare two builds without fetching twice).
# Not part of `make check`: `make -C bench peers`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
BUILD=$(cd "${1:-build}" && pwd) || exit 1
[ $# -gt 0 ] && shift
for b in racedet racedet-cc; do
    if [ ! -x "$BUILD/bin/$b" ]; then
        echo "peers: $BUILD/bin/$b is not built (make)"
        exit 1
    fi
done
have python3 || { echo "peers: needs python3"; exit 1; }

CACHE=${PEERS_CACHE:-$BUILD/peers-valgrind}
if ! sh "$HERE/../real/fetch.sh" "$CACHE" valgrind; then
    [ -f "$CACHE/src/valgrind.log" ] && tail -3 "$CACHE/src/valgrind.log"
    exit 1
fi
VG=$(ls -d "$CACHE/src/valgrind"/valgrind-*/ 2> /dev/null | head -1)
VG=${VG%/}
if [ -z "$VG" ]; then
    echo "peers: no valgrind-* directory in $CACHE/src/valgrind"
    exit 1
fi
if [ ! -f "$VG/config.h" ]; then
    echo "peers: configuring $VG (once)"
    if ! (cd "$VG" && ./configure -q > configure.out 2>&1); then
        echo "peers: Valgrind's configure failed; see $VG/configure.out"
        exit 1
    fi
fi

echo "racedet on Valgrind $(basename "$VG" | sed 's/valgrind-//')'s helgrind/tests and drd/tests; load $(bench_load)"
python3 "$HERE/valgrind.py" -j "${PEERS_JOBS:-2}" "$VG" "$BUILD" "$BUILD/peers-valgrind/tests" "$@"
