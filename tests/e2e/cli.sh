#!/bin/sh
# cli.sh: the `racedet` command line: help, option errors, programs racedet
# cannot watch, `racedet run` plumbing (environment, exit statuses, record
# directory), and `racedet report` on good, bad and mixed inputs
# (tests/e2e/data/).
#
# Usage: sh tests/e2e/cli.sh [BUILD_DIR]     (from the repository root)
# Prints only "ok - ...", "not ok - ..." and "#" lines; exits 1 on failure.
BUILD=${1:-build}
RACEDET=$BUILD/bin/racedet
SHIM=$BUILD/lib/libracedet.so
DATA=tests/e2e/data
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-cli.XXXXXX") || exit 1
trap 'chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
failed=0

ok() { echo "ok - $1"; }
skip() { echo "ok - $1 # SKIP $2"; }
not_ok() { # name, why...
    echo "not ok - $1"
    shift
    for _why in "$@"; do echo "# $_why"; done
    if [ -s "$TMP/err" ]; then
        echo "# stderr was:"
        sed -n '1,12s/^/#   /p' "$TMP/err"
    fi
    failed=1
}

# rd ARGS...: runs racedet; stdout in $TMP/out, stderr in $TMP/err, status in $st
rd() {
    "$RACEDET" "$@" > "$TMP/out" 2> "$TMP/err"
    st=$?
}

lines() { wc -l < "$1" | tr -d ' '; }

# expect NAME STATUS [GREP_PATTERN_ON_STDERR [one-line]]
expect() {
    _name=$1 _want=$2 _pat=$3 _one=$4
    if [ "$st" != "$_want" ]; then
        not_ok "$_name" "exit status $st, expected $_want"
    elif [ -n "$_pat" ] && ! grep -q -- "$_pat" "$TMP/err"; then
        not_ok "$_name" "stderr does not say: $_pat"
    elif [ "$_one" = one-line ] && [ "$(lines "$TMP/err")" != 1 ]; then
        not_ok "$_name" "stderr has $(lines "$TMP/err") lines, expected exactly one"
    else
        ok "$_name"
    fi
}

if [ ! -x "$RACEDET" ]; then
    echo "not ok - cli: $RACEDET is not built"
    exit 1
fi

# ---- help, version, option errors -------------------------------------------
rd --help
if [ $st -eq 0 ] && grep -q 'racedet run' "$TMP/out" && grep -q -- '--exitcode' "$TMP/out"; then
    ok "--help exits 0 and lists the commands and options"
else
    not_ok "--help exits 0 and lists the commands and options" "status $st"
fi

rd --version
if [ $st -eq 0 ] && grep -q '^racedet [0-9]' "$TMP/out"; then ok "--version"; else not_ok "--version"; fi

rd help options --markdown
if [ $st -eq 0 ] && head -n 1 "$TMP/out" | grep -q '^| option' && grep -q '`exitcode`' "$TMP/out"; then
    ok "help options --markdown prints the option table"
else
    not_ok "help options --markdown prints the option table"
fi

rd run --bogus-option /bin/true
expect "unknown option: exit 2, one line" 2 "unknown option '--bogus-option'" one-line

rd report --format xml "$DATA/report.json"
expect "bad --format value: exit 2, one line" 2 "format" one-line

rd run --exitcode
expect "option without its value: exit 2, one line" 2 "needs a value" one-line

rd run --exitcode=-4 /bin/true
expect "negative --exitcode: exit 2, one line" 2 "exitcode" one-line

# an exit status is 0..255: 256 would be 0 (success) and 300 would be 44
for code in 256 300; do
    rd run --exitcode=$code /bin/true
    expect "--exitcode=$code: exit 2, one line" 2 "option exitcode wants a whole number from 0 to 255, not '$code'" one-line
