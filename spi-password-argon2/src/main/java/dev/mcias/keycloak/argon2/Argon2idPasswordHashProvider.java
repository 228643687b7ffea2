package dev.mcias.keycloak.argon2;

import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.credential.PasswordCredentialModel;

/** Placeholder until the Argon2id implementation lands: refuses every operation. */
public class Argon2idPasswordHashProvider implements PasswordHashProvider {

    @Override
    public boolean policyCheck(PasswordPolicy policy, PasswordCredentialModel credential) {
        return false;
    }

    @Override
    public PasswordCredentialModel encodedCredential(String rawPassword, int iterations) {
        throw new UnsupportedOperationException("argon2id hashing is not implemented yet");
    }

    @Override
    public boolean verify(String rawPassword, PasswordCredentialModel credential) {
        return false;
    }

    @Override
    public void close() {
    }
}
