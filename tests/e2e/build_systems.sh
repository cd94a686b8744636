#!/bin/sh
# racedet-cc as CC in the build systems people use: a plain Makefile, CMake
# and autotools (configure's compiler checks must pass). Each builds
# samples/race_counter.c; the binary must link racedet's runtime, never
# libtsan, and report the race (also when run directly), with gcc and clang.
BUILD=$(cd "${1:-build}" && pwd)
RCC=$BUILD/bin/racedet-cc
SRC=$(pwd)/samples/race_counter.c
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-buildsys.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

verify() { # name, binary
    if ldd "$2" | grep -q libtsan; then
        echo "not ok - $1: links libtsan"; return
    fi
    if ! ldd "$2" | grep -q libracedet.so; then
        echo "not ok - $1: does not link libracedet.so"; return
    fi
    # the hot entry points are the program's own (libracedet_tsan.a), so
    # that instrumented code reaches them by direct calls
    if ! nm "$2" | grep -q ' [tT] __tsan_write4$'; then
        echo "not ok - $1: __tsan_write4 is not linked into the program"; return
    fi
    "$2" > /dev/null 2> "$TMP/direct.err"
    st=$?
    if [ $st -eq 66 ] && grep -q 'data_race' "$TMP/direct.err"; then
        echo "ok - $1: links racedet's runtime (no libtsan, hot entry points its own) and reports the race when run directly"
    else
        echo "not ok - $1: run directly: exit $st"
        tail -3 "$TMP/direct.err" | sed 's/^/# /'
    fi
}

for cc in gcc clang; do
    command -v $cc > /dev/null || { echo "ok - $cc: # SKIP not installed"; continue; }
    d=$TMP/make-$cc; mkdir -p "$d"; cp "$SRC" "$d/main.c"
    printf 'racetest: main.o\n\t$(CC) $(CFLAGS) -o $@ main.o\nmain.o: main.c\n\t$(CC) $(CFLAGS) -c main.c\n' > "$d/Makefile"
    if (cd "$d" && RACEDET_CC=$cc make -s CC="$RCC" CFLAGS="-g -O1 -pthread" > log 2>&1); then
        verify "Makefile with CC=racedet-cc ($cc)" "$d/racetest"
    else
        echo "not ok - Makefile with CC=racedet-cc ($cc): build failed"; tail -3 "$d/log" | sed 's/^/# /'
    fi
done

# a shared library built with racedet-cc: its accesses (through its own
# copy of the hot entry points) are checked too
d=$TMP/dso; mkdir -p "$d"
printf 'int shared_counter;\nvoid bump(void) { shared_counter++; }\n' > "$d/bump.c"
printf '#include <pthread.h>\nvoid bump(void);\nstatic pthread_barrier_t b;\nstatic void *t(void *a) { (void)a; pthread_barrier_wait(&b); bump(); return 0; }\nint main(void) { pthread_t x, y; pthread_barrier_init(&b, 0, 2); pthread_create(&x, 0, t, 0); pthread_create(&y, 0, t, 0); pthread_join(x, 0); pthread_join(y, 0); return 0; }\n' > "$d/main.c"
if "$RCC" -g -O1 -fPIC -shared -o "$d/libbump.so" "$d/bump.c" > "$d/log" 2>&1 &&
    "$RCC" -g -O1 -pthread -o "$d/racetest" "$d/main.c" -L"$d" -lbump -Wl,-rpath,"$d" >> "$d/log" 2>&1; then
    "$d/racetest" > /dev/null 2> "$d/err"
    if [ $? -eq 66 ] && grep -q 'bump .*bump.c:2 (libbump.so)' "$d/err" && ! nm -D "$d/libbump.so" | grep -q '__tsan_write4'; then
        echo "ok - a shared library built with racedet-cc: the race inside it is reported"
    else
        echo "not ok - a shared library built with racedet-cc"; tail -5 "$d/err" | sed 's/^/# /'
    fi
else
    echo "not ok - a shared library built with racedet-cc: build failed"; tail -3 "$d/log" | sed 's/^/# /'
fi

if command -v cmake > /dev/null; then
    d=$TMP/cmake; mkdir -p "$d/src"; cp "$SRC" "$d/src/main.c"
    printf 'cmake_minimum_required(VERSION 3.10)\nproject(racetest C)\nfind_package(Threads REQUIRED)\nadd_executable(racetest main.c)\ntarget_link_libraries(racetest Threads::Threads)\n' > "$d/src/CMakeLists.txt"
    if (cd "$d" && CC="$RCC" cmake -S src -B out -DCMAKE_BUILD_TYPE=RelWithDebInfo > log 2>&1 && cmake --build out > log2 2>&1); then
        verify "CMake with CC=racedet-cc" "$d/out/racetest"
    else
        echo "not ok - CMake with CC=racedet-cc: build failed"; tail -3 "$d/log" "$d/log2" | sed 's/^/# /'
    fi
else
    echo "ok - CMake: # SKIP cmake not installed"
fi

if command -v autoreconf > /dev/null; then
    d=$TMP/autotools; mkdir -p "$d"; cp "$SRC" "$d/main.c"
    printf 'AC_INIT([racetest], [1.0])\nAM_INIT_AUTOMAKE([foreign])\nAC_PROG_CC\nAC_SEARCH_LIBS([pthread_create], [pthread])\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n' > "$d/configure.ac"
    printf 'bin_PROGRAMS = racetest\nracetest_SOURCES = main.c\nracetest_CFLAGS = -g -O1 -pthread\n' > "$d/Makefile.am"
    if (cd "$d" && autoreconf -i > log 2>&1 && ./configure CC="$RCC" >> log 2>&1 && make >> log 2>&1); then
        verify "autotools: ./configure CC=racedet-cc && make" "$d/racetest"
    else
        echo "not ok - autotools with CC=racedet-cc: build failed"; tail -5 "$d/log" | sed 's/^/# /'
    fi
else
    echo "ok - autotools: # SKIP autoreconf not installed"
fi
