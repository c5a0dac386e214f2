#!/usr/bin/env bash
# Puts the browser tests' node packages in tests/browser/node_modules, exactly as package-lock.json pins them, when
# they are missing or older than the lock file. ctest runs it (browser.install) before the browser tests.
# With GATEWAY_TEST_BROWSER_OPTIONAL set and no npm, it does nothing and the browser tests skip themselves.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
installed=$dir/node_modules/.package-lock.json
if [ -f "$installed" ] && [ ! "$dir/package-lock.json" -nt "$installed" ]; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    if [ -n "${GATEWAY_TEST_BROWSER_OPTIONAL:-}" ] && [ "${GATEWAY_TEST_BROWSER_OPTIONAL}" != 0 ]; then
        echo "browser.install: no npm; the browser tests will skip (GATEWAY_TEST_BROWSER_OPTIONAL is set)"
        exit 0
    fi
    echo "browser.install: no npm (ops/setup.sh installs nodejs and npm)" >&2
    exit 1
fi
echo "browser.install: npm ci --prefix $dir"
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
