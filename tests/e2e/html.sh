#!/bin/sh
# html.sh: `racedet report --format html` rendered by a real browser
# (Chromium, headless): the page loads, and the DOM holds every finding's
# kind, summary and function names, the stacks, the lock-order graph, and
# no unescaped markup from the report's strings.
#
# Chromium is large, so `make deps` does not install it: this script does,
# when it is missing, running as root, and CI or RACEDET_BROWSER_TESTS is
# set (.ci/run sets CI=true); otherwise it skips.
#
# Usage: sh tests/e2e/html.sh [BUILD_DIR]     (from the repository root)
# Prints only "ok - ...", "not ok - ..." and "#" lines; exits 1 on failure.
BUILD=${1:-build}
RACEDET=$BUILD/bin/racedet
SAMPLES=$BUILD/samples
TMP=$(mktemp -d "${TMPDIR:-/tmp}/racedet-html.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
failed=0

ok() { echo "ok - $1"; }
not_ok() {
    echo "not ok - $1"
    shift
    for _why in "$@"; do echo "# $_why"; done
    failed=1
}

browser() {
    for b in chromium chromium-browser google-chrome; do
        if command -v $b > /dev/null 2>&1; then echo $b; return 0; fi
    done
    return 1
}

BROWSER=$(browser)
if [ -z "$BROWSER" ]; then
    if [ "$(id -u)" = 0 ] && { [ -n "$CI" ] || [ -n "$RACEDET_BROWSER_TESTS" ]; }; then
        echo "# installing chromium for the HTML report test"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
            > "$TMP/apt.log" 2>&1
        BROWSER=$(browser)
        if [ -z "$BROWSER" ]; then
            not_ok "html: chromium could not be installed" "$(tail -n 3 "$TMP/apt.log")"
            exit 1
        fi
    else
        echo "ok - html report in a browser # SKIP chromium not installed (set RACEDET_BROWSER_TESTS=1 as root to install it)"
        exit 0
    fi
fi

for s in lock_order_abba race_counter thread_leak; do
    if [ ! -x "$SAMPLES/$s" ]; then
        echo "not ok - html: $SAMPLES/$s is not built"
        exit 1
    fi
    "$RACEDET" run --format json -o "$TMP/$s.json" -- "$SAMPLES/$s" > /dev/null 2>&1 < /dev/null
done
# a hostile document: names with markup must come out as text
cat > "$TMP/hostile.json" << 'EOF2'
{"tool":"racedet","version":"0.1.0","processes":[{"pid":7,"ppid":1,"exe":"/x","argv":["<b>x</b>"],"exit":null}],
 "findings":[{"kind":"sync_misuse","id":"00000000000000aa","summary":"<script>document.title='pwned'</script><img src=x onerror=alert(1)>",
  "process":7,"occurrences":1,"pids":[7],"threads":[],"locks":[],
  "stacks":[{"role":"<i>role</i>","thread":0,"frames":[{"pc":"0x1","module":"/x","offset":"0x1","function":"evil<svg onload=alert(1)>","file":"a.c","line":1,"inlined":false}]}],
  "details":{}}],"lock_graph":{"locks":[],"edges":[]}}
EOF2
"$RACEDET" report --format html -o "$TMP/report.html" "$TMP/lock_order_abba.json" \
    "$TMP/race_counter.json" "$TMP/thread_leak.json" "$TMP/hostile.json" > "$TMP/err" 2>&1
st=$?
if [ $st -eq 66 ] && [ -s "$TMP/report.html" ]; then
    ok "report --format html writes the page"
else
    not_ok "report --format html writes the page" "status $st" "$(head -n 3 "$TMP/err")"
fi
if grep -Eq '(src|href)="(https?:|//)' "$TMP/report.html" || grep -q '<script' "$TMP/report.html" ||
    grep -q '<link' "$TMP/report.html"; then
    not_ok "the page is self-contained: no scripts, no external resources"
else
    ok "the page is self-contained: no scripts, no external resources"
fi

timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$TMP/profile" \
    --dump-dom "file://$TMP/report.html" > "$TMP/dom.html" 2> "$TMP/browser.err" < /dev/null
st=$?
if [ $st -eq 0 ] && grep -q '</html>' "$TMP/dom.html"; then
    ok "$BROWSER renders the page (headless --dump-dom)"
else
    not_ok "$BROWSER renders the page (headless --dump-dom)" "status $st" "$(tail -n 3 "$TMP/browser.err")"
fi
missing=
for want in 'class="kind">lock_order_cycle' 'class="kind">data_race' 'class="kind">thread_leak' \
    'rotate_log' 'post_transfer' 'process_first_half' 'process_second_half' \
    'log_lock' 'accounts_lock' 'created at' 'id="lock-graph"' '4 findings'; do
    grep -q "$want" "$TMP/dom.html" || missing="$missing [$want]"
done
if [ -z "$missing" ]; then
    ok "the rendered DOM shows every finding's kind, functions, locks, thread creation and the summary"
else
    not_ok "the rendered DOM shows every finding's kind, functions, locks, thread creation and the summary" "missing:$missing"
fi
if command -v dot > /dev/null 2>&1; then
    if grep -q '<svg' "$TMP/dom.html" && grep -q 'class="graph"' "$TMP/dom.html"; then
        ok "the lock-order graph is inline SVG"
    else
        not_ok "the lock-order graph is inline SVG"
    fi
fi
if grep -q '<script>document' "$TMP/dom.html" || grep -q '<img' "$TMP/dom.html" ||
    grep -q '<svg onload' "$TMP/dom.html" || grep -q '<title>pwned' "$TMP/dom.html" ||
    ! grep -q '&lt;script&gt;document.title' "$TMP/dom.html"; then
    not_ok "markup in names and summaries is escaped (shown as text, never run)"
else
    ok "markup in names and summaries is escaped (shown as text, never run)"
fi
exit $failed
