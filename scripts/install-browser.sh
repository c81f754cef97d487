#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the real-browser test of the web page (Playwright drives
# /usr/bin/chromium; it never downloads a browser of its own). Needs root or passwordless sudo.
set -euo pipefail
CHROMIUM="${UNBIS_CHROMIUM:-/usr/bin/chromium}"  # overridable so that tests can play a machine without it
if [ -x "$CHROMIUM" ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto"; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
# In CI (CI=true) the browser test must run: failing to install is an error there, never a silent skip.
fail() {
  if [ "${CI:-}" = "true" ]; then echo "install-browser: $1 (CI: the browser test cannot be skipped)" >&2; exit 1; fi
  echo "install-browser: $1: browser tests will be skipped" >&2
  exit 0
}
if ! $SUDO true 2>/dev/null && [ -n "$SUDO" ]; then
  fail "Chromium missing and no root"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || fail "apt-get update failed"
# CJK and Arabic fonts so screenshots of Chinese/Arabic documents show text, not boxes.
$SUDO apt-get install -y -qq chromium fonts-wqy-zenhei fonts-noto-core >/dev/null || fail "apt-get install failed"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM still missing after the install"
