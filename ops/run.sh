#!/usr/bin/env bash
# Runs the gateway on the embedded default: an SQLite file under var/, the API on loopback.
# Extra arguments go to `gateway serve`, e.g. ops/run.sh --port 9090.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/ops/build.sh"
mkdir -p "$root/var"
cd "$root"
exec "$build/gateway/gateway" serve --config config/gateway.properties "$@"
