package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.SharedServerTest;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The argon2id password hash provider on a real Keycloak with the realm's hashAlgorithm(argon2id) policy. */
class PasswordArgon2IT extends SharedServerTest {

    static final String PASSWORD = "Tr0ub4dor&3-horse";

    @Test
    void newUserIsStoredAsArgon2idAndLogsIn() {
        String name = RealmFixtures.unique("argon-user");
        String id = fx.createUser(name, PASSWORD);

        JsonNode data = fx.passwordCredentialData(id);
        assertEquals("argon2id", data.path("algorithm").asText());
        assertEquals(2, data.path("hashIterations").asInt());
        JsonNode params = data.path("additionalParameters");
        assertEquals("19456", params.path("memory").get(0).asText());
        assertEquals("1", params.path("parallelism").get(0).asText());
        assertEquals("32", params.path("hashLength").get(0).asText());
        assertEquals("id", params.path("type").get(0).asText());

        KeycloakApi.Response ok = fx.passwordGrant(name, PASSWORD).expect(200);
        assertTrue(ok.json().path("access_token").asText().length() > 20);
        KeycloakApi.Response wrong = fx.passwordGrant(name, PASSWORD + "x").expect(400);
        assertEquals("Invalid user credentials", wrong.json().path("error_description").asText());
        assertEquals("invalid_grant", wrong.json().path("error").asText());
    }

    @Test
    void browserFormLogin() {
        String name = RealmFixtures.unique("argon-browser");
        fx.createUser(name, PASSWORD);
        BrowserFormLogin.Outcome ok = BrowserFormLogin.login(api, RealmFixtures.PASSWORD_GRANT_CLIENT,
                "http://127.0.0.1/it-callback", name, PASSWORD);
        assertTrue(ok.gotCode(), "status " + ok.status() + " location " + ok.location());
        BrowserFormLogin.Outcome bad = BrowserFormLogin.login(api, RealmFixtures.PASSWORD_GRANT_CLIENT,
                "http://127.0.0.1/it-callback", name, "not-" + PASSWORD);
        assertFalse(bad.gotCode());
        assertEquals(200, bad.status());
    }

    /** Hashes as other systems export them (vectors: libxcrypt, OpenSSL, the Argon2 reference test suite). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "argon2id-phc  | password      | $argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "argon2i-phc   | password      | $argon2i$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$sDV8zPvvkfOGCw26RHsjSMvv7K2vmQq/6cxAcmxSEnE",
            "bcrypt-2b     | correct horse | $2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "bcrypt-2y     | correct horse | $2y$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "scrypt        | correct horse | $scrypt$ln=10,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "pbkdf2-passlib | correct horse | $pbkdf2-sha256$29000$TmFDbC1zYWx0LTE2Ynl0ZQ$k66qdNHMvcsEJzqaVAYX3bwHP7J5nT5lS312sjkTJ6Y",
            "pbkdf2-django | correct horse | pbkdf2_sha256$100000$seasalt42$eCWeO55XDDRhUvUlhFFryNgaVvcTIUBvLvE0csSYU7Q=",
    })
    void importedLegacyHashLogsInAndIsRehashed(String label, String password, String hash) throws Exception {
        String name = RealmFixtures.unique("import-" + label.trim());
        String id = fx.createUser(RealmFixtures.importedUser(name, "legacy-import", 0, Map.of(), hash.trim(),
                ""));
        assertEquals("legacy-import", fx.passwordCredentialData(id).path("algorithm").asText());

        fx.passwordGrant(name, password.trim() + "!").expect(400);
        assertEquals("legacy-import", fx.passwordCredentialData(id).path("algorithm").asText(),
                "a failed login does not re-hash");

        fx.passwordGrant(name, password.trim()).expect(200);
        JsonNode after = fx.awaitPasswordAlgorithm(id, "argon2id");
        assertEquals("19456", after.path("additionalParameters").path("memory").get(0).asText());
        fx.passwordGrant(name, password.trim()).expect(200);
    }

    /**
     * A credential hashed under other parameters than the configured ones (what an operator's parameter change
     * leaves behind) verifies with its stored parameters and is re-hashed on the next login ...
     */
    @Test
    void storedParametersDifferingFromConfigurationAreRehashedAtTheNextLogin() throws Exception {
        OldUser user = userWithOldParameters();
        fx.passwordGrant(user.name(), "password").expect(200);
        awaitMemory(user.id(), "19456");
    }

