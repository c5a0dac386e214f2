#!/usr/bin/env bash
# Profiles on a simulated city (default 1,000,000 children): the time to build every child's profile, the query API
# under wrk beside nginx serving a static file of the same size on the same machine in the same run, a scoped list
# query, and push throughput to a local deptsim sink. Usage: ops/bench/profile_bench.sh [CHILDREN] [SECONDS]
# (SECONDS per wrk run, default 20). Installs wrk and nginx-light if missing. Prints figures; asserts nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
children=${1:-1000000}
duration=${2:-20}
work=${BENCH_DIR:-/tmp/childgateway-bench}
city=$work/city-$children
run=$work/run-$$

missing=()
for tool in wrk nginx; do command -v "$tool" >/dev/null || missing+=("$([ "$tool" = nginx ] && echo nginx-light || echo wrk)"); done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

. "$root/ops/bench/city_env.sh"
gateway=("$build/gateway/gateway")
config=(--config "$run/gateway.properties")
timed() { # label command...: runs it, prints wall time and peak RSS
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$run/time" "$@" >"$run/out" 2>"$run/err" || { cat "$run/err"; exit 1; }
    read -r seconds rss <"$run/time"
    printf '%s: %.1f s wall, peak RSS %.0f MB\n' "$label" "$seconds" "$(echo "$rss / 1024" | bc -l)"
}

"${gateway[@]}" sync "${config[@]}" --all >/dev/null 2>"$run/err" || { cat "$run/err"; exit 1; }
"${gateway[@]}" link "${config[@]}" --full >/dev/null 2>"$run/err" || { cat "$run/err"; exit 1; }
timed "gateway profiles rebuild ($children children)" "${gateway[@]}" profiles rebuild "${config[@]}"
sed 's/^/  /' "$run/out"
profiles=$(sqlite3 "$run/gateway.db" "SELECT COUNT(*) FROM profiles WHERE removed = 0")
sqlite3 "$run/gateway.db" "SELECT person_id FROM profiles WHERE removed = 0 ORDER BY random() LIMIT 20000" >"$run/ids"
village=$(sqlite3 "$run/gateway.db" "SELECT residence_division FROM profiles WHERE removed = 0
    AND length(residence_division) = 12 AND residence_division NOT LIKE '%000' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
township=${village:0:9}

# Clients: an administrator (whole profiles) and the village's platform.
mapfile -t admin < <("${gateway[@]}" clients new-key)
mapfile -t village_key < <("${gateway[@]}" clients new-key)
cat >"$run/clients.json" <<JSON
{"clients": [{"id": "admin", "roles": ["admin"], "view": "city", "api_key_sha256": "${admin[1]}"},
             {"id": "village", "roles": ["app"], "scope": "$village", "view": "village",
              "api_key_sha256": "${village_key[1]}"}]}
JSON

"${gateway[@]}" serve "${config[@]}" --set server.port=0 --set linkage.schedule_seconds=0 --set sources.schedule=off --set api.rate_limit.per_second=0 \
    --set api.clients="$run/clients.json" --set server.threads=32 --set store.pool_size=16 >"$run/serve.out" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid $sim_pid 2>/dev/null; [ -f "$run/nginx.pid" ] && kill "$(cat "$run/nginx.pid")" 2>/dev/null; rm -rf "$run"' EXIT
for _ in $(seq 1 600); do grep -q "listening on" "$run/serve.out" 2>/dev/null && break; sleep 0.1; done
api=$(grep -o "http://[0-9.:]*" "$run/serve.out" | head -1)

# The size of a profile response, averaged over 200 children: what nginx serves as a static file.
bytes=0
for id in $(head -200 "$run/ids"); do
    bytes=$((bytes + $(curl -s -H "Authorization: Bearer ${admin[0]}" -H "X-Purpose: case_assessment" "$api/v1/profiles/$id" | wc -c)))
done
size=$((bytes / 200))
mkdir -p "$run/www" "$run/nginx"
head -c "$size" /dev/zero | tr '\0' 'x' >"$run/www/profile.json"
nginx_port=$((20000 + RANDOM % 20000))
cat >"$run/nginx.conf" <<CONF
worker_processes $(nproc);
pid $run/nginx.pid;
error_log $run/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $run/nginx; proxy_temp_path $run/nginx; fastcgi_temp_path $run/nginx;
    uwsgi_temp_path $run/nginx; scgi_temp_path $run/nginx;
    server { listen 127.0.0.1:$nginx_port; root $run/www; default_type application/json; }
}
CONF
nginx -c "$run/nginx.conf" -p "$run/nginx"

