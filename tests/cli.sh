#!/bin/sh
# cli.sh — the command line's edges: --version, unknown options and extra
# arguments, the headless fallback without a display, and every
# `portsim render` option with its error message and exit code.
# Usage: PORTSIM=build/portsim sh tests/cli.sh   (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
export SDL_VIDEODRIVER=dummy

# expect NAME CODE PATTERN -- portsim args...: the exit code, and PATTERN in
# stdout or stderr (an empty PATTERN: any output).
expect() {
  name=$1 code=$2 pattern=$3
  shift 4
  "$P" "$@" >"$T/out" 2>&1
  rc=$?
  if [ "$rc" != "$code" ]; then
    echo "FAIL $name: exit $rc, expected $code"; sed 's/^/  /' "$T/out" | head -5; fails=$((fails + 1))
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$T/out"; then
    echo "FAIL $name: output lacks '$pattern':"; sed 's/^/  /' "$T/out" | head -5; fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

expect version 0 "^portsim [0-9]" -- --version
expect "unknown option" 2 "unknown option '--frobnicate'" -- --frobnicate
expect "two files" 2 "one scenario file at a time" -- scenarios/two-tabs.scn scenarios/busy-server.scn
( unset DISPLAY WAYLAND_DISPLAY; exec "$P" scenarios/port-conflict.scn ) >"$T/trace" 2>"$T/err"
if [ $? = 0 ] && grep -q "no display found, so running scenarios/port-conflict.scn headless" "$T/err" &&
   cmp -s "$T/trace" scenarios/port-conflict.trace; then
  echo "ok   no display: the trace"
else
  echo "FAIL no display: expected the message and the golden trace"; fails=$((fails + 1))
fi

R="render scenarios/two-tabs.scn"
expect "render --at" 2 "--at needs a time" -- $R --at soon -o "$T/x.png"
expect "render --at missing" 2 "--at needs a time" -- $R --at
expect "render -o missing" 2 "-o needs a file name" -- $R --at 1ms -o
expect "render --size" 2 "--size needs WxH" -- $R --size 100x100 -o "$T/x.png"
expect "render --zoom" 2 "--zoom needs a factor" -- $R --zoom 9 -o "$T/x.png"
expect "render --frames" 2 "--frames needs a count" -- $R --frames 0
expect "render unknown option" 2 "unknown option: --fast" -- $R --fast -o "$T/x.png"
expect "render two files" 2 "more than one scenario file" -- $R scenarios/busy-server.scn -o "$T/x.png"
expect "render no output" 2 "say where the picture goes" -- $R --at 1ms
expect "render unwritable: exit 4, an output could not be written" 4 "cannot write $T/no/x.png" -- $R --at 1ms -o "$T/no/x.png"
expect "render --frames N" 0 "^3 frames at 640x400 in" -- $R --at 100ms --frames 3 --size 640x400 --zoom 1.5
expect "render the lesson" 0 "" -- render --at 150ms --output "$T/lesson.png"
[ -s "$T/lesson.png" ] || { echo "FAIL render the lesson: no $T/lesson.png"; fails=$((fails + 1)); }

[ "$fails" = 0 ] || { echo "cli.sh: $fails failure(s)"; exit 1; }
echo "cli.sh: the command line's errors and fallbacks behave"
