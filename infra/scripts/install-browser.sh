#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/browser), once.
# Playwright drives it through executable_path; `playwright install` cannot
# download browsers here. Safe to run again: it does nothing when chromium exists.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
