#!/usr/bin/env bash
# Runs the whole path on a simulated city: the department simulator (ops/sim/deptsim, a 2,000-child city of
# 常州市新北区 on 127.0.0.1:8091) that the sources in config/sources/ pull from, one sync, link and profile build, then
# `gateway serve` on loopback (an SQLite file under var/) syncing every minute, linking, rebuilding profiles and
# pushing every change to four webhook platforms (city, district, township, village), all received by
# `deptsim sink` on 127.0.0.1:8092 and recorded in var/sink/received.jsonl. It prints API keys and ready curl lines
# for one child, one village and the village's changes feed. Extra arguments go to `gateway serve`,
# e.g. ops/run.sh --port 9090. Set CHILDREN to simulate another size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/ops/build.sh"
cd "$root"
mkdir -p var/sim var/sink
: >var/setup.log
gateway=("$build/gateway/gateway")
config=(--config config/gateway.properties)

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# Starts a background process logging to $1 and waits until the log holds $2.
start() {
    local log=$1 ready=$2
    shift 2
    "$@" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do
        grep -q "$ready" "$log" 2>/dev/null && { head -1 "$log"; return; }
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log" >&2; exit 1; }
        sleep 0.2
    done
    echo "run: $* did not start" >&2
    exit 1
}

start var/deptsim.log serving \
    "$build/ops/sim/deptsim" serve --dir var/sim --children "${CHILDREN:-2000}" --seed 1 --port 8091 --fresh
field() { grep -o "\"$1\":\"[^\"]*\"" var/sim/deptsim.json | head -1 | sed -E 's/^"[^"]*":"(.*)"$/\1/'; }
export POLICE_API_KEY CIVIL_CLIENT_SECRET
POLICE_API_KEY=$(field police_api_key)
CIVIL_CLIENT_SECRET=$(field civil_client_secret)

# The platforms' shared HMAC key: made once, never committed.
[ -s var/hook.secret ] || (umask 077 && openssl rand -hex 32 >var/hook.secret)
start var/sink.log listening \
    "$build/ops/sim/deptsim" sink --dir var/sink --port 8092 --secret-file var/hook.secret

# The keyring that seals ID numbers, phones and raw payloads in the store: made once (0600), never committed.
[ -s var/keyring.json ] || "${gateway[@]}" keys generate --output var/keyring.json >/dev/null
config+=(--set security.keyring=var/keyring.json)
# The key gateway serve signs the exchange log's checkpoints with, and its public half for auditors: made once.
[ -f var/audit-signing.key ] ||
    "${gateway[@]}" audit keygen --output var/audit-signing.key >var/audit-signing.pub.pem
config+=(--set audit.signing_key=var/audit-signing.key)
# A development CA and server certificate (certs/, never committed): the API is served over HTTPS.
"$root/certs/make-dev-certs.sh" var/certs >/dev/null
tls=(--set server.tls.cert_file=var/certs/server.pem --set server.tls.key_file=var/certs/server.key
    --set server.tls.ca_file=var/certs/ca.pem --set server.tls.client_certs=optional)

echo "run: first sync, link and profile build (var/setup.log)"
for step in "sync --all" "link --full" "profiles rebuild"; do
    # shellcheck disable=SC2086 # the step is words
    "${gateway[@]}" $step "${config[@]}" >>var/setup.log 2>&1 || { cat var/setup.log >&2; exit 1; }
done
tail -2 var/setup.log

# The busiest village and one of its children.
query() { sqlite3 var/gateway.db "$1"; }
village=$(query "SELECT residence_division FROM profiles WHERE removed = 0 AND length(residence_division) = 12
                 AND residence_division NOT LIKE '%000' GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")
child=$(query "SELECT person_id FROM profiles WHERE removed = 0 AND residence_division = '$village' ORDER BY 1 LIMIT 1")
township=${village:0:9}
district=${village:0:6}
city=${village:0:4}

# API keys for an administrator and the village's platform; the clients file holds only their hashes.
new_key() { "${gateway[@]}" clients new-key; }
mapfile -t admin < <(new_key)
mapfile -t village_key < <(new_key)
cat >var/clients.json <<EOF
{"clients": [
  {"id": "admin", "roles": ["admin"], "view": "city", "api_key_sha256": "${admin[1]}"},
  {"id": "village-$village", "roles": ["app"], "scope": "$village", "view": "village",
   "api_key_sha256": "${village_key[1]}"}
]}
EOF
subscriber() {
    printf '  {"name": "%s", "url": "http://127.0.0.1:8092/hooks/%s", "scope": "%s", "view": "%s", "secret_file": "hook.secret"}' \
        "$1" "$1" "$2" "$3"
}
{
    echo '{"subscribers": ['
    subscriber "city-$city" "$city" city
    echo ","
    subscriber "district-$district" "$district" district
    echo ","
    subscriber "township-$township" "$township" township
    echo ","
    subscriber "village-$village" "$village" village
    echo
    echo ']}'
} >var/subscribers.json

port=8080
for ((i = 1; i <= $#; i++)); do
    case "${!i}" in
    --port | -p) j=$((i + 1)) && port=${!j} ;;
    --port=*) port=${!i#--port=} ;;
    esac
done
api="https://127.0.0.1:$port"
curl="curl -s --cacert var/certs/ca.pem"
cat <<EOF

The gateway serves $api and pushes every profile change to the four levels' platforms (var/sink/received.jsonl):
  city $city, district $district, township $township, village $village.
  push state:   $build/gateway/gateway push status --config config/gateway.properties --set push.subscribers=var/subscribers.json
  exchange log: $build/gateway/gateway audit verify --config config/gateway.properties --public-key var/audit-signing.pub.pem
One child, as the administrator sees it:
  $curl -H 'Authorization: Bearer ${admin[0]}' -H 'X-Purpose: case_assessment' $api/v1/profiles/$child
The village's children, as its platform sees them (another village's division gives 403):
  $curl -H 'Authorization: Bearer ${village_key[0]}' -H 'X-Purpose: case_assessment' '$api/v1/profiles?division=$village'
The village's change feed (the same events its webhook receives), waiting up to 25 s for news:
  $curl -H 'Authorization: Bearer ${village_key[0]}' -H 'X-Purpose: case_assessment' '$api/v1/changes?wait=25'
Statistics for the district and its townships:
  $curl -H 'Authorization: Bearer ${admin[0]}' '$api/v1/stats?division=$district'
Who read that child's file, and why (the exchange log):
  $curl -H 'Authorization: Bearer ${admin[0]}' -H 'X-Purpose: audit' '$api/v1/audit?person=$child&action=api.'

EOF
"${gateway[@]}" serve "${config[@]}" "${tls[@]}" --set api.clients=var/clients.json --set push.subscribers=var/subscribers.json "$@"
