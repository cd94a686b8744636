#!/bin/sh
# report.sh: the report formats and options of `racedet run` / `racedet
# report` end to end, on real runs of the samples: SARIF validated against
# the official SARIF 2.1.0 schema (tests/sarif/), suppressions (flag,
# RACEDET_OPTIONS, the shim alone, malformed files, exit status), dot/svg,
# unwritable outputs for every format, colour and source snippets in text
# reports, and the --help texts. The HTML page is checked in a browser by
# html.sh.
#
# Usage: sh tests/e2e/report.sh [BUILD_DIR]     (from the repository root)
# Prints only "ok - ...", "not ok - ..." and "#" lines; exits 1 on failure.
BUILD=${1:-build}
RACEDET=$BUILD/bin/racedet
SHIM=$BUILD/lib/libracedet.so
SAMPLES=$BUILD/samples
SCHEMA=tests/sarif/sarif-schema-2.1.0.json
DATA=tests/e2e/data
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-report.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
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
check() { # name, then a command that must succeed
    _name=$1
    shift
    if "$@"; then ok "$_name"; else not_ok "$_name" "status $st"; fi
}
rd() { # racedet ARGS...: stdout in $TMP/out, stderr in $TMP/err, status in $st
    "$RACEDET" "$@" > "$TMP/out" 2> "$TMP/err" < /dev/null
    st=$?
}
lines() { wc -l < "$1" | tr -d ' '; }

for f in "$RACEDET" "$SAMPLES/lock_order_abba" "$SAMPLES/thread_leak" "$SAMPLES/race_counter"; do
    if [ ! -x "$f" ]; then
        echo "not ok - report: $f is not built (make check builds it)"
        exit 1
    fi
done

# A Python with jsonschema (Debian's python3-jsonschema, installed by `make deps`).
PY=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import jsonschema' 2> /dev/null; then PY=$p; break; fi
done
validate() { # FILE...: validates SARIF files against the schema
    "$PY" tests/sarif/validate.py "$SCHEMA" "$@" > "$TMP/validate" 2>&1
}
json_get() { # FILE PYTHON-EXPRESSION-ON-d: prints the value
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- SARIF ------------------------------------------------------------------
if [ -z "$PY" ]; then
    not_ok "SARIF schema validation" "no python3 with jsonschema (apt-get install python3-jsonschema; make deps does)"
else
    rd run --format sarif -o "$TMP/abba.sarif" -- "$SAMPLES/lock_order_abba"
    if [ $st -eq 66 ] && validate "$TMP/abba.sarif"; then
        ok "run --format sarif on lock_order_abba: valid SARIF 2.1.0 (official schema), exit 66"
    else
        not_ok "run --format sarif on lock_order_abba: valid SARIF 2.1.0 (official schema), exit 66" \
            "status $st" "$(head -n 5 "$TMP/validate")"
    fi
    got=$(json_get "$TMP/abba.sarif" '" ".join([d["version"], str(len(d["runs"][0]["results"])), d["runs"][0]["results"][0]["ruleId"], d["runs"][0]["results"][0]["level"], d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], str(len(d["runs"][0]["results"][0]["relatedLocations"])), str(len(d["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"])), str(len(d["runs"][0]["tool"]["driver"]["rules"]))])' 2>&1)
    if [ "$got" = "2.1.0 1 lock_order_cycle error samples/lock_order_abba.c %SRCROOT% 3 4 11" ]; then
        ok "SARIF result: rule lock_order_cycle, level error, primary location in the sample's source relative to %SRCROOT%, 3 related locations, 4 thread flows, 11 rules"
    else
        not_ok "SARIF result: rule lock_order_cycle, level error, primary location in the sample's source relative to %SRCROOT%, 3 related locations, 4 thread flows, 11 rules" "got: $got"
    fi
    # the primary location is a line in the user's code, not libc or racedet
    line=$(json_get "$TMP/abba.sarif" 'd["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]')
    src=$(sed -n "${line}p" samples/lock_order_abba.c 2> /dev/null)
    case $src in
        *pthread_mutex_lock*) ok "SARIF primary location is the pthread_mutex_lock line in the sample (line $line)" ;;
        *) not_ok "SARIF primary location is the pthread_mutex_lock line in the sample" "line $line: $src" ;;
    esac

    for s in thread_leak race_counter; do
        rd run --format json -o "$TMP/$s.json" -- "$SAMPLES/$s"
        cp "$TMP/err" "$TMP/$s.runerr"
    done
    rd report --format sarif -o "$TMP/merged.sarif" "$TMP/thread_leak.json" "$TMP/race_counter.json" \
        "$DATA/report.json" "$DATA/cycle.jsonl"
    if [ $st -eq 66 ] && validate "$TMP/merged.sarif" &&
        [ "$(json_get "$TMP/merged.sarif" 'sorted(set(r["ruleId"] for r in d["runs"][0]["results"]))')" = \
          "['data_race', 'lock_order_cycle', 'self_deadlock', 'thread_leak']" ]; then
        ok "report --format sarif merging JSON reports and records: valid, one result per finding of each"
    else
        not_ok "report --format sarif merging JSON reports and records: valid, one result per finding of each" \
            "status $st" "$(head -n 5 "$TMP/validate")"
    fi
    levels=$(json_get "$TMP/merged.sarif" '" ".join(sorted(set(r["ruleId"] + "=" + r["level"] for r in d["runs"][0]["results"])))')
    if [ "$levels" = "data_race=error lock_order_cycle=error self_deadlock=error thread_leak=warning" ]; then
        ok "SARIF levels: data_race, lock_order_cycle, self_deadlock errors, thread_leak a warning"
    else
        not_ok "SARIF levels: data_race, lock_order_cycle, self_deadlock errors, thread_leak a warning" "got: $levels"
    fi
    rd report --format sarif "$DATA/clean.jsonl"
    if [ $st -eq 0 ] && cp "$TMP/out" "$TMP/clean.sarif" && validate "$TMP/clean.sarif"; then
        ok "report --format sarif of a clean run: valid, no results, on stdout, exit 0"
    else
        not_ok "report --format sarif of a clean run: valid, no results, on stdout, exit 0" "status $st"
    fi
    # the validator itself must catch a bad document
    sed 's/"level": "error"/"level": "fatal"/' "$TMP/abba.sarif" > "$TMP/broken.sarif"
    if validate "$TMP/broken.sarif"; then
        not_ok "the schema check rejects an invalid level (the validator works)"
    else
        ok "the schema check rejects an invalid level (the validator works)"
    fi
