#!/bin/sh
# install.sh — `make install` / `make uninstall` into temporary trees:
#   - every file lands where a Debian program's would (binary, data, man
#     pages, desktop entry, icons, metainfo, bash completion), with PREFIX
#     and with DESTDIR;
#   - the installed binary is the release build (no PS_ASSERT checks);
#   - it finds its fonts and lessons from any folder with no environment
#     variable: through ../share/portsim beside it, and, copied elsewhere,
#     through the share folder compiled in;
#   - the desktop entry, the metainfo and both man pages validate without a
#     warning (where desktop-file-validate, appstreamcli, man or groff exist),
#     and the man page names every option of `portsim --help`;
#   - bash completion offers commands, options, values and .scn files;
#   - `make uninstall` leaves no file behind.
# Usage: PORTSIM=build/portsim sh tests/install.sh   (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-install.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export SDL_VIDEODRIVER=dummy
unset PORTSIM_ASSETS PORTSIM_LESSONS
ID=io.github.portsim.portsim

# The install build goes beside the build under test (BUILD-install); the
# parent make's flags (and jobserver) are not this make's business.
build=$(dirname "$P")
mk() { if [ "$build" = . ]; then MAKEFLAGS= make -s -j2 "$@"; else MAKEFLAGS= make -s -j2 BUILD="$build" "$@"; fi; }

U=$T/usr
if mk install PREFIX="$U" >"$T/log" 2>&1; then ok "make install PREFIX=$U"
else fail "make install:"; sed 's/^/  /' "$T/log" | tail -10; echo "install.sh: cannot go on"; exit 1; fi
( cd "$U" && find . -type f | sort ) >"$T/files"
for f in bin/portsim share/portsim/assets/DejaVuSans.ttf share/portsim/assets/DejaVu-LICENSE.txt \
         share/portsim/scenarios/two-tabs.scn share/portsim/scenarios/two-tabs.trace \
         share/portsim/scenarios/README.md share/man/man1/portsim.1 share/man/man5/portsim-scenario.5 \
         share/applications/$ID.desktop share/metainfo/$ID.metainfo.xml \
         share/bash-completion/completions/portsim share/icons/hicolor/scalable/apps/$ID.svg \
         share/icons/hicolor/48x48/apps/$ID.png share/icons/hicolor/128x128/apps/$ID.png \
         share/icons/hicolor/256x256/apps/$ID.png; do
  grep -qx "./$f" "$T/files" || fail "not installed: $f"
