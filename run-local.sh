#!/usr/bin/env bash
# Builds the pack and runs it on a local Keycloak distribution (embedded H2, data kept in .local/): the production
# realm imported at the first start, then the example clients (realm-config/mcias-examples.json) added to it.
# Usage: ./run-local.sh            (PORT=8080 by default; MCIAS_EXAMPLES=no leaves the examples out; Ctrl-C stops)
set -euo pipefail

cd "$(dirname "$0")"
root=$(pwd)
port=${PORT:-8080}
mgmt_port=${MANAGEMENT_PORT:-9000}
version=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
state="$root/.local"
home="$state/keycloak-$version"

echo "Building the pack (./mvnw package) ..."
./mvnw -B -q -ntp -DskipTests package

repo=${MAVEN_REPO:-$HOME/.m2/repository}
zip="$repo/org/keycloak/keycloak-quarkus-dist/$version/keycloak-quarkus-dist-$version.zip"
if [ ! -f "$zip" ]; then
  echo "Fetching Keycloak $version through Maven ..."
  ./mvnw -B -q -ntp dependency:get -Dtransitive=false -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip"
fi
if [ ! -x "$home/bin/kc.sh" ]; then
  echo "Unpacking Keycloak $version into $home ..."
  mkdir -p "$state"
  (cd "$state" && jar xf "$zip")
  chmod +x "$home"/bin/*.sh
fi

# H2 gets WRITE_DELAY=0 so a killed server keeps what it answered (H2 otherwise writes commits up to
# 500 ms later). Production runs on PostgreSQL (docs/operations.md).

# Install the current pack: our JARs replace earlier copies; the realm is imported only if absent.
rm -f "$home"/providers/*.jar
cp target/providers/*.jar "$home/providers/"
mkdir -p "$home/data/import" "$home/data/password-blacklists"
cp target/realm/*.json "$home/data/import/"
cp target/password-blacklists/* "$home/data/password-blacklists/"

# Bootstrap admin: generated once, used by Keycloak only on the first start (empty database).
secret="$state/bootstrap-admin-password"
if [ ! -s "$secret" ]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$secret")
fi
admin_password=$(cat "$secret")

# Values for the example clients' ${ENV} placeholders (realm-config/README.md): local apps, a generated secret.
webapp_secret_file="$state/example-webapp-client-secret"
if [ ! -s "$webapp_secret_file" ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' > "$webapp_secret_file")
fi
MCIAS_WEBAPP_URL=${MCIAS_WEBAPP_URL:-http://localhost:3000}
MCIAS_SPA_URL=${MCIAS_SPA_URL:-http://localhost:5173}
MCIAS_WEBAPP_CLIENT_SECRET=${MCIAS_WEBAPP_CLIENT_SECRET:-$(cat "$webapp_secret_file")}

# AES-256 key for stored database credentials (spi-db-credentials), generated once.
db_keys="$state/db-credentials.keys"
if [ ! -s "$db_keys" ]; then
  (umask 077 && printf 'k1:%s\n' "$(head -c 32 /dev/urandom | base64)" > "$db_keys")
fi
# HMAC key for the audit log's fingerprints of unknown usernames (spi-audit-listener), generated once.
audit_key="$state/audit-fingerprint.key"
if [ ! -s "$audit_key" ]; then
  (umask 077 && printf 'a1:%s\n' "$(head -c 32 /dev/urandom | base64)" > "$audit_key")
fi
# Ed25519 key (a random 32-byte seed) signing the audit checkpoints (spi-audit-listener), generated once.
checkpoint_key="$state/audit-checkpoint.key"
if [ ! -s "$checkpoint_key" ]; then
  (umask 077 && printf 'c1:%s\n' "$(head -c 32 /dev/urandom | base64)" > "$checkpoint_key")
fi

base="http://127.0.0.1:$port"
health="http://127.0.0.1:$mgmt_port/health/ready"
# Once per database (the marker lives in its folder): the example clients, added to the running server through the
# admin REST partial import, which skips what exists. Keycloak's import cannot merge two files into one realm, and
# the partial import does not resolve ${ENV} placeholders, so this fills them in.
examples_marker="$home/data/h2/mcias-examples-imported"
import_examples() {
  local json name value token
  json=$(cat target/examples/mcias-examples.json)
  for name in MCIAS_WEBAPP_URL MCIAS_WEBAPP_CLIENT_SECRET MCIAS_SPA_URL; do
    value=${!name}
    case "$value" in
      '' | *[\"\\[:space:][:cntrl:]]*) echo "run-local: $name must be set, without quotes, backslashes or spaces" >&2; return 1 ;;
    esac
    json=${json//"\${$name}"/"$value"}
  done
  # Wait for the server (this runs beside it); give up when it has stopped.
  until curl -sf -o /dev/null "$health"; do
    kill -0 "$$" 2>/dev/null || return 1
    sleep 1
  done
  token=$(printf '%s' "$admin_password" | curl -sf -d grant_type=password -d client_id=admin-cli -d username=admin \
    --data-urlencode password@- "$base/realms/master/protocol/openid-connect/token" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p') || true
  if [ -z "$token" ]; then
    echo "run-local: the bootstrap admin cannot sign in (removed?): example clients not imported" >&2
    return 1
  fi
  if printf '%s' "$json" | curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data-binary @- "$base/admin/realms/mcias/partialImport"; then
    touch "$examples_marker"
    echo "run-local: example clients mcias-example-spa ($MCIAS_SPA_URL), mcias-example-webapp ($MCIAS_WEBAPP_URL) and example-job imported"
  else
    echo "run-local: importing the example clients failed" >&2
    return 1
  fi
}

cat <<TXT

  MCIAS on Keycloak $version (embedded H2 in $home/data/h2)
  Admin console : $base/admin/   (realm "master", user admin; the password is in $secret,
                  used only on the first start: create your own admin and delete this one)
  Realm login   : $base/realms/mcias/account/   (account console; signs you in on the MCIAS login page)
  First admin   : KC_BOOTSTRAP_ADMIN_USERNAME=admin mciasctl/target/mciasctl/mciasctl bootstrap root \
                    --server $base --master-password-file $secret \
                    --email root@example.org --first-name Root --last-name Admin
                  creates realm admin "root" (temporary password shown once, TOTP at first sign-in);
                  then: mciasctl/target/mciasctl/mciasctl login --server $base   (docs/cli.md)
  Example apps  : mcias-example-spa at $MCIAS_SPA_URL, mcias-example-webapp at $MCIAS_WEBAPP_URL
                  (client secret in $webapp_secret_file; MCIAS_EXAMPLES=no leaves them out)
  OIDC discovery: $base/realms/mcias/.well-known/openid-configuration
  Health        : $health
  Stop with Ctrl-C. Running this again keeps users, sessions and keys.
  Expected in the log: KC-SERVICES0047 warnings (our providers implement internal SPIs) and warnings about
  deprecated or preview features; neither is an error.

TXT

if [ "${MCIAS_EXAMPLES:-yes}" != no ] && [ ! -e "$examples_marker" ]; then
  if command -v curl >/dev/null; then
    import_examples &
  else
    echo "run-local: curl not found: example clients not imported (realm-config/README.md shows how)" >&2
  fi
fi

export KC_BOOTSTRAP_ADMIN_USERNAME=admin
export KC_BOOTSTRAP_ADMIN_PASSWORD="$admin_password"
exec "$home/bin/kc.sh" start-dev \
  --http-host=127.0.0.1 --http-port="$port" --http-management-port="$mgmt_port" \
  --health-enabled=true --import-realm --db=dev-file \
  --spi-theme--default=mcias \
  --spi-realm-restapi-extension--db-credentials--key-file="$db_keys" \
  --spi-events-listener--mcias-audit--fingerprint-key-file="$audit_key" \
  --spi-events-listener--mcias-audit--checkpoint-key-file="$checkpoint_key" \
  --db-url="jdbc:h2:file:$home/data/h2/keycloakdb;NON_KEYWORDS=VALUE;WRITE_DELAY=0" "$@"