fi

# ---- suppressions ------------------------------------------------------------
printf '# thread leaks of the sample are known\n\nthread_leak:main\n*:no_such_function_*\n' > "$TMP/supp.txt"
rd run --suppressions "$TMP/supp.txt" -- "$SAMPLES/thread_leak"
if [ $st -eq 0 ] && grep -q "^racedet: no findings" "$TMP/err" &&
    grep -q "^racedet: suppressed 1 finding: 1 by thread_leak:main (supp.txt:3)$" "$TMP/err"; then
    ok "run --suppressions: the finding is taken out, said with its rule and line, exit status is the program's"
else
    not_ok "run --suppressions: the finding is taken out, said with its rule and line, exit status is the program's" "status $st"
fi
rd report --format json --suppressions "$TMP/supp.txt" "$TMP/thread_leak.json"
if [ $st -eq 0 ] && [ -n "$PY" ] &&
    [ "$(json_get "$TMP/out" '[len(d["findings"]), [(s["rule"], s["line"], s["count"]) for s in d["suppressions"]]]')" = \
      "[0, [('thread_leak:main', 3, 1), ('*:no_such_function_*', 4, 0)]]" ]; then
    ok "report --suppressions --format json: \"suppressions\" lists every rule with its file line and count"
else
    not_ok "report --suppressions --format json: \"suppressions\" lists every rule with its file line and count" "status $st"
fi
cp "$TMP/out" "$TMP/suppressed.json"
rd report "$TMP/suppressed.json"
if [ $st -eq 0 ] && grep -q "^racedet: suppressed 1 finding: 1 by thread_leak:main (supp.txt:3)$" "$TMP/err"; then
    ok "re-rendering a JSON report keeps what its suppressions took out"
else
    not_ok "re-rendering a JSON report keeps what its suppressions took out" "status $st"
fi
RACEDET_OPTIONS="suppressions=$TMP/supp.txt" "$RACEDET" report "$TMP/thread_leak.json" > "$TMP/out" 2> "$TMP/err"
st=$?
if [ $st -eq 0 ] && grep -q "suppressed 1 finding" "$TMP/err"; then
    ok "RACEDET_OPTIONS=suppressions=FILE works for racedet report"
