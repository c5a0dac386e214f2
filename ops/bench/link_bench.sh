#!/usr/bin/env bash
# Linkage of a synthetic city: deptsim's city synced into SQLite (all sources at once), its staged records exported
# as canonical JSONL, then `gateway link --input … --truth …` with wall time, peak RSS, pairs compared and pairwise
# precision/recall/F1 against the simulator's ground truth; then the same records linked in the store
# (`gateway link --full`, which also writes every person assignment) and their profiles built (`gateway profiles
# rebuild`). Usage: ops/bench/link_bench.sh [CHILDREN]
# (default 1000000). Needs a built tree (ops/build.sh); the city is generated once into $BENCH_DIR (default
# /tmp/childgateway-bench) and reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
children=${1:-1000000}
work=${BENCH_DIR:-/tmp/childgateway-bench}
city=$work/city-$children
run=$work/run-$$
. "$root/ops/bench/city_env.sh"

"$build/gateway/gateway" sync --config "$run/gateway.properties" --all >"$run/out" 2>"$run/err" ||
    { cat "$run/err"; exit 1; }
# Kept beside the city, so that the linker can be run again on the same input without a sync.
records=$work/records-$children.jsonl
sqlite3 "$run/gateway.db" "SELECT record_json FROM source_records" >"$records"
echo "records: $(wc -l <"$records") staged source records of $children children ($records)"

/usr/bin/time -f "%e %M" -o "$run/time" "$build/gateway/gateway" link --input "$records" \
    --out "$run/clusters.csv" --truth "$city/truth/truth.csv" >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
read -r seconds rss <"$run/time"
grep -E "^link: .*(records read|pairs compared|estimation|truth)" "$run/err" | sed 's/^link: /  /'
printf 'gateway link --input: %.1f s wall, peak RSS %.0f MB, %s\n' "$seconds" "$(echo "$rss / 1024" | bc -l)" \
    "$(tail -1 "$run/out")"

/usr/bin/time -f "%e %M" -o "$run/time" "$build/gateway/gateway" link --config "$run/gateway.properties" --full \
    >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
read -r seconds rss <"$run/time"
printf 'gateway link --full (store): %.1f s wall, peak RSS %.0f MB: %s' "$seconds" "$(echo "$rss / 1024" | bc -l)" \
    "$(cat "$run/out")"

/usr/bin/time -f "%e %M" -o "$run/time" "$build/gateway/gateway" profiles rebuild --config "$run/gateway.properties" \
    >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
read -r seconds rss <"$run/time"
printf 'gateway profiles rebuild (store): %.1f s wall, peak RSS %.0f MB: %s' "$seconds" \
    "$(echo "$rss / 1024" | bc -l)" "$(cat "$run/out")"
