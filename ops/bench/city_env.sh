# Shared by the benchmarks that need a simulated city served by deptsim and a gateway configured on it.
# Source it after setting root, build, children, city and run; it starts deptsim (stopped on exit) and writes
# $run/gateway.properties and $run/sources/*.json for the four sources, with a fresh copy of the health drops.

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

