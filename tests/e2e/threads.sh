#!/bin/sh
# Threads (issue 14, items 4 and 7): memory stays flat in the number of
# threads a program makes (each thread's state is freed when it is joined
# or, detached, gone; only its identity stays), and the names programs give
# their threads (pthread_setname_np on itself or another thread,
# prctl(PR_SET_NAME), also after the thread's line was written) are shown.
BUILD=${1:-build}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/racedet-threads.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

# Resident memory after 500 and after 5000 threads, under the shim: what
# grows is the threads' identities (about 170 bytes each); before, 17 KB
# per thread (77 MB here).
for how in join detach; do
    LD_PRELOAD=$BUILD/lib/libracedet.so "$BUILD/tests/e2e/thread_churn" 5000 $how \
        > "$OUT/churn.out" 2> "$OUT/churn.err"
    status=$?
    set -- $(cat "$OUT/churn.out")
    if [ $status -eq 0 ] && [ "$1" = rss ] && [ $(($3 - $2)) -le 4096 ]; then
        echo "ok - 5000 threads ($how): resident memory grew by $(($3 - $2)) KiB after the first 500"
    else
        echo "not ok - 5000 threads ($how): exit $status, $(cat "$OUT/churn.out") (KiB after 500 and 5000)"
        tail -3 "$OUT/churn.err" | sed 's/^/# /'
    fi
done

"$BUILD/bin/racedet" run -- "$BUILD/tests/e2e/thread_names" > "$OUT/names.out" 2> "$OUT/names.err"
status=$?
missing=""
for name in mc-worker prctl-worker late-name named-by-main; do
    grep -q "^  T[0-9]* ($name) created at:" "$OUT/names.err" || missing="$missing $name"
done
if [ $status -eq 66 ] && [ -z "$missing" ] && [ "$(grep -c '^==racedet== lock_order_cycle' "$OUT/names.err")" -eq 2 ]; then
    echo "ok - thread names from pthread_setname_np, prctl and a later rename are shown"
else
    echo "not ok - thread names (exit $status; missing:$missing)"
    grep -E '^==racedet==|^  T[0-9]' "$OUT/names.err" | sed 's/^/# /' | head -12
fi