done
n=$(ls scenarios/*.scn | wc -l); m=$(ls "$U"/share/portsim/scenarios/*.scn | wc -l)
[ "$n" = "$m" ] && ok "$(wc -l <"$T/files") files, the $n lessons among them" || fail "$m of $n lessons installed"
[ -x "$U/bin/portsim" ] || fail "bin/portsim is not executable"

# RELEASE=1: PS_ASSERT (sim/base.h) is assert() in the build under test and
# nothing in the release build, so only the former calls glibc's assert.
if ! grep -qaF __assert_fail "$P"; then echo "skip release build: $P has no checks to compare with"
elif ! grep -qaF __assert_fail "$U/bin/portsim"; then ok "the installed binary is the release build (no PS_ASSERT checks)"
else fail "the installed binary has PS_ASSERT checks: not built with RELEASE=1"; fi

# Found from another folder, no environment variable: ../share/portsim.
mkdir -p "$T/elsewhere/bin" && cd "$T/elsewhere" || exit 1
if "$U/bin/portsim" render "$U/share/portsim/scenarios/two-tabs.scn" --at 150ms -o x.png >"$T/out" 2>&1 && [ -s x.png ]
then ok "installed portsim renders a lesson from another folder"
else fail "installed portsim render from another folder:"; sed 's/^/  /' "$T/out" | head -5; fi
"$U/bin/portsim" --help >"$T/help"
grep -q "PORTSIM_LESSONS  .*now $U/bin/../share/portsim/scenarios" "$T/help" &&
  ok "--help names the lessons folder it found" || fail "--help: $(grep PORTSIM_LESSONS "$T/help")"
# Copied away from its tree: the share folder compiled in.
cp "$U/bin/portsim" bin/portsim
if bin/portsim render two-tabs.scn --at 1ms -o y.png >"$T/out" 2>&1; then
  fail "a missing file rendered"
elif bin/portsim render "$U/share/portsim/scenarios/port-conflict.scn" --at 150ms -o y.png >"$T/out" 2>&1 && [ -s y.png ]; then
  ok "a copy of the binary finds the fonts in the compiled-in $U/share/portsim"
else fail "a copy of the binary:"; sed 's/^/  /' "$T/out" | head -5; fi
bin/portsim --help | grep -q "PORTSIM_ASSETS   .*now $U/share/portsim/assets" &&
  ok "... and its --help says so" || fail "copy --help: $(bin/portsim --help | grep PORTSIM_ASSETS)"
"$U/bin/portsim" check "$U"/share/portsim/scenarios/two-tabs.scn "$U"/share/portsim/scenarios/port-conflict.scn \
  >"$T/out" 2>&1 && ok "installed lessons pass against their installed golden traces" ||
  { fail "portsim check on the installed lessons:"; sed 's/^/  /' "$T/out" | head -5; }
cd - >/dev/null || exit 1

# ---- validators: no output at all is the pass ----
validate() { # NAME COMMAND...: passes when the command exits 0 and prints no warning
  name=$1; shift
  if ! command -v "$1" >/dev/null 2>&1; then echo "skip $name: $1 is not installed"; return; fi
  out=$("$@" 2>&1); rc=$?
  if [ $rc = 0 ] && ! printf '%s' "$out" | grep -qiE 'warning|error|hint|^[EWIP]:'; then ok "$name"
  else fail "$name (exit $rc):"; printf '%s\n' "$out" | sed 's/^/  /' | head -10; fi
}
validate "desktop-file-validate $ID.desktop" desktop-file-validate "$U/share/applications/$ID.desktop"
validate "appstreamcli validate --no-net $ID.metainfo.xml" appstreamcli validate --no-net --pedantic \
  "$U/share/metainfo/$ID.metainfo.xml"
for page in man1/portsim.1 man5/portsim-scenario.5; do
  validate "groff -ww -z -man $page" groff -ww -z -man "$U/share/man/$page"
  if command -v man >/dev/null 2>&1; then
    w=$(MANWIDTH=80 man --warnings -l "$U/share/man/$page" 2>&1 >/dev/null)
    [ -z "$w" ] && ok "man --warnings -l $page: no warning" || { fail "man --warnings $page:"; echo "$w" | head -5; }
  fi
done
grep -q "^\.TH PORTSIM 1 .*\"portsim $(cat VERSION)\"" man/portsim.1 && ok "portsim.1 is of version $(cat VERSION)" ||
  fail "man/portsim.1's .TH does not name version $(cat VERSION)"
sed 's/\\-/-/g' man/portsim.1 >"$T/man1"
missing=""
for o in $("$P" --help | grep -oE -- '(^|[ [|,])--?[a-zA-Z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' | sort -u); do
  grep -qF -- "$o" "$T/man1" || missing="$missing $o"
done
[ -z "$missing" ] && ok "portsim.1 names every option of portsim --help" || fail "portsim.1 lacks:$missing"

# ---- bash completion ----
if command -v bash >/dev/null 2>&1; then
  complete_words() { # the words offered for the command line "$1" (cursor at its end)
    bash -c '. "$1"; eval "COMP_WORDS=($2)"; [ "${2% }" != "$2" ] && COMP_WORDS+=("");
             COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _portsim; printf "%s\n" "${COMPREPLY[@]}" | sort' \
      sh "$U/share/bash-completion/completions/portsim" "$1"
  }
  comp_check() { # LINE WANT...: every WANT among the words offered
    line=$1; shift; got=$(complete_words "$line" | tr '\n' ' ')
    for w in "$@"; do case " $got " in *" $w "*) ;; *) fail "completion of '$line': no '$w' in: $got"; return ;; esac; done
    ok "completion of '$line': $*"
  }
  comp_check "portsim ch" check
  comp_check "portsim r" run render
  comp_check "portsim run --fo" --format
  comp_check "portsim run x.scn --format " text jsonl none
  comp_check "portsim render --fr" --frames
  comp_check "portsim check scenarios/two-t" scenarios/two-tabs.scn scenarios/two-tabs-pinned.scn
  complete_words "portsim check scenarios/two-t" | grep -q '\.trace$' && fail "completion offers .trace files"
fi

# ---- uninstall: nothing of ours stays ----
if mk uninstall PREFIX="$U" >"$T/log" 2>&1; then
  left=$(cd "$U" && find . -type f -o -type l)
  if [ -z "$left" ] && [ ! -e "$U/share/portsim" ]; then ok "make uninstall: none of the $(wc -l <"$T/files") files left, nor share/portsim"
  else fail "make uninstall left:"; echo "$left" | head -5; fi
else fail "make uninstall:"; tail -5 "$T/log"; fi

# ---- DESTDIR: a package's staging tree ----
D=$T/dest
if mk install DESTDIR="$D" PREFIX=/usr >"$T/log" 2>&1 && [ -x "$D/usr/bin/portsim" ] &&
   [ -s "$D/usr/share/portsim/scenarios/two-tabs.trace" ] && [ -s "$D/usr/share/man/man1/portsim.1" ]; then
  ( cd "$D/usr" && find . -type f | sort ) | cmp -s - "$T/files" &&
    ok "make install DESTDIR=$D PREFIX=/usr: the same files" || fail "DESTDIR install differs from the PREFIX one"
  grep -qaF "/usr/share/portsim" "$D/usr/bin/portsim" && ok "... with /usr/share/portsim compiled in" ||
    fail "the DESTDIR install's binary does not name /usr/share/portsim"
  mk uninstall DESTDIR="$D" PREFIX=/usr >"$T/log" 2>&1
  [ -z "$(find "$D" -type f -o -type l)" ] && ok "make uninstall DESTDIR=...: nothing left" || fail "DESTDIR uninstall left files"
else fail "make install DESTDIR:"; tail -5 "$T/log"; fi

[ "$fails" = 0 ] || { echo "install.sh: $fails failure(s)"; exit 1; }
echo "install.sh: installs, runs from anywhere, validates and uninstalls cleanly"
