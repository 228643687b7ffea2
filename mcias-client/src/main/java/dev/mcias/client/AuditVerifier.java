package dev.mcias.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Verifies an audit export ({@code GET /realms/{realm}/audit/export}, no from/to) without the server: the hash
 * chain of the records, exactly as the server's {@code AuditChain} computes it, and the signed checkpoints at its
 * end, with the Ed25519 public keys of {@code GET /realms/{realm}/audit/checkpoint-keys}. Detects edited,
 * deleted, inserted and reordered records, deleted newest records (the newest checkpoint signs a record that is
 * not there), a chain re-computed after an edit (a record no longer has the hash its checkpoint signed), and
 * forged or altered checkpoints; a failure names the first position (seq) that is not proven.
 *
 * <p>Record hash: {@code hex(SHA-256(prev_hash || canonical))}, where canonical is
 * {@code name=<utf8 length>:<value>;} (null: {@code name=-1:;}) for realm, seq, time, kind, type, outcome, error,
 * user, client, session, ip, agent, path, details, id, in that order; details is the stored JSON text, which the
 * export parses: re-written here with its keys sorted, as the server writes it. Checkpoint: canonical
 * {@code v=mcias-audit-checkpoint-1; realm; index; seq; record_hash; time; key_id; prev} in the same field format,
 * Ed25519-signed; its hash (hex SHA-256 of the canonical bytes) is the next checkpoint's {@code prev}.
 */
public final class AuditVerifier {

    public static final String GENESIS = "0".repeat(64);
    static final String CHECKPOINT_VERSION = "mcias-audit-checkpoint-1";
    /** The X.509 SubjectPublicKeyInfo prefix of a raw 32-byte Ed25519 public key. */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    /** Plain Jackson, as Keycloak's JsonSerialization writes a map of strings. */
    private static final ObjectMapper DETAILS = new ObjectMapper();

    private AuditVerifier() {
    }

    /** Where verification failed: the first seq not proven, and why. */
    public record Failure(long seq, String reason) {
    }

    /**
     * {@code signedSeq}: the newest record position proven by a verified checkpoint ({@code signedIndex}); records
     * after it are only hash-chained, not signed.
     */
    public record Report(boolean ok, long records, Long firstSeq, Long lastSeq, long checkpoints, Long signedSeq,
                         Long signedIndex, Failure failure, List<String> notes) {
    }

    // ---------------------------------------------------------------- keys