    /**
     * ... and not again: the salt and hash stay as the first re-hash wrote them. Keycloak re-hashes inside the
     * login's transaction, which has committed when the token is answered, so reading right after the logins sees
     * any second re-hash. The stored secret is read from the database row: PostgreSQL only (Keycloak holds H2's
     * file exclusively, and its API never shows the secret).
     */
    @Test
    void aRehashedCredentialIsNotRehashedAgain() throws Exception {
        assumeTrue(api.server() instanceof DistributionKeycloakServer server
                && server.testDatabase().pgDatabase() != null, "reads the credential row: PostgreSQL only");
        OldUser user = userWithOldParameters();
        fx.passwordGrant(user.name(), "password").expect(200);
        JsonNode first = awaitMemory(user.id(), "19456");
        String secretAfterFirst = storedSecret(user.id());

        fx.passwordGrant(user.name(), "password").expect(200);
        fx.passwordGrant(user.name(), "password").expect(200);
        assertEquals(first, fx.passwordCredentialData(user.id()));
        assertEquals(secretAfterFirst, storedSecret(user.id()), "no second re-hash (salt and hash unchanged)");
    }

    record OldUser(String id, String name) {
    }

    /** A user whose Argon2id hash has m=256 KiB, t=2, p=1 (vector password/somesalt): far below the configured cost. */
    private OldUser userWithOldParameters() {
        String name = RealmFixtures.unique("argon-old-params");
        String id = fx.createUser(RealmFixtures.importedUser(name, "argon2id", 2,
                Map.of("type", List.of("id"), "version", List.of("1.3"), "memory", List.of("256"),
                        "parallelism", List.of("1"), "hashLength", List.of("32")),
                "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4=", "c29tZXNhbHQ="));
        assertEquals("256", fx.passwordCredentialData(id).path("additionalParameters").path("memory").get(0).asText());
        return new OldUser(id, name);
    }

    @Test
    void burstAboveTheConcurrencyBoundCompletes() throws Exception {
        // Twelve times the bound the test server sets, from six times as many threads: most hashes must queue.
        // Distinct users: Keycloak's brute-force protector refuses concurrent logins of one user by design.
        assumeTrue(api.server() instanceof DistributionKeycloakServer, "the bound is an option of the local server");
        int bound = KeycloakExtension.ServerOptions.ARGON2_MAX_CONCURRENT;
        int requests = 12 * bound;
        List<String> users = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            users.add(RealmFixtures.unique("argon-burst"));
            fx.createUser(users.get(i), PASSWORD);
        }
        ExecutorService pool = Executors.newFixedThreadPool(6 * bound);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (String user : users) {
                results.add(pool.submit(() -> fx.passwordGrant(user, PASSWORD).status()));
            }
            for (Future<Integer> f : results) {
                assertEquals(200, f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void serverLoadsTheBundledLibargon2(KeycloakServer server) throws Exception {
        assumeTrue(server instanceof DistributionKeycloakServer, "needs the local process");
        long pid = ((DistributionKeycloakServer) server).pid();
        // Make sure a hash has run so the library is mapped.
        fx.passwordGrant(RealmFixtures.unique("nobody"), PASSWORD);
        List<String> mapped = Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                .filter(l -> l.contains("argon2")).toList();
        assertTrue(mapped.stream().anyMatch(l -> l.contains("mcias-argon2-")), mapped.toString());
        assertFalse(mapped.stream().anyMatch(l -> l.matches(".*/lib[^ ]*/libargon2\\.so.*")),
                "system libargon2 mapped: " + mapped);
    }



    private JsonNode awaitMemory(String id, String memory) throws Exception {
        return Await.value("credential of " + id + " re-hashed to m=" + memory, Duration.ofSeconds(5), () -> {
            JsonNode data = fx.passwordCredentialData(id);
            return memory.equals(data.path("additionalParameters").path("memory").path(0).asText()) ? data : null;
        });
    }

    /** The raw secret_data column (PostgreSQL). */
    private String storedSecret(String userId) throws Exception {
        DistributionKeycloakServer server = (DistributionKeycloakServer) api.server();
        try (Connection c = TestDatabase.connect(server.testDatabase().pgDatabase());
             PreparedStatement s = c.prepareStatement(
                     "select secret_data from credential where user_id = ? and type = 'password'")) {
            s.setString(1, userId);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }
}
