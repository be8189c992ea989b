#!/bin/sh
# ipv6_window.sh — the window shows IPv6 whole: `portsim render --boxes` of
# the dual-stack lesson at 1280x720 and 1920x1080, at the moment the IPv4
# and the IPv6 client's requests arrive, must draw the roof with both
# addresses, the IPv6 envelope's addresses, and the socket table's mapped
# and IPv6 endpoints, each uncut, in their own boxes, overlapping nothing
# (tests/sdl/test_texts.c checks overlaps on every lesson and moment; this
# pins the IPv6 texts themselves). Needs SDL's dummy video driver.
set -u
PORTSIM=${PORTSIM:-./portsim}
command -v python3 >/dev/null || { echo "SKIP ipv6_window.sh: no python3"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

for size in 1280x720 1920x1080; do
    if ! SDL_VIDEODRIVER=dummy "$PORTSIM" render scenarios/dual-stack.scn --at 143ms --size "$size" \
            -o "$tmp/f.png" --boxes "$tmp/b.json" 2>"$tmp/err"; then
        fail "$size: render failed"; sed 's/^/    /' "$tmp/err"; continue
    fi
    python3 - "$tmp/b.json" "$size" <<'PY' || fails=$((fails + 1))
import json, sys
boxes = json.load(open(sys.argv[1]))
size = sys.argv[2]
want = [("roof", "192.0.2.80 · 2001:db8::80"), ("roof", "192.0.2.10 · 2001:db8::10"),
        ("envelope", "2001:db8::10"), ("envelope", "2001:db8::80"),
        ("table", "[::ffff:192.0.2.80]:3000"), ("table", "[::ffff:192.0.2.10]:43832"),
        ("table", "[2001:db8::80]:3000"), ("table", "[2001:db8::10]:40768"), ("table", "*:3000")]
bad = 0
for role, text in want:
    hits = [b for b in boxes if b["role"] == role and b["text"] == text]
    if not hits:
        print(f"FAIL {size}: no {role} text '{text}'"); bad += 1; continue
    b = hits[0]
    if b.get("cut"):
        print(f"FAIL {size}: {role} '{text}' is cut"); bad += 1
    for o in boxes:
        if o is b: continue
        ox = min(b["x"] + b["w"], o["x"] + o["w"]) - max(b["x"], o["x"])
        oy = min(b["y"] + b["h"], o["y"] + o["h"]) - max(b["y"], o["y"])
        if ox > 1 and oy > 1:
            print(f"FAIL {size}: '{text}' overlaps '{o['text']}'"); bad += 1
if not bad:
    print(f"ok   {size}: roof, envelope and table show the IPv6 forms whole, overlapping nothing")
sys.exit(1 if bad else 0)
PY
done
[ "$fails" -eq 0 ] || { echo "ipv6_window.sh: $fails failure(s)"; exit 1; }
echo "ipv6_window.sh: IPv6 texts fit"
