#!/usr/bin/env bash
# Bounded load runs against a real Keycloak with the pack installed, stock Keycloak side by side in the
# same server and run. Needs wrk (apt-get install wrk) and python3.
#   benchmarks/load.sh password            argon2id (ours) vs argon2 (built-in), same parameters
#   benchmarks/load.sh client-credentials  system-account token vs stock client secret
#   benchmarks/load.sh audit               password and client_credentials grants, mcias-audit listener on vs off
# Every phase is time-bounded (SECONDS_PER_RUN, default 30); the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:?password or client-credentials}
secs=${SECONDS_PER_RUN:-30}
port=${BENCH_PORT:-18180}
mgmt=$((port + 1000))
version=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
work=target/bench
home="$work/keycloak-$version"
base="http://127.0.0.1:$port"

./mvnw -B -q -ntp -DskipTests package
rm -rf "$work" && mkdir -p "$work"
(cd "$work" && jar xf "$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$version/keycloak-quarkus-dist-$version.zip")
chmod +x "$home"/bin/*.sh
cp target/providers/*.jar "$home/providers/"
mkdir -p "$home/data/import" "$home/data/password-blacklists"
cp target/realm/*.json "$home/data/import/"
cp target/password-blacklists/* "$home/data/password-blacklists/"
# The realm's ${ENV} placeholders (example clients; not used by the load).
export MCIAS_WEBAPP_URL=http://127.0.0.1:3000 MCIAS_SPA_URL=http://127.0.0.1:5173
MCIAS_WEBAPP_CLIENT_SECRET=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
export MCIAS_WEBAPP_CLIENT_SECRET

# BENCH_DB=postgres runs on a fresh database mcias_bench at 127.0.0.1:5432 (trust auth) instead of H2.
db_opts=(--db=dev-file)
if [ "${BENCH_DB:-h2}" = postgres ]; then
  psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS mcias_bench WITH (FORCE)' postgres
  psql -h 127.0.0.1 -U postgres -qc 'CREATE DATABASE mcias_bench' postgres
  db_opts=(--db=postgres --db-url=jdbc:postgresql://127.0.0.1:5432/mcias_bench --db-username=postgres)
fi

# BENCH_KC_OPTS: extra Keycloak options for experiments, e.g. "--log-console-async=true".
read -r -a extra_opts <<< "${BENCH_KC_OPTS:-}"

admin_password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" \
  "$home/bin/kc.sh" start --http-enabled=true --http-host=127.0.0.1 --http-port="$port" \
  --http-management-port="$mgmt" --hostname-strict=false --health-enabled=true --cache=local \
  "${db_opts[@]}" --import-realm \
  --spi-password-hashing--argon2--memory=19456 --spi-password-hashing--argon2--iterations=2 \
  --spi-password-hashing--argon2--parallelism=1 "${extra_opts[@]}" > "$work/keycloak.log" 2>&1 &
kc=$!
trap 'kill $kc 2>/dev/null; wait $kc 2>/dev/null || true' EXIT
for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$mgmt/health/ready" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$mgmt/health/ready" >/dev/null

run() { # label realm concurrency seconds body users auth
  local out
  out=$(BODY="$5" USERS="$6" AUTH="$7" wrk -t2 -c"$3" -d"$4"s --timeout 30s -s benchmarks/form.lua \
        "$base/realms/$2/protocol/openid-connect/token" | grep RESULT)
  printf '%-34s c=%-3s %s\n' "$1" "$3" "${out#RESULT }"
}

echo "# $scenario, ${BENCH_DB:-h2}, Keycloak $version, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
case "$scenario" in
  password)
    users=200
    python3 benchmarks/setup.py "$base" "$admin_password" realm bench-ours "hashAlgorithm(argon2id)" $users
    python3 benchmarks/setup.py "$base" "$admin_password" realm bench-stock "hashAlgorithm(argon2)" $users
    body='grant_type=password&client_id=bench&client_secret=bench-secret-0123456789&username=user%d&password=Bench-password-0123'
    echo "## freshly started server (ours measured first)"
    run "argon2id (mcias, native)" bench-ours 8 "$secs" "$body" $users ""
    run "argon2 (Keycloak built-in)" bench-stock 8 "$secs" "$body" $users ""
    echo "## warm-up: $((secs * 2)) s each, not measured"
    run "warm-up argon2id" bench-ours 8 $((secs * 2)) "$body" $users "" >/dev/null
    run "warm-up argon2" bench-stock 8 $((secs * 2)) "$body" $users "" >/dev/null
    echo "## after warm-up"
    run "argon2id (mcias, native)" bench-ours 8 "$secs" "$body" $users ""
    run "argon2 (Keycloak built-in)" bench-stock 8 "$secs" "$body" $users ""
    ;;
  client-credentials)
    token=$(python3 benchmarks/setup.py "$base" "$admin_password" service-clients)
    ours=$(printf '%s' "bench-system:$token" | base64 -w0)
    stock=$(printf '%s' "bench-stock:bench-stock-secret-0123456789" | base64 -w0)
    body='grant_type=client_credentials'
    run "warm-up system account" mcias 16 "$secs" "$body" 1 "$ours" >/dev/null
    run "warm-up client secret" mcias 16 "$secs" "$body" 1 "$stock" >/dev/null
    # Two rounds per concurrency, alternating which goes first, so warm-up order does not decide.
    for c in 8 32; do
      run "system-account token (mcias)" mcias $c "$secs" "$body" 1 "$ours"
      run "client secret (stock)" mcias $c "$secs" "$body" 1 "$stock"
      run "client secret (stock)" mcias $c "$secs" "$body" 1 "$stock"
      run "system-account token (mcias)" mcias $c "$secs" "$body" 1 "$ours"
    done
    ;;
  audit)
    users=200
    python3 benchmarks/setup.py "$base" "$admin_password" realm bench-audit "hashAlgorithm(argon2id)" $users
    pw='grant_type=password&client_id=bench&client_secret=bench-secret-0123456789&username=user%d&password=Bench-password-0123'
    cc=$(printf '%s' "bench:bench-secret-0123456789" | base64 -w0)
    for phase in off on off on; do
      if [ "$phase" = on ]; then list=jboss-logging,mcias-audit; else list=jboss-logging; fi
      python3 benchmarks/setup.py "$base" "$admin_password" listeners bench-audit "$list"
      run "password grant, audit $phase" bench-audit 8 "$secs" "$pw" $users ""
      run "client_credentials, audit $phase" bench-audit 16 "$secs" 'grant_type=client_credentials' 1 "$cc"
    done
    ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
