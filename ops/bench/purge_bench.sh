#!/usr/bin/env bash
# The purge of aged-out profiles on a simulated city (default 100,000 children): the city is synced, linked and built
# on its own date, then rebuilt on a date by which every child is of age (each profile becomes a removal), then purged
# (earlier versions erased, staged records deleted, one exchange-log entry per child). Prints the wall time and rate of
# each step; asserts nothing. Usage: ops/bench/purge_bench.sh [CHILDREN]. Needs a built tree (ops/build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
children=${1:-100000}
work=${BENCH_DIR:-/tmp/childgateway-bench}
city=$work/city-$children
run=$work/run-$$
. "$root/ops/bench/city_env.sh"
gateway=("$build/gateway/gateway")
config=(--config "$run/gateway.properties" --set profile.purge_after_days=0)
step() { # label command...: runs it, prints its wall time
    local label=$1
    shift
    local start
    start=$(date +%s.%N)
    "$@" >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
    elapsed=$(echo "$(date +%s.%N) - $start" | bc)
    printf '%-44s %7.1f s  %s\n' "$label" "$elapsed" "$(head -c 160 "$run/out" | tr '\n' ' ')"
}

step "sync --all" "${gateway[@]}" sync "${config[@]}" --all
step "link --full" "${gateway[@]}" link "${config[@]}" --full
step "profiles rebuild (2026-11-01)" "${gateway[@]}" profiles rebuild "${config[@]}" --set profile.as_of=2026-11-01
step "profiles rebuild (2050-01-01: all of age)" "${gateway[@]}" profiles rebuild "${config[@]}" \
    --set profile.as_of=2050-01-01
step "profiles purge" "${gateway[@]}" profiles purge "${config[@]}" --set profile.as_of=2050-01-01
purged=$(sqlite3 "$run/gateway.db" "SELECT COUNT(*) FROM exchange_log WHERE action = 'profile.purge'")
left=$(sqlite3 "$run/gateway.db" "SELECT COUNT(*) FROM source_records")
printf 'purged %s persons: %.0f persons/s; staged records left: %s\n' "$purged" "$(echo "$purged / $elapsed" | bc -l)" \
    "$left"
