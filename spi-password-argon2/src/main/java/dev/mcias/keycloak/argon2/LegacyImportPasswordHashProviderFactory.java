package dev.mcias.keycloak.argon2;

import org.keycloak.Config;
import org.keycloak.common.Profile;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;

/** Algorithm id for imported hashes; shares the argon2id provider's concurrency bound and stored-hash limits. */
public class LegacyImportPasswordHashProviderFactory implements PasswordHashProviderFactory,
        EnvironmentDependentProviderFactory {

    public static final String ID = "legacy-import";

    private Argon2idPasswordHashProviderFactory argon2id;

    @Override
    public PasswordHashProvider create(KeycloakSession session) {
        try {
            return new LegacyImportPasswordHashProvider(argon2id.storedLimits(),
                    SessionHashingSlot.reserve(argon2id.limiter()));
        } catch (HashingLimiter.HashingUnavailableException e) {
            throw e.toHttp();
        }
    }

    /**
     * Off in FIPS mode: bcrypt and scrypt come from Bouncy Castle's non-FIPS provider (absent from a FIPS
     * installation), Argon2 from our native library, and it relies on argon2id, which is off there too.
     */
    @Override
    public boolean isSupported(Config.Scope config) {
        return !Profile.isFeatureEnabled(Profile.Feature.FIPS);
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
