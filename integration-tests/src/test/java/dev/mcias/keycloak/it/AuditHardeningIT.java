package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.audit.AuditChain;
import dev.mcias.keycloak.audit.AuditRecordEntity;
import dev.mcias.keycloak.it.support.AuditRows;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakExtension.ServerOptions;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Unknown usernames kept only as keyed fingerprints; a purge refuses a range that does not verify. */
@ExtendWith(KeycloakExtension.class)
class AuditHardeningIT {

    KeycloakApi api;
    RealmFixtures fx;
    String admin;
    String adminName;

    @BeforeEach
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        adminName = RealmFixtures.unique("audit-hardening-admin");
        String id = fx.createUser(adminName, RealmFixtures.DEFAULT_PASSWORD);
        fx.grantRealmRole(id, "admin");
        admin = fx.passwordGrant(adminName, RealmFixtures.DEFAULT_PASSWORD).expect(200).json()
                .path("access_token").asText();
    }

    String url(String path) {
        return api.realmUrl("/audit" + path);
    }

    String realmId() {
        return api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json().path("id").asText();
    }

    List<JsonNode> records(String query) {
        List<JsonNode> out = new ArrayList<>();
        api.get(url("/events?limit=500&" + query), admin).expect(200).json().path("events").forEach(out::add);
        return out;
    }

    /** What the server must compute for this value with the run's key (format in UsernameFingerprint). */
    static String expectedFingerprint(String realmId, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(ServerOptions.auditKey(), "HmacSHA256"));
        mac.update("mcias-audit-username".getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) 0);
        mac.update(realmId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        return ServerOptions.AUDIT_KEY_ID + ":" + HexFormat.of().formatHex(h, 0, 16);
    }

    @Test
    void anUnknownUsernameIsKeptOnlyAsAKeyedFingerprint() throws Exception {
        // What a user types into the username field by mistake: their password.
        String typed = "Tr0ub4dor&3-" + RealmFixtures.unique("Pw");
        String other = "C0rrect-Horse!" + RealmFixtures.unique("Pw");
        assertRefused(fx.passwordGrant(typed, "anything"));
        assertFalse(BrowserFormLogin.login(api, RealmFixtures.PASSWORD_GRANT_CLIENT, "http://127.0.0.1/it-callback",
                typed, "anything").gotCode());
        assertRefused(fx.passwordGrant(other, "anything"));

        String realmId = realmId();
        String fpTyped = expectedFingerprint(realmId, typed);
        String fpOther = expectedFingerprint(realmId, other);
        assertNotEquals(fpTyped, fpOther);
        List<JsonNode> failures = records("type=LOGIN_ERROR&client=" + RealmFixtures.PASSWORD_GRANT_CLIENT);
        List<JsonNode> withTyped = failures.stream()
                .filter(r -> fpTyped.equals(r.path("details").path("username_fingerprint").asText()))
                .collect(Collectors.toList());
        List<JsonNode> withOther = failures.stream()
                .filter(r -> fpOther.equals(r.path("details").path("username_fingerprint").asText()))
                .collect(Collectors.toList());
        assertEquals(2, withTyped.size(), "same value, same fingerprint (grant and form): " + failures);
        assertEquals(1, withOther.size(), "a different value has a different fingerprint: " + failures);
        for (JsonNode r : withTyped) {
            assertEquals("user_not_found", r.path("error").asText());
            assertTrue(r.path("user_id").isMissingNode() || r.path("user_id").isNull(), r.toString());
            assertFalse(r.path("details").has("username"), r.toString());
        }

        // The audit log line of that record carries the fingerprint too (awaited: written after the commit).
        List<String> logLines = awaitAuditLogLines(fpOther);
        // No trace of either value: API, export, every stored column (PostgreSQL), our log lines.
        String everything = (api.get(url("/export?format=ndjson"), admin).expect(200).body()
                + api.get(url("/events?limit=500"), admin).expect(200).body() + AuditRows.rawTable(api)
                + String.join("\n", logLines)).toLowerCase(Locale.ROOT);
        assertFalse(everything.contains(typed.toLowerCase(Locale.ROOT)), "the typed value is stored");
        assertFalse(everything.contains(other.toLowerCase(Locale.ROOT)), "the other value is stored");
        assertFalse(everything.contains(typed.substring(0, 12).toLowerCase(Locale.ROOT)), "a part is stored");
    }

    static void assertRefused(KeycloakApi.Response r) {
        assertTrue(r.status() == 400 || r.status() == 401, r.status() + " " + r.body());
        assertEquals("invalid_grant", r.json().path("error").asText());
    }

    /** The lines of our audit log category in the server log, once one of them contains {@code marker}. */
    List<String> awaitAuditLogLines(String marker) throws Exception {
        return Await.value("an audit log line with " + marker + " in " + api.server().logFile(), Duration.ofSeconds(30),
                () -> {
                    List<String> lines = Files.readAllLines(api.server().logFile(), StandardCharsets.UTF_8).stream()
                            .filter(l -> l.contains("[mcias.audit]")).collect(Collectors.toList());
                    return lines.stream().anyMatch(l -> l.contains(marker)) ? lines : null;
                });
    }

    String pgDatabase() {
        assumeTrue(api.server() instanceof DistributionKeycloakServer s && s.testDatabase().pgDatabase() != null,
                "needs direct access to the database (PostgreSQL run)");
        return ((DistributionKeycloakServer) api.server()).testDatabase().pgDatabase();
    }

    static long count(Connection c, String realmId) throws Exception {
        try (PreparedStatement s = c.prepareStatement("select count(*) from mcias_audit_record where realm_id = ?")) {
            s.setString(1, realmId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void setTime(Connection c, String realmId, long seq, long time) throws Exception {
        try (PreparedStatement s = c.prepareStatement(
                "update mcias_audit_record set event_time = ? where realm_id = ? and seq = ?")) {
            s.setLong(1, time);
            s.setString(2, realmId);
            s.setLong(3, seq);
            assertEquals(1, s.executeUpdate());
        }
    }

    @Test
    void purgeRefusesARangeThatDoesNotVerifyAndRecordsTheRefusal() throws Exception {
        String db = pgDatabase();
        String realmId = realmId();
        String name = RealmFixtures.unique("purge-tamper");
        String id = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
        long seq = records("type=LOGIN&user=" + id).get(0).path("seq").asLong();
        long originalTime = records("type=LOGIN&user=" + id).get(0).path("time").asLong();
        fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200); // a purge never deletes the newest
        assertTrue(api.get(url("/verify"), admin).expect(200).json().path("ok").asBoolean());

        try (Connection c = TestDatabase.connect(db)) {
            // Tampering that a purge would hide: the record now looks old enough to be purged with all before it.
            setTime(c, realmId, seq, 0);
            long before = count(c, realmId);

            KeycloakApi.Response r = api.send("POST", url("/purge"), admin, null, null);
            assertEquals(409, r.status(), r.body());
            assertEquals("chain_broken", r.json().path("error").asText());
            assertEquals(seq, r.json().path("first_broken").path("seq").asLong());
            assertTrue(r.json().path("error_description").asText().contains("nothing was deleted"));

            assertEquals(before + 1, count(c, realmId), "nothing deleted, one refusal record added");
            JsonNode refusal = records("type=AUDIT_PURGE&outcome=error").get(0);
            assertEquals("chain_broken", refusal.path("error").asText());
            assertEquals(Long.toString(seq), refusal.path("details").path("broken_seq").asText());
            assertEquals("record content altered", refusal.path("details").path("broken_reason").asText());
            assertEquals(userId(adminName), refusal.path("user_id").asText());
            // ... and shipped like every record: its JSON line in our log category, once committed.
            String line = "\"hash\":\"" + refusal.path("hash").asText() + "\"";
            assertTrue(awaitAuditLogLines(line).stream()
                    .anyMatch(l -> l.contains(line) && l.contains("\"broken_seq\":\"" + seq + "\"")));
            JsonNode v = api.get(url("/verify"), admin).expect(200).json();
            assertFalse(v.path("ok").asBoolean());
            assertEquals(seq, v.path("first_broken").path("seq").asLong(), "the evidence is still there");

            setTime(c, realmId, seq, originalTime);
        }
        JsonNode v = api.get(url("/verify"), admin).expect(200).json();
        assertTrue(v.path("ok").asBoolean(), "restored, and the refusal record is linked: " + v);
    }

    @Test
    void purgeOfAVerifiedRangeDeletesItAndTheChainStillVerifies() throws Exception {
        String db = pgDatabase();
        String realmId = realmId();
        fx.passwordGrant(adminName, RealmFixtures.DEFAULT_PASSWORD).expect(200);
        long firstSeq;
        try (Connection c = TestDatabase.connect(db)) {
            // Make the first records of the chain look old, rewriting the chain consistently from there (as only
            // the passing of time could do legitimately): the two oldest records are then due for purging.
            firstSeq = backdateOldest(c, realmId, 2);
        }
        assertTrue(api.get(url("/verify"), admin).expect(200).json().path("ok").asBoolean(), "consistent rewrite");
        JsonNode r = api.send("POST", url("/purge"), admin, null, null).expect(200).json();
        assertEquals(2, r.path("purged").asLong());
        assertEquals(ServerOptions.AUDIT_RETENTION_DAYS, r.path("retention_days").asInt());
        JsonNode anchor = records("type=AUDIT_PURGE&outcome=success").get(0);
        assertEquals(Long.toString(firstSeq + 1), anchor.path("details").path("purged_through_seq").asText());
        awaitAuditLogLines("\"hash\":\"" + anchor.path("hash").asText() + "\"");
        JsonNode v = api.get(url("/verify"), admin).expect(200).json();
        assertTrue(v.path("ok").asBoolean(), v.toString());
        assertEquals(0, api.send("POST", url("/purge"), admin, null, null).expect(200).json().path("purged").asLong());
    }

    String userId(String username) {
        return api.get(api.adminRealmUrl("/users?exact=true&username=" + username), api.adminToken()).expect(200)
                .json().get(0).path("id").asText();
    }

    /**
     * Sets the time of the {@code n} oldest records of the realm to 0 and recomputes every hash from there to
     * the head, under the head's row lock, deleting the realm's checkpoints; returns the first record's seq.
     */
    static long backdateOldest(Connection c, String realmId, int n) throws Exception {
        c.setAutoCommit(false);
        try {
            String prev;
            long baseSeq;
            try (PreparedStatement s = c.prepareStatement(
                    "select base_seq, base_hash from mcias_audit_head where realm_id = ? for update")) {
                s.setString(1, realmId);
                try (ResultSet rs = s.executeQuery()) {
                    assertTrue(rs.next());
                    baseSeq = rs.getLong(1);
                    prev = rs.getString(2);
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "select * from mcias_audit_record where realm_id = ? order by seq");
                 PreparedStatement u = c.prepareStatement(
                         "update mcias_audit_record set event_time = ?, prev_hash = ?, hash = ? where id = ?")) {
                s.setString(1, realmId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        AuditRecordEntity e = AuditRows.entity(rs);
                        e.setTime(e.getSeq() < baseSeq + n ? 0 : rs.getLong("event_time"));
                        e.setPrevHash(prev);
                        prev = AuditChain.hash(e);
                        u.setLong(1, e.getTime());
                        u.setString(2, e.getPrevHash());
                        u.setString(3, prev);
                        u.setString(4, e.getId());
                        u.addBatch();
                    }
                }
                u.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement("update mcias_audit_head set last_hash = ? where realm_id = ?")) {
                s.setString(1, prev);
                s.setString(2, realmId);
                assertEquals(1, s.executeUpdate());
            }
            // The signed checkpoints of the old times would (rightly) expose this rewrite: they go with it.
            try (PreparedStatement s = c.prepareStatement("delete from mcias_audit_checkpoint where realm_id = ?")) {
                s.setString(1, realmId);
                s.executeUpdate();
            }
            c.commit();
            return baseSeq;
        } catch (Exception | AssertionError e) {
            c.rollback();
            throw e;
        }
    }
}
