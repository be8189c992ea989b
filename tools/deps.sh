#!/bin/sh
# deps.sh — makes sure what portsim needs to build (and, with --test, to
# test) is there, and installs with apt-get only what is missing. Used by
# `make deps` (and so `make run`), `make check`, `make install` and .ci/run.
#   tools/deps.sh          what building and running needs
#   tools/deps.sh --test   also what the tests need
#   tools/deps.sh --packages PKG...   these Debian packages (the optional
#                          tools of mk/*.mk: clang, valgrind, gcovr...,
#                          through the ps_apt_install macro)
# Libraries are looked for with pkg-config and tools on the PATH, not in
# dpkg's database, so a machine that is not Debian but has them passes; a
# machine that lacks them and has no apt-get gets the list to install. When
# everything is there, this prints nothing and takes a fraction of a second.
set -eu

# "probe:Debian package" pairs. A probe is a command on the PATH
# (cmd:NAME), a pkg-config module (lib:NAME), the C library's headers
# (libc), or an installed Debian package (deb:NAME, for --packages).
BUILD="cmd:cc:gcc libc:libc6-dev cmd:make:make cmd:pkg-config:pkg-config
       lib:sdl2:libsdl2-dev lib:SDL2_ttf:libsdl2-ttf-dev lib:SDL2_image:libsdl2-image-dev
       lib:libpcap:libpcap-dev"
# cmocka: unit tests; tshark: tests/pcap_tshark.sh; ip: tests/verify.sh;
# nft: tests/verify.sh on lessons with a router (NAT rules); the
# validators of tests/install.sh (desktop entry, metainfo, man pages).
TEST="lib:cmocka:libcmocka-dev cmd:tshark:tshark cmd:ip:iproute2 cmd:nft:nftables
      cmd:desktop-file-validate:desktop-file-utils cmd:appstreamcli:appstream
      cmd:groff:groff-base cmd:man:man-db"
NEEDS=$BUILD
case "${1:-}" in
  --test) NEEDS="$BUILD $TEST" ;;
  --packages) shift; NEEDS=""; for p; do NEEDS="$NEEDS deb:$p:$p"; done ;;
  "") ;;
  *) echo "usage: tools/deps.sh [--test | --packages PKG...]" >&2; exit 2 ;;
esac

present() { # PROBE: is it here?
  case $1 in
    cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
    lib:*) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "${1#lib:}" ;;
    deb:*) dpkg-query -W -f='${Status}' "${1#deb:}" 2>/dev/null | grep -q "install ok installed" ;;
    libc) command -v cc >/dev/null 2>&1 && echo '#include <stdio.h>' | cc -E - >/dev/null 2>&1 ;;
  esac
}

missing="" what=""
for need in $NEEDS; do
  pkg=${need##*:} probe=${need%:*}
  present "$probe" || { missing="$missing $pkg"; what="$what  ${probe#*:} (Debian package $pkg)
"; }
done
[ -z "$missing" ] && exit 0

printf 'portsim: missing:\n%s' "$what" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "portsim: no apt-get here: install the equivalents of$missing with your package manager" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "portsim: need root (or sudo) to install:$missing" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh image has no package lists yet: fetch them first, not after a failure.
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
  echo "portsim: apt-get update (no package lists yet)" >&2
  $SUDO apt-get update -q
fi
echo "portsim: apt-get install$missing" >&2
$SUDO apt-get install -y -q --no-install-recommends $missing
echo "portsim: installed$missing" >&2
