#!/bin/sh
# cli.sh — the command line's edges: --version and -V, COMMAND --help,
# unknown commands and options with "did you mean", extra arguments,
# standard input as "-", the time message shared with the language, the
# headless fallback without a display, and every `portsim render` option
# with its error message and exit code.
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
expect "-V" 0 "^portsim [0-9]" -- -V
expect "unknown option" 2 "unknown option '--frobnicate'" -- --frobnicate
expect "option typo" 2 "unknown option '--verison' (did you mean '--version'?)" -- --verison
for c in run check render verify; do
  expect "$c --help" 0 "^  portsim $c" -- $c --help
  grep -q "^Exit status: 0 ok" "$T/out" || { echo "FAIL $c --help: no exit statuses"; fails=$((fails + 1)); }
done
expect "help: the environment" 0 "PORTSIM_LESSONS" -- --help
expect "command typo" 2 "unknown command 'chek' (did you mean 'check'?)" -- chek scenarios/two-tabs.scn
expect "neither command nor file" 2 "'frobnicate' is neither a command (run, check, quiz, render, verify) nor a file" -- frobnicate
expect "run option typo" 2 "unknown option '--formt' (did you mean '--format'?)" -- run --formt jsonl scenarios/two-tabs.scn
expect "run option without value" 2 "option '--seed' needs a value" -- run scenarios/two-tabs.scn --seed
expect "check option typo" 2 "unknown option '--updte' (did you mean '--update'?)" -- check --updte scenarios/two-tabs.scn
expect "verify option typo" 2 "did you mean '--self-test'" -- verify --self-tset

# The same words for a bad time on the command line as in a file.
printf 'at 1h x\n' >"$T/hour.scn"
want="bad time '1h': expected a number and a unit (us, ms, s or min), like 150ms or 1.5s"
expect "time in a file" 2 "hour.scn:1:4: error: $want" -- run "$T/hour.scn"
expect "time in --until" 2 "portsim run: $want" -- run scenarios/two-tabs.scn --until 1h
expect "time in --at" 2 "portsim render: $want" -- render scenarios/two-tabs.scn --at 1h -o "$T/x.png"

# "-" is standard input for run, check and render, and messages call it <stdin>.
stdin() { name=$1 code=$2 pattern=$3 file=$4; shift 5; "$P" "$@" <"$file" >"$T/out" 2>&1; rc=$?
  if [ "$rc" = "$code" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" "$T/out"; }; then echo "ok   $name"
  else echo "FAIL $name: exit $rc, expected $code and '$pattern'"; sed 's/^/  /' "$T/out" | head -5; fails=$((fails + 1)); fi; }
stdin "run -" 0 "^# portsim trace: Two tabs" scenarios/two-tabs.scn -- run -
stdin "check -" 0 "^ok   <stdin>: 9 expects, 3 questions, no golden trace" scenarios/two-tabs.scn -- check -
stdin "render -" 0 "" scenarios/two-tabs.scn -- render - --at 150ms -o "$T/stdin.png"
[ -s "$T/stdin.png" ] || { echo "FAIL render -: no picture"; fails=$((fails + 1)); }
stdin "an error in standard input" 2 "^<stdin>:1:4: error: bad time '1h'" "$T/hour.scn" -- run -
expect "check --update -" 2 "standard input has no golden trace" -- check --update -
expect "two files" 2 "one scenario file at a time" -- scenarios/two-tabs.scn scenarios/busy-server.scn
( unset DISPLAY WAYLAND_DISPLAY; exec "$P" scenarios/port-conflict.scn ) >"$T/trace" 2>"$T/err"
if [ $? = 0 ] && grep -q "no display found, so running scenarios/port-conflict.scn headless" "$T/err" &&
   cmp -s "$T/trace" scenarios/port-conflict.trace; then
  echo "ok   no display: the trace"
else
  echo "FAIL no display: expected the message and the golden trace"; fails=$((fails + 1))
fi

R="render scenarios/two-tabs.scn"
expect "render --at" 2 "bad time 'soon'" -- $R --at soon -o "$T/x.png"
expect "render --at missing" 2 "--at needs a time" -- $R --at
expect "render -o missing" 2 "-o needs a file name" -- $R --at 1ms -o
expect "render --size" 2 "--size needs WxH" -- $R --size 100x100 -o "$T/x.png"
expect "render --zoom" 2 "--zoom needs a factor" -- $R --zoom 9 -o "$T/x.png"
expect "render --frames" 2 "--frames needs a count" -- $R --frames 0
expect "render unknown option" 2 "unknown option: --fast" -- $R --fast -o "$T/x.png"
expect "render option typo" 2 "unknown option: --frmaes (did you mean '--frames'?)" -- $R --frmaes 3
expect "render -o x.jpg" 2 "cannot write '$T/x.jpg': only PNG pictures are written" -- $R --at 1ms -o "$T/x.jpg"
[ ! -e "$T/x.jpg" ] || { echo "FAIL render -o x.jpg wrote a file"; fails=$((fails + 1)); }
expect "render --at past the end warns" 0 "portsim render: warning: 90s is after the lesson's last event at 0.55 s" \
  -- render scenarios/port-conflict.scn --at 90s -o "$T/late.png"
expect "render --at within the lesson: no warning" 0 "" -- $R --at 150ms -o "$T/x.png"
! grep -q warning "$T/out" || { echo "FAIL render --at 150ms warned"; fails=$((fails + 1)); }
expect "render two files" 2 "more than one scenario file" -- $R scenarios/busy-server.scn -o "$T/x.png"
expect "render no output" 2 "say where the picture goes" -- $R --at 1ms
expect "render unwritable: exit 4, an output could not be written" 4 "cannot write $T/no/x.png" -- $R --at 1ms -o "$T/no/x.png"
expect "render --frames N" 0 "^3 frames at 640x400 in" -- $R --at 100ms --frames 3 --size 640x400 --zoom 1.5
expect "render the lesson" 0 "" -- render --at 150ms --output "$T/lesson.png"
[ -s "$T/lesson.png" ] || { echo "FAIL render the lesson: no $T/lesson.png"; fails=$((fails + 1)); }

[ "$fails" = 0 ] || { echo "cli.sh: $fails failure(s)"; exit 1; }
echo "cli.sh: the command line's errors and fallbacks behave"
