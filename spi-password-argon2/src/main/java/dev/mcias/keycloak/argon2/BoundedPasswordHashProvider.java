package dev.mcias.keycloak.argon2;

import java.util.function.Predicate;

import org.jboss.logging.Logger;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.credential.PasswordCredentialModel;

/**
 * One of Keycloak's built-in hash providers with two additions: a stored credential whose parameters exceed the
 * cost bound is refused before anything is computed, and every hash takes one of our hashing slots. Everything else
 * (formats, defaults, policy checks, re-hash decisions) is the built-in provider's own code.
 */
final class BoundedPasswordHashProvider implements PasswordHashProvider {

    private static final Logger LOG = Logger.getLogger(BoundedPasswordHashProvider.class);

    private final String id;
    private final PasswordHashProvider builtIn;
    private final Predicate<PasswordCredentialModel> withinBound;
    private final SessionHashingSlot slot;

    BoundedPasswordHashProvider(String id, PasswordHashProvider builtIn, Predicate<PasswordCredentialModel> withinBound,
                                SessionHashingSlot slot) {
        this.id = id;
        this.builtIn = builtIn;
        this.withinBound = withinBound;
        this.slot = slot;
    }

    @Override
    public boolean policyCheck(PasswordPolicy policy, PasswordCredentialModel credential) {
        slot.release();
        return builtIn.policyCheck(policy, credential);
    }

    @Override
    public PasswordCredentialModel encodedCredential(String rawPassword, int iterations) {
        return slot.run(() -> builtIn.encodedCredential(rawPassword, iterations));
    }

    /** Kept for callers of the deprecated method: the interface's default would return the raw password. */
    @Deprecated
    @Override
    public String encode(String rawPassword, int iterations) {
        return slot.run(() -> builtIn.encode(rawPassword, iterations));
    }

    @Override
    public boolean verify(String rawPassword, PasswordCredentialModel credential) {
        boolean within;
        try {
            within = withinBound.test(credential);
        } catch (RuntimeException e) {
            within = false;
        }
        if (!within) {
            // A wrong password, as for any credential that cannot match; no memory allocated, no slot used.
            LOG.warnf("Refusing to verify %s credential %s: malformed or above the cost bound (max-cost-factor)",
                    id, credential.getId());
            slot.release();
            return false;
        }
        return slot.run(() -> builtIn.verify(rawPassword, credential));
    }

    @Override
    public String credentialHashingStrength(PasswordCredentialModel credential) {
        return builtIn.credentialHashingStrength(credential);
    }

    @Override
    public void close() {
        try {
            builtIn.close();
        } finally {
            slot.close();
        }
    }
}
