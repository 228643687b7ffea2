package dev.mcias.keycloak.systemaccounts;

import java.util.HexFormat;

import dev.mcias.keycloak.common.OpaqueToken;

/**
 * System-account tokens: {@code mcias_sat_} followed by 256 random bits in base64url ({@link OpaqueToken}); only
 * SHA-256 of a token is stored.
 */
public final class TokenFormat {

    public static final String PREFIX = "mcias_sat_";
    private static final OpaqueToken FORMAT = new OpaqueToken(PREFIX);

    private TokenFormat() {
    }

    public static String generate() {
        return FORMAT.generate();
    }

    /** Whether {@code candidate} looks like a token at all (cheap check before hashing). */
    public static boolean wellFormed(String candidate) {
        return FORMAT.wellFormed(candidate);
    }

    /** Hex SHA-256 of the token: what the database stores. */
    public static String hash(String token) {
        return OpaqueToken.hash(token);
    }

    /** Short public identifier (not derived from the stored hash): shown to users and put in events. */
    public static String fingerprint(String token) {
        return HexFormat.of().formatHex(OpaqueToken.sha256("fingerprint:" + token), 0, 8);
    }

    /** Constant-time comparison of two hex hashes. */
    public static boolean sameHash(String a, String b) {
        return OpaqueToken.sameHash(a, b);
    }
}
