#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the browser tests of the web client against a real peerchat binary.
#   tests/e2e/run.sh build/src/peerchat [test files…]   (default: every *.test.mjs)
# Needs Node.js ≥ 20 (on PATH, in $PEERCHAT_NODE, or the one .ci/setup --test fetched: see
# lib/node.sh) and Debian's Chromium (apt-get install -y chromium); never downloads a browser.
# SCREENSHOTS=1 also writes docs/screenshots/*.png.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:?usage: tests/e2e/run.sh PATH_TO_PEERCHAT_BINARY}"
bin="$(realpath "$bin")"
[[ -x "$bin" ]] || { echo "run.sh: not an executable: $bin" >&2; exit 2; }
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
[[ -x "$CHROMIUM_PATH" ]] || { echo "run.sh: no Chromium at $CHROMIUM_PATH (apt-get install -y chromium)" >&2; exit 2; }

source "$here/lib/node.sh"
node_bin=$(peerchat_node) || {
  echo "run.sh: no Node.js >= $PEERCHAT_NODE_MAJOR (found $(node --version 2>/dev/null || echo none));" \
       "run .ci/setup --test, which fetches one into $PEERCHAT_NODE_CACHE" >&2
  exit 2
}

cd "$here"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Installs from the lock file when node_modules is missing or older than it (a dependency was
# added, e.g. axe-core): npm writes node_modules/.package-lock.json on every install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p artifacts
export PEERCHAT_BIN="$bin"
shift
if [[ $# -eq 0 ]]; then set -- ./*.test.mjs; fi
exec "$node_bin" --test --test-concurrency=1 --test-timeout=180000 "$@"
