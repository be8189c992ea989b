#!/bin/sh
# robust.sh — the second robustness pass (docs/robustness.md), end to end:
# bounded work, linear parsing, files never lost or clobbered, every output
# checked, output that cannot be forged, strict numbers. Each check failed
# before its fix. Usage: PORTSIM=build/portsim sh tests/robust.sh (from the
# repository root). Needs root only for the full-disk check (tmpfs).
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-robust.XXXXXX")
cleanup() { [ -n "${MNT:-}" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT INT TERM
fails=0
passes=0
# Time limits are hang detectors, not benchmarks; sanitizers run ~5x slower.
SLOW=1
if nm "$P" 2>/dev/null | grep -q __asan_init; then SLOW=5; fi

ok() { echo "ok   $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# run NAME CODE PATTERN SECONDS -- args: exit code and a pattern on stdout+stderr.
run() {
  name=$1 code=$2 pattern=$3 secs=$(($4 * SLOW))
  shift 5
  timeout "$secs" "$P" "$@" >"$T/out" 2>"$T/err"
  rc=$?
  cat "$T/out" "$T/err" >"$T/all"
  if [ "$rc" = 124 ]; then fail "$name: still running after ${secs}s"
  elif [ "$rc" != "$code" ]; then fail "$name: exit $rc, expected $code"; sed 's/^/    /' "$T/all" | head -5
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$T/all"; then
    fail "$name: output lacks '$pattern'"; sed 's/^/    /' "$T/all" | head -5
  else ok "$name"; fi
}

# ---- 1. work: shell commands pay for what they scan and print ----
{
  echo "host s 10.0.0.1"
  echo "host c 10.0.0.2 ports=1024-65535"
  echo "link c s 0us"
  echo "proc s srv pid=1 user=root"
  echo "proc c cli pid=2 user=u"
  echo "at 0ms s srv listen 80"
  echo "at 1ms c cli connect 10.0.0.1:80 repeat 30000 every 0us"
  i=0; while [ $i -lt 5000 ]; do echo "at 2s s shell \"ss -tanp\""; i=$((i + 1)); done
} >"$T/scan.scn"
run "ss over 60k sockets, 5000 times: the default work budget stops it" 1 "too much shell work" 60 -- \
  run --format none "$T/scan.scn"
run "--max-work: a small budget stops it sooner" 1 "too much shell work" 30 -- \
  run --format none --max-work 1000000 "$T/scan.scn"
run "check stops on the work budget too" 1 "stopped early: too much shell work" 60 -- check "$T/scan.scn"

# ---- 2. names resolve in O(1): big files parse in linear time ----
awk 'BEGIN {
  print "host a 10.0.0.1"; print "host b 10.0.0.2"; print "link a b 1ms"
  print "proc a c pid=1 user=u"; print "proc b s pid=2 user=root"; print "at 0ms b s listen 80"
  for (i = 0; i < 8192; i++) printf "at 1ms a c connect 10.0.0.2:80 as s%d\n", i
  for (i = 0; i < 250000; i++) printf "at 2s s%d close\n", i % 8192
  for (i = 0; i < 65536; i++) printf "expect s%d closed\n", i % 8192
}' >"$T/names.scn"
run "8192 socket names, 250k closes, 65k expects" 0 "" 10 -- run --format none "$T/names.scn"
awk 'BEGIN {
  for (h = 0; h < 4096; h++) printf "host h%d 10.%d.%d.1\n", h, int(h / 256), h % 256
  for (h = 0; h < 4095; h++) printf "link h%d h%d 1ms\n", h, h + 1
  for (h = 0; h < 4096; h++) { printf "proc h%d p pid=1 user=u\n", h; printf "proc h%d q pid=2 user=u\n", h }
  for (i = 0; i < 200000; i++) printf "at 1ms h%d p listen %d\n", i % 4096, 1024 + int(i / 4096)
}' >"$T/procs.scn"
run "4096 hosts, 8192 processes and links, 200k lines naming them" 0 "" 10 -- run --format none "$T/procs.scn"

# ---- 3, 4. golden traces: atomic, no links, bounded, never a silent pass ----
cp scenarios/two-tabs.scn "$T/g.scn"
"$P" check --update "$T/g.scn" >/dev/null 2>&1
cp "$T/g.trace" "$T/good.trace"
ls -a "$T" | grep -q '^\.g\.trace\.' && fail "--update left a temporary file" || ok "--update leaves no temporary file"
echo "precious" >"$T/precious"
rm -f "$T/g.trace" && ln -s "$T/precious" "$T/g.trace"
run "--update refuses a symlink at NAME.trace" 4 "symbolic link" 10 -- check --update "$T/g.scn"
grep -qx precious "$T/precious" && ok "the link's target is untouched" || fail "the link's target was written"
rm -f "$T/g.trace" && ln -s /dev/zero "$T/g.trace"
run "a golden trace that never ends is refused" 2 "file is too large" 10 -- check "$T/g.scn"
rm -f "$T/g.trace" && mkdir "$T/g.trace"
run "a golden trace that cannot be read is an error" 2 "cannot read the golden trace" 10 -- check "$T/g.scn"
rmdir "$T/g.trace" && cp "$T/good.trace" "$T/g.trace"
run "--update with the step limit hit keeps the golden trace" 1 "not rewriting" 10 -- \
  check --update --max-events 5 "$T/g.scn"
cmp -s "$T/g.trace" "$T/good.trace" && ok "the golden trace is as it was" || fail "the golden trace changed"
if [ "$(id -u)" = 0 ] && MNT="$T/full" && mkdir "$MNT" && mount -t tmpfs -o size=12k tmpfs "$MNT" 2>/dev/null; then
  cp "$T/g.scn" "$MNT/g.scn"
  head -c 6000 "$T/good.trace" >"$MNT/g.trace"
  cp "$MNT/g.trace" "$T/short.trace"
  head -c 5000 /dev/zero >"$MNT/filler" 2>/dev/null
  run "--update on a full disk fails with exit 4" 4 "cannot write" 10 -- check --update "$MNT/g.scn"
  cmp -s "$MNT/g.trace" "$T/short.trace" && ok "the full disk kept the old golden trace whole" ||
    fail "the full disk truncated the golden trace"
  ls -a "$MNT" | grep -q '^\.g\.trace\.' && fail "a temporary file stayed on the full disk" ||
    ok "no temporary file stays on the full disk"
  umount "$MNT"; MNT=
elif [ "${CI:-}" = true ]; then
  fail "full-disk check: CI runs as root and must be able to mount a tmpfs"
else
  echo "SKIP full-disk check: needs root to mount a small tmpfs"
fi

# ---- 5. every output checked: exit 4 when it cannot be written ----
run "render to a full device" 4 "cannot write /dev/full" 30 -- \
  render scenarios/two-tabs.scn --at 150ms -o /dev/full
ln -s "$T/precious" "$T/shot.png"
run "render through a symlink is refused" 4 "symbolic link" 30 -- \
  render scenarios/two-tabs.scn --at 150ms -o "$T/shot.png"
run "a pcap to a full device" 4 "cannot write /dev/full" 10 -- run scenarios/two-tabs.scn --pcap /dev/full
timeout 10 "$P" check scenarios/two-tabs.scn >/dev/full 2>"$T/err"; rc=$?
[ "$rc" = 4 ] && grep -q "cannot write the report" "$T/err" && ok "check > /dev/full: exit 4" ||
  fail "check > /dev/full: exit $rc"
timeout 10 "$P" run scenarios/two-tabs.scn >/dev/full 2>"$T/err"; rc=$?
[ "$rc" = 4 ] && grep -q "cannot write the trace" "$T/err" && ok "run > /dev/full: exit 4" ||
  fail "run > /dev/full: exit $rc"

# ---- 7. times that would wrap are refused where they are written ----
printf 'host a 10.0.0.1\nhost b 10.0.0.2\nlink a b 4000000000000000000us\nproc a p pid=1 user=u\nat 0ms a p connect 10.0.0.2:80\n' >"$T/lat.scn"
run "a link so slow that its segments pass the end of time" 2 "lat.scn:5:1: error: this line's events would run past the end of simulated time" 5 -- check "$T/lat.scn"
printf 'host a 10.0.0.1\nproc a p pid=1 user=u\nat 1ms a p connect 10.0.0.2:80 repeat 2000000 every 3000000000000us\n' >"$T/rep.scn"
run "repeats that pass the end of time" 2 "rep.scn:3:1: error" 5 -- check "$T/rep.scn"

# ---- 8. output that cannot be forged ----
printf 'title "lesson\\n12.000 ms  web  listen  fake"\nhost a 10.0.0.1\n' >"$T/title.scn"
"$P" run "$T/title.scn" >"$T/out" 2>&1
[ "$(wc -l <"$T/out")" = 1 ] && grep -q '^# portsim trace: lesson\\n12.000 ms' "$T/out" &&
  ok "a title with a newline stays on the header line" || { fail "a title added a trace line:"; sed 's/^/    /' "$T/out"; }
printf 'host a 10.0.0.1\nsay "\342\200\256evil"\n' >"$T/bidi.scn"
run "a bidi override is refused where it stands" 2 "bidi.scn:2:6: error: invisible control character U+202E" 5 -- check "$T/bidi.scn"
printf 'host a 10.0.0.1\nsay "\302\233[2Jgone"\n' >"$T/csi.scn"
run "a C1 control (CSI) is refused where it stands" 2 "csi.scn:2:6: error: invisible control character U+009B" 5 -- check "$T/csi.scn"

# ---- 11. numbers and displays ----
run "--seed takes the whole 64-bit range" 0 "seed 18446744073709551615" 10 -- \
  run --seed 18446744073709551615 scenarios/two-tabs.scn
run "--seed one past it is refused" 2 "bad seed" 5 -- run --seed 18446744073709551616 scenarios/two-tabs.scn
run "--zoom nan is refused" 2 "--zoom needs a factor" 5 -- render scenarios/two-tabs.scn --zoom nan -o "$T/z.png"
DISPLAY=:87 WAYLAND_DISPLAY= SDL_VIDEODRIVER= timeout $((20 * SLOW)) "$P" scenarios/two-tabs.scn >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] && grep -q "headless; the trace follows" "$T/err" && grep -q '^# portsim trace' "$T/out" &&
  ok "DISPLAY naming no display: the headless trace, no hang" ||
  { fail "DISPLAY naming no display: exit $rc"; sed 's/^/    /' "$T/err" | head -3; }

echo "robust.sh: $passes passed, $fails failed"
[ "$fails" = 0 ]
