package dev.mcias.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * Each kind of tampering with an export fails offline verification and names the first bad position. The export
 * here is built with the verifier's own hashing; AuditVerifierCrossTest (spi-audit-listener) proves the server
 * hashes and signs the same way.
 */
class AuditVerifierTest {

    static final String REALM = "0b6f3c7e-realm";
    final KeyPair key = generate();
    final KeyPair otherKey = generate();
    final Map<String, PublicKey> keys = Map.of("k1", key.getPublic());

    static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** 12 records, checkpoints at seq 5 and 10. */
    static final int RECORDS = 12;

    List<ObjectNode> records = new ArrayList<>();
    List<ObjectNode> checkpoints = new ArrayList<>();

    AuditVerifierTest() {
        String prev = AuditVerifier.GENESIS;
        for (int seq = 1; seq <= RECORDS; seq++) {
            ObjectNode r = record(seq, prev);
            prev = r.get("hash").asText();
            records.add(r);
        }
        checkpoints.add(checkpoint(key, 1, 5, AuditVerifier.GENESIS));
        checkpoints.add(checkpoint(key, 2, 10, checkpoints.get(0).get("hash").asText()));
    }

    static ObjectNode record(long seq, String prev) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("id", "id-" + seq);
        r.put("seq", seq);
        r.put("time", 1_700_000_000_000L + seq);
        r.put("realm_id", REALM);
        r.put("kind", "USER");
        r.put("type", seq % 2 == 0 ? "LOGIN" : "LOGIN_ERROR");
        r.put("outcome", seq % 2 == 0 ? "success" : "error");
        r.putNull("error");
        r.put("user_id", "user-" + seq);
        r.put("client_id", "app");
        r.putNull("session_id");
        r.put("ip_address", "127.0.0.1");
        r.put("user_agent", "curl/8 \"ü\" \u0001");
        r.putNull("resource_path");
        ObjectNode d = r.putObject("details");
        d.put("z_last", "→ " + seq);
        d.put("auth_method", "openid-connect");
        r.put("prev_hash", prev);
        r.put("hash", AuditVerifier.recordHash(r));
        return r;
    }

    static ObjectNode checkpoint(KeyPair k, long index, long seq, String prev, String recordHash) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("realm_id", REALM);
        c.put("index", index);
        c.put("seq", seq);
        c.put("record_hash", recordHash);
        c.put("time", 1_700_000_100_000L + index);
        c.put("key_id", "k1");
        c.put("prev_hash", prev);
        byte[] canonical = AuditVerifier.checkpointCanonical(c);
        c.put("hash", AuditVerifier.sha256Hex(canonical));
        c.put("signature", sign(k, canonical));
        return c;
    }

    ObjectNode checkpoint(KeyPair k, long index, long seq, String prev) {
        return checkpoint(k, index, seq, prev, records.get((int) seq - 1).get("hash").asText());
    }

    static String sign(KeyPair k, byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(k.getPrivate());
            s.update(message);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    List<String> export() {
        List<String> lines = new ArrayList<>();
        records.forEach(r -> lines.add(r.toString()));
        checkpoints.forEach(c -> lines.add("{\"checkpoint\":" + c + "}"));
        return lines;
    }

    AuditVerifier.Report verify() {
        return AuditVerifier.verify(export(), keys);
    }

    static void assertBrokenAt(long seq, String reasonPart, AuditVerifier.Report r) {
        assertFalse(r.ok(), r.toString());
        assertEquals(seq, r.failure().seq(), r.toString());
        assertTrue(r.failure().reason().contains(reasonPart), r.toString());
    }

    /** Recomputes every hash from record {@code fromSeq} on, as someone with write access would. */
    void rechain(int fromSeq) {
        String prev = fromSeq == 1 ? AuditVerifier.GENESIS : records.get(fromSeq - 2).get("hash").asText();
        for (int i = fromSeq - 1; i < records.size(); i++) {
            ObjectNode r = records.get(i);
            r.put("prev_hash", prev);
            r.put("hash", AuditVerifier.recordHash(r));
            prev = r.get("hash").asText();
        }
    }

    @Test
    void anIntactExportVerifiesAndReportsTheNewestSignedPosition() {
        AuditVerifier.Report r = verify();
        assertTrue(r.ok(), r.toString());
        assertEquals(12, r.records());
        assertEquals(2, r.checkpoints());
        assertEquals(10L, r.signedSeq());
        assertEquals(2L, r.signedIndex());
        assertNull(r.failure());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("records 11 to 12")), r.notes().toString());
    }

    @Test
    void anEditedRecordFailsAtIt() {
        records.get(6).put("ip_address", "10.6.6.6");
        assertBrokenAt(7, "content altered", verify());
    }

    @Test
    void anEditedDetailFailsAtIt() {
        ((ObjectNode) records.get(3).get("details")).put("auth_method", "x");
        assertBrokenAt(4, "content altered", verify());
    }

    @Test
    void aRecordDeletedInTheMiddleFailsAtIt() {
        records.remove(7);
        assertBrokenAt(8, "record 8 is missing", verify());
    }

    @Test
    void deletedNewestRecordsPastACheckpointAreTruncation() {
        records.subList(8, records.size()).clear(); // 9..12 gone, checkpoint 2 signs record 10
        assertBrokenAt(9, "the newest records were deleted", verify());
    }

    @Test
    void anInsertedRecordFailsAtIt() {
        ObjectNode fake = record(6, records.get(4).get("hash").asText());
        fake.put("id", "inserted");
        fake.put("user_id", "mallory");
        fake.put("hash", AuditVerifier.recordHash(fake));
        records.add(5, fake); // links correctly to record 5
        assertBrokenAt(6, "appears twice", verify());
    }

    @Test
    void reorderedRecordsFail() {
        Collections.swap(records, 2, 3);
        assertBrokenAt(3, "out of order", verify());
    }

    @Test
    void aChainRecomputedAfterAnEditIsCaughtByTheCheckpoint() {
        records.get(6).put("user_id", "someone-else");
        rechain(7);
        assertTrue(AuditVerifier.checkRecords(new ArrayList<>(records), new ArrayList<>()) == null,
                "the hash chain alone verifies");
        AuditVerifier.Report r = verify();
        assertBrokenAt(6, "rewritten", r); // after checkpoint 1 (record 5), before checkpoint 2 (record 10)
        assertEquals(5L, r.signedSeq(), "still proven through checkpoint 1");
    }

    @Test
    void aChainRecomputedWithItsNewestRecordsDeletedIsCaughtToo() {
        records.subList(9, records.size()).clear();
        records.get(2).put("type", "LOGOUT");
        rechain(3);
        assertBrokenAt(1, "rewritten", verify());
    }

    @Test
    void aForgedCheckpointFails() {
        // Signed by a key that is not the server's, over a rewritten chain.
        records.get(10).put("user_id", "someone-else");
        rechain(11);
        checkpoints.add(checkpoint(otherKey, 3, 12, checkpoints.get(1).get("hash").asText()));
        assertBrokenAt(12, "signature invalid", verify());
    }

    @Test
    void anAlteredCheckpointFails() {
        checkpoints.get(1).put("seq", 9);
        checkpoints.get(1).put("record_hash", records.get(8).get("hash").asText());
        assertBrokenAt(9, "signature invalid", verify());
    }

    @Test
    void aCheckpointUnderAnUnknownKeyFails() {
        checkpoints.get(0).put("key_id", "k9");
        assertBrokenAt(5, "unknown key", verify());
    }

    @Test
    void aDeletedCheckpointBreaksTheirChain() {
        checkpoints.remove(0);
        assertBrokenAt(1, "checkpoint 1 is missing", verify());
    }

    @Test
    void anExportWithoutCheckpointsProvesNothing() {
        checkpoints.clear();
        assertBrokenAt(1, "no signed checkpoint", verify());
    }

    @Test
    void checkpointsKeptInTheLogCatchTruncationTheDatabaseHid() {
        // Newest records and the checkpoint signing them deleted from the database: the export alone verifies...
        ObjectNode newest = checkpoints.remove(1);
        records.subList(6, records.size()).clear();
        assertTrue(verify().ok());
        // ... the copy of the checkpoint in the audit log does not.
        String logLine = "2026-12-04 22:00:00,000 INFO  [mcias.audit] (mcias-audit-checkpoint) {\"checkpoint\":"
                + newest + "}";
        assertBrokenAt(7, "the newest records were deleted",
                AuditVerifier.verify(export(), keys, List.of("unrelated line", logLine)));
    }

    @Test
    void aLogCheckpointThatDisagreesWithTheExportIsAFork() {
        ObjectNode forged = checkpoint(otherKey, 2, 11, checkpoints.get(0).get("hash").asText());
        assertBrokenAt(10, "two different checkpoints with index 2",
                AuditVerifier.verify(export(), keys, List.of("{\"checkpoint\":" + forged + "}")));
    }

    @Test
    void aGarbageLineFails() {
        List<String> lines = export();
        lines.add(3, "not json");
        assertBrokenAt(4, "line 4 is not JSON", AuditVerifier.verify(lines, keys));
    }

    @Test
    void publicKeysAreReadFromTheServersJsonOrFromLines() {
        byte[] spki = key.getPublic().getEncoded();
        String spkiB64 = Base64.getEncoder().encodeToString(spki);
        String rawB64 = Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(spki, 12, 44));
        String json = "{\"enabled\":true,\"keys\":[{\"key_id\":\"k1\",\"alg\":\"Ed25519\",\"signing\":true,"
                + "\"public_key\":\"" + rawB64 + "\",\"spki\":\"" + spkiB64 + "\"}]}";
        for (String text : List.of(json, "# pinned\nk1:" + rawB64 + "\n", "k1:" + spkiB64)) {
            Map<String, PublicKey> parsed = AuditVerifier.parsePublicKeys(text);
            assertTrue(AuditVerifier.verify(export(), parsed).ok(), text);
        }
        assertThrows(IllegalArgumentException.class, () -> AuditVerifier.parsePublicKeys("k1:bm90IGEga2V5"));
        assertThrows(IllegalArgumentException.class, () -> AuditVerifier.parsePublicKeys("# nothing\n"));
        assertThrows(IllegalArgumentException.class, () -> AuditVerifier.parsePublicKeys("no-colon"));
    }

    @Test
    void theRecordHashIsTheDocumentedEncoding() {
        // Vector shared with the server's AuditChainTest-style cross test: a fixed record, its fixed hash.
        JsonNode r = Json.parse("{\"id\":\"a\",\"seq\":1,\"time\":2,\"realm_id\":\"r\",\"kind\":\"USER\","
                + "\"type\":\"LOGIN\",\"outcome\":\"success\",\"error\":null,\"user_id\":null,\"client_id\":null,"
                + "\"session_id\":null,\"ip_address\":null,\"user_agent\":null,\"resource_path\":null,"
                + "\"details\":{\"b\":\"2\",\"a\":\"é\"},\"prev_hash\":\"" + AuditVerifier.GENESIS + "\"}");
        String canonical = "realm=1:r;seq=1:1;time=1:2;kind=4:USER;type=5:LOGIN;outcome=7:success;error=-1:;"
                + "user=-1:;client=-1:;session=-1:;ip=-1:;agent=-1:;path=-1:;details=18:{\"a\":\"é\",\"b\":\"2\"};"
                + "id=1:a;";
        assertEquals(AuditVerifier.sha256Hex((AuditVerifier.GENESIS + canonical)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)), AuditVerifier.recordHash(r));
    }
}
