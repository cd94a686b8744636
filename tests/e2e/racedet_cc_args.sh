#!/bin/sh
# racedet_cc_args.sh: racedet-cc and racedet-c++ take every argument shape
# the compiler drivers take. Each row of the table below is one command,
# run with racedet-cc over gcc and clang and with racedet-c++ over g++ and
# clang++ (C++ rows: racedet-c++ only), in a fresh directory holding the
# sources. A row passes when the command exits 0, leaves the same files as
# the same command run with the plain compiler, and its checks hold:
#
#   race F      F links racedet's runtime (never libtsan) and, run alone,
#               reports a data race (exit 66)
#   obj F       the object (or library) F exists and is instrumented
#   asm F       the assembly F is instrumented
#   has F TEXT  the file F exists and contains TEXT
#   none F      there is no file F
#
# In the commands, $RCC is the wrapper, $S the source suffix (c or cpp) and
# $L the -x language (c or c++).
#
# Usage: sh tests/e2e/racedet_cc_args.sh [BUILD_DIR]   (from the repository root)
BUILD=$(cd "${1:-build}" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-ccargs.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
unset RACEDET_OPTIONS RACEDET_RECORD_DIR

# ---- the table ---------------------------------------------------------------
# NAME | COMMAND | CHECKS (';'-separated)        rows for both languages
# shellcheck disable=SC2016  # $RCC, $S and $L are expanded when a row runs
ROWS='
link                  | $RCC -g -O1 -pthread racy.$S -o prog                        | race prog
link -oFILE           | $RCC -g -O1 -pthread racy.$S -oprog                         | race prog
link two sources      | $RCC -g -pthread main.$S bump.$S -o prog                    | race prog
link -x LANG          | $RCC -x $L -g -pthread racy.$S -o prog                      | race prog
link -xLANG           | $RCC -x$L -g -pthread racy.$S -o prog                       | race prog
link -x LANG, any suffix | cp racy.$S racy.txt && $RCC -g -pthread -x $L racy.txt -o prog | race prog
link -x LANG ... -x none OBJ | $RCC -c bump.$S -o bump.o && $RCC -pthread -x $L main.$S -x none bump.o -o prog | race prog
link from stdin       | $RCC -x $L -g -pthread - -o prog < racy.$S                 | race prog
shared library with -x LANG | $RCC -x $L -fPIC -shared bump.$S -o libbump.so      | obj libbump.so
compile from stdin    | $RCC -x $L -c - -o racy.o < racy.$S                        | obj racy.o
compile               | $RCC -g -c racy.$S                                         | obj racy.o
compile -o FILE       | $RCC -c racy.$S -o out.o                                   | obj out.o
compile -oFILE        | $RCC -c racy.$S -oout.o                                    | obj out.o
compile many sources  | $RCC -c main.$S bump.$S                                    | obj main.o; obj bump.o
compile -x LANG many  | cp main.$S m.src && cp bump.$S b.src && $RCC -x $L -c m.src b.src | obj m.o; obj b.o
assembly -S           | $RCC -S racy.$S                                            | asm racy.s
preprocess -E -o      | $RCC -E racy.$S -o racy.i                                  | has racy.i pthread_barrier_wait
preprocess -E stdout  | $RCC -E racy.$S > racy.i                                   | has racy.i pthread_barrier_wait
preprocess stdin      | $RCC -E -x $L - < racy.$S > racy.i                         | has racy.i pthread_barrier_wait
-M                    | $RCC -M racy.$S > deps                                     | has deps racy.o:
-MM -MF               | $RCC -MM -MF racy.d racy.$S                                | has racy.d racy.o: racy.$S
-MD -c                | $RCC -MD -c racy.$S -o racy.o                              | obj racy.o; has racy.d racy.o:
-MMD -MP -c           | $RCC -MMD -MP -c racy.$S                                   | obj racy.o; has racy.d racy.o: racy.$S
-MMD, linking         | $RCC -MMD -pthread racy.$S -o prog                         | race prog; has prog.d prog: racy.$S
-MD, linking, no -o   | $RCC -MD -pthread racy.$S                                  | race a.out
-MMD -MF -MT, linking | $RCC -MMD -MF deps.d -MT all -pthread main.$S bump.$S -o prog | race prog; has deps.d all:
@file, compile        | printf "%s\n" "-c racy.$S -o racy.o" > args && $RCC @args | obj racy.o
@file, link           | printf "%s\n" "-g -pthread racy.$S -o prog" > args && $RCC @args | race prog
@file, quoted, nested | $RCC @quoted.$S.rsp                                       | obj out file.o
@file, -x LANG, link  | printf "%s\n" "-x $L -pthread racy.$S" > args && $RCC @args -o prog | race prog
-fsyntax-only         | $RCC -fsyntax-only racy.$S                                 | none a.out; none racy.o
-v                    | $RCC -v                                                    |
--version             | $RCC --version                                             |
'
# rows for C++ only (racedet-c++)
# shellcheck disable=SC2016
CXX_ROWS='
std::thread           | $RCC -g -O1 thread.cpp -o prog                             | race prog
C++ objects, then link | $RCC -g -c thread.cpp -o t.o && $RCC t.o -o prog          | race prog
'

# ---- the sources ---------------------------------------------------------------
SRC=$TMP/src
mkdir -p "$SRC"
# valid C and C++ alike
cat > "$SRC/bump.c" << 'END'
#include <pthread.h>
long counter;
static pthread_barrier_t start;
void *bump(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < 1000; i++)
        counter++;
    return NULL;
}
void start_init(void) { pthread_barrier_init(&start, NULL, 2); }
END
cat > "$SRC/main.c" << 'END'
#include <pthread.h>
#include <stdio.h>
void *bump(void *arg);
void start_init(void);
extern long counter;
int main(void)
{
    pthread_t a, b;
    start_init();
    pthread_create(&a, NULL, bump, NULL);
    pthread_create(&b, NULL, bump, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("%ld\n", counter);
    return 0;
}
END
{
    printf '#include <pthread.h>\n#include <stdio.h>\n'
    cat "$SRC/bump.c" "$SRC/main.c" | grep -v '^#include'
} > "$SRC/racy.c"
for f in bump main racy; do cp "$SRC/$f.c" "$SRC/$f.cpp"; done
# response files with quotes, backslashes and a nested response file
for S in c cpp; do
    printf '%s\n' "-c 'racy.$S'" > "$SRC/inner.$S.rsp"
    cat > "$SRC/quoted.$S.rsp" << END
-DGREETING="\\"hello, world\\"" -o 'out file.o'
-DSEP=\\/ @inner.$S.rsp
END
done
cat > "$SRC/thread.cpp" << 'END'
#include <cstdio>
#include <thread>
static long hits;
static void hit() { for (int i = 0; i < 1000; i++) hits++; }
int main()
{
    std::thread a(hit), b(hit);
    a.join();
    b.join();
    std::printf("%ld\n", hits);
}
END

# ---- checks (run in the row's directory; on failure they set why) -------------
why=

check_race() {
    [ -f "$1" ] || { why="$1 was not made"; return 1; }
    if ldd "./$1" | grep -q libtsan; then why="$1 links libtsan"; return 1; fi
    "./$1" > ../run.out 2> ../run.err < /dev/null
    _st=$?
    if [ $_st -ne 66 ] || ! grep -q '^==racedet== data_race' ../run.err; then
        why="./$1 exited $_st without reporting a data race"
        return 1
    fi
}

check_obj() {
    [ -f "$*" ] || { why="$* was not made"; return 1; }
    nm "$*" 2> /dev/null | grep -q '__tsan_func_entry' || { why="$* is not instrumented"; return 1; }
}

check_asm() {
    grep -q '__tsan_func_entry' "$1" 2> /dev/null || { why="$1 is not instrumented assembly"; return 1; }
}

check_has() {
    _f=$1
    shift
    grep -qF -- "$*" "$_f" 2> /dev/null || { why="$_f does not contain '$*'"; return 1; }
}

check_none() {
    [ ! -e "$1" ] || { why="$1 was made"; return 1; }
}

# run_checks CHECKS: each ';'-separated check, until one fails
run_checks() {
    _ifs=$IFS
    IFS=';'
    # shellcheck disable=SC2086  # split at ';'
    set -- $1
    IFS=$_ifs
    for _c; do
        _c=$(eval "echo \"$_c\"")
        # shellcheck disable=SC2086  # a check is words: its kind, then arguments
        set -- $_c
        [ $# -eq 0 ] && continue
        _kind=$1
        shift
        case $_kind in
            race | obj | asm | has | none) "check_$_kind" "$@" || return 1 ;;
            *) why="unknown check $_kind"; return 1 ;;
        esac
    done
}

