#!/bin/sh
# bench/real/fetch.sh: Debian 12 source packages for the real-program
# benchmark, fetched with `apt-get source` through a private apt
# configuration, so that the machine's own apt lists, cache and sources stay
# as they are.
#
#   sh bench/real/fetch.sh [-d] CACHE_DIR PACKAGE...
#
# -d: download the package's files (.dsc, tarballs) into CACHE_DIR/src/PACKAGE/
# without unpacking them, for a caller that extracts only a part of a large
# source (bench/peers/llvm_tsan.sh).
#
# CACHE_DIR/apt/ holds the private sources.list (one deb-src line for
# bookworm main), its state and cache; CACHE_DIR/src/PACKAGE/ the unpacked
# source tree (the one directory in it). A package already unpacked is not
# fetched again. The archive's address is not written down anywhere in the
# repository: it is read at run time from the machine's apt configuration
# (/etc/apt/sources.list and sources.list.d, one-line or deb822 format),
# from the first entry for bookworm main.
#
# Exits 0 if it got all; for a package it could not get, CACHE_DIR/src/PACKAGE.log
# says why. When the archive cannot be reached at all it says so in one line.
set -u
ONLY=""
if [ "${1:-}" = -d ]; then
    ONLY=--download-only
    shift
fi
CACHE=$1
shift
APT=$CACHE/apt
mkdir -p "$APT/parts" "$APT/state/lists/partial" "$APT/cache/archives/partial" "$CACHE/src"
APT=$(cd "$APT" && pwd)

# "URI SIGNED_BY" of the first bookworm main entry (SIGNED_BY may be empty)
archive() {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '/^[ \t]*deb(-src)?[ \t]/ {
                sb = ""
                if (match($0, /\[[^]]*\]/)) {
                    opts = substr($0, RSTART + 1, RLENGTH - 2)
                    if (match(opts, /signed-by=[^ ]+/)) sb = substr(opts, RSTART + 10, RLENGTH - 10)
                    sub(/\[[^]]*\]/, "")
                }
                if ($3 != "bookworm") next
                for (i = 4; i <= NF; i++) if ($i == "main") { print $2, sb; exit }
            }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = "" }
            {
                uri = ""; sb = ""; bw = 0; mn = 0; on = 1
                n = split($0, line, "\n")
                for (i = 1; i <= n; i++) {
                    if (line[i] ~ /^[ \t]*#/) continue
                    k = line[i]; sub(/:.*/, "", k); v = line[i]; sub(/^[^:]*:[ \t]*/, "", v)
                    if (k == "URIs") { split(v, u, /[ \t]+/); uri = u[1] }
                    else if (k == "Suites") bw = (" " v " ") ~ /[ \t]bookworm[ \t]/
                    else if (k == "Components") mn = (" " v " ") ~ /[ \t]main[ \t]/
                    else if (k == "Signed-By" && v ~ /^\//) sb = v
                    else if (k == "Enabled" && v == "no") on = 0
                }
                if (uri != "" && bw && mn && on) { print uri, sb; exit }
            }' "$f"
    done | head -1
}

# every apt-get below reads this file (APT_CONFIG) on top of apt.conf.d
cat > "$APT/apt.conf" <<EOF
Dir::Etc::sourcelist "$APT/sources.list";
Dir::Etc::sourceparts "$APT/parts";
Dir::State "$APT/state";
Dir::Cache "$APT/cache";
APT::Sandbox::User "root";
Acquire::Retries "1";
Acquire::http::Timeout "30";
EOF
export APT_CONFIG="$APT/apt.conf"

if ! ls "$APT/state/lists/"*Sources* > /dev/null 2>&1; then
    entry=$(archive)
    if [ -z "$entry" ]; then
        echo "fetch: no Debian bookworm main entry in the machine's apt configuration; no sources"
        exit 1
    fi
    uri=${entry%% *}
    sb=${entry#"$uri"}
    sb=${sb# }
    if [ -n "$sb" ]; then
        echo "deb-src [signed-by=$sb] $uri bookworm main" > "$APT/sources.list"
    else
        echo "deb-src $uri bookworm main" > "$APT/sources.list"
    fi
    if ! timeout 300 apt-get -q update > "$APT/update.log" 2>&1 ||
        ! ls "$APT/state/lists/"*Sources* > /dev/null 2>&1; then
        echo "fetch: apt-get update of the private source list failed (no network?):" \
            "$(grep -m1 -E '^(Err|E):' "$APT/update.log" || tail -1 "$APT/update.log")"
        exit 1
    fi
fi

status=0
for pkg in "$@"; do
    dir=$CACHE/src/$pkg
    if [ -f "$dir/.fetched" ]; then
        continue
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if (cd "$dir" && timeout 600 apt-get -q source $ONLY "$pkg") > "$CACHE/src/$pkg.log" 2>&1; then
        touch "$dir/.fetched"
    else
        rm -rf "$dir"
        status=1
    fi
done
exit $status
