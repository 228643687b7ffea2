package dev.mcias.keycloak.argon2;

import java.util.function.Predicate;

import org.keycloak.Config;
import org.keycloak.crypto.hash.Argon2PasswordHashProviderFactory;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.credential.PasswordCredentialModel;

/**
 * Keycloak's built-in {@code argon2} (Bouncy Castle, memory on the Java heap) with stored credentials bounded to
 * {@code max-cost-factor} (default 8) x the cost it creates: its {@code memory} option x its passes (its
 * {@code iterations} option, or the realm policy's hashIterations up to 100, which it uses instead).
 */
public class BoundedArgon2PasswordHashProviderFactory extends BoundedBuiltinPasswordHashProviderFactory {

    static final int DEFAULT_FACTOR = 8;

    private int memoryKiB;
    private int iterations;

    public BoundedArgon2PasswordHashProviderFactory() {
        super(new Argon2PasswordHashProviderFactory(), DEFAULT_FACTOR);
    }

    @Override
    void initReference(Config.Scope config) {
        // The built-in's option names and defaults (Argon2PasswordHashProviderFactory.init).
        memoryKiB = config.getInt(Argon2PasswordHashProviderFactory.MEMORY_KEY,
                org.keycloak.crypto.hash.Argon2Parameters.DEFAULT_MEMORY);
        iterations = config.getInt(Argon2PasswordHashProviderFactory.ITERATIONS_KEY,
                org.keycloak.crypto.hash.Argon2Parameters.DEFAULT_ITERATIONS);
    }

    @Override
    Predicate<PasswordCredentialModel> bound(int factor, PasswordPolicy policy) {
        long maxCost = factor * referenceCost(policyIterations(policy));
        return c -> BuiltinHashBounds.argon2(c, maxCost);
    }

    /** What the built-in creates now: its memory x the passes encodedCredential uses for this policy. */
    long referenceCost(int policyIterations) {
        int passes = policyIterations >= 1 && policyIterations <= 100 ? Math.max(iterations, policyIterations)
                : iterations;
        return (long) Math.max(memoryKiB, 8) * Math.max(passes, 1);
    }

    @Override
    String describe(int factor) {
        return factor + " x " + memoryKiB + " KiB x " + iterations + " passes";
    }
}
