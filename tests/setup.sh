#!/usr/bin/env bash
# Installs what the tests need beyond pip: Debian's chromium and the browser
# test's node packages (playwright-core drives /usr/bin/chromium; nothing is
# downloaded by a test tool), and Debian's ffmpeg, which the audio and
# end-to-end tests use beside the bundled one (AUDIO_NEWS_FFMPEG=/usr/bin/ffmpeg).
# The talking-book tests (tests/test_book.py) run Debian's epubcheck (with a Java
# runtime), daisy-player driven in tmux, and a C compiler for the small shim that
# gives daisy-player a sound card list on a machine without one.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/ffmpeg ] || missing+=(ffmpeg)
[ -e /usr/bin/epubcheck ] || missing+=(epubcheck)
command -v java >/dev/null || missing+=(default-jre-headless)
[ -x /usr/bin/daisy-player ] || missing+=(daisy-player)
command -v tmux >/dev/null || missing+=(tmux)
command -v cc >/dev/null || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
(cd browser && npm ci --no-audit --no-fund --loglevel=error)
