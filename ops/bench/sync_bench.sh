#!/usr/bin/env bash
# Full sync of a synthetic city from deptsim over loopback into SQLite: records/s per source (one source after
# another), then all four at once as `gateway sync --all` runs them (one thread each); wall time and peak RSS. Usage: ops/bench/sync_bench.sh [CHILDREN] (default 1000000). Needs a built tree
# (ops/build.sh); the city is generated once into $BENCH_DIR (default /tmp/childgateway-bench) and reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
children=${1:-1000000}
work=${BENCH_DIR:-/tmp/childgateway-bench}
city=$work/city-$children
run=$work/run-$$
. "$root/ops/bench/city_env.sh"

total_start=$(date +%s.%N)
for source in police_population school_register health_births civil_rescue; do
    /usr/bin/time -f "%M" -o "$run/rss" "$build/gateway/gateway" sync --config "$run/gateway.properties" \
        --source "$source" >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
    line=$(cat "$run/out")
    pulled=$(echo "$line" | sed -E 's/.*succeeded: ([0-9,]+) pulled.*/\1/' | tr -d ,)
    seconds=$(sqlite3 "$run/gateway.db" "SELECT (julianday(finished_at) - julianday(started_at)) * 86400 FROM sync_runs WHERE source = '$source' ORDER BY id DESC LIMIT 1" 2>/dev/null || echo 0)
    printf '%-18s %9s rows  %6.1f s  %8.0f rows/s  peak RSS %5.0f MB\n' "$source" "$pulled" "$seconds" \
        "$(echo "$pulled / $seconds" | bc -l)" "$(echo "$(cat "$run/rss") / 1024" | bc -l)"
done
total_seconds=$(echo "$(date +%s.%N) - $total_start" | bc)
total_rows=$(sqlite3 "$run/gateway.db" "SELECT SUM(pulled) FROM sync_runs")
printf 'all sources       %9s rows  %6.1f s  %8.0f rows/s overall (sequential, including start-up)\n' "$total_rows" \
    "$total_seconds" "$(echo "$total_rows / $total_seconds" | bc -l)"

# All four at once, into a fresh store, as `gateway sync --all` and the scheduler run them.
rm -rf "$run/gateway.db"* "$run/state" "$run/health_drop"
cp -r "$(field health_drop)" "$run/health_drop"
parallel_start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$run/rss" "$build/gateway/gateway" sync --config "$run/gateway.properties" --all \
    >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
parallel_seconds=$(echo "$(date +%s.%N) - $parallel_start" | bc)
parallel_rows=$(sqlite3 "$run/gateway.db" "SELECT SUM(pulled) FROM sync_runs")
printf 'all sources at once %7s rows  %6.1f s  %8.0f rows/s overall  peak RSS %5.0f MB\n' "$parallel_rows" \
    "$parallel_seconds" "$(echo "$parallel_rows / $parallel_seconds" | bc -l)" "$(echo "$(cat "$run/rss") / 1024" | bc -l)"

# The cost of sealing personal data at rest (security.keyring) on that intake. Single runs on a shared machine vary
# by a fifth either way, so plain and sealed runs alternate SEAL_ROUNDS times (default 3) and the medians compare.
store_mb() { cat "$run"/gateway.db* | wc -c | awk '{printf "%.0f", $1 / 1048576}'; }
plain_mb=$(store_mb)
"$build/gateway/gateway" keys generate --output "$run/keyring.json" >/dev/null
timed_sync() {  # prints the seconds of one fresh `sync --all`, with any extra arguments
    rm -rf "$run/gateway.db"* "$run/state" "$run/health_drop"
    cp -r "$(field health_drop)" "$run/health_drop"
    local start
    start=$(date +%s.%N)
    "$build/gateway/gateway" sync --config "$run/gateway.properties" --all "$@" >"$run/out" 2>"$run/err" ||
        { cat "$run/err" >&2; exit 1; }
    echo "$(date +%s.%N) - $start" | bc
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
plain_times=()
sealed_times=()
for _ in $(seq 1 "${SEAL_ROUNDS:-3}"); do
    plain_times+=("$(timed_sync)")
    sealed_times+=("$(timed_sync --set security.keyring="$run/keyring.json")")
done
plain_median=$(printf '%s\n' "${plain_times[@]}" | median)
sealed_median=$(printf '%s\n' "${sealed_times[@]}" | median)
log_entries=$(sqlite3 "$run/gateway.db" "SELECT COUNT(*) FROM exchange_log")
printf 'plain  runs (s): %s  median %.1f s\n' "$(printf '%.1f ' "${plain_times[@]}")" "$plain_median"
printf 'sealed runs (s): %s  median %.1f s\n' "$(printf '%.1f ' "${sealed_times[@]}")" "$sealed_median"
printf 'all at once, sealed %7s rows  median %.1f s against %.1f s plain: %+.1f %% time (%s exchange-log entries; store %s MB sealed, %s MB plain)\n' \
    "$parallel_rows" "$sealed_median" "$plain_median" "$(echo "($sealed_median / $plain_median - 1) * 100" | bc -l)" \
    "$log_entries" "$(store_mb)" "$plain_mb"