else
    not_ok "RACEDET_OPTIONS=suppressions=FILE works for racedet report" "status $st"
fi
printf 'data_race:*\n*:main\n' > "$TMP/supp2.txt"
rd report --suppressions "$TMP/supp2.txt" "$TMP/race_counter.json" "$TMP/thread_leak.json"
if [ $st -eq 0 ] && grep -q "^racedet: suppressed 2 findings: 1 by data_race:\* (supp2.txt:1), 1 by \*:main (supp2.txt:2)$" "$TMP/err"; then
    ok "each finding counts against the first rule that matches it; * matches every kind"
else
    not_ok "each finding counts against the first rule that matches it; * matches every kind" "status $st"
fi
# the shim alone passes RACEDET_OPTIONS to the report it shows at exit
RACEDET_OPTIONS="suppressions=$TMP/supp.txt" LD_PRELOAD=$PWD/$SHIM "$SAMPLES/thread_leak" \
    > "$TMP/out" 2> "$TMP/err" < /dev/null
st=$?
if grep -q "suppressed 1 finding: 1 by thread_leak:main" "$TMP/err" && ! grep -q '^==racedet== thread_leak' "$TMP/err"; then
    ok "the shim alone (LD_PRELOAD) honours RACEDET_OPTIONS=suppressions=FILE in its report"
else
    not_ok "the shim alone (LD_PRELOAD) honours RACEDET_OPTIONS=suppressions=FILE in its report" "status $st"
fi
for bad in 'thread_leak' 'no_such_kind:x' 'data_race:' ':x'; do
    printf '# fine\n%s\n' "$bad" > "$TMP/bad.txt"
    rd run --suppressions "$TMP/bad.txt" -- "$SAMPLES/thread_leak"
    if [ $st -eq 2 ] && [ "$(lines "$TMP/err")" = 1 ] && grep -q "^racedet: $TMP/bad.txt:2: " "$TMP/err"; then
        ok "malformed suppression line '$bad': exit 2 before running, one line naming file:line"
    else
        not_ok "malformed suppression line '$bad': exit 2 before running, one line naming file:line" "status $st"
    fi
done
rd report --suppressions /nonexistent/supp.txt "$TMP/thread_leak.json"
check "a missing suppressions file: exit 2, one line naming it" \
    test $st -eq 2 -a "$(lines "$TMP/err")" = 1 -a -n "$(grep /nonexistent/supp.txt "$TMP/err")"

# ---- dot / svg ---------------------------------------------------------------
rd run --format json -o "$TMP/abba.json" -- "$SAMPLES/lock_order_abba"
rd report --format dot "$TMP/abba.json"
if [ $st -eq 66 ] && grep -q '^digraph' "$TMP/out" && grep -q 'log_lock' "$TMP/out" &&
    grep -q 'accounts_lock' "$TMP/out" && grep -q 'color=red' "$TMP/out" &&
    grep -q 'lock_order_abba.c:[0-9]' "$TMP/out"; then
    ok "report --format dot: the lock-order graph, locks by name, edges by source line, the cycle red"
else
    not_ok "report --format dot: the lock-order graph, locks by name, edges by source line, the cycle red" "status $st"
fi
if command -v dot > /dev/null 2>&1; then
    rd report --format svg -o "$TMP/abba.svg" "$TMP/abba.json"
    if [ $st -eq 66 ] && grep -q '<svg' "$TMP/abba.svg" && grep -q 'log_lock' "$TMP/abba.svg" &&
        grep -q 'stroke="red"' "$TMP/abba.svg"; then
        ok "report --format svg: Graphviz draws the graph, cycle edges red"
    else
        not_ok "report --format svg: Graphviz draws the graph, cycle edges red" "status $st"
    fi
    mkdir -p "$TMP/nodot"
    ln -s "$(command -v sh)" "$TMP/nodot/sh"
    PATH=$TMP/nodot "$PWD/$RACEDET" report --format svg "$TMP/abba.json" > "$TMP/out" 2> "$TMP/err"
    st=$?
    if [ $st -eq 2 ] && [ "$(lines "$TMP/err")" = 1 ] && grep -q "Graphviz" "$TMP/err"; then
        ok "--format svg without Graphviz: exit 2, one clear line"
    else
        not_ok "--format svg without Graphviz: exit 2, one clear line" "status $st"
    fi
    PATH=$TMP/nodot "$PWD/$RACEDET" report --format html "$TMP/abba.json" > "$TMP/out" 2> "$TMP/err"
    st=$?
    if [ $st -eq 66 ] && grep -q 'class="edges"' "$TMP/out" && ! grep -q '<svg' "$TMP/out"; then
        ok "--format html without Graphviz: the lock-order graph as a table"
    else
        not_ok "--format html without Graphviz: the lock-order graph as a table" "status $st"
    fi