done
# the runtime unwinds into arrays on the watched thread's stack: a million
# frames crashed the program
rd run --max-stack-frames=1000000 /bin/true
expect "--max-stack-frames=1000000: exit 2, one line" 2 \
    "option max_stack_frames wants a whole number from 1 to 256, not '1000000'" one-line
rd run --max-stack-frames=0 /bin/true
expect "--max-stack-frames=0: exit 2, one line" 2 "max_stack_frames" one-line

rd report --exitcode 256 "$DATA/report.json"
expect "report --exitcode 256: exit 2, one line" 2 "from 0 to 255" one-line

rd --help
if grep -q -- '--exitcode .*0: findings do not change the exit status' "$TMP/out"; then
    ok "--help says what --exitcode 0 means"
else
    not_ok "--help says what --exitcode 0 means"
fi

rd report --exitcode 0 "$DATA/report.json"
expect "report --exitcode 0: the finding is shown, the exit status stays 0" 0 \
    '^racedet: 1 finding (1 self_deadlock) in 1 process$'

rd run --verbose=maybe /bin/true
expect "bad boolean: exit 2, one line" 2 "verbose" one-line

rd frobnicate
expect "unknown command: exit 2, one line" 2 "unknown command" one-line

rd
expect "no command: exit 2 with usage" 2 "usage"

RACEDET_OPTIONS="no_such_key=1" "$RACEDET" report "$DATA/report.json" > "$TMP/out" 2> "$TMP/err"
st=$?
expect "unknown key in RACEDET_OPTIONS: exit 2, one line" 2 "RACEDET_OPTIONS" one-line

RACEDET_OPTIONS="verbose" "$RACEDET" report "$DATA/report.json" > "$TMP/out" 2> "$TMP/err"
st=$?
expect "RACEDET_OPTIONS without '=': exit 2, one line, the source named once" 2 \
    "^racedet: RACEDET_OPTIONS: 'verbose' is not key=value$" one-line

# an option's value is never "--": -o -- wrote a file named "--"
mkdir "$TMP/cwd"
(cd "$TMP/cwd" && exec "$OLDPWD/$RACEDET" report -o -- "$OLDPWD/$DATA/report.json") > "$TMP/out" 2> "$TMP/err"
st=$?
if [ -e "$TMP/cwd/--" ]; then
    not_ok "report -o -- FILE: exit 2, one line, no file named --" "a file named -- was written"
else
    expect "report -o -- FILE: exit 2, one line, no file named --" 2 "^racedet: -o needs a file name$" one-line
fi
rd run -o -- /bin/true
expect "run -o -- PROG: exit 2, one line" 2 "^racedet: -o needs a file name$" one-line
rd report -o "" "$DATA/report.json"
expect "report -o '': exit 2, one line" 2 "^racedet: -o needs a file name$" one-line
rd run --format -- /bin/true
expect "run --format -- PROG: exit 2, one line" 2 "^racedet: option --format needs a value$" one-line
rd report --from-records -- "$DATA/cycle.jsonl"
expect "report --from-records -- FILE: exit 2, one line" 2 "from-records needs a file" one-line

if command -v man > /dev/null 2>&1; then
    MANWIDTH=100 man -l docs/racedet.1 > "$TMP/man" 2> /dev/null < /dev/null
    if grep -q '^ *LD_PRELOAD=/usr/local/lib/libracedet.so PROG$' "$TMP/man"; then
        ok "man page synopsis: LD_PRELOAD=/usr/local/lib/libracedet.so PROG, one word before PROG"
    else
        not_ok "man page synopsis: LD_PRELOAD=/usr/local/lib/libracedet.so PROG, one word before PROG" \
            "$(grep LD_PRELOAD= "$TMP/man" | head -n 1)"
    fi
else
    skip "man page synopsis" "man is not installed (make deps installs man-db)"
fi

rd report --deadlock-timeout-ms 5 "$DATA/report.json"
expect "report refuses an option only the program reads" 2 "racedet run" one-line

