#!/usr/bin/env bash
# Installs what the tests need beyond pip: Debian's chromium and the browser
# test's node packages (playwright-core drives /usr/bin/chromium; nothing is
# downloaded by a test tool). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
(cd browser && npm ci --no-audit --no-fund --loglevel=error)
