#!/usr/bin/env bash
# Install the OpenID Provider the SSO tests start (oidc-provider, from npm, pinned by the
# lock file). Without Node.js the SSO tests are skipped, unless RUNGS_REQUIRE_IDP=1 (CI).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  if [ ! -f "$here/node_modules/oidc-provider/package.json" ]; then
    (cd "$here" && npm ci --silent --no-audit --no-fund) \
      || echo "Could not install oidc-provider: the SSO tests will be skipped."
  fi
else
  echo "Node.js/npm is not installed: the SSO tests will be skipped."
fi
exit 0
