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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.ExampleApps;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.OwnServer;
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
@OwnServer
class OptimizedServerIT {

    @Test
    void dockerfileLayoutStartsOptimizedWithTlsOnPostgresAndServesLogins() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("kc.test.db")), "PostgreSQL pass only (the image targets it)");
        Path work = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));
        Path home = DistributionKeycloakServer.pristineCopy("optimized");
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

        try (TestDatabase db = TestDatabase.freshPostgres()) {
            DistributionKeycloakServer server = DistributionKeycloakServer.optimized(home, db, log, adminPassword);
            // What compose.yaml sets in the environment, with its paths and defaults.
            server.withEnvironment("KC_CONFIG_FILE", conf.toString())
                    .withEnvironment("KC_DB_URL", TestDatabase.jdbcUrl(db.pgDatabase()))
                    .withEnvironment("KC_DB_USERNAME", TestDatabase.PG_ADMIN_USER)
                    .withEnvironment("KC_HOSTNAME", server.baseUrl())
                    .withEnvironment("KC_HTTP_ENABLED", "false")
                    .withEnvironment("KC_HTTPS_CERTIFICATE_FILE", secrets.resolve("tls.crt").toString())
                    .withEnvironment("KC_HTTPS_CERTIFICATE_KEY_FILE", secrets.resolve("tls.key").toString())
                    .withEnvironment("KC_HTTP_MANAGEMENT_SCHEME", "http")
                    .withEnvironment("KC_SPI_REALM_RESTAPI_EXTENSION__DB_CREDENTIALS__KEY_FILE",
                            secrets.resolve("db-credentials.keys").toString())
                    .withEnvironment("KC_SPI_EVENTS_LISTENER__MCIAS_AUDIT__FINGERPRINT_KEY_FILE",
                            secrets.resolve("audit-fingerprint.key").toString())
                    .withEnvironment("KC_SPI_EVENTS_LISTENER__MCIAS_AUDIT__CHECKPOINT_KEY_FILE",
                            secrets.resolve("audit-checkpoint.key").toString())
                    .withEnvironment("KC_VAULT_DIR", secrets.toString())
                    // What the image itself sets (docker/Dockerfile ENV).
                    .withEnvironment("KC_SPI_THEME__DEFAULT", DistributionKeycloakServer.THEME);
            long buildLogLength = Files.size(log);
            HttpClient.Builder trusting = HttpClient.newBuilder().sslContext(trusting(tls.resolve("tls.crt")));
            try {
                server.start();
                String console = Files.readString(log).substring((int) buildLogLength);
                assertFalse(console.contains("Updating the configuration and installing your custom providers"),
                        "start --optimized must not rebuild");

                KeycloakApi api = new KeycloakApi(server, trusting);
                JsonNode discovery = api.get(api.realmUrl("/.well-known/openid-configuration"), null).expect(200).json();
                assertEquals(server.baseUrl() + "/realms/mcias", discovery.path("issuer").asText());

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

                productionRealmAloneThenTheExamplesOnTopOnce(api);

                // The image's default theme, a runtime option: the admin console's login (master realm) is ours.
                HttpClient browserLike = HttpClient.newBuilder().sslContext(trusting(tls.resolve("tls.crt")))
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .cookieHandler(new java.net.CookieManager()).build();
                HttpResponse<String> adminLogin = browserLike.send(HttpRequest.newBuilder(URI.create(api.url(
                        "/realms/master/protocol/openid-connect/auth?client_id=security-admin-console"
                        + "&response_type=code&scope=openid&code_challenge_method=S256"
                        + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&redirect_uri="
                        + java.net.URLEncoder.encode(api.url("/admin/master/console/"),
                                java.nio.charset.StandardCharsets.UTF_8)))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, adminLogin.statusCode(), adminLogin.uri() + " " + adminLogin.body());
                assertTrue(adminLogin.body().contains("/login/mcias/css/mcias.css"), "master realm login not ours");

                // Metrics are on the management port; a client that does not trust the pair is refused.
                HttpClient plain = HttpClient.newHttpClient();
                assertEquals(200, plain.send(HttpRequest.newBuilder(URI.create(server.managementUrl()
                        + "/metrics")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                try {
                    plain.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/realms/mcias")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    throw new AssertionError("untrusted certificate accepted");
                } catch (SSLHandshakeException expected) {
                    // the self-signed pair is trusted only where it is configured
                }
                server.stop();

                // The bootstrap admin is needed only at the first start: with its lines removed from keycloak.conf
                // (as the docs tell operators to do) the server restarts and the admin created at the first start
                // remains ...
                List<String> withoutBootstrap = Files.readAllLines(conf).stream()
                        .filter(l -> !l.startsWith("bootstrap-admin-")).toList();
                Files.write(conf, withoutBootstrap);
                assertFalse(Files.readString(conf).contains(adminPassword));
                // ... and with the reverse-proxy options docker/.env documents.
                server.withEnvironment("KC_PROXY_HEADERS", "xforwarded")
                        .withEnvironment("KC_PROXY_TRUSTED_ADDRESSES", "127.0.0.1/32");
                server.start();
                KeycloakApi restarted = new KeycloakApi(server, trusting);
                restarted.get(restarted.adminRealmUrl(""), restarted.adminToken()).expect(200);
            } finally {
                server.stop();
            }
        }
    }

    static final Set<String> EXAMPLE_CLIENTS = Set.of("mcias-example-webapp", "mcias-example-spa",
            "mcias-example-members", "example-job");

    /**
     * The production realm imported alone, as the image imports it (no example clients, no environment variables),
     * then the example clients added to it the way run-local.sh and the shared test server do (admin REST partial
     * import), twice. Realm content alone, no database behaviour: checked once, here.
     */
    static void productionRealmAloneThenTheExamplesOnTopOnce(KeycloakApi api) {
        JsonNode clients = api.get(api.adminRealmUrl("/clients"), api.adminToken()).expect(200).json();
        Set<String> ids = new TreeSet<>(clients.findValuesAsText("clientId"));
        assertTrue(ids.contains("admin-cli") && ids.contains("account"), ids.toString());
        for (String example : EXAMPLE_CLIENTS) {
            assertFalse(ids.contains(example), example + " in the production realm: " + ids);
        }
        // Nothing was left as an unresolved placeholder (the server has no MCIAS_* variables).
        assertFalse(clients.toString().contains("${MCIAS"), clients.toString());
        api.get(api.adminRealmUrl("/roles/example-job"), api.adminToken()).expect(404);
        api.get(api.adminRealmUrl("/roles/admin"), api.adminToken()).expect(200);
        JsonNode adminCliScopes = api.get(api.adminRealmUrl("/clients/" + client(clients, "admin-cli").path("id")
                .asText() + "/default-client-scopes"), api.adminToken()).expect(200).json();
        assertTrue(adminCliScopes.findValuesAsText("name").contains("mcias-api"), adminCliScopes.toString());

        // The examples on top: four clients, two roles and the service-account user added, placeholders filled in.
        JsonNode first = ExampleApps.importInto(api);
        assertEquals(7, first.path("added").asInt(), first.toString());
        assertEquals(0, first.path("skipped").asInt(), first.toString());
        JsonNode after = api.get(api.adminRealmUrl("/clients"), api.adminToken()).expect(200).json();
        assertTrue(new TreeSet<>(after.findValuesAsText("clientId")).containsAll(EXAMPLE_CLIENTS));
        JsonNode spa = client(after, "mcias-example-spa");
        assertEquals(ExampleApps.spaUrl() + "/*", spa.path("redirectUris").path(0).asText(), spa.toString());
        JsonNode job = client(after, "example-job");
        assertEquals("system-account-token", job.path("clientAuthenticatorType").asText());
        JsonNode members = client(after, "mcias-example-members");
        assertEquals("true", members.path("attributes").path("mcias.members-only").asText(), members.toString());
        api.get(api.adminRealmUrl("/roles/" + members.path("attributes").path("mcias.access-role").asText()),
                api.adminToken()).expect(200);
        JsonNode jobOptional = api.get(api.adminRealmUrl("/clients/" + job.path("id").asText()
                + "/optional-client-scopes"), api.adminToken()).expect(200).json();
        assertTrue(jobOptional.findValuesAsText("name").contains("mcias-api"), jobOptional.toString());
        JsonNode serviceAccount = api.get(api.adminRealmUrl("/clients/" + job.path("id").asText()
                + "/service-account-user"), api.adminToken()).expect(200).json();
        assertEquals("service-account-example-job", serviceAccount.path("username").asText());

        // Importing again changes nothing, also not what an admin changed in the meantime.
        api.putJson(api.adminRealmUrl("/clients/" + spa.path("id").asText()), api.adminToken(),
                Map.of("clientId", "mcias-example-spa", "description", "changed by an admin")).expect(204);
        JsonNode second = ExampleApps.importInto(api);
        assertEquals(0, second.path("added").asInt(), second.toString());
        assertEquals(7, second.path("skipped").asInt(), second.toString());
        assertEquals("changed by an admin", api.get(api.adminRealmUrl("/clients/" + spa.path("id").asText()),
                api.adminToken()).expect(200).json().path("description").asText());
    }

    static JsonNode client(JsonNode clients, String clientId) {
        for (JsonNode c : clients) {
            if (clientId.equals(c.path("clientId").asText())) {
                return c;
            }
        }
        throw new AssertionError(clientId + " not found");
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
}