    /**
     * Public keys from the JSON of {@code GET /audit/checkpoint-keys}, or from lines {@code <key id>:<base64 of the
     * raw 32-byte key or of its X.509 SubjectPublicKeyInfo>} ({@code #} comments allowed).
     */
    public static Map<String, PublicKey> parsePublicKeys(String text) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        String t = text.strip();
        if (t.startsWith("{")) {
            JsonNode root = Json.parse(t);
            for (JsonNode k : root.path("keys")) {
                String spki = k.path("spki").asText(null);
                String raw = k.path("public_key").asText(null);
                keys.put(k.path("key_id").asText(), publicKey(spki != null ? spki : raw));
            }
        } else {
            for (String line : t.split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("public key lines are <key id>:<base64 public key>");
                }
                keys.put(l.substring(0, colon).strip(), publicKey(l.substring(colon + 1).strip()));
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no public key found");
        }
        return keys;
    }

    public static Map<String, PublicKey> readPublicKeys(Path file) throws IOException {
        return parsePublicKeys(Files.readString(file, StandardCharsets.UTF_8));
    }

    static PublicKey publicKey(String base64) {
        try {
            byte[] b = Base64.getDecoder().decode(base64);
            if (b.length == 32) {
                byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(b, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                b = spki;
            }
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(b));
        } catch (IllegalArgumentException | GeneralSecurityException | NullPointerException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (base64 of 32 bytes or of an SPKI)");
        }
    }

    // ---------------------------------------------------------------- hashing

    /** The hash the server computes for an exported record (its {@code hash} field when unaltered). */
    public static String recordHash(JsonNode r) {
        StringBuilder c = new StringBuilder(512);
        field(c, "realm", text(r, "realm_id"));
        field(c, "seq", text(r, "seq"));
        field(c, "time", text(r, "time"));
        field(c, "kind", text(r, "kind"));
        field(c, "type", text(r, "type"));
        field(c, "outcome", text(r, "outcome"));
        field(c, "error", text(r, "error"));
        field(c, "user", text(r, "user_id"));
        field(c, "client", text(r, "client_id"));
        field(c, "session", text(r, "session_id"));
        field(c, "ip", text(r, "ip_address"));
        field(c, "agent", text(r, "user_agent"));
        field(c, "path", text(r, "resource_path"));
        field(c, "details", details(r.get("details")));
        field(c, "id", text(r, "id"));
        MessageDigest sha = sha256();
        sha.update(String.valueOf(text(r, "prev_hash")).getBytes(StandardCharsets.US_ASCII));
        sha.update(c.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The signed bytes of an exported checkpoint (the object inside {@code {"checkpoint": ...}}). */
    public static byte[] checkpointCanonical(JsonNode c) {
        StringBuilder b = new StringBuilder(256);
        field(b, "v", CHECKPOINT_VERSION);
        field(b, "realm", text(c, "realm_id"));
        field(b, "index", text(c, "index"));
        field(b, "seq", text(c, "seq"));
        field(b, "record_hash", text(c, "record_hash"));
        field(b, "time", text(c, "time"));
        field(b, "key_id", text(c, "key_id"));
        field(b, "prev", text(c, "prev_hash"));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static String details(JsonNode d) {
        if (d == null || d.isNull()) {
            return null;
        }
        if (d.isTextual()) {
            return d.asText(); // stored text that was not a JSON object is exported as it is
        }
        Map<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : d.properties()) {
            sorted.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().isTextual() ? e.getValue().asText()
                    : e.getValue());
        }
        try {
            return DETAILS.writeValueAsString(sorted);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void field(StringBuilder c, String name, String value) {
        c.append(name).append('=');
        if (value == null) {
            c.append("-1:");
        } else {
            c.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value);
        }
        c.append(';');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- verification

    /** Verifies an export file; {@code extraCheckpoints} (may be null): audit log lines holding checkpoints. */
    public static Report verify(Path export, Map<String, PublicKey> keys, Path extraCheckpoints) throws IOException {
        List<String> extra = extraCheckpoints == null ? List.of()
                : Files.readAllLines(extraCheckpoints, StandardCharsets.UTF_8);
        return verify(Files.readAllLines(export, StandardCharsets.UTF_8), keys, extra);
    }

    public static Report verify(List<String> exportLines, Map<String, PublicKey> keys) {
        return verify(exportLines, keys, List.of());
    }

    /**
     * Verifies export lines (records oldest first, then {@code {"checkpoint": ...}} lines), plus checkpoints copied
     * from the audit log ({@code extraLines}: any line containing {@code {"checkpoint":}}; the rest is ignored).
     */
    public static Report verify(List<String> exportLines, Map<String, PublicKey> keys, List<String> extraLines) {
        List<JsonNode> records = new ArrayList<>();
        List<JsonNode> checkpoints = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int lineNo = 0;
        for (String line : exportLines) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(line);
            } catch (IOException e) {
                n = null;
            }
            if (n == null || !n.isObject()) {
                long at = records.isEmpty() ? 1 : records.get(records.size() - 1).path("seq").asLong() + 1;
                return report(records, checkpoints, null, new Failure(at, "line " + lineNo + " is not JSON"),
                        notes);
            }
            if (n.has("checkpoint")) {
                checkpoints.add(n.get("checkpoint"));
            } else {
                records.add(n);
            }
        }
        for (String line : extraLines) {
            int i = line.indexOf("{\"checkpoint\":");
            if (i >= 0) {
                try {
                    checkpoints.add(Json.MAPPER.readTree(line.substring(i)).get("checkpoint"));
                } catch (IOException e) {
                    notes.add("ignored a checkpoint log line that is not JSON");
                }
            }
        }

        Failure recordFailure = checkRecords(records, notes);
        CheckpointPass cp = checkCheckpoints(records, checkpoints, keys, notes);
        Failure failure = recordFailure;
        if (cp.failure != null && (failure == null || cp.failure.seq() < failure.seq())) {
            failure = cp.failure;
        }
        if (failure == null && cp.signed == null && !records.isEmpty()) {
            failure = new Failure(records.get(0).path("seq").asLong(), "no signed checkpoint in the export: nothing"
                    + " proves these records (a full export, no --from/--to, ends with the checkpoints)");
        }
        if (failure == null && cp.signed != null && !records.isEmpty()) {
            long last = records.get(records.size() - 1).path("seq").asLong();
            long signedSeq = cp.signed.path("seq").asLong();
            if (last > signedSeq) {
                notes.add("records " + (signedSeq + 1) + " to " + last + " are hash-chained but not yet signed by a"
                        + " checkpoint");
            }
        }
        return report(records, checkpoints, cp.signed, failure, notes);
    }

    private static Report report(List<JsonNode> records, List<JsonNode> checkpoints, JsonNode signed,
                                 Failure failure, List<String> notes) {
        Long first = records.isEmpty() ? null : records.get(0).path("seq").asLong();
        Long last = records.isEmpty() ? null : records.get(records.size() - 1).path("seq").asLong();
        return new Report(failure == null, records.size(), first, last, checkpoints.size(),
                signed == null ? null : signed.path("seq").asLong(),
                signed == null ? null : signed.path("index").asLong(), failure, List.copyOf(notes));
    }

    /** The record chain in file order: contiguous seqs, each linked to the one before, each hash recomputed. */
    static Failure checkRecords(List<JsonNode> records, List<String> notes) {
        if (records.isEmpty()) {
            return null;
        }
        Set<Long> present = new HashSet<>();
        for (JsonNode r : records) {
            present.add(r.path("seq").asLong());
        }
        JsonNode first = records.get(0);
        String realm = text(first, "realm_id");
        long expected = first.path("seq").asLong();
        String expectedPrev = text(first, "prev_hash");
        if (expected == 1 && !GENESIS.equals(expectedPrev)) {
            return new Failure(1, "record 1: previous-hash link broken (must be the genesis hash)");
        }
        if (expected > 1) {
            notes.add("the export starts at record " + expected + " (earlier records purged)");
        }
        Set<Long> seen = new HashSet<>();
        for (JsonNode r : records) {
            long seq = r.path("seq").asLong();
            if (seq != expected) {
                if (seen.contains(seq)) {
                    return new Failure(seq, "record " + seq + " appears twice (inserted record)");
                }
                if (seq > expected && !present.contains(expected)) {
                    return new Failure(expected, "record " + expected + " is missing");
                }
                return new Failure(Math.min(seq, expected), "records out of order at record " + expected
                        + " (found " + seq + ")");
            }
            seen.add(seq);
            if (!java.util.Objects.equals(realm, text(r, "realm_id"))) {
                return new Failure(seq, "record " + seq + " belongs to another realm");
            }
            if (!expectedPrev.equals(text(r, "prev_hash"))) {
                return new Failure(seq, "record " + seq + ": previous-hash link broken");
            }
            String h = recordHash(r);
            if (!h.equals(text(r, "hash"))) {
                return new Failure(seq, "record " + seq + ": content altered (hash does not match)");
            }
            expectedPrev = h;
            expected++;
        }
        return null;
    }

    private record CheckpointPass(JsonNode signed, Failure failure) {
    }

    static CheckpointPass checkCheckpoints(List<JsonNode> records, List<JsonNode> checkpoints,
                                           Map<String, PublicKey> keys, List<String> notes) {
        Map<Long, String> hashAt = new HashMap<>();
        for (JsonNode r : records) {
            hashAt.putIfAbsent(r.path("seq").asLong(), text(r, "hash"));
        }
        long firstSeq = records.isEmpty() ? 1 : records.get(0).path("seq").asLong();
        long lastSeq = records.isEmpty() ? 0 : records.get(records.size() - 1).path("seq").asLong();
        String realm = records.isEmpty() ? null : text(records.get(0), "realm_id");
        String firstPrev = records.isEmpty() ? null : text(records.get(0), "prev_hash");

        // By index; the same checkpoint twice (export and log) counts once, two different ones are a fork.
        TreeMap<Long, JsonNode> byIndex = new TreeMap<>();
        for (JsonNode c : checkpoints) {
            if (c == null || !c.isObject()) {
                continue;
            }
            long index = c.path("index").asLong();
            JsonNode had = byIndex.putIfAbsent(index, c);
            if (had != null && !java.util.Objects.equals(text(had, "hash"), text(c, "hash"))) {
                return new CheckpointPass(null, new Failure(Math.min(had.path("seq").asLong(), c.path("seq").asLong()),
                        "two different checkpoints with index " + index + " (forged checkpoint)"));
            }
        }
        long expectedIndex = 1;
        String prevHash = GENESIS;
        long prevSeq = 0;
        long proven = firstSeq - 1;
        JsonNode signed = null;
        for (JsonNode c : byIndex.values()) {
            long index = c.path("index").asLong();
            long seq = c.path("seq").asLong();
            byte[] canonical = checkpointCanonical(c);
            if (index != expectedIndex) {
                return new CheckpointPass(signed, new Failure(Math.min(seq, proven + 1), "checkpoint " + expectedIndex
                        + " is missing"));
            }
            PublicKey key = keys.get(text(c, "key_id"));
            if (key == null) {
                return new CheckpointPass(signed, new Failure(seq, "checkpoint " + index + " is signed with an"
                        + " unknown key " + text(c, "key_id")));
            }
            if (!signatureValid(key, canonical, text(c, "signature"))) {
                return new CheckpointPass(signed, new Failure(seq, "checkpoint " + index
                        + ": signature invalid (forged or altered checkpoint)"));
            }
            if (!sha256Hex(canonical).equals(text(c, "hash")) || !prevHash.equals(text(c, "prev_hash"))
                    || seq < prevSeq) {
                return new CheckpointPass(signed, new Failure(seq, "checkpoint " + index
                        + ": chain of checkpoints broken"));
            }
            if (realm != null && !realm.equals(text(c, "realm_id"))) {
                return new CheckpointPass(signed, new Failure(seq, "checkpoint " + index
                        + " belongs to another realm"));
            }
            if (seq > lastSeq) {
                long from = Math.max(lastSeq, proven) + 1;
                return new CheckpointPass(signed, new Failure(from, "records " + from + " to " + seq
                        + " are missing (signed by checkpoint " + index + "): the newest records were deleted"));
            }
            if (seq >= firstSeq) {
                String h = hashAt.get(seq);
                if (h == null) {
                    return new CheckpointPass(signed, new Failure(seq, "record " + seq + " is missing (signed by"
                            + " checkpoint " + index + ")"));
                }
                if (!h.equals(text(c, "record_hash"))) {
                    return new CheckpointPass(signed, new Failure(proven + 1, "records " + (proven + 1) + " to "
                            + seq + " were rewritten: record " + seq + " does not match checkpoint " + index));
                }
                proven = seq;
            } else if (seq == firstSeq - 1 && !java.util.Objects.equals(firstPrev, text(c, "record_hash"))) {
                return new CheckpointPass(signed, new Failure(firstSeq, "record " + firstSeq
                        + " does not link to the record signed by checkpoint " + index));
            }
            expectedIndex++;
            prevHash = text(c, "hash");
            prevSeq = seq;
            signed = c;
        }
        if (signed != null && signed.path("seq").asLong() < firstSeq) {
            notes.add("no checkpoint signs any exported record");
            signed = null;
        }
        return new CheckpointPass(signed, null);
    }

    private static boolean signatureValid(PublicKey key, byte[] message, String signature) {
        if (signature == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
