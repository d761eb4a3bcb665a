#!/usr/bin/env bash
# Prepare what the browser tests need: the system Chromium and axe-core (npm).
# Without Chromium the browser tests are skipped, unless RUNGS_REQUIRE_BROWSER=1 (CI).
set -u
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium from Debian's packages for the browser tests..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null \
      || echo "Could not install Chromium: browser tests will be skipped."
  else
    echo "Chromium is not installed (apt-get install chromium): browser tests will be skipped."
  fi
fi

if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
    (cd "$here" && npm ci --silent --no-audit --no-fund) \
      || echo "Could not install axe-core: accessibility checks will be skipped."
  fi
else
  echo "npm is not installed: accessibility checks will be skipped."
fi
exit 0
