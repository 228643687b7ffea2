package dev.mcias.keycloak.argon2;

import org.keycloak.Config;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Password hashing with the native Argon2id reference implementation. */
public class Argon2idPasswordHashProviderFactory implements PasswordHashProviderFactory {

    /** Distinct from Keycloak's built-in {@code argon2}. */
    public static final String ID = "argon2id";

    private Argon2idPasswordHashProvider provider;

    @Override
    public PasswordHashProvider create(KeycloakSession session) {
        return provider;
    }

    @Override
    public void init(Config.Scope config) {
        provider = new Argon2idPasswordHashProvider();
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
