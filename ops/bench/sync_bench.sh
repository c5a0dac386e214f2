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
mkdir -p "$city" "$run/sources"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
start=$(date +%s.%N)
"$build/ops/sim/deptsim" generate --dir "$city" --children "$children" --seed 1 >/dev/null
echo "deptsim generate ($children children): $(echo "$(date +%s.%N) - $start" | bc) s (reused if already there)"

"$build/ops/sim/deptsim" serve --dir "$city" --children "$children" --seed 1 --port 0 >"$run/deptsim.out" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; rm -rf "$run"' EXIT
for _ in $(seq 1 600); do grep -q "serving" "$run/deptsim.out" 2>/dev/null && break; sleep 0.1; done
info=$city/deptsim.json
field() { grep -o "\"$1\":\"[^\"]*\"" "$info" | head -1 | sed -E 's/^"[^"]*":"(.*)"$/\1/'; }
url=$(field url)

# The drop folder is consumed (archived) by a sync: work on a copy so the city can be reused.
cp -r "$(field health_drop)" "$run/health_drop"
retry='"retry":{"max_attempts":6,"base_delay_ms":100,"max_delay_ms":2000}'
cat >"$run/sources/police_population.json" <<JSON
{"source":"police_population","adapter":"rest","mapping":"$root/mappings/police_population.json","batch_size":5000,
 "settings":{"url":"$url","path":"/police/v1/persons","page_size":1000,
             "auth":{"type":"api_key","header":"X-API-Key","key":"$(field police_api_key)"},$retry}}
JSON
cat >"$run/sources/civil_rescue.json" <<JSON
{"source":"civil_rescue","adapter":"rest","mapping":"$root/mappings/civil_rescue.json","batch_size":5000,
 "settings":{"url":"$url","path":"/civil/v1/cases","items":"/records","next_cursor":"/next","cursor_param":"since",
             "limit_param":"page_size","updated_since_param":"","page_size":1000,
             "auth":{"type":"oauth2_client_credentials","token_url":"/oauth/token","client_id":"$(field civil_client_id)",
                     "client_secret":"$(field civil_client_secret)"},$retry}}
JSON
cat >"$run/sources/school_register.json" <<JSON
{"source":"school_register","adapter":"sql","mapping":"$root/mappings/school_register.json","batch_size":5000,
 "settings":{"connector":"sqlite","connection":"$(field school_db)","table":"student_register",
             "watermark_column":"updated_seq","key_column":"id","batch_size":5000}}
JSON
cat >"$run/sources/health_births.json" <<JSON
{"source":"health_births","adapter":"file","mapping":"$root/mappings/health_births.json","batch_size":5000,
 "settings":{"dir":"$run/health_drop","pattern":"births_*.csv","marker_suffix":".ok","encoding":"auto"}}
JSON
cat >"$run/gateway.properties" <<PROPS
store.sqlite.path = $run/gateway.db
sources.dir = $run/sources
sources.state_dir = $run/state
mappings.codes_dir = $root/mappings/codes
logging.level = warning
PROPS

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
