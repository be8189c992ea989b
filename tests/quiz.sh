#!/bin/sh
# quiz.sh — `portsim quiz`: the shipped lessons' questions get the answers the
# run computes; an answers file is graded by question id (exit 0 all right,
# 1 otherwise, 2 for a bad file); on the terminal, `?` shows the hint, the
# explanation follows each answer, the trace plays up to each question, and
# the end of input stops the quiz; the window's --no-questions flag is taken.
# Usage: PORTSIM=build/portsim sh tests/quiz.sh   (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-quiz.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# grade NAME CODE PATTERN LESSON ANSWERS-TEXT: the exit code, and PATTERN in the output.
grade() {
  name=$1 code=$2 pattern=$3 lesson=$4
  printf '%b' "$5" >"$T/answers"
  "$P" quiz "$lesson" --answers "$T/answers" >"$T/out" 2>&1
  rc=$?
  if [ "$rc" != "$code" ]; then
    fail "$name: exit $rc, expected $code"; sed 's/^/  /' "$T/out" | head -8
  elif ! grep -q -- "$pattern" "$T/out"; then
    fail "$name: output lacks '$pattern':"; sed 's/^/  /' "$T/out" | head -8
  else
    echo "ok   $name"
  fi
}

# Tab 2's source port, as the trace shows it: the answer must be the run's.
tab2=$("$P" run scenarios/two-tabs.scn | sed -n 's/.* tab2 192\.0\.2\.10:\([0-9]*\) -> .*/\1/p' | head -1)
[ -n "$tab2" ] || fail "no tab2 port in the two-tabs trace"
grade "two-tabs, all right" 0 "^3 passed, 0 failed$" scenarios/two-tabs.scn \
  "door web\nreply $tab2\n# the kind of socket counts too\nrequest connection\n"
grade "two-tabs, by choice number" 0 "^3 of 3 right$" scenarios/two-tabs.scn \
  "door 1\nreply $tab2\nrequest 2\n"
grade "two-tabs, the listener is not the answer for data" 1 \
  "^FAIL request (scenarios/two-tabs.scn:[0-9]*): answered 'web', the answer is connection$" \
  scenarios/two-tabs.scn "door web\nreply $tab2\nrequest web\n"
grade "two-tabs, a port one off" 1 "the answer is $tab2\$" scenarios/two-tabs.scn \
  "door web\nreply $((tab2 + 1))\nrequest connection\n"
grade "port-conflict, all right" 0 "^2 passed, 0 failed$" scenarios/port-conflict.scn \
  "again eaddrinuse\n  free   kill 8401  \r\n"
grade "port-conflict, a question left out" 1 "^FAIL free (scenarios/port-conflict.scn:[0-9]*): not answered$" \
  scenarios/port-conflict.scn "again 2\n"
grade "unknown id" 2 "answers:2:1: error: no question 'fre' in scenarios/port-conflict.scn (did you mean 'free'?)" \
  scenarios/port-conflict.scn "again 2\nfre 2\n"
grade "answered twice" 2 "answers:2:3: error: question 'again' is answered twice (first on line 1)" \
  scenarios/port-conflict.scn "again 2\n  again 1\n"
grade "no questions" 2 "error: no questions ('ask' lines) to ask" scenarios/busy-server.scn ""
"$P" quiz scenarios/two-tabs.scn --answers "$T/missing" >"$T/out" 2>&1
[ $? = 2 ] && grep -q "cannot read the answers" "$T/out" && echo "ok   missing answers file" ||
  fail "missing answers file"

# On the terminal: a hint on '?', the explanation, the trace up to the question.
printf '?\n2\n1\n' | "$P" quiz scenarios/port-conflict.scn >"$T/out" 2>&1
rc=$?
if [ "$rc" = 1 ] &&
   grep -q "^Hint: Port 3000 already has a listener\.$" "$T/out" &&
   grep -q "^Right: EADDRINUSE\.$" "$T/out" &&
   grep -q "^  One port, one listener" "$T/out" &&
   grep -q "^Not quite: the answer is kill 8401\.$" "$T/out" &&
   grep -q "^1 passed, 1 failed$" "$T/out" &&
   [ "$(grep -n 'Question 1 of 2' "$T/out" | cut -d: -f1)" -gt "$(grep -n 'listen      node\[8401\]' "$T/out" | cut -d: -f1)" ] &&
   [ "$(grep -n 'Question 1 of 2' "$T/out" | cut -d: -f1)" -lt "$(grep -n 'error       node\[8402\]' "$T/out" | cut -d: -f1)" ]; then
  echo "ok   on the terminal: hint, right, wrong, explanation, the trace stops before the question"
else
  fail "on the terminal (exit $rc):"; sed 's/^/  /' "$T/out" | head -60
fi
printf 'web\n' | "$P" quiz scenarios/two-tabs.scn >"$T/out" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "(end of input)" "$T/out" && grep -q "^1 passed, 2 failed$" "$T/out" &&
  echo "ok   the end of input stops the quiz" || fail "end of input (exit $rc)"

# The window's flag: without a display the lesson's trace, questions or not.
( unset DISPLAY WAYLAND_DISPLAY; exec "$P" --no-questions scenarios/two-tabs.scn ) >"$T/trace" 2>/dev/null
[ $? = 0 ] && cmp -s "$T/trace" scenarios/two-tabs.trace && echo "ok   --no-questions without a display: the trace" ||
  fail "--no-questions without a display"

[ "$fails" = 0 ] || { echo "quiz.sh: $fails failure(s)"; exit 1; }
echo "quiz.sh: questions, answers and grading behave"
