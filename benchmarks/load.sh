#!/usr/bin/env bash
# Bounded load runs against a real Keycloak with the pack installed, stock Keycloak side by side in the
# same server and run. Needs wrk (apt-get install wrk), python3, curl, and psql for BENCH_DB=postgres.
#   benchmarks/load.sh password            argon2id (ours) vs argon2 (built-in), same parameters
#   benchmarks/load.sh client-credentials  system-account token vs stock client secret
#   benchmarks/load.sh audit               password and client_credentials grants, mcias-audit listener on vs off
#                                        vs Keycloak's own event store (eventsEnabled)
#   benchmarks/load.sh audit-latency       one connection, client_credentials, listener on vs off (added latency)
#   benchmarks/load.sh forward-auth        forward-auth checks of a signed-in member vs userinfo for the same user
#                                        (and the check of an app that is sent a token of its own)
#   benchmarks/load.sh all                 every scenario above, one after the other on one server
# Several scenarios may be named; they share one server. Every phase is time-bounded (SECONDS_PER_RUN,
# default 30); the server is stopped at the end. A phase with a non-2xx answer fails the script.
# Environment: BENCH_SMOKE=1 (1 s phases, 5 users, no warm-ups, every kind of phase once at its lowest
# concurrency: proves the scenarios run, measures nothing; the build runs it, BenchmarksSmokeIT),
# BENCH_SKIP_BUILD=1 (use the pack already in target/), BENCH_PORT (18180; management port +1000), BENCH_WORK (target/bench), BENCH_KC_HOME (a distribution with the
# pack already built for BENCH_DB: started --optimized, no build), BENCH_DB=postgres with
# BENCH_PG_DB (mcias_bench, dropped and created), BENCH_KC_OPTS (extra Keycloak options), BENCH_WARMUP_SECONDS
# (audit: warm-up of each grant per listener state, default twice SECONDS_PER_RUN), BENCH_SETTLE_SECONDS (audit:
# each grant's unmeasured run after every listener switch, default 0: none), BENCH_JIT_QUIET_MS (audit,
# audit-latency: after every listener switch; client-credentials: after the warm-up; unmeasured rounds of load,
# 5 s per grant or client, until the JIT compilers used less than this many ms of CPU in one; default 200, 0: no
# such settling) and
# BENCH_JIT_SETTLE_ROUNDS (at most that many rounds, default 18), BENCH_JFR (a directory: every measured phase is
# recorded with JFR there, for benchmarks/jfr_diff.py), BENCH_AUDIT_ROUNDS (audit: how many times the
# measured on/off/off/on block runs, default 1; with more, the summary gives every round's on/off ratio and their
# spread, since on a small shared machine identical phases differ by up to 20%).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 password|client-credentials|audit|audit-latency|forward-auth|all ..." >&2; exit 2; }
scenarios=("$@")
if [ "${scenarios[*]}" = all ]; then scenarios=(password client-credentials audit audit-latency forward-auth); fi
for scenario in "${scenarios[@]}"; do
  case "$scenario" in
    password|client-credentials|audit|audit-latency|forward-auth) ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
smoke=${BENCH_SMOKE:-0}
if [ "$smoke" = 1 ]; then secs=${SECONDS_PER_RUN:-1}; users=5; else secs=${SECONDS_PER_RUN:-30}; users=200; fi
concurrencies=(8 32)
[ "$smoke" != 1 ] || concurrencies=(8)
# ABBA: each comparison measures A, B, B, A (then warm-up order does not decide); in smoke mode A, B once.
if [ "$smoke" = 1 ]; then abba=(a b); else abba=(a b b a); fi
port=${BENCH_PORT:-18180}
mgmt=$((port + 1000))
version=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
work=${BENCH_WORK:-target/bench}
home="$work/keycloak-$version"
base="http://127.0.0.1:$port"
for tool in wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "$0 needs $tool (apt-get install $tool)" >&2; exit 2; }
done

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -ntp -DskipTests package
fi
rm -rf "$work" && mkdir -p "$work"
# BENCH_KC_HOME: a distribution with the pack already built (kc.sh build) for BENCH_DB, started --optimized as it is
# (BenchmarksSmokeIT passes the tests' own); otherwise a fresh copy of the distribution with the pack, built at start.
optimized=()
if [ -n "${BENCH_KC_HOME:-}" ]; then
  home=$BENCH_KC_HOME
  optimized=(--optimized)
