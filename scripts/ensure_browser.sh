#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "ensure_browser: installing Debian's chromium" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "ensure_browser: chromium is missing; install it: sudo apt-get install chromium" >&2; exit 1; fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || {
  $SUDO apt-get update -qq >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
