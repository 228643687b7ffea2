package dev.mcias.keycloak.argon2;

import java.util.Base64;

import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.credential.dto.PasswordCredentialData;

/**
 * Cost bounds for credentials stored under Keycloak's built-in ids, checked from the stored parameters alone before
 * the built-in provider computes anything. Anything unreadable is out of bounds.
 */
final class BuiltinHashBounds {

    /** Keycloak never stores more than 512-bit PBKDF2 keys; longer ones only multiply the work. */
    static final int MAX_PBKDF2_KEY_BYTES = 64;

    private BuiltinHashBounds() {
    }

    /**
     * Keycloak's argon2 layout ({@code type}, {@code version}, {@code memory}, {@code parallelism},
     * {@code hashLength} in additionalParameters, passes in hashIterations): memory x passes at most
     * {@code maxCost} KiB.
     */
    static boolean argon2(PasswordCredentialModel credential, long maxCost) {
        PasswordCredentialData data = credential.getPasswordCredentialData();
        MultivaluedHashMap<String, String> p = data.getAdditionalParameters();
        if (p == null) {
            return false;
        }
        Argon2Parameters.Type type;
        switch (String.valueOf(p.getFirst("type"))) {
            case "id" -> type = Argon2Parameters.Type.ID;
            case "i" -> type = Argon2Parameters.Type.I;
            case "d" -> type = Argon2Parameters.Type.D;
            default -> {
                return false;
            }
        }
        int version = "1.3".equals(p.getFirst("version")) ? Argon2Parameters.VERSION_13
                : "1.0".equals(p.getFirst("version")) ? Argon2Parameters.VERSION_10 : -1;
        try {
            Argon2Parameters stored = new Argon2Parameters(type, version, Integer.parseInt(p.getFirst("memory")),
                    data.getHashIterations(), Integer.parseInt(p.getFirst("parallelism")),
                    Integer.parseInt(p.getFirst("hashLength")));
            // The cost bound implies the memory bound (passes >= 1).
            return stored.checkStored(maxCost, maxCost);
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }

    /**
     * Keycloak's PBKDF2 layout: iterations in hashIterations, the derived key (base64) as value. Work is iterations
     * x blocks of the hash's output size; it may be at most {@code maxIterations} x {@code referenceBlocks}.
     */
    static boolean pbkdf2(PasswordCredentialModel credential, int hashBytes, long maxIterations, int referenceBlocks) {
        int iterations = credential.getPasswordCredentialData().getHashIterations();
        String value = credential.getPasswordSecretData().getValue();
        if (iterations < 1 || value == null || value.length() > 4 * ((MAX_PBKDF2_KEY_BYTES + 2) / 3)) {
            return false;
        }
        int keyBytes;
        try {
            keyBytes = Base64.getDecoder().decode(value).length;
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (keyBytes < 1 || keyBytes > MAX_PBKDF2_KEY_BYTES) {
            return false;
        }
        long blocks = (keyBytes + hashBytes - 1) / hashBytes;
        return (long) iterations * blocks <= maxIterations * referenceBlocks;
    }
}
