#!/usr/bin/env bash
# Installs what the browser tests need, once: Debian's chromium (when /usr/bin/chromium is missing)
# and playwright-core, pinned, into the project-local npm prefix .tracklane/npm. Idempotent: a second
# run changes nothing. Prints nothing on success unless it installs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=1.65.1
dir=.tracklane/npm
lock=.tracklane/browser.lock
mkdir -p .tracklane
exec 9>"$lock"
flock 9  # two callers (CI and a test) never install at once
if [ ! -x /usr/bin/chromium ]; then
  command -v apt-get >/dev/null || { echo "browser.sh: /usr/bin/chromium is missing and apt-get is not there" >&2; exit 2; }
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi
if ! grep -q "\"version\": \"$version\"" "$dir/node_modules/playwright-core/package.json" 2>/dev/null; then
  command -v npm >/dev/null || { echo "browser.sh: npm is needed (apt-get install -y npm)" >&2; exit 2; }
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --silent "playwright-core@$version" >&2
fi
