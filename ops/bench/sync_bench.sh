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

# The same again with the personal data sealed at rest (security.keyring): the cost of encryption on the intake.
rm -rf "$run/gateway.db"* "$run/state" "$run/health_drop"
cp -r "$(field health_drop)" "$run/health_drop"
"$build/gateway/gateway" keys generate --output "$run/keyring.json" >/dev/null
sealed_start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$run/rss" "$build/gateway/gateway" sync --config "$run/gateway.properties" --all \
    --set security.keyring="$run/keyring.json" >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
sealed_seconds=$(echo "$(date +%s.%N) - $sealed_start" | bc)
sealed_rows=$(sqlite3 "$run/gateway.db" "SELECT SUM(pulled) FROM sync_runs")
log_entries=$(sqlite3 "$run/gateway.db" "SELECT COUNT(*) FROM exchange_log")
printf 'all at once, sealed %7s rows  %6.1f s  %8.0f rows/s overall  peak RSS %5.0f MB  (%+.1f %% time; %s exchange-log entries)\n' \
    "$sealed_rows" "$sealed_seconds" "$(echo "$sealed_rows / $sealed_seconds" | bc -l)" \
    "$(echo "$(cat "$run/rss") / 1024" | bc -l)" "$(echo "($sealed_seconds / $parallel_seconds - 1) * 100" | bc -l)" \
    "$log_entries"
