package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.OwnServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keycloak with {@code --db-schema} (PostgreSQL run only): the audit chain's group commit writes with plain SQL,
 * and must find its tables in the configured schema as the entities do.
 */
@OwnServer
class AuditDbSchemaIT {

    static final String SCHEMA = "mcias_other";
    static final Path WORK = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));

    static TestDatabase db;
    static DistributionKeycloakServer server;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue("postgres".equals(System.getProperty("kc.test.db")), "a schema other than public: PostgreSQL");
        db = TestDatabase.freshPostgres();
        try (Connection c = TestDatabase.connect(db.pgDatabase()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + SCHEMA);
        }
        Path log = WORK.resolve("keycloak-db-schema.log");
        Files.createDirectories(WORK);
        Files.deleteIfExists(log);
        server = new DistributionKeycloakServer(DistributionKeycloakServer.installedCopy("db-schema"), db,
                List.of("--db-schema=" + SCHEMA), log).startOrClose();
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

    static long count(String sql, String realmId) throws SQLException {
        try (Connection c = TestDatabase.connect(db.pgDatabase()); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, realmId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void groupCommittedAndInTransactionRecordsLandInTheConfiguredSchemaInOneChain() throws Exception {
        KeycloakApi api = new KeycloakApi(server);
        RealmFixtures fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        String admin = fx.userWithRoles("schema-admin", "admin"); // a login: written inside its transaction
        String secret = "schema-cc-secret-0123456789";
        String clientId = fx.serviceClient("schema-cc", secret);

        // Concurrent token requests, some refused: both kinds go through the group commit.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                boolean good = i % 4 != 3;
                answers.add(pool.submit(() -> api.clientCredentials(clientId, good ? secret : "wrong", null).status()));
            }
            int ok = 0;
            int refused = 0;
            for (Future<Integer> f : answers) {
                int status = f.get(120, TimeUnit.SECONDS);
                ok += status == 200 ? 1 : 0;
                refused += status == 401 ? 1 : 0;
            }
            assertEquals(30, ok);
            assertEquals(10, refused);
        } finally {
            pool.shutdownNow();
        }

        JsonNode events = api.get(api.realmUrl("/audit/events?limit=100&client=" + clientId), admin).expect(200)
                .json().path("events");
        assertEquals(40, events.size(), events.toString());
        String realmId = events.get(0).path("realm_id").asText();
        long stored = count("SELECT count(*) FROM " + SCHEMA + ".MCIAS_AUDIT_RECORD WHERE REALM_ID = ?", realmId);
        long head = count("SELECT LAST_SEQ FROM " + SCHEMA + ".MCIAS_AUDIT_HEAD WHERE REALM_ID = ?", realmId);
        assertTrue(stored >= 41, "records in " + SCHEMA + ": " + stored);
        assertEquals(stored, head, "the head points at the last record");
        assertEquals(0, count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND upper(table_name) LIKE ? ", "MCIAS_AUDIT%"), "nothing in public");
        JsonNode v = api.get(api.realmUrl("/audit/verify"), admin).expect(200).json();
        assertTrue(v.path("ok").asBoolean(), v.toString());
        assertEquals(stored, v.path("checked").asLong(), v.toString());
    }
}
