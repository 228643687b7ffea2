#!/usr/bin/env bash
# Raw argon2_hash speed of the libargon2 builds in the provider JAR (portable from argon2-jvm, our AVX2
# build) and of a system libargon2 if one is installed: a C loop, one thread, no JVM.
#   benchmarks/libargon2.sh [hashes] [memory KiB] [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}; m=${2:-19456}; t=${3:-2}
./mvnw -B -q -ntp -pl spi-password-argon2 -am package -DskipTests
work=target/libargon2-bench
mkdir -p "$work"
cat > "$work/bench.c" <<'C'
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef int (*hash_fn)(uint32_t, uint32_t, uint32_t, const void *, size_t, const void *, size_t, void *, size_t,
                       char *, size_t, int, int);
int main(int argc, char **argv) {
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) { printf("%s\n", dlerror()); return 1; }
  hash_fn f = (hash_fn) dlsym(h, "argon2_hash");
  int n = atoi(argv[2]); uint32_t m = atoi(argv[3]), t = atoi(argv[4]);
  unsigned char out[32];
  struct timespec a, b;
  f(t, m, 1, "password", 8, "somesalt", 8, out, 32, NULL, 0, 2, 0x13);
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++) f(t, m, 1, "password", 8, "somesalt", 8, out, 32, NULL, 0, 2, 0x13);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("%-60s m=%u t=%u p=1: %6.1f hashes/s (first byte %02x)\n", argv[1], m, t, n / s, out[0]);
  return 0;
}
C
gcc -O2 "$work/bench.c" -o "$work/bench" -ldl
native=spi-password-argon2/target/classes/dev/mcias/keycloak/argon2/native
for lib in "$native/linux-x86-64/libargon2.so" "$native/linux-x86-64-avx2/libargon2.so" \
           /lib/x86_64-linux-gnu/libargon2.so.1; do
  [ -f "$lib" ] && "$work/bench" "$lib" "$n" "$m" "$t"
done
