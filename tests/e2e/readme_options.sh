#!/bin/sh
# The README's options section must be exactly what `racedet help options
# --markdown` prints (the option table is the single source of truth).
# With --update as $2, rewrite the section instead of checking it.
BUILD=${1:-build}
gen=$(mktemp); cur=$(mktemp)
trap 'rm -f "$gen" "$cur"' EXIT
"$BUILD/bin/racedet" help options --markdown > "$gen" || { echo "not ok - racedet help options --markdown failed"; exit 0; }
awk '/<!-- options:end -->/{p=0} p{print} /<!-- options:begin -->/{p=1}' README.md > "$cur"
if [ "$2" = "--update" ]; then
    awk -v gen="$gen" '
        /<!-- options:begin -->/ { print; while ((getline line < gen) > 0) print line; skip=1; next }
        /<!-- options:end -->/ { skip=0 }
        !skip { print }' README.md > README.md.new && mv README.md.new README.md
    echo "README.md options section updated"
    exit 0
fi
if cmp -s "$gen" "$cur"; then
    echo "ok - README options section matches the option table"
else
    echo "not ok - README options section differs from the option table (run: make readme)"
    diff "$cur" "$gen" | sed 's/^/# /'
fi
