#!/usr/bin/env bash
# Installs what brevgen needs on a fresh Debian machine (run as root, or with sudo available).
#   bash scripts/setup.sh          the product: system libraries for WeasyPrint + brevgen itself
#   bash scripts/setup.sh --test   also the real clients the tests use (poppler, qpdf, ...)
# Safe to run again: apt and pip skip what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# Debian packages. libharfbuzz-subset0 makes WeasyPrint subset fonts ~3x faster than its
# fontTools fallback; fonts-noto-core lets LibreOffice show the DOCX in the same font.
system_pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-core)
# Test clients: poppler (pdftotext, pdftoppm), qpdf, LibreOffice (converts every DOCX),
# chromium (runs axe-core on every HTML page; driven by puppeteer-core, which downloads no browser),
# redis-server and rabbitmq-server (the queue tests start their own nodes on free loopback ports:
# Celery's broker and the job state; nothing is started or enabled as a service here),
# python3-venv (the wheel test's fresh venv), postgresql (the store's tests start a throwaway
# server of their own: tests/postgres.py).
test_pkgs=(poppler-utils qpdf libreoffice-writer-nogui chromium redis-server rabbitmq-server python3-venv postgresql)
command -v npm >/dev/null 2>&1 || test_pkgs+=(nodejs npm)

if command -v apt-get >/dev/null 2>&1; then
  pkgs=("${system_pkgs[@]}")
  [ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup: no apt-get here; install these yourself: ${system_pkgs[*]}" >&2
fi

extra=""
[ "$want_test" = 1 ] && extra="[test]"
echo "setup: installing brevgen${extra} with pip"
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e ".${extra}"

if [ "$want_test" = 1 ]; then
  # axe-core and puppeteer-core, pinned by tests/a11y/package-lock.json.
  lock=tests/a11y/package-lock.json
  if [ ! -f tests/a11y/node_modules/.package-lock.json ] || [ "$lock" -nt tests/a11y/node_modules/.package-lock.json ]; then
    echo "setup: installing axe-core and puppeteer-core with npm ci (tests/a11y)"
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
  fi
fi