else
    not_ok "report --format svg" "Graphviz is not installed (make deps installs it)"
fi

# ---- unwritable outputs, every format ---------------------------------------
for fmt in text json sarif dot svg html; do
    rd report --format $fmt -o /nonexistent/dir/out.$fmt "$TMP/abba.json"
    if [ $st -eq 2 ] && grep -q "^racedet: cannot write the report to /nonexistent/dir/out.$fmt: No such file" "$TMP/err" &&
        grep -q '^==racedet== lock_order_cycle' "$TMP/err"; then
        ok "--format $fmt -o into a missing directory: exit 2, the path said, text report on stderr"
    else
        not_ok "--format $fmt -o into a missing directory: exit 2, the path said, text report on stderr" "status $st"
    fi
done
if [ -w /dev/full ]; then
    rd report --format sarif -o /dev/full "$TMP/abba.json"
    check "--format sarif -o /dev/full: exit 2, the write error said" \
        test $st -eq 2 -a -n "$(grep 'writing the report to /dev/full failed: No space' "$TMP/err")"
fi

# ---- text: snippets and colour ---------------------------------------------
rd report "$TMP/abba.json"
if grep -q '^    > *[0-9][0-9]* | .*pthread_mutex_lock' "$TMP/err" && grep -q '^      *[0-9][0-9]* | ' "$TMP/err"; then
    ok "text report: source snippet of each stack's user frame, key line marked '>'"
else
    not_ok "text report: source snippet of each stack's user frame, key line marked '>'"
fi
# A report can name any file: snippets come only from regular text files
# under the source root (--source-root, default the current directory).
mkdir -p "$TMP/src/sub" "$TMP/src2"
printf 'one\nVISIBLE_LINE\nthree\n' > "$TMP/src/sub/ok.c"
printf 'one\nSECRET_OUTSIDE\nthree\n' > "$TMP/outside.c"
printf 'one\nSECRET_PREFIX\nthree\n' > "$TMP/src2/x.c"
printf 'one\nSECRET_BINARY\0\nthree\n' > "$TMP/src/bin.c"
ln -s "$TMP/outside.c" "$TMP/src/link.c"
mkfifo "$TMP/src/fifo.c"
stack() { # ROLE FUNCTION FILE LINE
    printf '{"role": "%s", "thread": 0, "frames": [{"pc": "0x1", "module": "/opt/app/bin/app", "offset": "0x1", "function": "%s", "file": "%s", "line": %s}]}' "$1" "$2" "$3" "$4"
}
{
    printf '{"tool": "racedet", "version": "0.1.0", "processes": [], "findings": [{"kind": "data_race", "summary": "crafted", "stacks": ['
    stack etc_passwd read_passwd /etc/passwd 1; printf ','
    stack outside read_outside "$TMP/outside.c" 2; printf ','
    stack link read_link "$TMP/src/link.c" 2; printf ','
    stack prefix read_prefix "$TMP/src2/x.c" 2; printf ','
    stack binary read_binary "$TMP/src/bin.c" 2; printf ','
    stack fifo read_fifo "$TMP/src/fifo.c" 2; printf ','
    stack inside read_inside "$TMP/src/sub/ok.c" 2
    printf ']}], "lock_graph": {"locks": [], "edges": []}}\n'
} > "$TMP/crafted.json"
for root in default "$TMP/src"; do
    if [ "$root" = default ]; then
        timeout 30 "$RACEDET" report "$TMP/crafted.json" > "$TMP/out" 2> "$TMP/err" < /dev/null
    else
        timeout 30 "$RACEDET" report --source-root "$root" "$TMP/crafted.json" > "$TMP/out" 2> "$TMP/err" < /dev/null
    fi
    st=$?
    want_inside=0
    [ "$root" = default ] || want_inside=1
    if [ $st -eq 66 ] && ! grep -q 'root:' "$TMP/err" && ! grep -q SECRET "$TMP/err" &&
        [ "$(grep -c 'VISIBLE_LINE' "$TMP/err")" = $want_inside ] &&
        [ "$(grep -c '^    #0 read_' "$TMP/err")" = 7 ]; then
        ok "report of a crafted JSON, source root $root: no snippet of /etc/passwd, of files outside the root (also through a link or a look-alike prefix), of binaries or FIFOs; every frame still shown"
    else
        not_ok "report of a crafted JSON, source root $root: no snippet of /etc/passwd, of files outside the root (also through a link or a look-alike prefix), of binaries or FIFOs; every frame still shown" \
            "status $st" "$(grep ' | ' "$TMP/err" | head -n 4)"
    fi
