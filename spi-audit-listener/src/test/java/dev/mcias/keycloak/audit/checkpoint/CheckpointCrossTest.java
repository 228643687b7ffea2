package dev.mcias.keycloak.audit.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keycloak.util.JsonSerialization;

import dev.mcias.client.AuditVerifier;
import dev.mcias.client.Json;
import dev.mcias.keycloak.audit.AuditChain;
import dev.mcias.keycloak.audit.AuditRecordEntity;
import dev.mcias.keycloak.audit.AuditRecords;

/**
 * The server (AuditChain, Checkpoints, CheckpointKeys) and the offline verifier (mcias-client's AuditVerifier)
 * compute the same record hashes, checkpoint encodings and signatures from what the export holds.
 */
class CheckpointCrossTest {

    static final String SEED_LINE = "k1:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));

    static AuditRecordEntity record(long seq, String prev, String details) {
        AuditRecordEntity r = new AuditRecordEntity();
        r.setId("id-" + seq);
        r.setRealmId("realm-1");
        r.setSeq(seq);
        r.setTime(1_700_000_000_000L + seq);
        r.setKind(seq % 3 == 0 ? "ADMIN" : "USER");
        r.setType(seq % 3 == 0 ? "UPDATE:USER" : "LOGIN_ERROR");
        r.setOutcome("error");
        r.setError(seq % 2 == 0 ? "invalid_user_credentials" : null);
        r.setUserId(seq % 2 == 0 ? "u-" + seq : null);
        r.setClientId("client \"quoted\"");
        r.setIpAddress("::1");
        r.setUserAgent("Mozilla/5.0 (X11) \u00e9\u4e2d\ud83d\ude00 \t\u0001");
        r.setResourcePath(seq % 3 == 0 ? "users/" + seq : null);
        r.setDetails(details);
        r.setPrevHash(prev);
        r.setHash(AuditChain.hash(r));
        return r;
    }

    static JsonNode exported(Object record) throws Exception {
        // As the export writes a line and the verifier reads it back.
        return Json.parse(JsonSerialization.writeValueAsString(record));
    }