# ---- racedet run: what it refuses --------------------------------------------
rd run
expect "run without a program: exit 2, one line" 2 "no program" one-line

rd run --
expect "run -- without a program: exit 2" 2 "no program" one-line

if [ -f "$SHIM" ]; then
    rd run -- no-such-command-racedet-e2e
    expect "missing program (PATH): exit 127, one line" 127 "no-such-command-racedet-e2e: command not found" one-line

    rd run /nonexistent/dir/prog
    expect "missing program (path): exit 127, one line" 127 "/nonexistent/dir/prog" one-line

    printf 'not a program\n' > "$TMP/notexec"
    chmod 644 "$TMP/notexec"
    rd run "$TMP/notexec"
    expect "program without execute permission: exit 126" 126 "notexec" one-line

    printf 'int main(void) { return 0; }\n' > "$TMP/static.c"
    if ${CC:-cc} -static -o "$TMP/static" "$TMP/static.c" 2> /dev/null; then
        rd run "$TMP/static"
        expect "statically linked program: exit 2, one line" 2 "is statically linked" one-line
    else
        skip "statically linked program: exit 2, one line" "cannot link statically here"
    fi

    cp /bin/true "$TMP/setuid_true" && chmod u+s "$TMP/setuid_true"
    if [ -u "$TMP/setuid_true" ]; then
        rd run "$TMP/setuid_true"
        expect "setuid program: exit 2, one line" 2 "is setuid/setgid: the dynamic loader ignores LD_PRELOAD" one-line
    else
        skip "setuid program: exit 2, one line" "cannot set the setuid bit here"
    fi
else
    for t in "missing program (PATH)" "missing program (path)" "program without execute permission" \
             "statically linked program" "setuid program"; do
        skip "$t" "$SHIM is not built"
    done
fi

RACEDET_SHIM=/nonexistent/libracedet.so "$RACEDET" run /bin/true > "$TMP/out" 2> "$TMP/err"
st=$?
expect "RACEDET_SHIM pointing nowhere: exit 2, one line" 2 "RACEDET_SHIM" one-line