cat >"$run/ids.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local auth = "Bearer " .. os.getenv("API_KEY")
request = function()
    return wrk.format("GET", "/v1/profiles/" .. ids[math.random(#ids)], { ["Authorization"] = auth, ["X-Purpose"] = "case_assessment" })
end
LUA
cat >"$run/path.lua" <<'LUA'
local auth = "Bearer " .. os.getenv("API_KEY")
request = function()
    return wrk.format("GET", os.getenv("PATH_QUERY"), { ["Authorization"] = auth, ["X-Purpose"] = "case_assessment" })
end
LUA
# wrk with 2 threads and $connections connections; prints requests/s, p50, p99 and the non-2xx count.
connections=32
bench() {
    wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" >"$run/wrk" 2>&1 || { cat "$run/wrk"; exit 1; }
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec/ {print $2}' "$run/wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$run/wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$run/wrk")
    errors=$(awk '/Non-2xx/ {print $NF}' "$run/wrk")
    echo "$rps $p50 $p99 ${errors:-0}"
}
ms() { # wrk's latency (e.g. 812.00us, 3.21ms, 1.02s) in milliseconds
    echo "$1" | awk '/us$/ {sub("us", ""); printf "%.2f", $1 / 1000; next} /ms$/ {sub("ms", ""); printf "%.2f", $1; next}
                     /s$/ {sub("s", ""); printf "%.2f", $1 * 1000}'
}
echo "$profiles profiles; responses of $size bytes on average; wrk -t2 for ${duration} s each, sharing the 2 cores"
echo "32 connections:"
read -r n_rps n_p50 n_p99 n_err < <(bench "http://127.0.0.1:$nginx_port/profile.json")
printf '  nginx static file of %s bytes:        %8.0f req/s, p50 %s ms, p99 %s ms\n' "$size" "$n_rps" "$(ms "$n_p50")" \
    "$(ms "$n_p99")"
read -r g_rps g_p50 g_p99 g_err < <(IDS_FILE=$run/ids API_KEY=${admin[0]} bench -s "$run/ids.lua" "$api")
printf '  GET /v1/profiles/{id} (random child):  %8.0f req/s, p50 %s ms, p99 %s ms, non-2xx %s\n' "$g_rps" \
    "$(ms "$g_p50")" "$(ms "$g_p99")" "$g_err"
printf '  ratio to nginx: %.2f\n' "$(echo "$g_rps / $n_rps" | bc -l)"
connections=8
echo "8 connections:"
read -r g_rps g_p50 g_p99 g_err < <(IDS_FILE=$run/ids API_KEY=${admin[0]} bench -s "$run/ids.lua" "$api")
printf '  GET /v1/profiles/{id} (random child):  %8.0f req/s, p50 %s ms, p99 %s ms, non-2xx %s\n' "$g_rps" \
    "$(ms "$g_p50")" "$(ms "$g_p99")" "$g_err"
read -r l_rps l_p50 l_p99 l_err < <(PATH_QUERY="/v1/profiles?limit=100" API_KEY=${village_key[0]} \
    bench -s "$run/path.lua" "$api")
printf '  village client, GET /v1/profiles?limit=100 (its scope):       %6.0f req/s, p50 %s ms, p99 %s ms, non-2xx %s\n' \
    "$l_rps" "$(ms "$l_p50")" "$(ms "$l_p99")" "$l_err"
read -r t_rps t_p50 t_p99 t_err < <(PATH_QUERY="/v1/profiles?division=$township&classification=left_behind&limit=100" \
    API_KEY=${admin[0]} bench -s "$run/path.lua" "$api")
printf '  GET /v1/profiles?division=<township>&classification=left_behind: %6.0f req/s, p50 %s ms, p99 %s ms, non-2xx %s\n' \
    "$t_rps" "$(ms "$t_p50")" "$(ms "$t_p99")" "$t_err"
kill "$serve_pid" "$(cat "$run/nginx.pid")" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true

# Push: every profile to a city subscriber through the city view, into a local deptsim sink.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$run/hook.secret"
"$build/ops/sim/deptsim" sink --dir "$run/sink" --port 0 --secret-file "$run/hook.secret" >"$run/sink.out" 2>&1 &
sink_pid=$!
trap 'kill $sink_pid $sim_pid 2>/dev/null; rm -rf "$run"' EXIT
for _ in $(seq 1 600); do grep -q "listening on" "$run/sink.out" 2>/dev/null && break; sleep 0.1; done
sink=$(grep -o "http://[0-9.:]*" "$run/sink.out" | head -1)
cat >"$run/subscribers.json" <<JSON
{"subscribers": [{"name": "city", "url": "$sink/hooks/city", "view": "city", "secret_file": "hook.secret",
                  "batch_size": 500}]}
JSON
events=$(sqlite3 "$run/gateway.db" "SELECT COUNT(*) FROM outbox")
timed "gateway push run ($events events, batches of 500, city view)" "${gateway[@]}" push run "${config[@]}" \
    --set push.subscribers="$run/subscribers.json" --timeout 3600
printf '  push throughput: %.0f profiles/s\n' "$(echo "$events / $seconds" | bc -l)"
