#!/usr/bin/env bash
# Runs the gateway on the embedded default (an SQLite file under var/, the API on loopback) together with the
# department simulator (ops/sim/deptsim, a 2,000-child city of 常州市新北区 on 127.0.0.1:8091) that the sources in
# config/sources/ pull from every minute. Extra arguments go to `gateway serve`, e.g. ops/run.sh --port 9090.
# Set CHILDREN to simulate another size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
"$root/ops/build.sh"
cd "$root"
mkdir -p var/sim

"$build/ops/sim/deptsim" serve --dir var/sim --children "${CHILDREN:-2000}" --seed 1 --port 8091 --fresh \
    >var/deptsim.log 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    grep -q "serving" var/deptsim.log 2>/dev/null && break
    kill -0 "$sim_pid" 2>/dev/null || { cat var/deptsim.log >&2; exit 1; }
    sleep 0.2
done
head -1 var/deptsim.log

field() { grep -o "\"$1\":\"[^\"]*\"" var/sim/deptsim.json | head -1 | sed -E 's/^"[^"]*":"(.*)"$/\1/'; }
export POLICE_API_KEY CIVIL_CLIENT_SECRET
POLICE_API_KEY=$(field police_api_key)
CIVIL_CLIENT_SECRET=$(field civil_client_secret)

echo "gateway: syncing the four sources every minute; see them with: $build/gateway/gateway sources --config config/gateway.properties"
"$build/gateway/gateway" serve --config config/gateway.properties "$@"
