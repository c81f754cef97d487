#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the real-browser test of the web page (Playwright drives
# /usr/bin/chromium; it never downloads a browser of its own). Needs root or passwordless sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto"; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
if ! $SUDO true 2>/dev/null && [ -n "$SUDO" ]; then
  echo "install-browser: Chromium missing and no root: browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# CJK and Arabic fonts so screenshots of Chinese/Arabic documents show text, not boxes.
$SUDO apt-get install -y -qq chromium fonts-wqy-zenhei fonts-noto-core >/dev/null
