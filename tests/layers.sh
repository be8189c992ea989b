#!/bin/sh
# layers.sh — the layer rules the Makefile's include paths cannot express:
#   - every file of the kernel model (sim/) is plain C11: it compiles alone
#     with -std=c11 -pedantic -Werror, no feature macro, no other folder;
#   - the kernel model does no I/O and knows no tools (no stdio streams, no
#     files, no system calls, no ps_shell);
#   - the view model (render/, not render/sdl/) compiles without SDL headers;
#   - only render/sdl/ includes SDL, only trace/ includes libpcap;
#   - nothing outside verify/ creates namespaces or runs `ip`.
# Run from the repository root (the Makefile does). POSIX sh.
set -u
CC=${CC:-cc}
fails=0
passes=0
ok() { echo "ok   $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

for f in sim/*.c; do
    if "$CC" -std=c11 -pedantic -Werror -Wall -Wextra -Isim -fsyntax-only "$f" 2>/tmp/layers.$$; then
        :
    else
        fail "$f is not plain C11 on its own:"; sed 's/^/    /' /tmp/layers.$$
    fi
done
rm -f /tmp/layers.$$
[ "$fails" = 0 ] && ok "sim/*.c compile with -std=c11 -pedantic -Werror -Isim only"

# What the kernel model must not use. Comments mentioning the words are fine:
# the patterns look for calls and includes.
bad=$(grep -nE '(^|[^a-z_])(fopen|fprintf|printf|fputs|fwrite|fread|open|close|read|write|mmap|madvise|getenv|time|clock_gettime|system|popen)[[:space:]]*\(|#include <(unistd|fcntl|sys/[a-z]+)\.h>|ps_shell|_DEFAULT_SOURCE|_GNU_SOURCE|_POSIX_C_SOURCE' sim/*.c sim/*.h |
      grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' |
      grep -vE 'ps_engine_close|ps__sock_release|sbuf.c:.*vsnprintf|units.c:.*snprintf')
if [ -n "$bad" ]; then
    fail "the kernel model does I/O or names a tool:"; echo "$bad" | sed 's/^/    /'
else
    ok "sim/ does no I/O, reads no clock, names no tool"
fi

# stdio is allowed in sim/ only for formatting into memory (snprintf).
bad=$(grep -n '#include <stdio.h>' sim/*.c | grep -vE 'sim/(sbuf|units)\.c:')
[ -z "$bad" ] && ok "stdio only where sim/ formats into memory (sbuf.c, units.c)" ||
    { fail "stdio in sim/:"; echo "$bad" | sed 's/^/    /'; }

for f in render/*.c; do
    "$CC" -std=c11 -D_DEFAULT_SOURCE -fsyntax-only -Isim -Iio -Ilang -Iuserland -Itrace -Irender "$f" \
        2>/tmp/layers.$$ || { fail "$f needs more than the layers below the view model:"; sed 's/^/    /' /tmp/layers.$$; }
done
rm -f /tmp/layers.$$
ok "the view model (render/*.c) compiles without SDL or any higher layer"

bad=$(grep -rln '#include <SDL' --include=*.c --include=*.h sim io lang userland trace render verify cli |
      grep -v '^render/sdl/')
[ -z "$bad" ] && ok "only render/sdl/ includes SDL" || fail "SDL included outside render/sdl/: $bad"

bad=$(grep -rln '#include <pcap' --include=*.c --include=*.h sim io lang userland trace render verify cli |
      grep -v '^trace/')
[ -z "$bad" ] && ok "only trace/ includes libpcap" || fail "libpcap included outside trace/: $bad"

bad=$(grep -rnE 'unshare|setns|"ip"|/ip"|CLONE_NEW' --include=*.c sim io lang userland trace render cli)
[ -z "$bad" ] && ok "only verify/ makes namespaces or runs ip" ||
    { fail "namespace code outside verify/:"; echo "$bad" | sed 's/^/    /'; }

echo "layers.sh: $passes passed, $fails failed"
[ "$fails" = 0 ]
