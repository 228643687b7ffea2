#!/usr/bin/env bash
# JMH: password verification throughput, our native argon2id vs Keycloak's built-in argon2, same parameters,
# 1 and 2 threads. Results go to target/jmh-result-t{1,2}.json and the console.
# BENCH_SMOKE=1: one 1 s iteration per benchmark, no warm-up (proves the benchmark runs, measures nothing; the
# build runs it, BenchmarksSmokeIT). BENCH_SKIP_BUILD=1: use the classes Maven already compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -ntp -pl spi-password-argon2 -am test-compile
fi
./mvnw -B -q -ntp -pl spi-password-argon2 dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/benchmark.classpath
module=spi-password-argon2/target
cp="$module/test-classes:$module/classes:$(cat spi-password-argon2/target/benchmark.classpath)"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
  timing=(-f 1 -wi 0 -i 1 -r 1s -foe true)
else
  timing=(-f 1 -wi 2 -w 3s -i 4 -r 4s -foe true)
fi
for threads in 1 2; do
  java -cp "$cp" org.openjdk.jmh.Main PasswordHashBenchmark "${timing[@]}" -t "$threads" \
    -rf json -rff "$module/jmh-result-t$threads.json" "$@"
done
