#!/usr/bin/env bash
# Installs the optional system packages where it can (Debian/Ubuntu as root, or with sudo):
#  - libdnnl-dev: oneDNN, for the native CPU engine (without it the trainer falls back to tfjs' cpu);
#  - dataset-fashion-mnist: Fashion-MNIST's IDX files in /usr/share/datasets/fashion-mnist/.
#  - chromium: the headless browser the dashboard tests drive (skipped, with the reason, without it).
# Never fails (everything works without them, only slower or with fewer datasets), except where
# RESNET_LAB_REQUIRE_ONEDNN=1 (CI) demands the engine.
set -u
want="libdnnl-dev dataset-fashion-mnist chromium"
missing=""
for pkg in $want; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -z "$missing" ] && { echo "system-deps: already installed ($want)"; exit 0; }

if ! command -v apt-get >/dev/null; then
  echo "system-deps: no apt-get here; install oneDNN yourself (macOS: brew install onednn) for the fast CPU engine"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "system-deps: not root; to get the fast CPU engine run: sudo apt-get install -y$missing"
    exit 0
  fi
fi
echo "system-deps: installing$missing"
$SUDO apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null 2>&1 \
  || echo "system-deps: could not install$missing; continuing without (the trainer will say which backend it uses)"
if [ "${RESNET_LAB_REQUIRE_ONEDNN:-}" = 1 ] && ! dpkg -s libdnnl-dev >/dev/null 2>&1; then
  echo "system-deps: libdnnl-dev is missing and RESNET_LAB_REQUIRE_ONEDNN=1" >&2
  exit 1
fi
exit 0
