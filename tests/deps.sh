#!/bin/sh
# deps.sh — tools/deps.sh installs only what is missing, and says so:
#   - with everything present it prints nothing and never calls apt-get;
#   - a library pkg-config cannot find is installed by its Debian package,
#     named first, with apt-get's own output shown (not silenced);
#   - a machine with the libraries but without dpkg or apt-get (not Debian)
#     passes; one that lacks a library is told what to install.
# apt-get, sudo and pkg-config are stand-ins here: nothing is installed.
# Usage: sh tests/deps.sh   (from the repository root; PORTSIM is not used)
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-deps.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# A PATH of only what deps.sh and its probes use, with no apt-get and no
# dpkg: a machine that is not Debian.
mkdir -p "$T/bin" "$T/fake"
for c in sh cc make pkg-config tshark ip desktop-file-validate appstreamcli groff man id ls cat rm; do
  p=$(command -v "$c") && ln -s "$p" "$T/bin/$c"
done
# The stand-ins: apt-get and sudo log their calls and print what apt would.
cat >"$T/fake/apt-get" <<EOS
#!/bin/sh
echo "apt-get \$*" >>"$T/apt.log"
echo "Reading package lists..."
EOS
printf '#!/bin/sh\necho "sudo $*" >>"%s/apt.log"\nexec "$@"\n' "$T" >"$T/fake/sudo"
# pkg-config that cannot find cmocka, and answers the rest as the real one.
printf '#!/bin/sh\nfor a; do [ "$a" = cmocka ] && exit 1; done\nexec "%s" "$@"\n' "$(command -v pkg-config)" \
  >"$T/fake/pkg-config"
chmod +x "$T/fake/"*

run() { PATH=$1 sh tools/deps.sh --test >"$T/out" 2>&1; }

if ! PATH=$T/bin sh tools/deps.sh --test >/dev/null 2>&1; then
  echo "skip deps.sh: this machine lacks what the tests need (make check installs it first)"
  exit 0
fi

rm -f "$T/apt.log"
run "$T/bin:$T/fake:$PATH"; rc=$?
if [ $rc = 0 ] && [ ! -s "$T/out" ] && [ ! -e "$T/apt.log" ]; then ok "all present: silent, no apt-get"
else fail "all present: exit $rc, apt-get $([ -e "$T/apt.log" ] && echo called || echo not called)"; sed 's/^/  /' "$T/out"; fi

run "$T/bin"; rc=$?
[ $rc = 0 ] && [ ! -s "$T/out" ] && ok "not Debian (no dpkg, no apt-get), libraries present: passes" ||
  { fail "not Debian, libraries present: exit $rc"; sed 's/^/  /' "$T/out"; }

# cmocka missing: its package installed, named first, apt's output visible.
ln -sf "$T/fake/pkg-config" "$T/bin/pkg-config"
ln -s "$T/fake/apt-get" "$T/bin/apt-get"
ln -s "$T/fake/sudo" "$T/bin/sudo"
rm -f "$T/apt.log"
run "$T/bin"; rc=$?
if [ $rc = 0 ] && grep -q "cmocka (Debian package libcmocka-dev)" "$T/out" &&
   grep -q "^Reading package lists" "$T/out" &&
   grep -q "apt-get install -y -q --no-install-recommends libcmocka-dev$" "$T/apt.log"; then
  ok "a library pkg-config cannot find: 'apt-get install libcmocka-dev' and only that, apt's output shown"
else fail "missing cmocka: exit $rc"; sed 's/^/  out: /' "$T/out"; sed 's/^/  log: /' "$T/apt.log" 2>/dev/null; fi

rm "$T/bin/apt-get"
run "$T/bin"; rc=$?
[ $rc = 1 ] && grep -q "no apt-get here: install the equivalents of libcmocka-dev" "$T/out" &&
  ok "not Debian, a library missing: exit 1 and what to install" || { fail "no apt-get: exit $rc"; sed 's/^/  /' "$T/out"; }

[ "$fails" = 0 ] || { echo "deps.sh: $fails failure(s)"; exit 1; }
echo "deps.sh: installs only what is missing, and says what"
