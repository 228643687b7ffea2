package dev.mcias.keycloak.argon2;

import java.util.function.Supplier;

/**
 * The hashing slot of one Keycloak session's provider. For a password check the slot is reserved when Keycloak
 * creates the provider: that call is outside Keycloak's password-verification try/catch, so running out of slots
 * surfaces as a server error instead of being turned into "invalid credentials" (and a brute-force strike). The
 * first hash uses the reserved slot; later hashes take a fresh one.
 */
final class SessionHashingSlot implements AutoCloseable {

    private final HashingLimiter limiter;
    private HashingLimiter.Permit reserved;

    private SessionHashingSlot(HashingLimiter limiter, HashingLimiter.Permit reserved) {
        this.limiter = limiter;
        this.reserved = reserved;
    }

    /**
     * For Keycloak's password check ({@code PasswordCredentialProvider.isValid}, outside its re-hash check): reserves
     * a slot now or fails as temporarily unavailable, while Keycloak can still turn the failure into an error
     * response instead of "invalid credentials". Every other caller (policy validation, re-hash check, setting a
     * password, realm import) reserves nothing: it takes a slot only when it actually hashes, so a provider that
     * never hashes cannot sit on a slot while its thread waits for another one.
     */
    static SessionHashingSlot reserve(HashingLimiter limiter) {
        return reserve(limiter, calledFromPasswordCheck());
    }

    static SessionHashingSlot reserve(HashingLimiter limiter, boolean forPasswordCheck) {
        return new SessionHashingSlot(limiter, forPasswordCheck ? limiter.acquire() : null);
    }

    private static boolean calledFromPasswordCheck() {
        boolean[] seen = new boolean[2]; // isValid, rehashPasswordIfRequired
        StackWalker.getInstance().forEach(f -> {
            if ("org.keycloak.credential.PasswordCredentialProvider".equals(f.getClassName())) {
                seen[0] |= "isValid".equals(f.getMethodName());
                seen[1] |= "rehashPasswordIfRequired".equals(f.getMethodName());
            }
        });
        return seen[0] && !seen[1];
    }

    <T> T run(Supplier<T> hashing) {
        HashingLimiter.Permit permit;
        synchronized (this) {
            permit = reserved;
            reserved = null;
        }
        if (permit == null) {
            permit = limiter.acquire();
        }
        try (HashingLimiter.Permit p = permit) {
            return hashing.get();
        }
    }

    /** Gives the reserved slot back without hashing (e.g. after a policy check). */
    synchronized void release() {
        if (reserved != null) {
            reserved.close();
            reserved = null;
        }
    }

    @Override
    public void close() {
        release();
    }
}
