#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the viewer's browser tests and bench
# (playwright-core drives it with executablePath: no browser is ever downloaded).
# Under CI=true or as root a missing chromium is installed with apt-get (the package lists are
# refreshed only when the install fails); on a laptop without root it prints a loud banner and
# exits 3, which scripts/test.sh turns into GAUNTLET_SKIP_BROWSER=1. Any other failure exits 1.
set -euo pipefail
bin=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ ! -x "$bin" ]; then
  if [ "${CI:-}" != "true" ] && [ "$(id -u)" != 0 ]; then
    echo "##########################################################################" >&2
    echo "# No chromium at $bin: the browser (viewer) tests will be SKIPPED." >&2
    echo "# Install it (sudo apt-get install chromium) or set CHROMIUM_PATH." >&2
    echo "##########################################################################" >&2
    exit 3
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-chromium: CI=true, no chromium at $bin, and not root" >&2
    exit 1
  fi
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "ensure-chromium: CHROMIUM_PATH=$bin does not exist" >&2
    exit 1
  fi
  echo "ensure-chromium: installing chromium from Debian's archive" >&2
  install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  }
  if ! install 2>/dev/null; then
    apt-get update -qq
    install
  fi
  [ -x "$bin" ] || { echo "ensure-chromium: chromium installed but $bin is missing" >&2; exit 1; }
fi
# Debian's wrapper script may complain on stderr about its own environment; the version is stdout.
echo "ensure-chromium: $("$bin" --version 2>/dev/null | head -1)" >&2
