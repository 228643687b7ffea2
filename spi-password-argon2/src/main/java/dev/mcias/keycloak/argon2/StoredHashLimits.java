package dev.mcias.keycloak.argon2;

/**
 * The most work a stored or imported hash may ask for, per scheme: {@code max-cost-factor} times a reference cost.
 * Verifying a hash costs whatever its stored parameters say, so without a bound one imported credential can hold a
 * hashing slot (and gigabytes) for minutes per login attempt, and anonymous attempts are free.
 *
 * <p>References: for Argon2 the configured argon2id cost (memory x passes), so the bound moves with the operator's
 * settings; for the schemes we never create, the cost their usual producers use today, chosen so that at the default
 * factor the most expensive accepted hash takes a few seconds at most (measurements in the module README).
 *
 * @param maxArgon2MemoryKiB  largest Argon2 memory ({@code max-stored-memory})
 * @param maxArgon2Cost       largest Argon2 memory x passes, KiB
 * @param maxBcryptCost       largest bcrypt cost (log2 of the rounds)
 * @param maxScryptWork       largest scrypt N x r x p
 * @param maxPbkdf2Iterations largest PBKDF2-SHA256 iteration count
 */
public record StoredHashLimits(long maxArgon2MemoryKiB, long maxArgon2Cost, int maxBcryptCost, long maxScryptWork,
                               int maxPbkdf2Iterations) {

    public static final int DEFAULT_FACTOR = 8;
    public static final int MAX_FACTOR = 1024;

    /** bcrypt cost 12: passlib's, Django's and Laravel's default. */
    static final int BCRYPT_REFERENCE_COST = 12;
    /** scrypt N=2^14, r=8, p=1: the scrypt paper's interactive-login parameters. */
    static final long SCRYPT_REFERENCE_WORK = (1L << 14) * 8;
    /**
     * PBKDF2-SHA256: half of Keycloak's own pbkdf2-sha256 default (600,000), because the Bouncy Castle PBKDF2 used
     * here runs at about half the speed of the JDK's: the same time budget as the built-in id at its default factor.
     */
    static final int PBKDF2_REFERENCE_ITERATIONS = 300_000;

    /**
     * Limits for {@code factor} x the references, within the absolute ceilings {@link LegacyHash} always applies.
     *
     * @throws IllegalArgumentException for a factor outside 1-{@value #MAX_FACTOR}
     */
    public static StoredHashLimits of(Argon2Parameters configured, int factor, long maxArgon2MemoryKiB) {
        checkFactor("argon2id", factor);
        int log2Factor = 31 - Integer.numberOfLeadingZeros(factor);
        return new StoredHashLimits(maxArgon2MemoryKiB, configured.cost() * factor,
                Math.min(LegacyHash.MAX_BCRYPT_COST, BCRYPT_REFERENCE_COST + log2Factor),
                SCRYPT_REFERENCE_WORK * factor,
                (int) Math.min(LegacyHash.MAX_PBKDF2_ITERATIONS, (long) PBKDF2_REFERENCE_ITERATIONS * factor));
    }

    /** Startup check of a {@code max-cost-factor} option: a wrong value stops Keycloak with the provider's name. */
    public static int checkFactor(String providerId, int factor) {
        if (factor < 1 || factor > MAX_FACTOR) {
            throw new IllegalArgumentException(providerId + ": max-cost-factor must be between 1 and " + MAX_FACTOR
                    + ", got " + factor);
        }
        return factor;
    }
}
