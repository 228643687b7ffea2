#!/usr/bin/env bash
# Everything compose.yaml needs, generated once (existing files are kept, so running it again changes nothing):
#   secrets/tls.crt, secrets/tls.key   self-signed pair (make-dev-cert.sh); put your real pair here instead
#   secrets/db-credentials.keys        AES-256 key for stored database credentials (spi-db-credentials)
#   secrets/audit-fingerprint.key      HMAC key for fingerprints of unknown usernames (spi-audit-listener)
#   secrets/audit-checkpoint.key       Ed25519 key (32-byte seed) signing audit checkpoints (spi-audit-listener)
#   secrets/postgres-password          the database password, read by PostgreSQL (POSTGRES_PASSWORD_FILE)
#   secrets/keycloak.conf              Keycloak's config file: the same database password and the bootstrap
#                                      admin (used only when the master realm is created, i.e. the first start)
#   .env                               non-secret settings (hostname, proxy, the container user)
# Secrets stay private: created 0600, and 0640 with the Keycloak container user's group (gid 0 in the official
# image) where that group can be set (running as root); otherwise .env runs Keycloak under your uid. The mode of a
# file that already exists is never loosened, only group write and world access are taken away.
# Usage: make-local-secrets.sh [hostname]
set -euo pipefail

cd "$(dirname "$0")"
host=${1:-localhost}
# The official Keycloak image runs as uid 1000 with gid 0 (OpenShift-style group permissions).
kc_uid=1000
kc_gid=0
me=$(id -u)

random() {
  head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='
}

# A secret we just created (mode 0600): make it readable by the Keycloak container user without opening it to others.
share_with_keycloak() {
  if [ "$me" = 0 ]; then
    chgrp "$kc_gid" "$1"
    chmod 0640 "$1"
  fi
  # uid 1000 owns it already, or .env runs the container as this uid (below): 0600 is enough.
}

mode() {
  stat -c %a "$1" 2>/dev/null || stat -f %Lp "$1"
}

# A file that was there before: only ever take permissions away.
tighten() {
  local before after
  before=$(mode "$1")
  chmod go-w,o-rwx "$1"
  after=$(mode "$1")
  if [ "$before" != "$after" ]; then
    echo "tightened $1 from $before to $after"
  fi
}

# write_secret <file> <content>: creates <file> 0600 (then shared with Keycloak when $3 is "keycloak") unless it exists.
write_secret() {
  if [ -e "$1" ]; then
    tighten "$1"
    return
  fi
  (umask 077 && printf '%s\n' "$2" > "$1")
  if [ "${3:-}" = keycloak ]; then
    share_with_keycloak "$1"
  fi
  echo "wrote $1"
}

if [ ! -d secrets ]; then
  mkdir -m 0700 secrets
else
  tighten secrets
fi

if [ ! -e secrets/tls.crt ] && [ ! -e secrets/tls.key ]; then
  ./make-dev-cert.sh secrets "$host"
  share_with_keycloak secrets/tls.key
elif [ -e secrets/tls.crt ] && [ -e secrets/tls.key ]; then
  tighten secrets/tls.key
else
  echo "secrets/ has only one of tls.crt and tls.key: add the other (or remove both for a self-signed pair)" >&2
  exit 1
fi

write_secret secrets/db-credentials.keys "k1:$(head -c 32 /dev/urandom | base64)" keycloak
write_secret secrets/audit-fingerprint.key "a1:$(head -c 32 /dev/urandom | base64)" keycloak
write_secret secrets/audit-checkpoint.key "c1:$(head -c 32 /dev/urandom | base64)" keycloak

# The database password: kept from an .env of an earlier version (its PostgreSQL volume was created with it).
db_password=$(sed -n 's/^POSTGRES_PASSWORD=//p' .env 2>/dev/null || true)
if [ -e secrets/postgres-password ]; then
  db_password=$(cat secrets/postgres-password)
fi
db_password=${db_password:-$(random)}
# PostgreSQL's entrypoint reads the file as root, before it drops privileges.
write_secret secrets/postgres-password "$db_password"

admin_password=$(sed -n 's/^KC_BOOTSTRAP_ADMIN_PASSWORD=//p' .env 2>/dev/null || true)
write_secret secrets/keycloak.conf "# Keycloak configuration file (KC_CONFIG_FILE); keep it private.
db-password=$db_password
# Temporary master-realm admin, used only when the master realm is created (the first start). Sign in, create
# your own admin (with TOTP), delete this user, then delete these two lines.
bootstrap-admin-username=admin
bootstrap-admin-password=${admin_password:-$(random)}" keycloak

if [ ! -e .env ]; then
  (
    umask 077
    {
      echo "# Settings for compose.yaml (no secrets here: those are in secrets/)."
      echo "MCIAS_HOSTNAME=https://$host:8443"
      echo "# Behind a reverse proxy (docs/operations.md, \"Reverse proxy\"), with MCIAS_HOSTNAME its public URL:"
      echo "# KC_PROXY_HEADERS=xforwarded"
      echo "# KC_PROXY_TRUSTED_ADDRESSES=172.16.0.0/12"
      if [ "$me" != 0 ] && [ "$me" != "$kc_uid" ]; then
        echo "# Keycloak runs as your uid so it can read the 0600 files in secrets/ (gid 0 as in the image)."
        echo "MCIAS_KEYCLOAK_USER=$me:$kc_gid"
      fi
    } > .env
  )
  echo "wrote .env"
else
  tighten .env
  if [ "$me" != 0 ] && [ "$me" != "$kc_uid" ] && ! grep -q '^MCIAS_KEYCLOAK_USER=' .env; then
    echo "note: Keycloak (uid $kc_uid) cannot read files private to uid $me: add MCIAS_KEYCLOAK_USER=$me:$kc_gid to .env"
  fi
  if grep -q '^\(POSTGRES_PASSWORD\|KC_BOOTSTRAP_ADMIN_PASSWORD\|MCIAS_WEBAPP_CLIENT_SECRET\)=' .env; then
    echo "note: .env still holds passwords from an earlier version; they now live in secrets/ — remove them from .env"
  fi
fi

echo "The bootstrap admin (user admin) password is in $(pwd)/secrets/keycloak.conf; it is used only at the first start."
