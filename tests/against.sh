#!/bin/sh
# against.sh — `portsim check --against TASK STUDENT...`: the task's `expect`
# lines judge each student's scenario (the student's own expects and golden
# trace do not count); names resolve against the student's file, and a name
# it lacks is an error pointing into the task file, with "did you mean".
# Usage: PORTSIM=build/portsim sh tests/against.sh   (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-against.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0

cat >"$T/task.scn" <<'SCN'
# Task: a server on 8080 and two clients, on different source ports.
host client 10.0.0.1
host server 10.0.0.2
link client server 1ms
proc server web pid=10 user=alice
proc client curl pid=20 user=alice
at 0ms server web listen 8080 as srv
at 1ms client curl connect server:8080 as c1
at 1ms client curl connect server:8080 as c2
expect srv ok
expect 10ms c1 established
expect c1.sport != c2.sport
expect 10ms server established count 2
SCN
# Other addresses, programs, users and times: only the names must match.
cat >"$T/good.scn" <<'SCN'
host client 10.0.0.5
host server 10.0.0.9
link client server 2ms
proc server python3 pid=100 user=bob
proc client firefox pid=200 user=bob
at 0ms server python3 listen 8080 as srv
at 2ms client firefox connect server:8080 as c1
at 3ms client firefox connect server:8080 as c2
expect c1 closed
SCN
echo "this golden trace is not compared" >"$T/good.trace"
sed 's/listen 8080/listen 80/' "$T/good.scn" >"$T/privileged.scn"
sed 's/as c2/as second/' "$T/good.scn" >"$T/misnamed.scn"
sed 's/^host server/host web/; s/ server / web /; s/server:/web:/' "$T/good.scn" >"$T/nohost.scn"

# expect NAME CODE PATTERN -- portsim args...: exit code, and PATTERN in the output.
expect() {
  name=$1 code=$2 pattern=$3
  shift 4
  "$P" "$@" >"$T/out" 2>&1
  rc=$?
  if [ "$rc" != "$code" ]; then
    echo "FAIL $name: exit $rc, expected $code"; sed 's/^/  /' "$T/out" | head -8; fails=$((fails + 1))
  elif ! grep -q -- "$pattern" "$T/out"; then
    echo "FAIL $name: output lacks '$pattern':"; sed 's/^/  /' "$T/out" | head -8; fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

expect "a scenario that does the task" 0 "^4 passed, 0 failed$" -- check --against "$T/task.scn" "$T/good.scn"
expect "the task's line in the failure" 1 \
  "^$T/task.scn:10:1: expect failed: srv ok (at the end: srv EACCES)$" -- check --against "$T/task.scn" "$T/privileged.scn"
expect "several students" 1 "^5 passed, 3 failed$" -- check --against "$T/task.scn" "$T/good.scn" "$T/privileged.scn"
expect "a socket the student did not name" 2 \
  "^$T/task.scn:12:20: error: unknown socket 'c2' (did you mean 'c1'?)$" -- check --against "$T/task.scn" "$T/misnamed.scn"
expect "a host the student did not name" 2 \
  "^$T/task.scn:13:13: error: unknown socket or host 'server'" -- check --against "$T/task.scn" "$T/nohost.scn"
expect "the student's own expects without --against" 1 "expect failed: c1 closed" -- check "$T/good.scn"
expect "a task that is not a scenario" 2 "^$T/good.trace:1:1: error: unknown statement 'this'" -- \
  check --against "$T/good.trace" "$T/good.scn"
expect "--update has nothing to update" 2 "--update rewrites golden traces; --against has none" -- \
  check --update --against "$T/task.scn" "$T/good.scn"

[ "$fails" = 0 ] || { echo "against.sh: $fails failure(s)"; exit 1; }
echo "against.sh: tasks judge students' scenarios"
