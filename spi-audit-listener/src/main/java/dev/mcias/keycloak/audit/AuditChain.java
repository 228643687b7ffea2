package dev.mcias.keycloak.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain: {@code hash = SHA-256(prev_hash || canonical(record))}, where the canonical encoding lists
 * every stored field in a fixed order, each length-prefixed ({@code name=<utf8 length>:<value>;}, null as
 * {@code name=-1:;}) so no two different records encode the same way.
 */
public final class AuditChain {

    /** The previous hash of the first record of a realm. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    public static String hash(AuditRecordEntity r) {
        StringBuilder c = new StringBuilder(512);
        field(c, "realm", r.getRealmId());
        field(c, "seq", Long.toString(r.getSeq()));
        field(c, "time", Long.toString(r.getTime()));
        field(c, "kind", r.getKind());
        field(c, "type", r.getType());
        field(c, "outcome", r.getOutcome());
        field(c, "error", r.getError());
        field(c, "user", r.getUserId());
        field(c, "client", r.getClientId());
        field(c, "session", r.getSessionId());
        field(c, "ip", r.getIpAddress());
        field(c, "agent", r.getUserAgent());
        field(c, "path", r.getResourcePath());
        field(c, "details", r.getDetails());
        field(c, "id", r.getId());
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(r.getPrevHash().getBytes(StandardCharsets.US_ASCII));
            sha.update(c.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
}