else
  (cd "$work" && jar xf "$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$version/keycloak-quarkus-dist-$version.zip")
  chmod +x "$home"/bin/*.sh
  cp target/providers/*.jar "$home/providers/"
fi
mkdir -p "$home/data/import" "$home/data/password-blacklists"
cp target/realm/*.json "$home/data/import/"
cp target/password-blacklists/* "$home/data/password-blacklists/"
# The realm's ${ENV} placeholders (example clients; not used by the load).
export MCIAS_WEBAPP_URL=http://127.0.0.1:3000 MCIAS_SPA_URL=http://127.0.0.1:5173
MCIAS_WEBAPP_CLIENT_SECRET=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
export MCIAS_WEBAPP_CLIENT_SECRET

# BENCH_DB=postgres runs on a fresh database (BENCH_PG_DB) at 127.0.0.1:5432 (trust auth) instead of H2.
db_opts=(--db=dev-file)
if [ "${BENCH_DB:-h2}" = postgres ]; then
  pgdb=${BENCH_PG_DB:-mcias_bench}
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS \"$pgdb\" WITH (FORCE)" postgres
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE \"$pgdb\"" postgres
  db_opts=(--db=postgres "--db-url=jdbc:postgresql://127.0.0.1:5432/$pgdb" --db-username=postgres)
fi
# Build-time options (--db, --health-enabled) are the built distribution's own when started --optimized.
build_opts=("${db_opts[0]}" --health-enabled=true)
db_opts=("${db_opts[@]:1}")
[ ${#optimized[@]} -eq 0 ] || build_opts=("${optimized[@]}")

# BENCH_KC_OPTS: extra Keycloak options for experiments, e.g. "--log-console-async=true".
read -r -a extra_opts <<< "${BENCH_KC_OPTS:-}"

admin_password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" \
  "$home/bin/kc.sh" start "${build_opts[@]}" --http-enabled=true --http-host=127.0.0.1 --http-port="$port" \
  --http-management-port="$mgmt" --hostname-strict=false --cache=local \
  "${db_opts[@]}" --import-realm \
  --spi-password-hashing--argon2--memory=19456 --spi-password-hashing--argon2--iterations=2 \
  --spi-password-hashing--argon2--parallelism=1 "${extra_opts[@]}" > "$work/keycloak.log" 2>&1 &
kc=$!
trap 'kill $kc 2>/dev/null; wait $kc 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$mgmt/health/ready" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$mgmt/health/ready" >/dev/null

# CPU time (ms) the Keycloak process and the PostgreSQL server (every postgres process on the machine: run
# nothing else against it meanwhile) have used so far: CPU per request is the figure that other work on the
# machine disturbs least.
# kc.sh either becomes the JVM (exec) or starts it as its child, depending on the distribution's build state.
kc_java=$kc
[ "$(cat "/proc/$kc/comm")" = java ] || kc_java=$(pgrep -P "$kc" -x java | head -1)
# cpu_ms STAT_FILE...: user + system CPU ms of those processes or threads (gone ones count 0). One awk for all of
# them: a process per file costs seconds per phase on 2 busy cores. The command name, field 2, may contain spaces:
# the fields are counted from the ") " that ends it (utime and stime are then fields 12 and 13).
cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { printf "%d", t * 1000 / hz }' \
    "$@" 2>/dev/null || true
}
kc_cpu_ms() { cpu_ms "/proc/$kc_java/stat"; }
pg_cpu_ms() {
  local pids
  pids=$(pgrep -x postgres || true)
  [ -n "$pids" ] || { echo 0; return; }
  # shellcheck disable=SC2046,SC2086 # one path per process
  cpu_ms $(printf '/proc/%s/stat ' $pids)
}

# CPU time (ms) of the JVM's JIT compiler threads so far. Switching the audit listener on or off invalidates
# compiled code that assumed the other state; on 2 busy cores the JIT then needs tens of seconds to catch up,
# and a phase measured meanwhile compares compilation, not the listener.
jit_cpu_ms() {
  local stats
  stats=$(grep -l -E '^[0-9]+ \(C[12] CompilerThre' /proc/"$kc_java"/task/*/stat 2>/dev/null || true)
  [ -n "$stats" ] || { echo 0; return; }
  # shellcheck disable=SC2086 # one path per thread
  cpu_ms $stats
}

