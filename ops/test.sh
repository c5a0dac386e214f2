#!/usr/bin/env bash
# Builds everything and runs every test: unit tests, the store suite once per store (SQLite and a throw-away
# PostgreSQL server that the tests start and stop), and the integration tests against the real executable.
# Before those, builds the fuzz targets with clang into $FUZZ_BUILD_DIR (default: build-fuzz/) and runs each one
# through a fixed number of inputs from its seed corpus (tests/fuzz/README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
fuzz_build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
"$root/ops/build.sh"
cmake -S "$root" -B "$fuzz_build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DGATEWAY_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$fuzz_build" -j "$(nproc)"
ctest --test-dir "$fuzz_build" --output-on-failure -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@"
