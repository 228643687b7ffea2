package dev.mcias.keycloak.argon2;

import java.util.function.Supplier;

/**
 * The hashing slot of one Keycloak session's provider. The slot is reserved when Keycloak creates the
 * provider: that call is outside Keycloak's password-verification try/catch, so running out of slots surfaces
 * as a server error instead of being turned into "invalid credentials" (and a brute-force strike). The first
 * hash uses the reserved slot; later hashes in the same session take a fresh one.
 */
final class SessionHashingSlot implements AutoCloseable {

    private final HashingLimiter limiter;
    private HashingLimiter.Permit reserved;

    private SessionHashingSlot(HashingLimiter limiter, HashingLimiter.Permit reserved) {
        this.limiter = limiter;
        this.reserved = reserved;
    }

    /**
     * Reserves a slot, or fails as temporarily unavailable. The exception: Keycloak's re-hash check creates
     * the policy's provider inside its catch-all only to call {@link #release()}-ing policyCheck, which needs
     * no slot; failing there would turn a correct password into "invalid credentials".
     */
    static SessionHashingSlot reserve(HashingLimiter limiter) {
        try {
            return new SessionHashingSlot(limiter, limiter.acquire());
        } catch (HashingLimiter.HashingUnavailableException e) {
            if (calledFromRehashCheck()) {
                return new SessionHashingSlot(limiter, null);
            }
            throw e;
        }
    }

    private static boolean calledFromRehashCheck() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f ->
                "rehashPasswordIfRequired".equals(f.getMethodName())
                        && "org.keycloak.credential.PasswordCredentialProvider".equals(f.getClassName())));
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
