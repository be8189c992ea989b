#!/bin/sh
# screenshots.sh — the README's pictures (docs/img/*.png) are what
# `make screenshots` draws now: a change to the window that moves a pixel
# fails here until the pictures are redrawn, so they never go stale.
# Usage: PORTSIM=build/portsim sh tests/screenshots.sh (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-shots.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
# The same lessons and moments as mk/screenshots.mk.
sed -n 's/^\t$(BUILD)\/portsim render \([^ ]*\) --at \([^ ]*\) -o \(docs\/img\/[^ ]*\)$/\1 \2 \3/p' \
    mk/screenshots.mk >"$T/list"
[ -s "$T/list" ] || { echo "FAIL no pictures found in mk/screenshots.mk"; exit 1; }
while read -r scn at png; do
    "$P" render "$scn" --at "$at" -o "$T/now.png" >/dev/null 2>&1 || { echo "FAIL render $scn"; fails=$((fails + 1)); continue; }
    if cmp -s "$T/now.png" "$png"; then echo "ok   $png is what make screenshots draws"
    else echo "FAIL $png is stale: run 'make screenshots' and commit the pictures"; fails=$((fails + 1)); fi
done <"$T/list"
echo "screenshots.sh: $(wc -l <"$T/list") pictures, $fails stale"
[ "$fails" = 0 ]
