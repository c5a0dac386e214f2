#!/usr/bin/env bash
# Reconciliation on a simulated city (default 1,000,000 children): every source compared with what the gateway staged
# and every child judged across departments, first with nothing changed, then after 1 % of the rows drifted (half
# deleted at the source, half edited without a newer watermark), then the repair; and the sql source alone, unchanged.
# Prints wall time and peak RSS of each run and the lines it prints per source and phase. Usage:
# ops/bench/reconcile_bench.sh [CHILDREN]. Asserts nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
children=${1:-1000000}
work=${BENCH_DIR:-/tmp/childgateway-bench}
city=$work/city-$children
run=$work/run-$$

. "$root/ops/bench/city_env.sh"
gateway=("$build/gateway/gateway")
config=(--config "$run/gateway.properties" --set profile.as_of=2026-11-01)
timed() { # label command...: runs it, prints wall time and peak RSS, then what it printed
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$run/time" "$@" >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
    read -r seconds rss <"$run/time"
    printf '%-34s %8.1f s %6d MB\n' "$label" "$seconds" "$((rss / 1024))"
    sed 's/^/    /' "$run/out"
}

timed "sync --all (set-up)" "${gateway[@]}" sync "${config[@]}" --all
timed "link --full (set-up)" "${gateway[@]}" link "${config[@]}" --full
timed "profiles rebuild (set-up)" "${gateway[@]}" profiles rebuild "${config[@]}"

timed "reconcile --all, nothing changed" "${gateway[@]}" reconcile "${config[@]}" --all --as-of 2026-11-01
timed "reconcile school_register (sql)" "${gateway[@]}" reconcile "${config[@]}" --source school_register

curl -fsS -X POST "$url/control/drift?delete=0.005&silent=0.005&seed=1" >"$run/drift.json"
echo "drift: $(cat "$run/drift.json")"
timed "reconcile --all, 1 % drifted" "${gateway[@]}" reconcile "${config[@]}" --all --as-of 2026-11-01
timed "reconcile --all --repair" "${gateway[@]}" reconcile "${config[@]}" --all --as-of 2026-11-01 --repair
timed "reconcile --all after the repair" "${gateway[@]}" reconcile "${config[@]}" --all --as-of 2026-11-01
