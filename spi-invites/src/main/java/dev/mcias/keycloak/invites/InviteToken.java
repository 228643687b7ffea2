package dev.mcias.keycloak.invites;

import dev.mcias.keycloak.common.OpaqueToken;

/**
 * The secret of an invite link: {@code mcias_inv_} followed by 256 random bits in base64url. The database keeps
 * SHA-256 of it only, and the row is looked up by that hash, so the secret is never compared character by
 * character.
 */
public final class InviteToken {

    public static final String PREFIX = "mcias_inv_";
    private static final OpaqueToken FORMAT = new OpaqueToken(PREFIX);

    private InviteToken() {
    }

    public static String generate() {
        return FORMAT.generate();
    }

    public static boolean wellFormed(String candidate) {
        return FORMAT.wellFormed(candidate);
    }

    public static String hash(String token) {
        return OpaqueToken.hash(token);
    }

    public static boolean sameHash(String a, String b) {
        return OpaqueToken.sameHash(a, b);
    }
}