# run_row LABEL WRAPPER COMPILER VAR S L NAME COMMAND CHECKS
run_row() {
    label=$1 wrapper=$2 compiler=$3 var=$4 S=$5 L=$6 name=$7 command=$8 checks=$9
    d=$TMP/run/$(echo "$label-$name" | tr -c 'A-Za-z0-9\n' '_')
    mkdir -p "$d/wrapped" "$d/plain"
    cp "$SRC"/* "$d/wrapped/"
    cp "$SRC"/* "$d/plain/"
    # the same command with the plain compiler: the files it leaves
    (cd "$d/plain" && RCC=$compiler S=$S L=$L timeout 120 sh -c "$command" > /dev/null 2>&1)
    (cd "$d/wrapped" && env "$var=$compiler" RCC="$wrapper" S="$S" L="$L" timeout 120 sh -c "$command" \
        > "$d/log" 2>&1)
    st=$?
    why=
    # shellcheck disable=SC2012  # file names, for a message and a comparison
    if [ $st -ne 0 ]; then
        why="exit status $st"
    elif [ "$(ls -A "$d/plain")" != "$(ls -A "$d/wrapped")" ]; then
        why="files left: $(ls -A "$d/wrapped" | tr '\n' ' ')(with $compiler alone: $(ls -A "$d/plain" | tr '\n' ' '))"
    else
        cd "$d/wrapped" && run_checks "$checks"
        cd "$TMP" || exit 1
    fi
    if [ -z "$why" ]; then
        echo "ok - $label: $name"
    else
        echo "not ok - $label: $name"
        echo "#   $command"
        echo "#   $why"
        tail -n 5 "$d/log" | cut -c1-200 | sed 's/^/#   | /'
    fi
}

# run_table LABEL WRAPPER COMPILER VAR S L TABLE
run_table() {
    printf "%s\n" "$7" | while IFS='|' read -r name command checks; do
        name=$(echo "$name" | sed 's/^ *//; s/ *$//')
        [ -n "$name" ] || continue
        run_row "$1" "$2" "$3" "$4" "$5" "$6" "$name" "$command" "$checks"
    done
}

for combo in racedet-cc:gcc racedet-cc:clang racedet-c++:g++ racedet-c++:clang++; do
    tool=${combo%%:*} compiler=${combo#*:}
    label="$tool ($compiler)"
    if ! command -v "$compiler" > /dev/null; then
        echo "ok - $label: # SKIP $compiler is not installed"
        continue
    fi
    if [ ! -x "$BUILD/bin/$tool" ]; then
        echo "not ok - $label: $BUILD/bin/$tool is not built"
        continue
    fi
    case $tool in
        racedet-cc) run_table "$label" "$BUILD/bin/$tool" "$compiler" RACEDET_CC c c "$ROWS" ;;
        racedet-c++)
            run_table "$label" "$BUILD/bin/$tool" "$compiler" RACEDET_CXX cpp c++ "$ROWS$CXX_ROWS" ;;
    esac
done > "$TMP/out"
cat "$TMP/out"
! grep -q '^not ok' "$TMP/out"
