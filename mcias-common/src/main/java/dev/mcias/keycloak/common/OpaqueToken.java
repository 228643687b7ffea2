package dev.mcias.keycloak.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Opaque bearer secrets of one kind: a fixed prefix followed by 256 random bits in base64url (43 characters), so
 * secret scanners can match {@code <prefix>[A-Za-z0-9_-]{43}}. Only SHA-256 of a token is stored: with 256 bits of
 * entropy a fast hash cannot be brute-forced, and a slow one would only burn CPU on every request.
 */
public final class OpaqueToken {

    /** System-account tokens ({@code client_secret} of a system account). */
    public static final OpaqueToken SYSTEM_ACCOUNT = new OpaqueToken("mcias_sat_");
    /** The secret of an invite link. */
    public static final OpaqueToken INVITE = new OpaqueToken("mcias_inv_");

    private static final int RANDOM_BYTES = 32;
    private static final int ENCODED_LENGTH = 43;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prefix;
    private final Pattern shape;

    private OpaqueToken(String prefix) {
        this.prefix = prefix;
        this.shape = Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_-]{" + ENCODED_LENGTH + "}");
    }

    public String prefix() {
        return prefix;
    }

    public String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code candidate} has the shape of a token of this kind (a cheap check before hashing or querying). */
    public boolean wellFormed(String candidate) {
        return candidate != null && candidate.length() == prefix.length() + ENCODED_LENGTH
                && shape.matcher(candidate).matches();
    }

    /** Short public identifier (not derived from the stored hash): shown to users and put in events. */
    public String fingerprint(String token) {
        return HexFormat.of().formatHex(sha256("fingerprint:" + token), 0, 8);
    }

    /** Hex SHA-256 of the token: what the database stores and is searched by. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    /** Constant-time comparison of two hex hashes. */
    public static boolean sameHash(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII),
                b.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