# ---- racedet run: plumbing (needs the shim) -------------------------------------
if [ -f "$SHIM" ]; then
    rd run --exitcode 3 --no-report-thread-leaks -- sh -c 'echo "opts=$RACEDET_OPTIONS"; echo "dir=$RACEDET_RECORD_DIR"; echo "preload=$LD_PRELOAD"'
    dir=$(sed -n 's/^dir=//p' "$TMP/out")
    shim_abs=$(cd "$(dirname "$SHIM")" && pwd)/libracedet.so
    if [ $st -eq 0 ] && grep -q '^opts=exitcode=3 report_thread_leaks=false$' "$TMP/out" &&
        grep -q "^preload=$shim_abs\$" "$TMP/out" && [ -n "$dir" ] && [ ! -e "$dir" ]; then
        ok "run passes options, shim and a record directory to the program, then removes the directory"
    else
        not_ok "run passes options, shim and a record directory to the program, then removes the directory" \
            "status $st, program saw: $(tr '\n' ' ' < "$TMP/out")"
    fi

    LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 RACEDET_OPTIONS="verbose=false" \
        "$RACEDET" run sh -c 'echo "preload=$LD_PRELOAD"; echo "opts=$RACEDET_OPTIONS"' > "$TMP/out" 2> "$TMP/err"
    st=$?
    if [ $st -eq 0 ] && grep -q "^preload=$shim_abs:/lib/x86_64-linux-gnu/libm.so.6\$" "$TMP/out" &&
        grep -q '^opts=verbose=false$' "$TMP/out"; then
        ok "run prepends the shim to LD_PRELOAD and keeps the user's RACEDET_OPTIONS"
    else
        not_ok "run prepends the shim to LD_PRELOAD and keeps the user's RACEDET_OPTIONS" \
            "status $st, program saw: $(tr '\n' ' ' < "$TMP/out")"
    fi

    rd run sh -c 'exit 7'
    expect "run exits with the program's status" 7 "no findings"

    LD_PRELOAD=$SHIM RACEDET_OPTIONS="verbose" /bin/true > "$TMP/out" 2> "$TMP/err"
    st=$?
    expect "the shim alone, RACEDET_OPTIONS without '=': exit 2, one line, the source named once" 2 \
        "^racedet: RACEDET_OPTIONS: 'verbose' is not key=value$" one-line

    LD_PRELOAD=$SHIM RACEDET_OPTIONS="exitcode=256" /bin/true > "$TMP/out" 2> "$TMP/err"
    st=$?
    expect "the shim alone refuses RACEDET_OPTIONS=exitcode=256: exit 2, one line" 2 "from 0 to 255" one-line

    LD_PRELOAD=$SHIM RACEDET_OPTIONS="max_stack_frames=1000000" /bin/true > "$TMP/out" 2> "$TMP/err"
    st=$?
    expect "the shim alone refuses RACEDET_OPTIONS=max_stack_frames=1000000: exit 2, one line" 2 \
        "from 1 to 256" one-line

    if [ -x "$BUILD/tests/e2e/die_after_finding" ]; then
        rd run --max-stack-frames 256 -- "$BUILD/tests/e2e/die_after_finding" _exit
        expect "run --max-stack-frames 256 (the largest): the finding is made" 66 "1 lock_order_cycle"
    fi

    if [ -x "$BUILD/tests/e2e/die_after_finding" ]; then
        rd run --exitcode 0 -- "$BUILD/tests/e2e/die_after_finding" _exit
        expect "run --exitcode 0: a finding is reported, the program's own status (3) is kept" 3 \
            '^racedet: 1 finding (1 lock_order_cycle)'
    else
        not_ok "run --exitcode 0" "$BUILD/tests/e2e/die_after_finding is not built (make e2e-helpers)"
    fi

    rd run sh -c 'kill -TERM $$'
    expect "run exits 128+N when the program dies of signal N" 143

    # a crashed run is never reported as "no findings"
    rd run sh -c 'kill -SEGV $$'
    expect "run of a program killed by SIGSEGV: the summary says so, with the signal's name; exit 139" 139 \
        '^racedet: sh was killed by signal 11 (SIGSEGV); nothing found before it died, in 1 process$' one-line
    if [ -x "$BUILD/tests/e2e/die_after_finding" ]; then
        rd run --format json -o "$TMP/crash.json" -- "$BUILD/tests/e2e/die_after_finding" kill
        expect "run of a program killed by SIGKILL after a finding: exit 66, the summary says it was killed" 66 \
            'die_after_finding was killed by signal 9 (SIGKILL); 1 finding (1 lock_order_cycle) in 1 process; report written to'
        rd report "$TMP/crash.json"
        expect "report of that run's JSON still says the program was killed" 66 \
            'die_after_finding was killed by signal 9 (SIGKILL); 1 finding'
    fi

    # /bin/true returns from main: the runtime never sees an exit call there
    rd run --format json -o "$TMP/true.json" -- /bin/true
    if [ $st -eq 0 ] && grep -q '"status": 0,' "$TMP/true.json" && ! grep -q '"status": -1' "$TMP/true.json"; then
        ok "run --format json: a program returning from main has its real exit status (0), not -1"
    else
        not_ok "run --format json: a program returning from main has its real exit status (0), not -1" \
            "status $st; exit: $(grep -A3 '"exit"' "$TMP/true.json" | tr -d ' \n')"
    fi
    rd run --format json -o "$TMP/segv.json" -- sh -c 'kill -SEGV $$'
    if [ $st -eq 139 ] && grep -q '"status": 139,' "$TMP/segv.json" && grep -q '"how": "signal",' "$TMP/segv.json" &&
        grep -q '"signal": 11' "$TMP/segv.json"; then
        ok "run --format json: a program killed by SIGSEGV has exit {status 139, how signal, signal 11}"
    else
        not_ok "run --format json: a program killed by SIGSEGV has exit {status 139, how signal, signal 11}" \
            "status $st; exit: $(grep -A3 '"exit"' "$TMP/segv.json" | tr -d ' \n')"
    fi

    printf '#!/bin/sh\nexit 5\n' > "$TMP/script.sh"
    chmod 755 "$TMP/script.sh"
    rd run "$TMP/script.sh"
    expect "run accepts a #! script" 5

    rd run --format json -o /nonexistent/dir/x.json -- sh -c 'exit 0'
    expect "run with an unwritable -o: exit 2, says the path" 2 "/nonexistent/dir/x.json"

    # stdout is the program's: a machine-readable report there would be mixed
    # with its output, so racedet run refuses the machine formats without -o
    for fmt in json sarif dot html; do
        rd run --format $fmt -- sh -c 'echo program output; exit 0'
        if [ $st -eq 2 ] && [ ! -s "$TMP/out" ] && [ "$(lines "$TMP/err")" = 1 ] &&
            grep -q "^racedet: --format $fmt needs -o FILE: the program's own output goes to stdout\$" "$TMP/err"; then
            ok "run --format $fmt without -o: refused before running anything, one line, exit 2"
        else
            not_ok "run --format $fmt without -o: refused before running anything, one line, exit 2" "status $st"
        fi
    done
    RACEDET_OPTIONS="format=sarif" "$RACEDET" run -- sh -c 'exit 0' > "$TMP/out" 2> "$TMP/err"
    st=$?
    expect "run with RACEDET_OPTIONS=format=sarif and no -o: exit 2, one line" 2 "needs -o FILE" one-line

    rd run --format json -o "$TMP/ok.json" -- sh -c 'echo program output; exit 0'
    if [ $st -eq 0 ] && grep -q '"tool": "racedet"' "$TMP/ok.json" && grep -q '"findings": \[\]' "$TMP/ok.json" &&
        [ "$(cat "$TMP/out")" = "program output" ]; then
        ok "run --format json -o FILE: the document in FILE, the program's output alone on stdout"
    else
        not_ok "run --format json -o FILE: the document in FILE, the program's output alone on stdout" "status $st"
    fi
