package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.client.AuditVerifier;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.audit.checkpoint.CheckpointKeys;
import dev.mcias.keycloak.it.support.AuditRows;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakExtension.ServerOptions;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed checkpoints of the audit chain: written every N records and every T seconds (the harness sets N = 10,
 * T = 3 s), reported by /verify, exported, verifiable offline with the published keys; truncation, a rewritten
 * chain and a forged checkpoint in the database are caught by /verify and by the offline verifier.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCheckpointIT {

    KeycloakApi api;
    RealmFixtures fx;
    String admin;
    String userName;
    String realmId;

    @TempDir
    Path tmp;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        admin = fx.userWithRoles("ckpt-admin", "admin");
        userName = RealmFixtures.unique("ckpt-user");
        fx.createUser(userName, RealmFixtures.DEFAULT_PASSWORD);
        realmId = api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json().path("id").asText();
    }

    String url(String path) {
        return api.realmUrl("/audit" + path);
    }

    JsonNode verify() {
        return api.get(url("/verify"), admin).expect(200).json();
    }

    long newestSeq() {
        return api.get(url("/events?limit=1"), admin).expect(200).json().path("events").get(0).path("seq").asLong();
    }

    /** Appends {@code n} records (successful password grants). */
    void records(int n) {
        for (int i = 0; i < n; i++) {
            fx.passwordGrant(userName, RealmFixtures.DEFAULT_PASSWORD).expect(200);
        }
    }

    /** /verify's answer once a checkpoint signs record {@code seq} or a later one. */
    JsonNode awaitSignedThrough(long seq) throws Exception {
        return Await.value("a checkpoint at or after record " + seq, Duration.ofSeconds(90), () -> {
            JsonNode v = verify();
            return v.path("signed_through").path("seq").asLong(0) >= seq ? v : null;
        });
    }

    List<String> export() {
        return Arrays.asList(api.get(url("/export?format=ndjson"), admin).expect(200).body().split("\n"));
    }

    String publicKeys() {
        return api.get(url("/checkpoint-keys"), null).expect(200).body();
    }

    /** The offline verifier through the command line: exit code and output. */
    Run.Result offline(List<String> exportLines) throws Exception {
        Path file = tmp.resolve("export-" + System.nanoTime() + ".ndjson");
        Files.write(file, exportLines, StandardCharsets.UTF_8);
        Path keys = tmp.resolve("keys.json");
        Files.writeString(keys, publicKeys());
        return Run.run(Map.of("XDG_CONFIG_HOME", tmp.toString(), "HOME", tmp.toString()), null, "-o", "json",
                "audit", "verify", "--file", file.toString(), "--public-key", keys.toString());
    }

    @Nested
    class WhenRecordsAccumulate {

        @Test
        void aCheckpointSignsThemAfterNRecordsAndVerifyReportsTheNewestSignedPosition() throws Exception {
            long before = newestSeq();
            records(ServerOptions.AUDIT_CHECKPOINT_EVERY_RECORDS);
            long boundary = (before / ServerOptions.AUDIT_CHECKPOINT_EVERY_RECORDS + 1)
                    * ServerOptions.AUDIT_CHECKPOINT_EVERY_RECORDS;
            JsonNode v = awaitSignedThrough(boundary);
            assertTrue(v.path("ok").asBoolean(), v.toString());
            assertTrue(v.path("checkpoints_enabled").asBoolean());
            assertTrue(v.path("checkpoints_checked").asLong() >= 1, v.toString());
            JsonNode signed = v.path("signed_through");
            assertEquals(ServerOptions.AUDIT_CHECKPOINT_KEY_ID, signed.path("key_id").asText());
            assertTrue(signed.path("index").asLong() >= 1);
            assertEquals(64, signed.path("hash").asText().length());

            // A copy of the checkpoint outside the database: its JSON line in the audit log category.
            String marker = "\"hash\":\"" + signed.path("hash").asText() + "\"";
            Await.until("the checkpoint's audit log line", Duration.ofSeconds(30), () ->
                    Files.readAllLines(api.server().logFile(), StandardCharsets.UTF_8).stream()
                            .anyMatch(l -> l.contains("[mcias.audit]") && l.contains("{\"checkpoint\":")
                                    && l.contains(marker)));
        }

        @Test
        void aLoneRecordIsSignedWithinTheInterval() throws Exception {
            records(1);
            awaitSignedThrough(newestSeq());
        }
    }

    @Nested
    class GivenAFullExport {

        @Test
        void itVerifiesOfflineWithThePublishedKeys() throws Exception {
            records(1);
            awaitSignedThrough(newestSeq());
            List<String> lines = export();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("{\"checkpoint\":")), "the export has checkpoints");
            AuditVerifier.Report r = AuditVerifier.verify(lines, AuditVerifier.parsePublicKeys(publicKeys()));
            assertTrue(r.ok(), r.toString());
            assertTrue(r.signedSeq() >= 1);

            Run.Result cli = offline(lines);
            assertEquals(0, cli.code(), cli.toString());
            assertTrue(KeycloakApi.JSON.readTree(cli.out()).path("ok").asBoolean(), cli.out());

            // An edited line: exit code 1, the position named.
            JsonNode rec = KeycloakApi.JSON.readTree(lines.get(lines.size() / 2));
            assertTrue(rec.has("seq") && !rec.has("checkpoint"), rec.toString());
            List<String> edited = new ArrayList<>(lines);
            edited.set(lines.size() / 2, lines.get(lines.size() / 2).replace("\"kind\":\"", "\"kind\":\"X"));
            Run.Result broken = offline(edited);
            assertEquals(1, broken.code(), broken.toString());
            assertEquals(rec.path("seq").asLong(),
                    KeycloakApi.JSON.readTree(broken.out()).path("first_broken").path("seq").asLong(), broken.out());
        }

        @Test
        void aTimeSliceHasNoCheckpoints() {
            assertTrue(api.get(url("/export?format=ndjson&from=1970-01-01T00:00:00Z"), admin).expect(200).body()
                    .lines().noneMatch(l -> l.contains("\"checkpoint\"")));
        }
    }

    @Nested
    class TheCheckpointKeys {

        @Test
        void areTheKeyFilesPublicKeysForEveryCaller() throws Exception {
            CheckpointKeys fromFile = CheckpointKeys.fromFile(ServerOptions.AUDIT_CHECKPOINT_KEY_FILE);
            String viewer = fx.viewEventsUser();
            String plain = fx.userWithRoles("ckpt-plain");
            Map<String, String> callers = new LinkedHashMap<>();
            callers.put("anonymous", null);
            callers.put("garbage token", "garbage");
            callers.put("plain user", plain);
            callers.put("view-events holder", viewer);
            callers.put("admin", admin);
            for (Map.Entry<String, String> c : callers.entrySet()) {
                KeycloakApi.Response r = api.get(url("/checkpoint-keys"), c.getValue());
                assertEquals(200, r.status(), c.getKey() + ": " + r.body());
                JsonNode keys = r.json();
                assertTrue(keys.path("enabled").asBoolean());
                assertEquals(1, keys.path("keys").size(), keys.toString());
                JsonNode k = keys.path("keys").get(0);
                assertEquals(ServerOptions.AUDIT_CHECKPOINT_KEY_ID, k.path("key_id").asText());
                assertEquals("Ed25519", k.path("alg").asText());
                assertTrue(k.path("signing").asBoolean());
                assertEquals(Base64.getEncoder().encodeToString(fromFile.signing().raw()),
                        k.path("public_key").asText());
                assertEquals(Base64.getEncoder().encodeToString(fromFile.signing().publicKey().getEncoded()),
                        k.path("spki").asText());
                assertFalse(r.body().toLowerCase(java.util.Locale.ROOT).contains("private"), r.body());
            }
            int post = api.send("POST", url("/checkpoint-keys"), admin, "application/json", "{}").status();
            assertTrue(post == 404 || post == 405, "only GET is served: " + post);
            assertEquals(404, api.get(api.url("/realms/no-such-realm-" + RealmFixtures.unique("x")
                    + "/audit/checkpoint-keys"), null).status());
        }

        @Test
        void verifyStaysBehindTheReadRoles() {
            String plain = fx.userWithRoles("ckpt-plain2");
            assertEquals(401, api.get(url("/verify"), null).status());
            assertEquals(403, api.get(url("/verify"), plain).status());
            assertEquals(200, api.get(url("/verify"), fx.viewEventsUser()).status());
        }
    }

    @Nested
    class WhenARealmIsRemoved {

        @Test
        void itsRecordsHeadAndCheckpointsGoWithIt() throws Exception {
            assumeTrue(api.server() instanceof DistributionKeycloakServer s && s.testDatabase().pgDatabase() != null,
                    "needs direct access to the database (PostgreSQL run)");
            String db = ((DistributionKeycloakServer) api.server()).testDatabase().pgDatabase();
            String name = RealmFixtures.unique("ckpt-gone");
            String master = api.adminToken();
            api.postJson(api.url("/admin/realms"), master, Map.of("realm", name, "enabled", true,
                    "eventsListeners", List.of("mcias-audit"), "adminEventsEnabled", true)).expect(201);
            String id = api.get(api.url("/admin/realms/" + name), master).expect(200).json().path("id").asText();
            // An admin event in that realm: its first record, then (within the interval) its first checkpoint.
            api.postJson(api.url("/admin/realms/" + name + "/users"), master, Map.of("username", "someone",
                    "enabled", true)).expect(201);
            try (Connection c = TestDatabase.connect(db)) {
                Await.until("a checkpoint of realm " + name, Duration.ofSeconds(90), () -> count(c,
                        "mcias_audit_checkpoint", id) > 0);
                assertTrue(count(c, "mcias_audit_record", id) > 0);
                api.delete(api.url("/admin/realms/" + name), api.adminToken()).expect(204);
                for (String table : List.of("mcias_audit_checkpoint", "mcias_audit_record", "mcias_audit_head")) {
                    assertEquals(0, count(c, table, id), table);
                }
            }
        }

        long count(Connection c, String table, String realmId) throws Exception {
            return ((Number) AuditRows.rows(c, "select count(*) as n from " + table + " where realm_id = ?", realmId)
                    .get(0).get("n")).longValue();
        }
    }

    /** Tampering with the database directly (PostgreSQL run: the test can open it). */
    @Nested
    class GivenATamperedDatabase {

        String db() {
            assumeTrue(api.server() instanceof DistributionKeycloakServer s && s.testDatabase().pgDatabase() != null,
                    "needs direct access to the database (PostgreSQL run)");
            return ((DistributionKeycloakServer) api.server()).testDatabase().pgDatabase();
        }

        void assertBoth(long seq, String reason, boolean checkOffline) throws Exception {
            JsonNode v = verify();
            assertFalse(v.path("ok").asBoolean(), v.toString());
            assertEquals(seq, v.path("first_broken").path("seq").asLong(), v.toString());
            assertTrue(v.path("first_broken").path("reason").asText().contains(reason), v.toString());
            if (checkOffline) {
                AuditVerifier.Report r = AuditVerifier.verify(export(), AuditVerifier.parsePublicKeys(publicKeys()));
                assertFalse(r.ok(), r.toString());
                assertEquals(seq, r.failure().seq(), r.toString());
                assertTrue(r.failure().reason().contains(reason), r.toString());
            }
        }

        @Test
        void deletingTheNewestRecordsPastACheckpointIsTruncation() throws Exception {
            String db = db();
            records(1);
            long signed = awaitSignedThrough(newestSeq()).path("signed_through").path("seq").asLong();
            long from = signed - 2;
            try (Connection c = TestDatabase.connect(db)) {
                c.setAutoCommit(false);
                AuditRows.rows(c, "select * from mcias_audit_head where realm_id = ? for update", realmId);
                List<Map<String, Object>> gone = AuditRows.rows(c, "select * from mcias_audit_record"
                        + " where realm_id = ? and seq >= ? order by seq", realmId, from);
                Map<String, Object> head = AuditRows.rows(c, "select * from mcias_audit_head where realm_id = ?",
                        realmId).get(0);
                String keptHash = (String) AuditRows.rows(c, "select hash from mcias_audit_record where realm_id = ?"
                        + " and seq = ?", realmId, from - 1).get(0).get("hash");
                exec(c, "delete from mcias_audit_record where realm_id = ? and seq >= ?", realmId, from);
                exec(c, "update mcias_audit_head set last_seq = ?, last_hash = ? where realm_id = ?", from - 1,
                        keptHash, realmId);
                c.commit();
                try {
                    // The record chain alone still verifies: only the checkpoint shows what is gone.
                    assertBoth(from, "newest records were deleted", true);
                } finally {
                    AuditRows.insert(c, "mcias_audit_record", gone);
                    exec(c, "update mcias_audit_head set last_seq = ?, last_hash = ? where realm_id = ?",
                            head.get("last_seq"), head.get("last_hash"), realmId);
                    c.commit();
                }
            }
            assertTrue(verify().path("ok").asBoolean(), "restored: " + verify());
        }

        @Test
        void aChainRecomputedAfterAnEditIsCaughtByTheCheckpoint() throws Exception {
            String db = db();
            records(1);
            long signed = awaitSignedThrough(newestSeq()).path("signed_through").path("seq").asLong();
            long edited = signed - 1;
            long proven;
            try (Connection c = TestDatabase.connect(db)) {
                // The newest checkpoint before the edited record: the first bad position is right after it.
                List<Map<String, Object>> before = AuditRows.rows(c, "select max(seq) as s from mcias_audit_checkpoint"
                        + " where realm_id = ? and seq < ?", realmId, edited);
                proven = before.get(0).get("s") == null ? 0 : ((Number) before.get(0).get("s")).longValue();
                String[] original = new String[1];
                AuditRows.rechain(c, realmId, edited, e -> {
                    if (e.getSeq() == edited) {
                        original[0] = e.getUserAgent();
                        e.setUserAgent("rewritten");
                    }
                });
                try {
                    assertBoth(Math.max(proven + 1, 1), "rewritten", true);
                } finally {
                    AuditRows.rechain(c, realmId, edited, e -> {
                        if (e.getSeq() == edited) {
                            e.setUserAgent(original[0]);
                        }
                    });
                }
            }
            assertTrue(verify().path("ok").asBoolean(), "restored: " + verify());
        }

        @Test
        void aForgedCheckpointIsRejected() throws Exception {
            String db = db();
            records(1);
            awaitSignedThrough(newestSeq());
            records(1);
            try (Connection c = TestDatabase.connect(db)) {
                c.setAutoCommit(false);
                AuditRows.rows(c, "select * from mcias_audit_head where realm_id = ? for update", realmId);
                Map<String, Object> newest = AuditRows.rows(c, "select * from mcias_audit_checkpoint where realm_id = ?"
                        + " order by idx desc limit 1", realmId).get(0);
                Map<String, Object> head = AuditRows.rows(c, "select * from mcias_audit_head where realm_id = ?",
                        realmId).get(0);
                long seq = ((Number) head.get("last_seq")).longValue();
                Map<String, Object> forged = new LinkedHashMap<>(newest);
                forged.put("id", java.util.UUID.randomUUID().toString());
                forged.put("idx", ((Number) newest.get("idx")).longValue() + 1);
                forged.put("seq", seq);
                forged.put("record_hash", head.get("last_hash"));
                forged.put("prev_hash", newest.get("hash"));
                forged.put("ckpt_time", System.currentTimeMillis());
                // Well-formed, signed with the wrong key.
                forged.put("signature", Base64.getEncoder().encodeToString(new byte[64]));
                AuditRows.insert(c, "mcias_audit_checkpoint", List.of(forged));
                c.commit();
                try {
                    assertBoth(seq, "signature invalid", true);
                } finally {
                    exec(c, "delete from mcias_audit_checkpoint where id = ?", forged.get("id"));
                    c.commit();
                }
            }
            assertTrue(verify().path("ok").asBoolean(), "restored: " + verify());
        }

        void exec(Connection c, String sql, Object... params) throws Exception {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                s.executeUpdate();
            }
        }
    }
}
