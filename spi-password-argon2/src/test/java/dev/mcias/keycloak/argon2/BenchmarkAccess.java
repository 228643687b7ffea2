package dev.mcias.keycloak.argon2;

import org.keycloak.credential.hash.PasswordHashProvider;

/** Lets the benchmark build a provider without a Keycloak session; each call gets its own slot reservation. */
public final class BenchmarkAccess {

    private BenchmarkAccess() {
    }

    public static PasswordHashProvider provider(Argon2Parameters params, int concurrency) {
        HashingLimiter limiter = new HashingLimiter(concurrency, 60_000);
        SessionHashingSlot slot = SessionHashingSlot.reserve(limiter, true);
        slot.release();
        return new Argon2idPasswordHashProvider(params, 16,
                StoredHashLimits.of(params, 8, Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB), slot);
    }
}