done
rd report --source-root "$TMP/nonexistent" "$TMP/crafted.json"
check "--source-root that is not a directory: exit 2, one line" \
    test $st -eq 2 -a "$(lines "$TMP/err")" = 1 -a -n "$(grep -- "--source-root $TMP/nonexistent" "$TMP/err")"

rd report --no-snippets "$TMP/abba.json"
if grep -q ' | ' "$TMP/err"; then not_ok "--no-snippets leaves the snippets out"; else ok "--no-snippets leaves the snippets out"; fi
n=$(grep -c '^==racedet== ' "$TMP/err")
if [ "$n" = 1 ] && tail -n 1 "$TMP/err" | grep -q '^racedet: 1 finding (1 lock_order_cycle) in 1 process$'; then
    ok "text report: each finding once, a summary line by kind at the end"
else
    not_ok "text report: each finding once, a summary line by kind at the end" "$n blocks"
fi
if command -v script > /dev/null 2>&1; then
    ESC=$(printf '\033')
    script -qec "$RACEDET report $TMP/abba.json" /dev/null > "$TMP/tty" 2>&1 < /dev/null
    if grep -q "$ESC\[" "$TMP/tty"; then ok "--color=auto colours on a terminal"; else not_ok "--color=auto colours on a terminal"; fi
    NO_COLOR=1 script -qec "$RACEDET report $TMP/abba.json" /dev/null > "$TMP/tty" 2>&1 < /dev/null
    if grep -q "$ESC\[" "$TMP/tty"; then not_ok "NO_COLOR turns colour off on a terminal"; else ok "NO_COLOR turns colour off on a terminal"; fi
    script -qec "$RACEDET report --color=never $TMP/abba.json" /dev/null > "$TMP/tty" 2>&1 < /dev/null
    if grep -q "$ESC\[" "$TMP/tty"; then not_ok "--color=never on a terminal"; else ok "--color=never on a terminal"; fi
else
    skip "colour on a terminal" "no script(1)"
fi

# ---- bad inputs with the new formats ---------------------------------------
for fmt in sarif html dot; do
    rd report --format $fmt "$DATA/empty.json" "$TMP/abba.json" "$DATA/not_json.json"
    if [ $st -ne 0 ] && grep -q "$DATA/empty.json" "$TMP/err" && grep -q "$DATA/not_json.json" "$TMP/err" &&
        grep -q 'log_lock' "$TMP/out"; then
        ok "--format $fmt with bad inputs: each named, the good one still rendered, non-zero exit"
    else
        not_ok "--format $fmt with bad inputs: each named, the good one still rendered, non-zero exit" "status $st"
    fi
done

# ---- help ----------------------------------------------------------------------
for cmd in "--help" "run --help" "report --help"; do
    # shellcheck disable=SC2086
    rd $cmd
    if [ $st -eq 0 ] && grep -q 'sarif' "$TMP/out" && grep -q 'suppressions' "$TMP/out"; then
        ok "racedet $cmd: exit 0, formats and suppressions explained"
    else
        not_ok "racedet $cmd: exit 0, formats and suppressions explained" "status $st"
    fi
done
for w in racedet-cc:RACEDET_CC racedet-c++:RACEDET_CXX; do
    tool=${w%%:*} var=${w#*:}
    if "$BUILD/bin/$tool" --help > "$TMP/out" 2>&1 && grep -qi 'usage' "$TMP/out" &&
        grep -q "usage: $tool " "$TMP/out" && grep -q "$var " "$TMP/out"; then
        ok "$tool --help names itself and $var"
    else
        not_ok "$tool --help names itself and $var"
    fi
done

exit $failed
