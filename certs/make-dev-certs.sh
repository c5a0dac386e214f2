#!/usr/bin/env bash
# Makes a development certificate authority, a server certificate for localhost/127.0.0.1 and a client
# certificate, and an Ed25519 key for signing the exchange log's checkpoints (audit.signing_key) with its public
# half, into this folder (or $1). For development and tests only: production keys come from the county's own CA,
# and the production signing key from `gateway audit keygen`. Existing files are kept, so the script is safe to run
# before every start.
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")" && pwd)}
mkdir -p "$dir"
cd "$dir"
umask 077

if [ ! -f ca.key ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
        -subj "/CN=childgateway development CA" -keyout ca.key -out ca.pem 2>/dev/null
fi

issue() {  # name subject extensions
    local name=$1 subject=$2 extensions=$3
    [ -f "$name.pem" ] && return 0
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subject" \
        -keyout "$name.key" -out "$name.csr" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
        -extfile <(printf '%s\n' "$extensions") -out "$name.pem" 2>/dev/null
    rm -f "$name.csr"
}

issue server "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue client "/CN=dev-client/O=childgateway" "extendedKeyUsage=clientAuth"

# The checkpoint signing key (PKCS#8 PEM, as `gateway audit keygen` writes it) and the public key auditors check
# checkpoints and proofs with (`gateway audit verify|check-proof --public-key audit-signing.pub.pem`).
if [ ! -f audit-signing.key ]; then
    openssl genpkey -algorithm ed25519 -out audit-signing.key 2>/dev/null
fi
if [ ! -f audit-signing.pub.pem ]; then
    openssl pkey -in audit-signing.key -pubout -out audit-signing.pub.pem 2>/dev/null
fi
echo "development certificates in $dir: ca.pem, server.pem/server.key, client.pem/client.key;" \
    "checkpoint signing key audit-signing.key (public key audit-signing.pub.pem)"
