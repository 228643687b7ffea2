package dev.mcias.keycloak.argon2;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jboss.logging.Logger;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.credential.PasswordCredentialModel;

/**
 * Verifies password hashes imported from other systems (PHC Argon2, bcrypt, scrypt, PBKDF2-SHA256), stored
 * verbatim as the credential's value. It never creates hashes: after a successful login Keycloak re-hashes the
 * password with the realm policy's algorithm ({@code argon2id}).
 */
public class LegacyImportPasswordHashProvider implements PasswordHashProvider {

    private static final Logger LOG = Logger.getLogger(LegacyImportPasswordHashProvider.class);

    private final StoredHashLimits limits;
    private final SessionHashingSlot slot;

    LegacyImportPasswordHashProvider(StoredHashLimits limits, SessionHashingSlot slot) {
        this.limits = limits;
        this.slot = slot;
    }

    @Override
    public boolean policyCheck(PasswordPolicy policy, PasswordCredentialModel credential) {
        slot.release();
        return false;
    }

    @Override
    public PasswordCredentialModel encodedCredential(String rawPassword, int iterations) {
        throw new UnsupportedOperationException(LegacyImportPasswordHashProviderFactory.ID
                + " only verifies imported hashes; use hashAlgorithm(" + Argon2idPasswordHashProviderFactory.ID
                + ") in the password policy");
    }

    @Override
    public boolean verify(String rawPassword, PasswordCredentialModel credential) {
        LegacyHash hash;
        try {
            hash = LegacyHash.parse(credential.getPasswordSecretData().getValue(), limits);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Refusing to verify imported credential %s: %s", credential.getId(), e.getMessage());
            return false;
        }
        byte[] password = rawPassword.getBytes(StandardCharsets.UTF_8);
        try {
            return slot.run(() -> hash.matches(password));
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    @Override
    public void close() {
        slot.close();
    }
}
