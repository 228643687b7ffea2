#!/usr/bin/env bash
# Makes a self-signed TLS pair for local use only: <dir>/tls.crt and <dir>/tls.key (EC P-256, 30 days,
# names localhost and 127.0.0.1 plus an optional extra hostname).
# Usage: make-dev-cert.sh <dir> [hostname]
set -euo pipefail

dir=${1:?usage: make-dev-cert.sh <dir> [hostname]}
host=${2:-localhost}
mkdir -p "$dir"
san="DNS:localhost,IP:127.0.0.1"
if [ "$host" != "localhost" ]; then
  san="DNS:$host,$san"
fi
(
  umask 077
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=$host" -addext "subjectAltName=$san" \
    -addext "keyUsage=digitalSignature" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
)
chmod 644 "$dir/tls.crt"
echo "wrote $dir/tls.crt and $dir/tls.key (self-signed for $host; not for production)"
