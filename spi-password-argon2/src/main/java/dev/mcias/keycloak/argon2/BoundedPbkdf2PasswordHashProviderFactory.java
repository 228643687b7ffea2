package dev.mcias.keycloak.argon2;

import java.util.function.Predicate;

import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha256PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha512PasswordHashProviderFactory;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.credential.PasswordCredentialModel;

/**
 * Keycloak's built-in PBKDF2 ids with stored credentials bounded to {@code max-cost-factor} x the work of what the id
 * creates now: its default iterations (or the realm policy's hashIterations if higher) x the hash blocks of its
 * default key size. The default factor is lower than Argon2's because Keycloak's own PBKDF2 defaults are already
 * costly: 2 for pbkdf2-sha256 and pbkdf2-sha512, 1 for the deprecated SHA-1 pbkdf2, whose default (1,300,000
 * iterations x four SHA-1 blocks) alone takes seconds.
 */
public abstract class BoundedPbkdf2PasswordHashProviderFactory extends BoundedBuiltinPasswordHashProviderFactory {

    static final int DEFAULT_FACTOR = 2;
    static final int SHA1_DEFAULT_FACTOR = 1;

    private final int hashBytes;
    private final int defaultIterations;
    private final int referenceBlocks;

    BoundedPbkdf2PasswordHashProviderFactory(PasswordHashProviderFactory builtIn, int defaultFactor, int hashBytes,
                                             int defaultIterations, int defaultKeyBytes) {
        super(builtIn, defaultFactor);
        this.hashBytes = hashBytes;
        this.defaultIterations = defaultIterations;
        this.referenceBlocks = (defaultKeyBytes + hashBytes - 1) / hashBytes;
    }

    @Override
    Predicate<PasswordCredentialModel> bound(int factor, PasswordPolicy policy) {
        long maxIterations = (long) factor * Math.max(defaultIterations, policyIterations(policy));
        return c -> BuiltinHashBounds.pbkdf2(c, hashBytes, maxIterations, referenceBlocks);
    }

    @Override
    String describe(int factor) {
        return factor + " x " + defaultIterations + " iterations x " + referenceBlocks + " block(s)";
    }

    // Defaults as Keycloak 26.7's factories create them (iterations, derived key size); a test pins them.

    /** {@code pbkdf2}: HMAC-SHA1, 1,300,000 iterations, 512-bit key (4 SHA-1 blocks). */
    public static class Sha1 extends BoundedPbkdf2PasswordHashProviderFactory {
        // Keycloak deprecates the SHA-1 id but still registers it; bounding its stored credentials needs its factory.
        @SuppressWarnings("deprecation")
        public Sha1() {
            super(new Pbkdf2PasswordHashProviderFactory(), SHA1_DEFAULT_FACTOR, 20,
                    Pbkdf2PasswordHashProviderFactory.DEFAULT_ITERATIONS, 64);
        }
    }

    /** {@code pbkdf2-sha256}: 600,000 iterations, 256-bit key. */
    public static class Sha256 extends BoundedPbkdf2PasswordHashProviderFactory {
        public Sha256() {
            super(new Pbkdf2Sha256PasswordHashProviderFactory(), DEFAULT_FACTOR, 32,
                    Pbkdf2Sha256PasswordHashProviderFactory.DEFAULT_ITERATIONS, 32);
        }
    }

    /** {@code pbkdf2-sha512}: 210,000 iterations, 512-bit key. */
    public static class Sha512 extends BoundedPbkdf2PasswordHashProviderFactory {
        public Sha512() {
            super(new Pbkdf2Sha512PasswordHashProviderFactory(), DEFAULT_FACTOR, 64,
                    Pbkdf2Sha512PasswordHashProviderFactory.DEFAULT_ITERATIONS, 64);
        }
    }
}
