#!/bin/sh
# deps.sh — installs the Debian packages portsim needs to build and test,
# only those that are missing, without asking questions. Used by `make deps`
# (and so by `make run` and `make check`) and by .ci/run.
#   tools/deps.sh          what building and running needs
#   tools/deps.sh --test   also what the tests need (cmocka, tshark, iproute2)
set -eu
PKGS="gcc libc6-dev make pkg-config libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libpcap-dev"
case "${1:-}" in
  --test) PKGS="$PKGS libcmocka-dev tshark iproute2" ;;
esac
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "portsim: installing missing packages:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "portsim: need root (or sudo) to install:$missing" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh image has empty package lists: refresh them when an install fails.
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
}
echo "portsim: packages installed" >&2
