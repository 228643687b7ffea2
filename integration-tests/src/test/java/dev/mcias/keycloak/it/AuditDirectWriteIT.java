package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group commit's direct write ({@code DirectBatchWriter}: one pooled connection of its own, on PostgreSQL one
 * statement with one array per column), which a node uses when no webhook secret is configured: a server of its own
 * without one (the shared test server has webhooks, so its batches go through a Keycloak transaction instead).
 */
class AuditDirectWriteIT {

    static final Path WORK = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));

    static TestDatabase db;
    static DistributionKeycloakServer server;

    KeycloakApi api;
    String admin;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.fromSystemProperty();
        Path log = WORK.resolve("keycloak-direct-write.log");
        Files.createDirectories(WORK);
        Files.deleteIfExists(log);
        server = new DistributionKeycloakServer(DistributionKeycloakServer.installedCopy("direct-write"), db,
                List.of(), log).startOrClose();
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    @BeforeEach
    void setUp() {
        api = new KeycloakApi(server);
        RealmFixtures fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        admin = fx.userWithRoles("direct-write-admin", "admin");
    }

    String url(String path) {
        return api.realmUrl("/audit" + path);
    }

    List<JsonNode> records(String query) {
        JsonNode body = api.get(url("/events?limit=500&" + query), admin).expect(200).json();
        List<JsonNode> out = new ArrayList<>();
        body.path("events").forEach(out::add);
        return out;
    }

    String serviceClient(String secret) {
        return new RealmFixtures(api).serviceClient("direct-cc", secret);
    }

    Set<String> recordedTokenIds(String clientId) {
        return AuditIT.tokenIds(records("type=CLIENT_LOGIN&client=" + clientId));
    }

    void assertChainVerifies() {
        JsonNode v = api.get(url("/verify"), admin).expect(200).json();
        assertTrue(v.path("ok").asBoolean(), v.toString());
    }

    @Test
    void concurrentTokenRequestsAndRefusalsAreEachRecordedOnceInOneChain() throws Exception {
        String secret = "direct-cc-secret-0123456789";
        String clientId = serviceClient(secret);
        Set<String> answered = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                boolean good = i % 5 != 4;
                results.add(pool.submit(() -> {
                    KeycloakApi.Response r = api.clientCredentials(clientId, good ? secret : "wrong-secret", null);
                    if (r.status() == 200) {
                        answered.add(Jwt.parse(r.json().path("access_token").asText()).claims.path("jti").asText());
                    }
                    return r.status();
                }));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get(120, TimeUnit.SECONDS));
            }
            assertEquals(80, statuses.stream().filter(st -> st == 200).count(), statuses.toString());
            assertEquals(20, statuses.stream().filter(st -> st == 401).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(answered, recordedTokenIds(clientId), "one CLIENT_LOGIN record per issued token");
        assertEquals(80, records("type=CLIENT_LOGIN&client=" + clientId).size(), "none twice");
        assertEquals(20, records("type=CLIENT_LOGIN_ERROR&client=" + clientId).size());
        assertChainVerifies();
    }

    /**
     * The group commit hands a batch's values to the database in bulk (on PostgreSQL one array per column, parsed
     * by the server): a value that looks like array syntax, like NULL, or is longer than its column must be
     * stored as sent (or cut to its column), on the success and the error path, and still verify.
     */
    @Test
    void groupCommittedValuesAreStoredExactlyAsSent() throws Exception {
        String secret = "audit-ua-secret-0123456789";
        String clientId = serviceClient(secret);
        List<String> agents = List.of("NULL", "null", "{}", "{\"a\",NULL}", "back\\slash \"quote\" {brace},comma",
                "' OR '1'='1", "x".repeat(600));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int round = 0; round < 2; round++) { // concurrently, so that batches mix the values
                for (String agent : agents) {
                    results.add(pool.submit(() -> tokenRequest(clientId, secret, agent)));
                    results.add(pool.submit(() -> tokenRequest(clientId, "wrong-secret", agent)));
                }
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get(120, TimeUnit.SECONDS));
            }
            assertEquals(agents.size() * 2, statuses.stream().filter(st -> st == 200).count(), statuses.toString());
            assertEquals(agents.size() * 2, statuses.stream().filter(st -> st == 401).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (String agent : agents) {
            expected.merge(agent.length() > 512 ? agent.substring(0, 512) : agent, 2, Integer::sum);
        }
        for (String type : List.of("CLIENT_LOGIN", "CLIENT_LOGIN_ERROR")) {
            Map<String, Integer> stored = new LinkedHashMap<>();
            for (JsonNode r : records("type=" + type + "&client=" + clientId)) {
                assertTrue(r.path("user_agent").isTextual(), type + " record without its user agent: " + r);
                stored.merge(r.path("user_agent").asText(), 1, Integer::sum);
            }
            assertEquals(expected, stored, type);
        }
        assertChainVerifies();
    }

    /**
     * The group commit keeps one pooled connection for its batches ({@code mcias-audit-group-commit} in
     * {@code pg_stat_activity}). When the database ends that session between two batches, the next batch finds the
     * connection broken, sees that nothing of it was stored, and writes it on a fresh connection: no request fails,
     * every answered token has exactly its record, and the chain verifies.
     */
    @Test
    void groupCommitWritesOnAFreshConnectionWhenTheDatabaseEndsItsOwn() throws Exception {
        assumeTrue(db.pgDatabase() != null, "needs direct access to the database (PostgreSQL run)");
        String secret = "audit-conn-secret-0123456789";
        String clientId = serviceClient(secret);
        Set<String> answered = new HashSet<>();
        try (Connection c = TestDatabase.connect(db.pgDatabase())) {
            // A batch whose head the node does not know yet goes through a Keycloak transaction; later ones take the
            // connection.
            int before = Await.value("the group commit holds a connection of its own", Duration.ofSeconds(60),
                    () -> {
                        answered.add(issuedTokenId(clientId, secret));
                        return writerBackend(c);
                    });
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                ps.setInt(1, before);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next() && rs.getBoolean(1), "backend " + before + " terminated");
                }
            }
            Await.until("backend " + before + " gone", Duration.ofSeconds(30), () -> !backendExists(c, before));

            for (int i = 0; i < 10; i++) {
                answered.add(issuedTokenId(clientId, secret)); // 200 each, or issuedTokenId fails
            }
            Integer after = writerBackend(c);
            assertNotNull(after, "the group commit holds a connection again");
            assertFalse(after == before, "a fresh connection: " + after);
        }
        assertEquals(answered, recordedTokenIds(clientId), "one CLIENT_LOGIN record per issued token, none twice");
        assertEquals(answered.size(), records("type=CLIENT_LOGIN&client=" + clientId).size());
        assertChainVerifies();
    }

    private String issuedTokenId(String clientId, String secret) {
        KeycloakApi.Response r = api.clientCredentials(clientId, secret, null).expect(200);
        return Jwt.parse(r.json().path("access_token").asText()).claims.path("jti").asText();
    }

    /** The backend pid of the group commit's connection, or null if it holds none. */
    private static Integer writerBackend(Connection c) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = 'mcias-audit-group-commit'")) {
            try (ResultSet rs = ps.executeQuery()) {
                Integer pid = rs.next() ? rs.getInt(1) : null;
                assertFalse(rs.next(), "one group-commit connection per node");
                return pid;
            }
        }
    }

    private static boolean backendExists(Connection c, int pid) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private int tokenRequest(String clientId, String secret, String userAgent) {
        return api.clientCredentials(clientId, secret, null, Map.of("User-Agent", userAgent)).status();
    }
}
