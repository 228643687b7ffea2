package dev.mcias.keycloak.audit.checkpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.mcias.keycloak.audit.AuditChain;

/**
 * The signed form of a checkpoint. {@code canonical} lists the signed fields in a fixed order, each length-prefixed
 * like a record's fields in {@link AuditChain} ({@code name=<utf8 length>:<value>;}):
 * {@code v=mcias-audit-checkpoint-1; realm; index; seq; record_hash; time; key_id; prev}. The signature is Ed25519
 * over those UTF-8 bytes; {@code hash} is the hex SHA-256 of the same bytes, and the next checkpoint's
 * {@code prev} (the first one's is 64 zeros). The offline verifier in mcias-client reproduces this exactly.
 */
public final class Checkpoints {

    public static final String VERSION = "mcias-audit-checkpoint-1";
    public static final String GENESIS = AuditChain.GENESIS;

    private Checkpoints() {
    }

    public static byte[] canonical(AuditCheckpointEntity c) {
        StringBuilder b = new StringBuilder(256);
        field(b, "v", VERSION);
        field(b, "realm", c.getRealmId());
        field(b, "index", Long.toString(c.getIndex()));
        field(b, "seq", Long.toString(c.getSeq()));
        field(b, "record_hash", c.getRecordHash());
        field(b, "time", Long.toString(c.getTime()));
        field(b, "key_id", c.getKeyId());
        field(b, "prev", c.getPrevHash());
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static String hash(byte[] canonical) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(name).append('=');
        if (value == null) {
            b.append("-1:");
        } else {
            b.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value);
        }
        b.append(';');
    }

    /** The checkpoint as it appears in the export and in the audit log: {@code {"checkpoint": {...}}}. */
    public record Line(View checkpoint) {
    }

    public record View(@JsonProperty("realm_id") String realmId, long index, long seq,
                       @JsonProperty("record_hash") String recordHash, long time, @JsonProperty("key_id") String keyId,
                       @JsonProperty("prev_hash") String prevHash, String hash, String signature) {
    }

    public static Line line(AuditCheckpointEntity c) {
        return new Line(new View(c.getRealmId(), c.getIndex(), c.getSeq(), c.getRecordHash(), c.getTime(),
                c.getKeyId(), c.getPrevHash(), c.getHash(), c.getSignature()));
    }
}