else
    skip "run plumbing" "$SHIM is not built"
fi

# ---- racedet report: bad inputs ------------------------------------------------------
for f in empty.json not_json.json truncated.json version99.json other_tool.json version2.jsonl; do
    rd report "$DATA/$f"
    expect "report of a bad file ($f): exit 2, one line naming it" 2 "$DATA/$f" one-line
done

rd report /nonexistent/report.json
expect "report of a missing file: exit 2, one line" 2 "/nonexistent/report.json" one-line

# ---- racedet report: inputs have a size bound (--max-input-size) ---------------------
# A regression here would eat the machine's memory: keep it to 2 GB and a minute.
( ulimit -v 2000000 2> /dev/null; exec timeout 60 "$RACEDET" report /dev/zero ) > "$TMP/out" 2> "$TMP/err"
st=$?
expect "report /dev/zero: exit 2, one line naming the input limit" 2 \
    "^racedet: /dev/zero: larger than the 256 MiB input limit (--max-input-size)$" one-line

head -c 2097152 /dev/zero | tr '\0' ' ' > "$TMP/big.json"
rd report --max-input-size 1 "$TMP/big.json"
expect "report of a regular file over --max-input-size: exit 2, one line" 2 \
    "^racedet: $TMP/big.json: larger than the 1 MiB input limit (--max-input-size)$" one-line

RACEDET_OPTIONS="max_input_size=1" timeout 60 "$RACEDET" report /dev/stdin < /dev/urandom > "$TMP/out" 2> "$TMP/err"
st=$?
expect "report of an endless stream (RACEDET_OPTIONS=max_input_size=1): it ends, exit 2, one line" 2 \
    "larger than the 1 MiB input limit" one-line

