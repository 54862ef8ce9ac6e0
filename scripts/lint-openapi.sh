#!/usr/bin/env bash
# Lints the API's OpenAPI document with Redocly's CLI (recommended rules); exits non-zero on any error.
# The CLI is installed from npm into .tracklane/npm on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=2.77.0
dir=.tracklane/npm
if [ ! -x "$dir/node_modules/.bin/redocly" ] || ! grep -q "\"version\": \"$version\"" "$dir/node_modules/@redocly/cli/package.json" 2>/dev/null; then
  command -v npm >/dev/null || { echo "lint-openapi.sh: npm is needed (apt-get install -y npm)" >&2; exit 2; }
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --silent "@redocly/cli@$version" >&2
fi
NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off "$dir/node_modules/.bin/redocly" lint --extends=recommended \
  src/main/resources/openapi.yaml
