#!/usr/bin/env bash
# Installs what building, running and testing the gateway need, on Debian 12 or later: the browser tests' chromium
# (with a Chinese font, for the screenshots) and node among them.
# Idempotent: it installs only the packages that are missing, so it is cheap to run before every build.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git openssl ca-certificates
    libpoco-dev rapidjson-dev libssl-dev zlib1g-dev libdeflate-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libpq-dev libsqlite3-dev
    postgresql
    clang libclang-rt-14-dev
    sqlite3 bc time
    chromium fonts-wqy-microhei
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
# The browser tests run on node and npm. A node from elsewhere (NodeSource's bundles npm, and conflicts with Debian's
# npm package) is kept: Debian's are installed only when a command is missing.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
