package dev.mcias.keycloak.argon2;

import org.keycloak.Config;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Algorithm id for imported hashes; shares the argon2id provider's concurrency bound. */
public class LegacyImportPasswordHashProviderFactory implements PasswordHashProviderFactory {

    public static final String ID = "legacy-import";

    private Argon2idPasswordHashProviderFactory argon2id;

    @Override
    public PasswordHashProvider create(KeycloakSession session) {
        try {
            return new LegacyImportPasswordHashProvider(argon2id.maxStoredMemoryKiB(),
                    SessionHashingSlot.reserve(argon2id.limiter()));
        } catch (HashingLimiter.HashingUnavailableException e) {
            throw e.toHttp();
        }
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        argon2id = (Argon2idPasswordHashProviderFactory) factory.getProviderFactory(PasswordHashProvider.class,
                Argon2idPasswordHashProviderFactory.ID);
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
