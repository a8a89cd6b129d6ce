#!/bin/sh
# Installs Debian's Chromium for the browser tests when it is missing and this machine can.
# Never downloads a browser of its own (no `playwright install`): the tests drive /usr/bin/chromium.
# Always exits 0: where Chromium cannot be installed the browser tests skip and say why.
set -u
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: no apt-get here, cannot install Chromium; browser tests will skip" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure_chromium: not root and no password-less sudo, cannot install Chromium; browser tests will skip" >&2
        exit 0
    fi
fi
echo "ensure_chromium: installing Debian's chromium package for the browser tests" >&2
if $SUDO apt-get update -qq >/dev/null \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; then
    echo "ensure_chromium: $($CHROMIUM --version 2>/dev/null)" >&2
else
    echo "ensure_chromium: installing chromium failed; browser tests will skip" >&2
fi
exit 0
