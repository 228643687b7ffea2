#!/usr/bin/env bash
# Everything compose.yaml needs for a local run, generated once: secrets/tls.{crt,key} (self-signed),
# secrets/db-credentials.keys (AES-256 key for stored DB credentials) and .env with random passwords.
# Existing files are kept, so running it again changes nothing.
set -euo pipefail

cd "$(dirname "$0")"
mkdir -p secrets
chmod 700 secrets

if [ ! -s secrets/tls.crt ] || [ ! -s secrets/tls.key ]; then
  ./make-dev-cert.sh secrets "${1:-localhost}"
fi
# Keycloak's container user must read the mounted files; compose mounts them read-only.
chmod 644 secrets/tls.key

if [ ! -s secrets/db-credentials.keys ]; then
  (umask 077 && printf 'k1:%s\n' "$(head -c 32 /dev/urandom | base64)" > secrets/db-credentials.keys)
  chmod 644 secrets/db-credentials.keys
  echo "wrote secrets/db-credentials.keys"
fi

random() {
  head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='
}

if [ ! -s .env ]; then
  (
    umask 077
    cat > .env <<ENV
POSTGRES_PASSWORD=$(random)
KC_BOOTSTRAP_ADMIN_USERNAME=admin
KC_BOOTSTRAP_ADMIN_PASSWORD=$(random)
MCIAS_HOSTNAME=https://localhost:8443
MCIAS_WEBAPP_URL=https://localhost:3000
MCIAS_WEBAPP_CLIENT_SECRET=$(random)$(random)
MCIAS_SPA_URL=https://localhost:5173
ENV
  )
  echo "wrote .env (passwords for PostgreSQL, the bootstrap admin and the example web app)"
fi
