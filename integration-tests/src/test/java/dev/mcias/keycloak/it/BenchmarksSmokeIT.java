package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.OwnServer;
import org.junit.jupiter.api.Test;

/**
 * Every benchmark scenario runs in smoke mode (phases of a few seconds, no figure asserted), so a benchmark that
 * breaks (a setup step refused, a script error, requests failing) fails the build instead of rotting until
 * someone wants a number. The scripts start their own Keycloak from the deployable set already built. Each runs
 * once: load.sh in the PostgreSQL run (the database the audit scenario's figures are about; the scripts' H2 path is
 * the same script with {@code --db=dev-file}), the JMH benchmark in the H2 run (it needs no database).
 */
@OwnServer
class BenchmarksSmokeIT {

    static final Path REPO = Path.of(System.getProperty("mcias.repo.dir", ".."));
    static final String DB = System.getProperty("kc.test.db", "h2");

    /** Runs a script from the repository root; returns its output after asserting exit code 0. */
    static String run(String name, Map<String, String> env, String... command) throws Exception {
        Path log = REPO.resolve("integration-tests/target/benchmarks-smoke-" + name + "-" + DB + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("BENCH_SMOKE", "1");
        pb.environment().put("BENCH_SKIP_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean finished = p.waitFor(25, TimeUnit.MINUTES);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(finished, name + " did not finish within 25 minutes:\n" + out);
        assertEquals(0, p.exitValue(), name + " failed (log " + log + "):\n" + out);
        return out;
    }

    /** A port whose +1000 neighbour (the management port) is free too. */
    static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                int port = s.getLocalPort();
                if (port + 1000 > 65535) {
                    continue;
                }
                try {
                    new ServerSocket(port + 1000).close();
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port pair");
    }

    @Test
    void everyLoadScenarioRunsInSmokeMode() throws Exception {
        assumeTrue("postgres".equals(DB), "load.sh runs once, in the PostgreSQL run");
        String pgDb = "mcias_bench_smoke_" + ProcessHandle.current().pid();
        // The tests' own built distribution (hard links), so the script's server starts --optimized, no build.
        String home = DistributionKeycloakServer.installedCopy("bench-smoke-" + DB).toAbsolutePath().toString();
        String out = run("load", Map.of("BENCH_DB", DB, "BENCH_PG_DB", pgDb, "BENCH_KC_HOME", home,
                "BENCH_PORT", Integer.toString(freePortPair()),
                "BENCH_WORK", "integration-tests/target/bench-smoke-" + DB), "bash", "benchmarks/load.sh", "all");
        for (String scenario : List.of("password", "client-credentials", "audit", "audit-latency", "forward-auth")) {
            assertTrue(out.contains("# " + scenario + ", " + DB + ","), scenario + " ran:\n" + out);
        }
        // The figures are not asserted; that every phase was measured with only 2xx answers is (load.sh stops
        // at the first phase with another status).
        long phases = out.lines().filter(l -> l.contains(" rps=")).count();
        assertEquals(2 + 2 + 9 + 2 + 3, phases, "measured phases:\n" + out);
        for (String grant : List.of("password grant c=8", "client_credentials c=16", "client_credentials c=32")) {
            for (String pair : List.of("on/off", "stock/off", "on/stock")) {
                assertTrue(out.contains("# audit " + pair + " " + grant + ": all rounds "),
                        "audit summary " + pair + " of " + grant + ":\n" + out);
            }
        }
        if ("postgres".equals(DB)) {
            new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    "DROP DATABASE IF EXISTS \"" + pgDb + "\" WITH (FORCE)", "postgres").inheritIO().start()
                    .waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void argon2JmhBenchmarkRunsInSmokeMode() throws Exception {
        assumeTrue("h2".equals(DB), "the JMH benchmark needs no database: run once, in the H2 run");
        for (int threads : new int[] {1, 2}) {
            Files.deleteIfExists(REPO.resolve("spi-password-argon2/target/jmh-result-t" + threads + ".json"));
        }
        run("argon2-jmh", Map.of(), "bash", "spi-password-argon2/benchmark.sh");
        for (int threads : new int[] {1, 2}) {
            File result = REPO.resolve("spi-password-argon2/target/jmh-result-t" + threads + ".json").toFile();
            JsonNode json = KeycloakApi.JSON.readTree(result);
            assertEquals(4, json.size(), "2 parameter sets x 2 providers, " + threads + " thread(s): " + json);
            for (JsonNode b : json) {
                assertTrue(b.path("primaryMetric").path("score").asDouble() > 0, b.toString());
            }
        }
    }
}
