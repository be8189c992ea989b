#!/bin/sh
# web_trace.sh — the engine compiled to WebAssembly is the native engine:
# `node build-web/portsim-cli.js` (mk/web.mk) and the native `portsim` give
# byte-identical output and the same exit status for
#   - `run` of every shipped lesson, text and jsonl, at the file's seed and
#     three others;
#   - `run --pcap` captures of two lessons (web/pcap_dump.c against libpcap);
#   - `check` of every lesson (expectations and golden traces);
#   - every bad scenario in tests/bad/ (the same file:line:col error).
# Node or the web build missing: a SKIP line outside CI, a failure under
# CI=true. Run from the repository root with $PORTSIM and $PORTSIM_WEB_CLI
# set (`make check-web` does). POSIX sh.
set -u
PORTSIM=${PORTSIM:-build/portsim}
CLI=${PORTSIM_WEB_CLI:-build-web/portsim-cli.js}
SEEDS="1 7 12345"

missing=""
command -v node >/dev/null 2>&1 || missing="node is not installed"
[ -n "$missing" ] || [ -f "$CLI" ] || missing="$CLI is not built (make web)"
[ -n "$missing" ] || [ -x "$PORTSIM" ] || missing="$PORTSIM is not built"
if [ -n "$missing" ]; then
    if [ "${CI:-}" = true ]; then echo "FAIL web_trace.sh: $missing (CI=true: this test must run)"; exit 1; fi
    echo "SKIP web_trace.sh: $missing"
    exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fails=0
passes=0

# same NAME ARGS...: runs both with ARGS; stdout, stderr and status must match.
same() {
    name=$1
    shift
    "$PORTSIM" "$@" >"$tmp/n.out" 2>"$tmp/n.err"
    nrc=$?
    node "$CLI" "$@" >"$tmp/w.out" 2>"$tmp/w.err"
    wrc=$?
    if [ "$nrc" != "$wrc" ]; then
        echo "FAIL $name: exit status native $nrc, web $wrc"; sed 's/^/    web: /' "$tmp/w.err" | head -5
        fails=$((fails + 1))
    elif ! cmp -s "$tmp/n.out" "$tmp/w.out"; then
        echo "FAIL $name: standard output differs"
        diff "$tmp/n.out" "$tmp/w.out" | head -6 | sed 's/^/    /'
        fails=$((fails + 1))
    elif ! cmp -s "$tmp/n.err" "$tmp/w.err"; then
        echo "FAIL $name: standard error differs"
        diff "$tmp/n.err" "$tmp/w.err" | head -6 | sed 's/^/    /'
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
        return 0
    fi
    return 1
}

# A comparison of two empty outputs proves nothing: the traces must be traces.
nonempty() {
    if head -c 16 "$tmp/n.out" | grep -q "$2"; then return 0; fi
    echo "FAIL $1: the native output does not start with '$2'"
    fails=$((fails + 1))
}

for f in scenarios/*.scn; do
    for seed in "" $SEEDS; do
        for fmt in text jsonl; do
            set -- run "$f" --format "$fmt"
            [ -n "$seed" ] && set -- "$@" --seed "$seed"
            same "$*" "$@" || continue
            if [ "$fmt" = text ]; then nonempty "$*" "# portsim"; else nonempty "$*" "{"; fi
        done
    done
    same "check $f" check "$f"
done

for f in scenarios/two-tabs.scn scenarios/port-conflict.scn; do
    rm -f "$tmp/n.pcap" "$tmp/w.pcap"
    "$PORTSIM" run "$f" --format none --pcap "$tmp/n.pcap" >/dev/null 2>&1
    node "$CLI" run "$f" --format none --pcap "$tmp/w.pcap" >/dev/null 2>&1
    if [ -s "$tmp/n.pcap" ] && cmp -s "$tmp/n.pcap" "$tmp/w.pcap"; then
        passes=$((passes + 1))
    else
        echo "FAIL run $f --pcap: the captures differ (or are empty)"
        fails=$((fails + 1))
    fi
done

for f in tests/bad/*.scn; do
    same "run $f" run "$f" || continue
    if ! grep -q "^$f:[0-9]*:[0-9]*: error: " "$tmp/n.err"; then
        echo "FAIL run $f: no file:line:col error on standard error"
        fails=$((fails + 1))
    fi
done

echo "web_trace.sh: $passes identical, $fails different"
[ "$fails" = 0 ]
