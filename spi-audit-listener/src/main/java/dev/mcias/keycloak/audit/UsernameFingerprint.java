package dev.mcias.keycloak.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed fingerprint of a username nobody has: {@code <key id>:<hex of the first 16 bytes of
 * HMAC-SHA-256(key, "mcias-audit-username" 0x00 realm-id 0x00 value)>}. Equal values in one realm give equal
 * fingerprints (repeated attempts correlate); without the key nobody can test a guess against one, so a
 * password typed into the username field cannot be recovered from the audit records or log lines.
 *
 * <p>The key lives outside the database: in the file of the {@code fingerprint-key-file} option (lines
 * {@code <id>:<base64 of at least 32 bytes>}, the first one is used; blank lines and {@code #} comments are
 * ignored), or, without that option, in memory only (generated at start: fingerprints then correlate only within
 * one process).
 */
public final class UsernameFingerprint {

    static final String EPHEMERAL_ID = "ephemeral";
    private static final byte[] DOMAIN = "mcias-audit-username".getBytes(StandardCharsets.US_ASCII);

    private final String keyId;
    private final SecretKeySpec key;

    UsernameFingerprint(String keyId, byte[] key) {
        if (keyId.isEmpty() || !keyId.matches("[A-Za-z0-9_.-]{1,32}")) {
            throw new IllegalArgumentException("key id must be 1-32 of [A-Za-z0-9_.-]");
        }
        if (key.length < 32) {
            throw new IllegalArgumentException("key must have at least 32 bytes");
        }
        this.keyId = keyId;
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /** A random key that exists only in this process. */
    public static UsernameFingerprint ephemeral() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new UsernameFingerprint(EPHEMERAL_ID, k);
    }

    /** The first key of the file; the message of a failure never contains key material. */
    public static UsernameFingerprint fromKeyFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("audit: cannot read fingerprint key file " + file);
        }
        for (String raw : lines) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException("audit: fingerprint key file " + file
                        + ": the first key line must be <id>:<base64 key>");
            }
            byte[] k;
            try {
                k = Base64.getDecoder().decode(line.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("audit: fingerprint key file " + file + ": key is not base64");
            }
            try {
                return new UsernameFingerprint(line.substring(0, colon).trim(), k);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("audit: fingerprint key file " + file + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("audit: fingerprint key file " + file + " holds no key");
    }

    public String keyId() {
        return keyId;
    }

    public String of(String realmId, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(DOMAIN);
            mac.update((byte) 0);
            mac.update(String.valueOf(realmId).getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return keyId + ":" + HexFormat.of().formatHex(h, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