run() { # label realm concurrency seconds body users auth
  local out threads=2 kc0 kc1 pg0 pg1 jit0 jit1 n cpu jfr=''
  [ "$3" -ge 2 ] || threads=1
  # BENCH_JFR=DIR: a JFR recording (Keycloak's JVM, "profile" settings) of every measured phase,
  # DIR/NN-label-cC-nREQUESTS.jfr; benchmarks/jfr_diff.py compares two of them per request.
  if [ -n "${BENCH_JFR:-}" ] && [ "${recording:-1}" = 1 ]; then
    mkdir -p "$BENCH_JFR"
    jfr="$BENCH_JFR/$(printf '%02d' "$(find "$BENCH_JFR" -name '*.jfr' | wc -l)")-$(tr -c 'A-Za-z0-9\n' - <<< "$1")-c$3.jfr"
    jcmd "$kc_java" JFR.start name=phase settings=profile >/dev/null
  fi
  kc0=$(kc_cpu_ms); pg0=$(pg_cpu_ms); jit0=$(jit_cpu_ms)
  out=$(BODY="$5" USERS="$6" AUTH="$7" wrk -t"$threads" -c"$3" -d"$4"s --timeout 30s -s benchmarks/form.lua \
        "$base/realms/$2/protocol/openid-connect/token" | grep RESULT)
  kc1=$(kc_cpu_ms); pg1=$(pg_cpu_ms); jit1=$(jit_cpu_ms)
  [ -z "$jfr" ] || jcmd "$kc_java" JFR.stop name=phase filename="$jfr" >/dev/null
  n=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<< "$out")
  [ -z "$jfr" ] || mv "$jfr" "${jfr%.jfr}-n${n:-0}.jfr"
  cpu=$(awk -v k=$((kc1 - kc0)) -v p=$((pg1 - pg0)) -v n="${n:-0}" \
        'BEGIN { if (n > 0) printf "kc_cpu_ms_per_req=%.3f pg_cpu_ms_per_req=%.3f", k / n, p / n }')
  cpu="$cpu jit_cpu_ms=$((jit1 - jit0))"
  printf '%-34s c=%-3s %s %s load=%s\n' "$1" "$3" "${out#RESULT }" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
  # record_to (set by the audit scenario for its measured phases only): round, phase label, connections, rps.
  [ -z "${record_to:-}" ] || printf '%s\t%s\t%s\t%s\n' "$round" "$1" "$3" \
    "$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<< "$out")" >> "$record_to"
  # A benchmark whose requests fail measures nothing: stop, so a broken setup cannot pass as a figure.
  case "$out" in
    *"statuses=2xx="*",4xx=0,5xx=0,other=0"*) ;;
    *) echo "FAILED: $1 got non-2xx answers" >&2; exit 1 ;;
  esac
  case "$out" in
    *"statuses=2xx=0,"*)
      # Nothing came back within the phase (a cold server on a busy machine): one request without a time
      # limit must still succeed, or the setup is broken.
      local status auth_header=()
      [ -z "$7" ] || auth_header=(-H "Authorization: Basic $7")
      status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 300 "${auth_header[@]}" \
               --data "${5//%d/0}" "$base/realms/$2/protocol/openid-connect/token")
      [ "$status" = 200 ] || { echo "FAILED: $1 got no answer within the phase, then HTTP $status" >&2; exit 1; }
      ;;
  esac
}

