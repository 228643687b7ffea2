#!/usr/bin/env bash
# JMH: password verification throughput, our native argon2id vs Keycloak's built-in argon2, same parameters,
# 1 and 2 threads. Results go to target/jmh-result.json and the console.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -ntp -pl spi-password-argon2 -am test-compile
./mvnw -B -q -ntp -pl spi-password-argon2 dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/benchmark.classpath
module=spi-password-argon2/target
cp="$module/test-classes:$module/classes:$(cat spi-password-argon2/target/benchmark.classpath)"
for threads in 1 2; do
  java -cp "$cp" org.openjdk.jmh.Main PasswordHashBenchmark -f 1 -wi 2 -w 3s -i 4 -r 4s -t "$threads" \
    -rf json -rff "$module/jmh-result-t$threads.json" "$@"
done
