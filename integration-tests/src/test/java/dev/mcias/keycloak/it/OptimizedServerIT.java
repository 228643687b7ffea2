package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The production layout without Docker: what docker/Dockerfile does (providers in, {@code kc.sh build} for
 * PostgreSQL with health, metrics and the file vault, the production realm and the denylist in data/), then
 * {@code start --optimized} with the environment docker/compose.yaml sets and the secrets docker/make-local-secrets.sh
 * makes (TLS pair, DB-credentials key, keycloak.conf with the passwords), logins over HTTPS, and a restart once the
 * bootstrap admin has been removed from keycloak.conf, with the reverse-proxy options set.
 */
class OptimizedServerIT {

    static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("kc.test.start.timeout", 240));

    @Test
    void dockerfileLayoutStartsOptimizedWithTlsOnPostgresAndServesLogins() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("kc.test.db")), "PostgreSQL pass only (the image targets it)");
        Path work = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));
        Path home = DistributionKeycloakServer.installedCopy("optimized");
        Path log = work.resolve("keycloak-optimized.log");
        Files.deleteIfExists(log);

        // Secrets from the script the compose setup uses (TLS pair, DB-credentials key, keycloak.conf with the
        // database password and the bootstrap admin), in a scratch copy of docker/ as an operator would run it.
        Path docker = work.resolve("optimized-docker");
        Files.createDirectories(docker);
        for (String script : List.of("make-local-secrets.sh", "make-dev-cert.sh")) {
            Files.copy(Path.of(System.getProperty("mcias.repo.dir"), "docker", script), docker.resolve(script),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        deleteTree(docker.resolve("secrets"));
        Files.deleteIfExists(docker.resolve(".env"));
        assertEquals(0, run(List.of("bash", docker.resolve("make-local-secrets.sh").toString()), home, log, Map.of()));
        Path secrets = docker.resolve("secrets");
        Path tls = secrets;
        Path conf = secrets.resolve("keycloak.conf");
        String adminPassword = Files.readAllLines(conf).stream().filter(l -> l.startsWith("bootstrap-admin-password="))
                .map(l -> l.substring("bootstrap-admin-password=".length())).findFirst().orElseThrow();
        assertFalse(Files.readString(log).contains(adminPassword), "the bootstrap admin password was printed");

        // RUN kc.sh build ... (Dockerfile builder stage)
        assertEquals(0, run(List.of(home.resolve("bin/kc.sh").toString(), "build", "--db=postgres",
                "--health-enabled=true", "--metrics-enabled=true", "--vault=file"), home, log, Map.of()),
                "kc.sh build; see " + log);

        int https = DistributionKeycloakServer.freePort();
        int management = DistributionKeycloakServer.freePort();
        try (TestDatabase db = TestDatabase.freshPostgres()) {
            List<String> start = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start", "--optimized",
                    "--import-realm", "--http-host=127.0.0.1", "--https-port=" + https,
                    "--http-management-port=" + management, "--cache=local", "--log-console-color=false"));
            // What compose.yaml sets in the environment, with its paths and defaults.
            Map<String, String> env = new java.util.HashMap<>();
            env.put("KC_CONFIG_FILE", conf.toString());
            env.put("KC_DB_URL", TestDatabase.jdbcUrl(db.pgDatabase()));
            env.put("KC_DB_USERNAME", TestDatabase.PG_ADMIN_USER);
            env.put("KC_HOSTNAME", "https://localhost:" + https);
            env.put("KC_HTTP_ENABLED", "false");
            env.put("KC_HTTPS_CERTIFICATE_FILE", secrets.resolve("tls.crt").toString());
            env.put("KC_HTTPS_CERTIFICATE_KEY_FILE", secrets.resolve("tls.key").toString());
            env.put("KC_HTTP_MANAGEMENT_SCHEME", "http");
            env.put("KC_SPI_REALM_RESTAPI_EXTENSION__DB_CREDENTIALS__KEY_FILE", secrets.resolve("db-credentials.keys").toString());
            env.put("KC_SPI_EVENTS_LISTENER__MCIAS_AUDIT__FINGERPRINT_KEY_FILE",
                    secrets.resolve("audit-fingerprint.key").toString());
            env.put("KC_SPI_EVENTS_LISTENER__MCIAS_AUDIT__CHECKPOINT_KEY_FILE",
                    secrets.resolve("audit-checkpoint.key").toString());
            env.put("KC_VAULT_DIR", secrets.toString());
            long buildLogLength = Files.size(log);
            Process server = process(start, home, log, env);
            try {
                awaitReady(server, "http://127.0.0.1:" + management + "/health/ready", log);
                String console = Files.readString(log).substring((int) buildLogLength);
                assertFalse(console.contains("Updating the configuration and installing your custom providers"),
                        "start --optimized must not rebuild");

                HttpClient.Builder trusting = HttpClient.newBuilder().sslContext(trusting(tls.resolve("tls.crt")));
                KeycloakApi api = new KeycloakApi(new Server(https, adminPassword), trusting);
                JsonNode discovery = api.get(api.realmUrl("/.well-known/openid-configuration"), null).expect(200).json();
                assertEquals("https://localhost:" + https + "/realms/mcias", discovery.path("issuer").asText());

                RealmFixtures fx = new RealmFixtures(api);
                fx.ensurePasswordGrantClient();
                String user = RealmFixtures.unique("tls-user");
                fx.createUser(user, RealmFixtures.DEFAULT_PASSWORD);
                String access = fx.passwordGrant(user, RealmFixtures.DEFAULT_PASSWORD).expect(200).json()
                        .path("access_token").asText();
                Jwt jwt = Jwt.parse(access);
                assertEquals("EdDSA", jwt.header.path("alg").asText());
                assertTrue(jwt.verifiesWithEd25519(api.get(api.realmUrl("/protocol/openid-connect/certs"), null)
                        .expect(200).json()));
                // Our providers run in the optimized build: Argon2id hash stored, audit chain intact.
                assertEquals("argon2id", fx.passwordCredentialData(fx.createUser(RealmFixtures.unique("h"),
                        RealmFixtures.DEFAULT_PASSWORD)).path("algorithm").asText());
                String admin = fx.userWithRoles("tls-admin", "admin");
                assertTrue(api.get(api.realmUrl("/audit/verify"), admin).expect(200).json().path("ok").asBoolean());

                // The production realm alone: none of the example clients or their role.
                JsonNode clients = api.get(api.adminRealmUrl("/clients"), api.adminToken()).expect(200).json();
                List<String> ids = clients.findValuesAsText("clientId");
                assertTrue(ids.contains("admin-cli"), ids.toString());
                for (String example : ProductionRealmIT.EXAMPLE_CLIENTS) {
                    assertFalse(ids.contains(example), example + " in the production realm: " + ids);
                }
                api.get(api.adminRealmUrl("/roles/example-job"), api.adminToken()).expect(404);

                // Metrics are on the management port; a client that does not trust the pair is refused.
                HttpClient plain = HttpClient.newHttpClient();
                assertEquals(200, plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                        + "/metrics")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                try {
                    plain.send(HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/realms/mcias")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    throw new AssertionError("untrusted certificate accepted");
                } catch (SSLHandshakeException expected) {
                    // the self-signed pair is trusted only where it is configured
                }
            } finally {
                stop(server);
            }

            // The bootstrap admin is needed only at the first start: with its lines removed from keycloak.conf (as
            // the docs tell operators to do) the server restarts and the admin created at the first start remains.
            List<String> withoutBootstrap = Files.readAllLines(conf).stream()
                    .filter(l -> !l.startsWith("bootstrap-admin-")).toList();
            Files.write(conf, withoutBootstrap);
            assertFalse(Files.readString(conf).contains(adminPassword));
            // ... and with the reverse-proxy options docker/.env documents.
            env.put("KC_PROXY_HEADERS", "xforwarded");
            env.put("KC_PROXY_TRUSTED_ADDRESSES", "127.0.0.1/32");
            server = process(start, home, log, env);
            try {
                awaitReady(server, "http://127.0.0.1:" + management + "/health/ready", log);
                HttpClient.Builder trusting = HttpClient.newBuilder().sslContext(trusting(tls.resolve("tls.crt")));
                KeycloakApi api = new KeycloakApi(new Server(https, adminPassword), trusting);
                api.get(api.adminRealmUrl(""), api.adminToken()).expect(200);
            } finally {
                stop(server);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
        }
    }

    /** Minimal KeycloakServer view of the HTTPS server, for KeycloakApi and RealmFixtures. */
    record Server(int port, String adminPassword) implements KeycloakServer {
        public String baseUrl() {
            return "https://localhost:" + port;
        }

        public String adminUsername() {
            return "admin";
        }

        public Path logFile() {
            return null;
        }

        public String database() {
            return "postgres";
        }

        public void close() {
        }
    }

    static SSLContext trusting(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            store.setCertificateEntry("mcias-dev", (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static Process process(List<String> cmd, Path dir, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        return pb.start();
    }

    static int run(List<String> cmd, Path dir, Path log, Map<String, String> env) throws Exception {
        Process p = process(cmd, dir, log, env);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return p.exitValue();
    }

    static void awaitReady(Process server, String url, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new AssertionError("Keycloak exited with " + server.exitValue() + "; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not ready within " + START_TIMEOUT + "; see " + log);
    }
}