rd report --max-input-size 1 --suppressions "$TMP/big.json" "$DATA/report.json"
expect "a suppressions file over --max-input-size: exit 2, one line" 2 \
    "^racedet: suppressions file $TMP/big.json: larger than the 1 MiB input limit" one-line

rd report --max-input-size 0 "$DATA/report.json"
expect "--max-input-size 0: exit 2, one line" 2 "max_input_size wants a whole number from 1 to" one-line

cat "$DATA/cycle.jsonl" | "$RACEDET" report /dev/stdin > "$TMP/out" 2> "$TMP/err"
st=$?
expect "report reads a record file from a pipe (read once: its first line is not lost)" 66 \
    '^racedet: 1 finding (1 lock_order_cycle) in 1 process$'

rd report
expect "report without files: exit 2, one line" 2 "no input file" one-line

# ---- racedet report: good inputs ------------------------------------------------------
rd report "$DATA/report.json"
if [ $st -eq 66 ] && grep -q '^==racedet== self_deadlock: T0 locks mutex `cart_lock`, which it already holds$' "$TMP/err" &&
    grep -q '^    #0 update_count /src/cart/cart.c:22 (cart) \[inlined\]$' "$TMP/err" &&
    grep -q '^racedet: 1 finding (1 self_deadlock) in 1 process$' "$TMP/err"; then
    ok "report re-renders a JSON report as text, exit 66"
else
    not_ok "report re-renders a JSON report as text, exit 66" "status $st"
fi

rd report --exitcode 9 --from-records "$DATA/cycle.jsonl"
if [ $st -eq 9 ] &&
    grep -q '^==racedet== lock_order_cycle: lock-order cycle mutex 0x55d1c0a04040 -> mutex 0x55d1c0a04080 -> mutex 0x55d1c0a04040$' "$TMP/err" &&
    grep -q '^  T1 (teller) took mutex 0x55d1c0a04040 here (thread T1 "teller"):$' "$TMP/err" &&
    grep -q '^    #0 ?? (bank+0x125c)$' "$TMP/err" &&
    grep -q '^  T1 (teller) created at:$' "$TMP/err" &&
    grep -q 'cannot read /nonexistent/racedet-e2e/bank' "$TMP/err"; then
    ok "report --from-records renders a record file (templates resolved, missing module said)"
else
    not_ok "report --from-records renders a record file (templates resolved, missing module said)" "status $st"
fi

rd report "$DATA/clean.jsonl" "$DATA/truncated.jsonl"
if [ $st -eq 0 ] && grep -q 'truncated.jsonl:4: the last line is truncated' "$TMP/err" &&
    grep -q '^racedet: no findings in 2 processes$' "$TMP/err"; then
    ok "report warns about a truncated last line and ignores it"
else
    not_ok "report warns about a truncated last line and ignores it" "status $st"
fi

rd report --format json -o "$TMP/cycle.json" "$DATA/cycle.jsonl"
if [ $st -eq 66 ] && grep -q '"in_cycle": true' "$TMP/cycle.json" &&
    grep -q 'report written to' "$TMP/err"; then
    ok "report --format json -o FILE writes the document (cycle edges marked)"
else
    not_ok "report --format json -o FILE writes the document (cycle edges marked)" "status $st"
fi

rd report "$TMP/cycle.json" "$DATA/cycle.jsonl"
if [ $st -eq 66 ] && grep -q '^  seen 2 times$' "$TMP/err" &&
    grep -q '^racedet: 1 finding (1 lock_order_cycle) in 1 process$' "$TMP/err"; then
    ok "report merges a JSON report and records of the same run: one finding seen twice"
else
    not_ok "report merges a JSON report and records of the same run: one finding seen twice" "status $st"
fi

