package dev.mcias.keycloak.invites;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The secret of an invite link: {@code mcias_inv_} followed by 256 random bits in base64url (43 characters), so
 * secret scanners can match {@code mcias_inv_[A-Za-z0-9_-]{43}}. The database keeps SHA-256 of it only: with
 * 256 bits of entropy a fast hash cannot be brute-forced, and looking the row up by its hash means the secret is
 * never compared character by character.
 */
public final class InviteToken {

    public static final String PREFIX = "mcias_inv_";
    private static final int RANDOM_BYTES = 32;
    private static final Pattern SHAPE = Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private InviteToken() {
    }

    public static String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code candidate} has the shape of a token (checked before hashing or querying). */
    public static boolean wellFormed(String candidate) {
        return candidate != null && candidate.length() == PREFIX.length() + 43 && SHAPE.matcher(candidate).matches();
    }

    /** Hex SHA-256 of the token: what the database stores and is searched by. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of two hex hashes. */
    public static boolean sameHash(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII),
                b.getBytes(StandardCharsets.US_ASCII));
    }
}