warmup() { # like run, shorter in smoke mode, output dropped
  local secs_warm=$4
  [ "$smoke" != 1 ] || secs_warm=1
  record_to='' recording=0 run "$1" "$2" "$3" "$secs_warm" "$5" "$6" "$7" >/dev/null
}

settle_jit() { # label round: unmeasured rounds of load (the function round) until one compiles little (bounded)
  local quiet=${BENCH_JIT_QUIET_MS:-200} rounds=${BENCH_JIT_SETTLE_ROUNDS:-18} k j0 j1
  [ "$smoke" != 1 ] && [ "$quiet" -gt 0 ] || return 0
  for k in $(seq 1 "$rounds"); do
    j0=$(jit_cpu_ms)
    "$2"
    j1=$(jit_cpu_ms)
    if [ $((j1 - j0)) -lt "$quiet" ]; then
      echo "# $1: JIT quiet after $k round(s) of load ($((j1 - j0)) ms compiling in the last)"
      return 0
    fi
  done
  echo "# $1: JIT still compiling after $rounds rounds ($((j1 - j0)) ms in the last); measuring anyway"
}

pw='grant_type=password&client_id=bench&client_secret=bench-secret-0123456789&username=user%d&password=Bench-password-0123'
for scenario in "${scenarios[@]}"; do
echo "# $scenario, ${BENCH_DB:-h2}, Keycloak $version, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
case "$scenario" in
  password)
    python3 benchmarks/setup.py "$base" "$admin_password" realm bench-ours "hashAlgorithm(argon2id)" $users
    python3 benchmarks/setup.py "$base" "$admin_password" realm bench-stock "hashAlgorithm(argon2)" $users
    echo "## freshly started server (ours measured first)"
    run "argon2id (mcias, native)" bench-ours 8 "$secs" "$pw" $users ""
    run "argon2 (Keycloak built-in)" bench-stock 8 "$secs" "$pw" $users ""
    if [ "$smoke" = 1 ]; then continue; fi # smoke: the cold pair alone
    echo "## warm-up: $((secs * 2)) s each, not measured"
    warmup "warm-up argon2id" bench-ours 8 $((secs * 2)) "$pw" $users ""
    warmup "warm-up argon2" bench-stock 8 $((secs * 2)) "$pw" $users ""
    echo "## after warm-up"
    run "argon2id (mcias, native)" bench-ours 8 "$secs" "$pw" $users ""
    run "argon2 (Keycloak built-in)" bench-stock 8 "$secs" "$pw" $users ""
    ;;
  client-credentials)
    token=$(python3 benchmarks/setup.py "$base" "$admin_password" service-clients)
    ours=$(printf '%s' "bench-system:$token" | base64 -w0)
    stock=$(printf '%s' "bench-stock:bench-stock-secret-0123456789" | base64 -w0)
    body='grant_type=client_credentials'
    if [ "$smoke" != 1 ]; then
      warmup "warm-up system account" mcias 16 "$secs" "$body" 1 "$ours"
      warmup "warm-up client secret" mcias 16 "$secs" "$body" 1 "$stock"
    fi
    # Then both alternately until the JIT is done with them: the first measured phase otherwise compares a
    # server still compiling (ours, measured first) with a warmer one.
    cc_round() {
      warmup settle mcias 16 5 "$body" 1 "$ours"
      warmup settle mcias 16 5 "$body" 1 "$stock"
    }
    settle_jit "warm-up, client_credentials" cc_round
    for c in "${concurrencies[@]}"; do
      for which in "${abba[@]}"; do
        if [ "$which" = a ]; then
          run "system-account token (mcias)" mcias "$c" "$secs" "$body" 1 "$ours"
        else
          run "client secret (stock)" mcias "$c" "$secs" "$body" 1 "$stock"
        fi
      done
    done
    ;;
  audit)
    python3 benchmarks/setup.py "$base" "$admin_password" realm bench-audit "hashAlgorithm(argon2id)" $users
    cc=$(printf '%s' "bench:bench-secret-0123456789" | base64 -w0)
    settle=${BENCH_SETTLE_SECONDS:-0}
    # Three states: our listener on; off; and the peer a user would otherwise pick, Keycloak storing its own
    # events (eventsEnabled, its JPA event store) with our listener off.
    audit_state() {
      case "$1" in
        on) python3 benchmarks/setup.py "$base" "$admin_password" listeners bench-audit jboss-logging,mcias-audit ;;
        off) python3 benchmarks/setup.py "$base" "$admin_password" listeners bench-audit jboss-logging ;;
        stock) python3 benchmarks/setup.py "$base" "$admin_password" listeners bench-audit jboss-logging store ;;
      esac
    }
    # Warm every code path before anything is measured, then on/off/stock/stock/off/on: every state's mean
    # position in the round is the same, which cancels a server that still speeds up (or slows down) steadily.
    audit_round() {
      warmup settle bench-audit 8 5 "$pw" $users ""
      warmup settle bench-audit 32 5 'grant_type=client_credentials' 1 "$cc"
    }
    warm_states=(on off stock) measured_states=(on off stock stock off on)
    [ "$smoke" != 1 ] || { warm_states=(); measured_states=(on off stock); }
    for phase in "${warm_states[@]}"; do
      audit_state "$phase"
      warmup "warm-up password, audit $phase" bench-audit 8 "${BENCH_WARMUP_SECONDS:-$((secs * 2))}" "$pw" $users ""
      warmup "warm-up client_credentials, audit $phase" bench-audit 32 "${BENCH_WARMUP_SECONDS:-$((secs * 2))}" \
        'grant_type=client_credentials' 1 "$cc"
      settle_jit "warm-up, audit $phase" audit_round
    done
    rounds=${BENCH_AUDIT_ROUNDS:-1}
    record_to="$work/audit-phases.tsv"
    : > "$record_to"
    for round in $(seq 1 "$rounds"); do
      [ "$rounds" = 1 ] || echo "## round $round of $rounds"
      for phase in "${measured_states[@]}"; do
        audit_state "$phase"
        # Optional settling after the switch (every phase alike): each switch deoptimizes hot code, which the JIT
        # then compiles again (JFR); BENCH_SETTLE_SECONDS keeps that out of the measured phase.
        if [ "$settle" -gt 0 ]; then
          warmup "settle password, audit $phase" bench-audit 8 "$settle" "$pw" $users ""
          warmup "settle client_credentials, audit $phase" bench-audit 32 "$settle" 'grant_type=client_credentials' 1 \
            "$cc"
        fi
        settle_jit "switch, audit $phase" audit_round
        run "password grant, audit $phase" bench-audit 8 "$secs" "$pw" $users ""
        run "client_credentials, audit $phase" bench-audit 16 "$secs" 'grant_type=client_credentials' 1 "$cc"
        run "client_credentials, audit $phase" bench-audit 32 "$secs" 'grant_type=client_credentials' 1 "$cc"
      done
    done
    record_to=''
    # Per round, each state's two phases summed against another's (on/off, stock/off, on/stock), then over all
    # rounds.
    python3 - "$work/audit-phases.tsv" <<'PY'
