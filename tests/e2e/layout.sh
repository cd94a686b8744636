#!/bin/sh
# layout.sh: the runtime's parts depend on each other one way only
# (docs/design.md, "The parts"): events -> lock_order, races, deadlock -> core;
# sched -> core.
# Outside a part, only its one header (PART/PART.h) is included; the
# analyzer and the tools include nothing of the runtime. Unit tests may
# reach a part's internals (they test them) and are not checked.
# Usage: tests/e2e/layout.sh [BUILD_DIR] (BUILD_DIR unused)
cd "$(dirname "$0")/../.." || exit 1
parts="core lock_order races deadlock sched events"

# allowed FROM: the parts code in FROM may include
allowed() {
    case $1 in
        core) echo "" ;;
        lock_order | races | deadlock | sched) echo "core" ;;
        events) echo "core lock_order races deadlock" ;;
        preload) echo "$parts" ;;
        *) echo "" ;;
    esac
}

# check NAME FROM FILES...: every include of a runtime part in FILES must be
# a part FROM may use, and that part's own header.
check() {
    name=$1 from=$2; shift 2
    bad=""
    for f in "$@"; do
        for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
            part=${inc%%/*}
            [ "$part" = "$inc" ] && continue          # a sibling or a library header
            case " $parts " in *" $part "*) ;; *) continue ;; esac
            [ "$part" = "$from" ] && continue          # a part's own subfolder
            if ! echo " $(allowed "$from") " | grep -q " $part "; then
                bad="$bad $f:$inc(not-allowed)"
            elif [ "$inc" != "$part/$part.h" ]; then
                bad="$bad $f:$inc(internal)"
            fi
        done
    done
    if [ -z "$bad" ]; then
        echo "ok - layout: $name includes only what it may"
    else
        echo "not ok - layout: $name:$bad"
    fi
}

for p in $parts; do
    [ -f "src/runtime/$p/$p.h" ] && echo "ok - layout: src/runtime/$p has its header $p.h" ||
        echo "not ok - layout: src/runtime/$p/$p.h is missing"
    # shellcheck disable=SC2046
    check "src/runtime/$p" "$p" $(find "src/runtime/$p" -name '*.[ch]' | sort)
done
# nothing stands loose at the top of the runtime
loose=$(find src/runtime -maxdepth 1 -type f | sort | tr '\n' ' ')
[ -z "$loose" ] && echo "ok - layout: no file outside a part" ||
    echo "not ok - layout: files outside a part: $loose"
# shellcheck disable=SC2046
check "preload" preload $(find preload -name '*.[ch]' | sort)
# shellcheck disable=SC2046
check "src/cli src/report src/common" tools $(find src/cli src/report src/common -name '*.[ch]' | sort)
