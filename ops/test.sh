#!/usr/bin/env bash
# Builds everything and runs every test: unit tests, the store suite once per store (SQLite and a throw-away
# PostgreSQL server that the tests start and stop), and the integration tests against the real executable.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/ops/build.sh"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