import collections, statistics, sys
rps = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))  # (grant, c) -> round -> state
for line in open(sys.argv[1]):
    rnd, label, c, value = line.rstrip("\n").split("\t")
    grant, state = label.rsplit(", audit ", 1)
    rps[(grant, c)][rnd][state] += float(value or 0)
for (grant, c), by_round in rps.items():
    for a, b in (("on", "off"), ("stock", "off"), ("on", "stock")):
        ratios = [v[a] / v[b] for v in by_round.values() if v[b] > 0]
        sa, sb = (sum(v[k] for v in by_round.values()) for k in (a, b))
        if not ratios or sb == 0:
            continue
        print(f"# audit {a}/{b} {grant} c={c}: all rounds {sa / sb:.1%} ({sa:.1f} / {sb:.1f} requests/s summed); "
              f"rounds {' '.join(f'{r:.0%}' for r in ratios)}; median {statistics.median(ratios):.1%}, "
              f"min {min(ratios):.0%}, max {max(ratios):.0%}")
PY
    ;;
  audit-latency)
    python3 benchmarks/setup.py "$base" "$admin_password" realm bench-latency "hashAlgorithm(argon2id)" 1
    cc=$(printf '%s' "bench:bench-secret-0123456789" | base64 -w0)
    latency_round() { warmup settle bench-latency 32 5 'grant_type=client_credentials' 1 "$cc"; }
    warm_states=(on off)
    [ "$smoke" != 1 ] || warm_states=()
    for phase in "${warm_states[@]}"; do
      if [ "$phase" = on ]; then list=jboss-logging,mcias-audit; else list=jboss-logging; fi
      python3 benchmarks/setup.py "$base" "$admin_password" listeners bench-latency "$list"
      warmup "warm-up client_credentials, audit $phase" bench-latency 4 "$secs" 'grant_type=client_credentials' 1 "$cc"
    done
    for which in "${abba[@]}"; do
      if [ "$which" = a ]; then phase=on list=jboss-logging,mcias-audit; else phase=off list=jboss-logging; fi
      python3 benchmarks/setup.py "$base" "$admin_password" listeners bench-latency "$list"
      settle_jit "switch, audit $phase" latency_round
      run "lone client_credentials, audit $phase" bench-latency 1 "$secs" 'grant_type=client_credentials' 1 "$cc"
    done
    ;;
  forward-auth)
    # The proxy's per-request check (cookie, user session, user, access role) against Keycloak's userinfo for
    # the same user (token, session): similar work. Alternating order, at 8 and 32 connections.
    cookie=$(python3 benchmarks/forward_auth.py "$base" "$admin_password" setup | sed -n 's/^COOKIE=//p')
    check="$base/realms/bench-fa/forward-auth/check"
    fa_run() { # label url concurrency H1 H2 H3 H4 H5
      local out threads=2
      [ "$3" -ge 2 ] || threads=1
      out=$(H1="$4" H2="$5" H3="$6" H4="$7" H5="$8" wrk -t"$threads" -c"$3" -d"$secs"s --timeout 30s -s benchmarks/get.lua \
            "$2" | grep RESULT)
      printf '%-34s c=%-3s %s load=%s\n' "$1" "$3" "${out#RESULT }" "$(cut -d' ' -f1-3 /proc/loadavg)"
      case "$out" in
        *"statuses=2xx="*",4xx=0,5xx=0,other=0"*) ;;
        *) echo "FAILED: $1 got non-2xx answers" >&2; exit 1 ;;
      esac
    }
    fa_phase() { # which concurrency
      if [ "$1" = check ]; then
        fa_run "forward-auth check (mcias)" "$check" "$2" "Cookie: $cookie" "X-Forwarded-Proto: http" \
          "X-Forwarded-Host: bench-app.localhost" "X-Forwarded-Uri: /" "X-Mcias-App: bench-app"
      else
        fa_run "userinfo (stock)" "$base/realms/bench-fa/protocol/openid-connect/userinfo" "$2" \
          "Authorization: Bearer $(python3 benchmarks/forward_auth.py "$base" "$admin_password" token)" "" "" "" ""
      fi
    }
    if [ "$smoke" != 1 ]; then
      for which in check userinfo; do
        secs_saved=$secs; secs=$((secs_saved * 2))
        fa_phase "$which" 16 >/dev/null # warm-up, not measured
        secs=$secs_saved
      done
    fi
    for c in "${concurrencies[@]}"; do
      for which in "${abba[@]}"; do
        if [ "$which" = a ]; then fa_phase check "$c"; else fa_phase userinfo "$c"; fi
      done
    done
    # The same check for an app that is sent an access token of its own (one minted and signed per check).
    python3 benchmarks/forward_auth.py "$base" "$admin_password" pass-token
    for c in "${concurrencies[@]}"; do
      fa_run "forward-auth check + token (mcias)" "$check" "$c" "Cookie: $cookie" "X-Forwarded-Proto: http" \
        "X-Forwarded-Host: bench-app.localhost" "X-Forwarded-Uri: /" "X-Mcias-App: bench-app"
    done
    ;;
esac
done
