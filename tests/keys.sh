#!/bin/sh
# keys.sh — the README's key tables and `portsim --help`'s key list are the
# same rows as the key table the window uses (render/keys.c): the README
# block is exactly `portsim --keys-markdown`, and --help lists the same
# (key, does) pairs. To refresh the README after changing a key, replace the
# block with the output of `portsim --keys-markdown`.
# Usage: PORTSIM=build/portsim sh tests/keys.sh   (from the repository root)
set -u
P=${PORTSIM:-./portsim}
T=$(mktemp -d "${TMPDIR:-/tmp}/portsim-keys.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
BEGIN='<!-- The key tables are `portsim --keys-markdown`'
END='<!-- end of the key tables -->'

"$P" --keys-markdown >"$T/md" || { echo "FAIL portsim --keys-markdown: exit $?"; exit 1; }
"$P" --help >"$T/help" || { echo "FAIL portsim --help: exit $?"; exit 1; }

awk -v b="$BEGIN" -v e="$END" 'index($0, e) == 1 { on = 0 } on { print } index($0, b) == 1 { on = 1 }' \
  README.md >"$T/readme"
if [ ! -s "$T/readme" ]; then
  echo "FAIL README.md has no key-table block between '$BEGIN...' and '$END'"; fails=$((fails + 1))
elif ! cmp -s "$T/md" "$T/readme"; then
  echo "FAIL README.md's key tables differ from portsim --keys-markdown:"
  diff "$T/readme" "$T/md" | head -20; fails=$((fails + 1))
else
  echo "ok   README.md key tables = portsim --keys-markdown ($(grep -c '^| ' "$T/md") lines)"
fi

# (key, does) pairs: Markdown rows without the header and the code-span
# escape; --help rows after "Keys in the window:", split at two spaces.
grep '^| ' "$T/md" | grep -v '^| key | does |$' |
  sed -e 's/^| //' -e 's/ |$//' -e 's/ | /	/' -e 's/`` ` ``/`/g' -e 's/\\|/|/g' >"$T/md.rows"
sed -n '/^Keys in the window:$/,$p' "$T/help" | grep '^  ' |
  sed -e 's/^  //' -e 's/   */	/' >"$T/help.rows"
if [ ! -s "$T/help.rows" ]; then
  echo "FAIL portsim --help has no 'Keys in the window:' list"; fails=$((fails + 1))
elif ! cmp -s "$T/md.rows" "$T/help.rows"; then
  echo "FAIL portsim --help's keys differ from the README's:"
  diff "$T/md.rows" "$T/help.rows" | head -20; fails=$((fails + 1))
else
  echo "ok   portsim --help lists the same $(wc -l <"$T/help.rows") keys"
fi

# The new clicker keys are in all three.
for k in 'PgDn / PgUp' 'Home / End'; do
  grep -q "$k" "$T/help.rows" || { echo "FAIL no '$k' row"; fails=$((fails + 1)); }
done

[ "$fails" = 0 ] || { echo "keys.sh: $fails failure(s)"; exit 1; }
echo "keys.sh: README, --help and the window's key table agree"
