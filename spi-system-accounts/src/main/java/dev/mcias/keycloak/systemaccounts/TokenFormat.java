package dev.mcias.keycloak.systemaccounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * System-account tokens: {@code mcias_sat_} followed by 256 random bits in base64url (43 characters), so
 * secret scanners can match {@code mcias_sat_[A-Za-z0-9_-]{43}}. Only SHA-256 of a token is stored: with 256
 * bits of entropy a fast hash cannot be brute-forced, and a slow one would only burn CPU on every request.
 */
public final class TokenFormat {

    public static final String PREFIX = "mcias_sat_";
    private static final int RANDOM_BYTES = 32;
    private static final Pattern SHAPE = Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFormat() {
    }

    public static String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code candidate} looks like a token at all (cheap check before hashing). */
    public static boolean wellFormed(String candidate) {
        return candidate != null && candidate.length() == PREFIX.length() + 43 && SHAPE.matcher(candidate).matches();
    }

    /** Hex SHA-256 of the token: what the database stores. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    /** Short public identifier (not derived from the stored hash): shown to users and put in events. */
    public static String fingerprint(String token) {
        return HexFormat.of().formatHex(sha256("fingerprint:" + token), 0, 8);
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