    @Test
    void serverAndOfflineVerifierHashRecordsAlike() throws Exception {
        List<String> details = new ArrayList<>();
        details.add(null);
        details.add(detailsJson(Map.of()));
        details.add(detailsJson(Map.of("username_fingerprint", "it1:00ff", "auth_method", "openid-connect")));
        details.add(detailsJson(Map.of("a", "quote \" backslash \\ slash / newline \n tab \t ctl \u0001 \u2028",
                "\u00e9t\u00e9", "\ud83d\ude00", "Z", "")));
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < details.size(); i++) {
            AuditRecordEntity r = record(i + 1, prev, details.get(i));
            JsonNode line = exported(AuditRecords.view(r));
            assertEquals(r.getHash(), AuditVerifier.recordHash(line), "record " + (i + 1) + ": " + line);
            prev = r.getHash();
        }
    }

    /** The details text as the server stores it (AuditRecords.json: a sorted map through JsonSerialization). */
    static String detailsJson(Map<String, String> m) throws Exception {
        return JsonSerialization.writeValueAsString(new java.util.TreeMap<>(m));
    }

    @Test
    void aServerCheckpointVerifiesOfflineAndItsEncodingIsTheSame() throws Exception {
        CheckpointKeys keys = CheckpointKeys.of(List.of(SEED_LINE));
        List<String> export = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        AuditRecordEntity last = null;
        for (int seq = 1; seq <= 4; seq++) {
            last = record(seq, prev, detailsJson(Map.of("n", Integer.toString(seq))));
            prev = last.getHash();
            export.add(JsonSerialization.writeValueAsString(AuditRecords.view(last)));
        }
        AuditCheckpointEntity c = new AuditCheckpointEntity();
        c.setRealmId("realm-1");
        c.setIndex(1);
        c.setSeq(last.getSeq());
        c.setRecordHash(last.getHash());
        c.setTime(1_700_000_999_000L);
        c.setKeyId(keys.signing().id());
        c.setPrevHash(Checkpoints.GENESIS);
        byte[] canonical = Checkpoints.canonical(c);
        c.setHash(Checkpoints.hash(canonical));
        c.setSignature(keys.sign(canonical));
        String line = JsonSerialization.writeValueAsString(Checkpoints.line(c));
        export.add(line);

        JsonNode exported = Json.parse(line).get("checkpoint");
        assertArrayEquals(canonical, AuditVerifier.checkpointCanonical(exported));
        assertEquals(c.getHash(), AuditVerifier.sha256Hex(canonical));

        Map<String, PublicKey> pub = AuditVerifier.parsePublicKeys("k1:" + Base64.getEncoder()
                .encodeToString(keys.signing().raw()));
        AuditVerifier.Report report = AuditVerifier.verify(export, pub);
        assertTrue(report.ok(), report.toString());
        assertEquals(4L, report.signedSeq());

        // ... and a record edited on the server side fails offline at it.
        export.set(1, export.get(1).replace("::1", "10.0.0.1"));
        assertEquals(2, AuditVerifier.verify(export, pub).failure().seq());
    }

    @Test
    void aRawSeedGivesTheRfc8032KeyAndSignature() {
        // RFC 8032, 7.1, TEST 1: the seed trick derives the right public key, the signature is the standard one.
        CheckpointKeys keys = CheckpointKeys.of(List.of(SEED_LINE));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                HexFormat.of().formatHex(keys.signing().raw()));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
                + "6bd25bf5f0595bbe24655141438e7a100b", HexFormat.of().formatHex(Base64.getDecoder().decode(
                keys.sign(new byte[0]))));
        assertTrue(keys.verify("k1", new byte[0], keys.sign(new byte[0])));
        assertFalse(keys.verify("k2", new byte[0], keys.sign(new byte[0])), "unknown key id");
        assertFalse(keys.verify("k1", new byte[] {1}, keys.sign(new byte[0])));
    }

    @TempDir
    Path dir;

    @Test
    void theKeyFileTakesSeedsAndPkcs8KeysTheFirstSigns() throws Exception {
        var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path file = dir.resolve("checkpoint.key");
        Files.writeString(file, "# rotated 2026-12\n\nk2:" + Base64.getEncoder().encodeToString(
                pair.getPrivate().getEncoded()) + "\n" + SEED_LINE + "\n");
        CheckpointKeys keys = CheckpointKeys.fromFile(file);
        assertEquals("k2", keys.signing().id());
        assertEquals(List.of("k2", "k1"), keys.all().stream().map(CheckpointKeys.Key::id).toList());
        assertArrayEquals(pair.getPublic().getEncoded(), keys.signing().publicKey().getEncoded());
        String sig = keys.sign(new byte[] {7});
        assertTrue(keys.verify("k2", new byte[] {7}, sig));
        assertFalse(keys.verify("k1", new byte[] {7}, sig));
    }

    @Test
    void aBrokenKeyFileStopsStartupWithoutShowingTheKey() throws Exception {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("k1 " + SEED_LINE.substring(3), "must be <id>:<base64 key>");
        bad.put("k1:not*base64", "not base64");
        bad.put("k1:" + Base64.getEncoder().encodeToString(new byte[31]), "neither a 32-byte");
        bad.put("bad id!:" + SEED_LINE.substring(3), "key id");
        bad.put(SEED_LINE + "\n" + SEED_LINE, "appears twice");
        bad.put("# only a comment", "holds no key");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path file = dir.resolve("bad.key");
            Files.writeString(file, e.getKey() + "\n");
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> CheckpointKeys.fromFile(file));
            assertTrue(ex.getMessage().contains(e.getValue()), ex.getMessage());
            assertFalse(ex.getMessage().contains(SEED_LINE.substring(3)), "no key material in: " + ex.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> CheckpointKeys.fromFile(dir.resolve("missing")));
    }
}
