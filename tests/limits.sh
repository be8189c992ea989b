#!/bin/sh
# limits.sh — no scenario file can make portsim hang or eat the machine:
# each run here is bounded in time (timeout) and address space (ulimit -v)
# and must end with the right message and exit code (docs/robustness.md).
# Usage: PORTSIM=build/portsim sh tests/limits.sh   (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-limits.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
# Sanitizer builds reserve terabytes of address space: no ulimit -v there.
MEM_KB=1048576
if nm "$P" 2>/dev/null | grep -q __asan_init; then MEM_KB=unlimited; fi

# expect NAME CODE PATTERN SECONDS -- portsim args...: runs portsim with the
# time and memory bounds and checks its exit code and that stderr matches.
expect() {
  name=$1 code=$2 pattern=$3 secs=$4
  shift 5
  ( ulimit -v $MEM_KB 2>/dev/null; exec timeout "$secs" "$P" "$@" ) >"$T/out" 2>"$T/err"
  rc=$?
  if [ "$rc" = 124 ]; then
    echo "FAIL $name: still running after ${secs}s"; fails=$((fails + 1))
  elif [ "$rc" != "$code" ]; then
    echo "FAIL $name: exit $rc, expected $code"; sed 's/^/  /' "$T/err" | head -5; fails=$((fails + 1))
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$T/err"; then
    echo "FAIL $name: stderr lacks '$pattern':"; sed 's/^/  /' "$T/err" | head -5; fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

# ---- queue steps per run ----
# 30 lines x 2,000,000 connects at one instant: 60 million queue steps wanted,
# the default limit (50,000,000) stops it; the queue stays small meanwhile.
{
  echo "host a 10.0.0.1"
  echo "proc a p pid=1 user=u"
  i=0; while [ $i -lt 30 ]; do echo "at 0ms a p connect 10.9.9.9:80 repeat 2000000 every 0us"; i=$((i + 1)); done
} >"$T/forever.scn"
expect "default step limit" 1 "stopped after 50000000 queue steps: too many queue steps (the step limit; see --max-steps)" 60 -- \
  run --format none "$T/forever.scn"
expect "--max-steps 1000" 1 "stopped after 1000 queue steps" 10 -- run --max-steps 1000 "$T/forever.scn"
expect "--max-steps 0 is refused" 2 "bad --max-steps '0'" 5 -- run --max-steps 0 "$T/forever.scn"
expect "--max-steps junk is refused" 2 "bad --max-steps 'lots'" 5 -- run --max-steps=lots "$T/forever.scn"
expect "check --max-steps 0 is refused" 2 "bad --max-steps '0'" 5 -- check --max-steps 0 "$T/forever.scn"
# `portsim check` keeps only the first 256 KiB of a trace and a digest of the
# rest, so the same runaway stays within the memory bound there too.
expect "check: step limit, bounded memory" 1 "" 60 -- check --max-steps 5000000 "$T/forever.scn"
grep -q "the run stopped early: too many queue steps" "$T/out" ||
  { echo "FAIL check: no 'stopped early' report"; fails=$((fails + 1)); }

# ---- --max-steps counts queue steps, not events; --max-events is its alias ----
# One step (a SYN's arrival, say) can emit several events: two-tabs stopped
# after 10 steps prints more than 10 event lines. The deprecated spelling
# must give byte-identical output and the same status, for run and check.
same() { # NAME -- portsim args with @ where the option name goes
  name=$1; shift 2
  a=$(echo "$@" | sed 's/@/--max-steps/'); b=$(echo "$@" | sed 's/@/--max-events/')
  # shellcheck disable=SC2086
  "$P" $a >"$T/a.out" 2>"$T/a.err"; ra=$?
  # shellcheck disable=SC2086
  "$P" $b >"$T/b.out" 2>"$T/b.err"; rb=$?
  if [ "$ra" != "$rb" ] || ! cmp -s "$T/a.out" "$T/b.out" || ! cmp -s "$T/a.err" "$T/b.err"; then
    echo "FAIL $name: --max-events differs from --max-steps (exit $ra vs $rb)"; fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}
expect "--max-steps 10 stops after 10 queue steps" 1 \
  "two-tabs.scn: error: stopped after 10 queue steps: too many queue steps" 10 -- \
  run --max-steps 10 scenarios/two-tabs.scn
n=$(grep -c -v '^#' "$T/out")
if [ "$n" -gt 10 ]; then echo "ok   10 steps printed $n events (more than 10)"
else echo "FAIL 10 steps printed $n events: expected more than 10"; fails=$((fails + 1)); fi
# The 10th step is the last one run: 11 steps show more of the trace.
"$P" run --max-steps 11 scenarios/two-tabs.scn >"$T/eleven" 2>/dev/null
if [ "$(grep -c -v '^#' "$T/eleven")" -gt "$n" ]; then echo "ok   an 11th step runs more"
else echo "FAIL --max-steps 11 printed no more than --max-steps 10"; fails=$((fails + 1)); fi
expect "--max-events 10 (deprecated alias) is accepted" 1 "stopped after 10 queue steps" 10 -- \
  run --max-events 10 scenarios/two-tabs.scn
expect "--max-events 0 is refused under its own name" 2 "bad --max-events '0'" 5 -- \
  run --max-events 0 scenarios/two-tabs.scn
same "run: --max-events 10 = --max-steps 10" -- run @ 10 scenarios/two-tabs.scn
same "run jsonl: --max-events=10 = --max-steps=10" -- run --format jsonl @=10 scenarios/two-tabs.scn
same "check: --max-events 10 = --max-steps 10" -- check @ 10 scenarios/two-tabs.scn
same "run to the end: --max-events 1000000 = --max-steps 1000000" -- run @ 1000000 scenarios/two-tabs.scn

# Real connections, as fast as the language allows, until the limit: client
# and server sockets pile up; memory must stay bounded (1 GiB here).
{
  echo "host s 10.0.0.1"
  for h in 1 2 3 4; do echo "host c$h 10.0.1.$h ports=1-65535 unpriv=0"; echo "link c$h s 0us"; done
  echo "proc s srv pid=1 user=root"
  for h in 1 2 3 4; do echo "proc c$h cli pid=2 user=u"; done
  for port in 80 81 82 83 84 85 86 87; do echo "at 0ms s srv listen $port"; done
  for port in 80 81 82 83 84 85 86 87; do
    for h in 1 2 3 4; do echo "at 1ms c$h cli connect 10.0.0.1:$port repeat 2000000 every 0us"; done
  done
} >"$T/flood.scn"
expect "connection flood: bounded by the limit" 1 "stopped after 3000000 queue steps" 120 -- \
  run --format none --max-steps 3000000 "$T/flood.scn"

# An event that keeps one event at the current time and many later ones used
# to make the queue quadratic (tests/fuzz/regressions/evq-quadratic-*).
expect "repeat every 0us over a 1us link ends quickly" 0 "" 30 -- \
  run --format none tests/fuzz/regressions/evq-quadratic-repeat-every-0us.scn

# ---- repeat counts ----
expect "repeat above 2000000 is refused" 2 "repeat count 2000001 is out of range (1 to 2000000)" 5 -- \
  check tests/bad/repeat_too_many.scn

# ---- file size and line length ----
# PS_MAX_FILE_BYTES is 16 MiB: one byte more is refused before parsing.
head -c 16777217 /dev/zero | tr '\0' '#' >"$T/big.scn"
expect "file above 16 MiB is refused" 2 "file is too large" 10 -- check "$T/big.scn"
# A file exactly at the limit is read (then refused for what it says).
{ echo "host a 10.0.0.1"; head -c $((16777216 - 16)) /dev/zero | tr '\0' '\n'; } >"$T/edge.scn"
expect "file of exactly 16 MiB is read" 0 "" 60 -- run --format none "$T/edge.scn"
# PS_LINE_MAX is 4096 bytes: a 10 MB line is refused at column 4097.
{ printf '# '; head -c 10000000 /dev/zero | tr '\0' 'x'; echo; } >"$T/longline.scn"
expect "10 MB line is refused" 2 "longline.scn:1:4097" 10 -- check "$T/longline.scn"
# A pipe has no size to check first: the reader stops at the limit anyway.
if [ -e /dev/stdin ]; then
  ( ulimit -v $MEM_KB 2>/dev/null; head -c 40000000 /dev/zero | tr '\0' '#' | timeout 20 "$P" check /dev/stdin ) \
    >"$T/out" 2>"$T/err"
  rc=$?
  if [ "$rc" = 2 ] && grep -q "file is too large" "$T/err"; then echo "ok   40 MB from a pipe is refused"
  else echo "FAIL 40 MB from a pipe: exit $rc"; head -3 "$T/err"; fails=$((fails + 1)); fi
fi

# ---- hosts, processes, sockets (sizes a lecture never needs) ----
# 2,000 hosts, 2,000 processes and 2,000 named sockets load and run quickly.
{
  i=0; while [ $i -lt 2000 ]; do echo "host h$i 10.1.$((i / 256)).$((i % 256))"; i=$((i + 1)); done
  echo "link h0 h1 1ms"
  i=0; while [ $i -lt 2000 ]; do echo "proc h0 p$i pid=$((i + 1)) user=u"; i=$((i + 1)); done
  echo "proc h1 srv pid=1 user=root"
  echo "at 0ms h1 srv listen 80"
  i=0; while [ $i -lt 2000 ]; do echo "at 1ms h0 p$i connect h1:80 as s$i"; i=$((i + 1)); done
  echo "expect 1s h1 established count 2000"
} >"$T/wide.scn"
expect "2000 hosts, procs and sockets" 0 "" 30 -- check "$T/wide.scn"

# Declared items are capped (PS_MAX_HOSTS ...) with a located error.
{
  i=0; while [ $i -lt 4097 ]; do echo "host h$i 10.2.$((i / 256)).$((i % 256))"; i=$((i + 1)); done
} >"$T/hosts.scn"
expect "4097 hosts are refused" 2 "hosts.scn:4097:1: error: too many hosts: a scenario may have at most 4096" 10 -- \
  check "$T/hosts.scn"

# Live sockets are capped (PS_MAX_LIVE_SOCKETS, 2^22): a flood of 2.4 million
# connections stops there with its own message, within the memory bound.
{
  echo "host s 10.0.0.1"
  for h in 1 2 3 4 5; do echo "host c$h 10.0.1.$h ports=1-65535 unpriv=0"; echo "link c$h s 0us"; done
  echo "proc s srv pid=1 user=root"
  for h in 1 2 3 4 5; do echo "proc c$h cli pid=2 user=u"; done
  for port in 80 81 82 83 84 85 86 87; do echo "at 0ms s srv listen $port"; done
  for port in 80 81 82 83 84 85 86 87; do
    for h in 1 2 3 4 5; do echo "at 1ms c$h cli connect 10.0.0.1:$port repeat 60000 every 0us"; done
  done
} >"$T/sockets.scn"
expect "live socket cap" 1 "too many sockets alive at once" 120 -- run --format none "$T/sockets.scn"

if [ "$fails" != 0 ]; then echo "limits.sh: $fails failed"; exit 1; fi
echo "limits.sh: all passed"