rd report "$DATA/not_json.json" "$DATA/report.json"
if [ $st -eq 66 ] && grep -q "^racedet: $DATA/not_json.json: not JSON" "$TMP/err" &&
    grep -q '^==racedet== self_deadlock' "$TMP/err"; then
    ok "report of a good file and a bad one: the error is said, the good one rendered"
else
    not_ok "report of a good file and a bad one: the error is said, the good one rendered" "status $st"
fi

rd report "$DATA/not_json.json" "$DATA/clean.jsonl"
expect "report of a clean file and a bad one: exit 2" 2 "not JSON"

rd report -o /nonexistent/dir/x.json "$DATA/report.json"
if [ $st -eq 2 ] && grep -q '^racedet: cannot write the report to /nonexistent/dir/x.json: ' "$TMP/err" &&
    grep -q '^==racedet== self_deadlock' "$TMP/err"; then
    ok "report with an unwritable -o: exit 2, says the path, text report still on stderr"
else
    not_ok "report with an unwritable -o: exit 2, says the path, text report still on stderr" "status $st"
fi

# ---- -o PATH: a symlink planted at PATH is replaced, never written through -----------
mkdir "$TMP/outdir"
echo "precious" > "$TMP/outdir/target"
ln -s "$TMP/outdir/target" "$TMP/outdir/report.json"
rd report --format json -o "$TMP/outdir/report.json" "$DATA/report.json"
if [ $st -eq 66 ] && [ "$(cat "$TMP/outdir/target")" = precious ] && [ ! -L "$TMP/outdir/report.json" ] &&
    grep -q '"tool": "racedet"' "$TMP/outdir/report.json" && [ "$(ls -A "$TMP/outdir" | wc -l)" -eq 2 ]; then
    ok "report -o PATH with a symlink at PATH: the link is replaced by the report, its target untouched"
else
    not_ok "report -o PATH with a symlink at PATH: the link is replaced by the report, its target untouched" \
        "status $st, target now: $(head -c 60 "$TMP/outdir/target")" "$(ls -lA "$TMP/outdir")"
fi
if [ -f "$SHIM" ]; then
    ln -s "$TMP/outdir/target" "$TMP/outdir/run.sarif"
    rd run --format sarif -o "$TMP/outdir/run.sarif" -- sh -c 'exit 0'
    if [ $st -eq 0 ] && [ "$(cat "$TMP/outdir/target")" = precious ] && [ ! -L "$TMP/outdir/run.sarif" ] &&
        grep -q '"version": "2.1.0"' "$TMP/outdir/run.sarif"; then
        ok "run -o PATH with a symlink at PATH: the link is replaced, its target untouched"
    else
        not_ok "run -o PATH with a symlink at PATH: the link is replaced, its target untouched" "status $st"
    fi
fi
rd report --format json -o /dev/null "$DATA/report.json"
if [ $st -eq 66 ] && [ -c /dev/null ] && grep -q 'report written to /dev/null$' "$TMP/err"; then
    ok "report -o /dev/null: a device is written in place, not replaced"
else
    not_ok "report -o /dev/null: a device is written in place, not replaced" "status $st"
fi
"$RACEDET" report --format json -o /dev/stdout "$DATA/report.json" 2> "$TMP/err" | grep -q '"tool": "racedet"'
if [ $? -eq 0 ] && [ -L /dev/stdout ]; then
    ok "report -o /dev/stdout: written through the system's link to the pipe"
else
    not_ok "report -o /dev/stdout: written through the system's link to the pipe"
fi

rd report --color=always "$DATA/report.json"
if grep -q "$(printf '\033')" "$TMP/err"; then ok "--color=always colours"; else not_ok "--color=always colours"; fi
rd report "$DATA/report.json"
if grep -q "$(printf '\033')" "$TMP/err"; then not_ok "no colour when stderr is not a terminal"; else ok "no colour when stderr is not a terminal"; fi

exit $failed
