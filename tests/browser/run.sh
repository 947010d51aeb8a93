#!/usr/bin/env bash
# Runs the widget's end-to-end tests in Debian's Chromium against a real
# `hearsay serve`. Needs E2E_HEARSAY_BIN (path to the built binary); installs
# playwright-core from the lock file when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")"
: "${E2E_HEARSAY_BIN:?set E2E_HEARSAY_BIN to the hearsay binary, e.g. target/debug/hearsay}"
case "$E2E_HEARSAY_BIN" in /*) ;; *) E2E_HEARSAY_BIN="$OLDPWD/$E2E_HEARSAY_BIN" ;; esac
export E2E_HEARSAY_BIN
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "chromium missing: apt-get install -y chromium" >&2
  exit 1
fi
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi
exec node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs
