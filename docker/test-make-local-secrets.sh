#!/usr/bin/env bash
# Test of make-local-secrets.sh in a scratch copy of this folder: file modes (private, readable by the Keycloak
# container user), nothing regenerated or loosened on a second run, no password on standard output, passwords of an
# earlier .env kept. Run by DockerScriptsTest in ./mvnw verify; needs bash, openssl and GNU stat.
# Usage: test-make-local-secrets.sh     (exit status 0 when every check passes)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

expect_mode() { # <file> <octal mode>
  local got
  got=$(stat -c %a "$1")
  [ "$got" = "$2" ] || fail "$1 has mode $got, expected $2"
}

expect_group() { # <file> <gid>
  local got
  got=$(stat -c %g "$1")
  [ "$got" = "$2" ] || fail "$1 has group $got, expected $2"
}

copy() { # <dir>: a fresh copy of the scripts
  mkdir -p "$1"
  cp "$here/make-local-secrets.sh" "$here/make-dev-cert.sh" "$1/"
}

# --- first run, as the user running the test ---
d="$scratch/first"
copy "$d"
out=$("$d/make-local-secrets.sh" 2>&1) || fail "first run failed: $out"
cd "$d"
for f in secrets/tls.crt secrets/tls.key secrets/db-credentials.keys secrets/audit-fingerprint.key secrets/audit-checkpoint.key secrets/postgres-password secrets/keycloak.conf .env; do
  [ -s "$f" ] || fail "$f missing or empty"
done
expect_mode secrets 700
expect_mode secrets/tls.crt 644
expect_mode secrets/postgres-password 600
expect_mode .env 600
if [ "$(id -u)" = 0 ]; then
  # Readable by the container user (uid 1000, gid 0) through the group, by no one else.
  for f in secrets/tls.key secrets/db-credentials.keys secrets/audit-fingerprint.key secrets/audit-checkpoint.key secrets/keycloak.conf; do
    expect_mode "$f" 640
    expect_group "$f" 0
  done
  grep -q '^MCIAS_KEYCLOAK_USER=' .env && fail ".env overrides the container user although the group can be set"
else
  for f in secrets/tls.key secrets/db-credentials.keys secrets/audit-fingerprint.key secrets/audit-checkpoint.key secrets/keycloak.conf; do
    expect_mode "$f" 600
  done
fi
db_password=$(cat secrets/postgres-password)
grep -qx "db-password=$db_password" secrets/keycloak.conf || fail "keycloak.conf has another database password"
admin_password=$(sed -n 's/^bootstrap-admin-password=//p' secrets/keycloak.conf)
[ "${#admin_password}" -ge 24 ] || fail "bootstrap admin password missing or short"
grep -q '^k1:' secrets/db-credentials.keys || fail "db-credentials.keys has no key k1"
[ "$(sed -n 's/^c1://p' secrets/audit-checkpoint.key | base64 -d | wc -c)" -eq 32 ] \
  || fail "audit-checkpoint.key has no 32-byte seed c1"
openssl pkey -in secrets/tls.key -noout 2>/dev/null || fail "tls.key is not a private key"
case "$out" in
  *"$admin_password"* | *"$db_password"*) fail "a password was printed: $out" ;;
esac
case "$out" in
  *secrets/keycloak.conf*) ;;
  *) fail "the output does not say where the bootstrap admin password is: $out" ;;
esac
if grep -q 'PASSWORD\|SECRET' .env; then
  fail ".env holds secrets: $(cat .env)"
fi

# --- second run: nothing regenerated, no mode loosened, too-open files tightened ---
sums=$(sha256sum secrets/* .env)
chmod 0400 secrets/tls.key             # stricter than the script makes it: must stay
chmod 0600 secrets/db-credentials.keys # as an operator may have set it: must stay
chmod 0644 secrets/keycloak.conf       # world-readable: must lose the world bits
chmod 0666 secrets/postgres-password   # world-writable: must lose group write and world bits
out=$("$d/make-local-secrets.sh" 2>&1) || fail "second run failed: $out"
[ "$sums" = "$(sha256sum secrets/* .env)" ] || fail "second run changed a file"
expect_mode secrets/tls.key 400
expect_mode secrets/db-credentials.keys 600
expect_mode secrets/keycloak.conf 640
expect_mode secrets/postgres-password 640
case "$out" in
  *"$admin_password"* | *"$db_password"*) fail "a password was printed on the second run: $out" ;;
esac

# --- an operator's own TLS pair is kept as it is; half a pair is refused ---
d="$scratch/operator"
copy "$d"
mkdir -m 0700 "$d/secrets"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=sso.example.test \
  -keyout "$d/secrets/tls.key" -out "$d/secrets/tls.crt" 2>/dev/null
chmod 0600 "$d/secrets/tls.key"
key_sum=$(sha256sum < "$d/secrets/tls.key")
"$d/make-local-secrets.sh" sso.example.test >/dev/null 2>&1 || fail "run with an operator's pair failed"
[ "$key_sum" = "$(sha256sum < "$d/secrets/tls.key")" ] || fail "the operator's key was replaced"
expect_mode "$d/secrets/tls.key" 600
grep -qx 'MCIAS_HOSTNAME=https://sso.example.test:8443' "$d/.env" || fail "hostname not in .env"
rm "$d/secrets/tls.crt"
if "$d/make-local-secrets.sh" >/dev/null 2>&1; then
  fail "a key without its certificate was accepted"
fi

# --- an .env of an earlier version: its passwords are kept (the database volume was created with them) ---
d="$scratch/upgrade"
copy "$d"
printf 'POSTGRES_PASSWORD=old-db-password-0123\nKC_BOOTSTRAP_ADMIN_PASSWORD=old-admin-password-0123\n' > "$d/.env"
chmod 0600 "$d/.env"
out=$("$d/make-local-secrets.sh" 2>&1) || fail "upgrade run failed: $out"
[ "$(cat "$d/secrets/postgres-password")" = old-db-password-0123 ] || fail "database password not kept"
grep -qx 'db-password=old-db-password-0123' "$d/secrets/keycloak.conf" || fail "keycloak.conf lacks the old password"
grep -qx 'bootstrap-admin-password=old-admin-password-0123' "$d/secrets/keycloak.conf" || fail "admin password not kept"
case "$out" in
  *"remove them from .env"*) ;;
  *) fail "no advice to remove the passwords from .env: $out" ;;
esac

# --- as another user (when the test runs as root and can switch): 0600 files, the container runs as that uid ---
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  d="$scratch/user"
  copy "$d"
  chown -R 65534:65534 "$d"
  chmod 0755 "$scratch"
  out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$d/make-local-secrets.sh" 2>&1) \
    || fail "run as uid 65534 failed: $out"
  for f in secrets/tls.key secrets/db-credentials.keys secrets/keycloak.conf secrets/postgres-password; do
    expect_mode "$d/$f" 600
    [ "$(stat -c %u "$d/$f")" = 65534 ] || fail "$f not owned by the user who ran the script"
  done
  grep -qx 'MCIAS_KEYCLOAK_USER=65534:0' "$d/.env" || fail "container user not set for uid 65534: $(cat "$d/.env")"
else
  echo "skipped: the run as another user (needs root and setpriv)"
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "make-local-secrets.sh: all checks passed"
