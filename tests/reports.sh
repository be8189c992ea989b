#!/bin/sh
# reports.sh — CI reports of `portsim check` and `portsim quiz`: the JUnit XML
# (parsed by python3's xml.etree) has one testsuite per scenario file and one
# testcase per check, and its testcase and failure counts equal the summary
# line; every failure names its file:line; the TAP stream passes `prove`
# (and fails it with the same failures); a report with the bytes of a broken
# golden trace still parses; a JUnit file that cannot be written is exit 4.
# Usage: PORTSIM=build/portsim sh tests/reports.sh   (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-reports.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
command -v python3 >/dev/null || { echo "SKIP reports.sh: no python3"; exit 0; }
command -v prove >/dev/null || { echo "SKIP reports.sh: no prove"; exit 0; }

# A scenario whose checks fail in every way: an expect, a question, the golden trace.
cat >"$T/broken.scn" <<'SCN'
host a 10.0.0.1
host b 10.0.0.2
link a b 1ms
proc b srv pid=2 user=alice
at 0ms b srv listen 80 as web
ask 0ms q1 which-result web "What does listen return?" choices "OK" "EADDRINUSE"
expect web ok
expect web errno EADDRINUSE
SCN
printf '# portsim trace: not this one\n\001 <&> "\377\376" ]]>\n' >"$T/broken.trace"
printf 'host a 10.0.0.1\nbogus\n' >"$T/noload.scn"

# junit_counts XML: "testsuites testcases failures", and every failure's text has file:line.
junit_counts() {
  python3 - "$1" <<'PY'
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
cases = root.findall("./testsuite/testcase")
failures = root.findall("./testsuite/testcase/failure")
for s in root.findall("testsuite"):
    assert int(s.get("tests")) == len(s.findall("testcase")), s.get("name")
    assert int(s.get("failures")) == len(s.findall("testcase/failure")), s.get("name")
for c in cases:
    f = c.find("failure")
    if f is not None and c.get("file"):
        assert re.match(r"^.+:\d+: ", f.text), f.text
        assert f.get("message"), c.get("name")
print(len(root.findall("testsuite")), len(cases), len(failures))
PY
}

# check_reports NAME FILES...: summary line vs JUnit vs TAP.
check_reports() {
  name=$1; shift
  "$P" check "$@" >"$T/human" 2>/dev/null
  "$P" check --junit "$T/report.xml" --tap "$@" >"$T/out.tap" 2>"$T/err"
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$T/human")
  [ "$summary" = "$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$T/err")" ] ||
    fail "$name: with --tap the summary moves to stderr unchanged"
  passed=${summary%% passed*}; failed=${summary#*, }; failed=${failed%% failed}
  counts=$(junit_counts "$T/report.xml") || { fail "$name: the JUnit XML does not parse"; return; }
  [ "$counts" = "$# $((passed + failed)) $failed" ] &&
    echo "ok   $name: JUnit has $# suites, $((passed + failed)) testcases, $failed failures, as '$summary'" ||
    fail "$name: JUnit counts '$counts', summary '$summary' over $# files"
  head -1 "$T/out.tap" | grep -qx "TAP version 13" || fail "$name: TAP does not start with its version"
  prove -e cat "$T/out.tap" >"$T/prove" 2>&1
  prc=$?
  if grep -q "Parse errors" "$T/prove"; then fail "$name: prove finds parse errors"; sed 's/^/  /' "$T/prove" | head
  elif [ "$failed" = 0 ] && [ "$prc" = 0 ]; then echo "ok   $name: prove passes the TAP"
  elif [ "$failed" != 0 ] && grep -q "Failed $failed/$((passed + failed)) subtests" "$T/prove"; then
    echo "ok   $name: prove fails the TAP with the same $failed failures"
  else fail "$name: prove exit $prc"; sed 's/^/  /' "$T/prove" | head
  fi
}

check_reports "the lessons" scenarios/*.scn
check_reports "lessons and broken files" scenarios/two-tabs.scn "$T/broken.scn" "$T/noload.scn"
grep -q "^not ok [0-9]* - $T/broken.scn: golden trace$" "$T/out.tap" || fail "the golden trace is a TAP test"
grep -q "^  at: \"$T/broken.scn:8\"$" "$T/out.tap" || fail "a TAP failure says where its expect is"

# quiz --answers: a case per question.
printf 'again 2\nfree 1\n' >"$T/answers"
"$P" quiz scenarios/port-conflict.scn --answers "$T/answers" --junit "$T/quiz.xml" --tap >"$T/quiz.tap" 2>"$T/quiz.err"
rc=$?
[ "$rc" = 1 ] && [ "$(junit_counts "$T/quiz.xml")" = "1 2 1" ] && grep -q "^1 passed, 1 failed$" "$T/quiz.err" &&
  grep -q "^not ok 2 - scenarios/port-conflict.scn: question free$" "$T/quiz.tap" &&
  echo "ok   quiz: JUnit and TAP, one case per question" || fail "quiz reports (exit $rc)"
prove -e cat "$T/quiz.tap" 2>&1 | grep -q "Failed 1/2 subtests" || fail "quiz: prove fails the TAP once"
"$P" quiz scenarios/port-conflict.scn --tap >"$T/out" 2>&1 </dev/null
[ $? = 2 ] && grep -q -- "--tap needs --answers" "$T/out" && echo "ok   quiz --tap needs --answers" ||
  fail "quiz --tap without --answers"

# An unwritable JUnit file: exit 4, and the old file stays.
mkdir "$T/ro" && echo old >"$T/ro/report.xml" && chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
  "$P" check --junit "$T/ro/report.xml" scenarios/two-tabs.scn >"$T/out" 2>&1
  [ $? = 4 ] && grep -qx old "$T/ro/report.xml" && echo "ok   unwritable JUnit: exit 4, old file kept" ||
    fail "unwritable JUnit"
fi
"$P" check --junit "$T/missing/dir/report.xml" scenarios/two-tabs.scn >"$T/out" 2>&1
[ $? = 4 ] && grep -q "cannot write $T/missing/dir/report.xml" "$T/out" &&
  echo "ok   JUnit into a missing folder: exit 4" || fail "JUnit into a missing folder"

[ "$fails" = 0 ] || { echo "reports.sh: $fails failure(s)"; exit 1; }
echo "reports.sh: JUnit and TAP agree with the summary"
