package dev.mcias.keycloak.argon2;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.RealmModel;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.provider.EnvironmentDependentProviderFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Takes the place of one of Keycloak's built-in password hash providers (same id) to bound what a stored credential
 * may cost. Operators import hashes under the built-in ids, and the built-in providers compute whatever a stored
 * credential asks for: one argon2 credential with m = 1 GiB, or one pbkdf2-sha256 credential with 20 million
 * iterations, costs gigabytes or half a minute per anonymous login attempt.
 *
 * <p>Keycloak keeps one factory per SPI and id: {@code ProviderManager.compareFactories} takes the higher
 * {@link #order()}, so ours is the built-in's order + 1 (which also keeps the built-ins' relative order, and with it
 * Keycloak's choice of the default algorithm). The built-in factory is created, configured with the same options
 * ({@code --spi-password-hashing--<id>--...}) and asked for its provider, so hashing, formats, defaults and re-hash
 * decisions stay exactly Keycloak's. Added: the cost check before verifying, and our hashing slots.
 */
abstract class BoundedBuiltinPasswordHashProviderFactory implements PasswordHashProviderFactory,
        EnvironmentDependentProviderFactory {

    private static final Logger LOG = Logger.getLogger(BoundedBuiltinPasswordHashProviderFactory.class);
    static final String MAX_COST_FACTOR = "maxCostFactor";

    protected final PasswordHashProviderFactory builtIn;
    private final int defaultFactor;
    private int factor;
    private HashingLimiter limiter;

    BoundedBuiltinPasswordHashProviderFactory(PasswordHashProviderFactory builtIn, int defaultFactor) {
        this.builtIn = builtIn;
        this.defaultFactor = defaultFactor;
    }

    int defaultFactor() {
        return defaultFactor;
    }

    /** The bound for credentials verified in a realm with this policy (null outside a realm). */
    abstract Predicate<PasswordCredentialModel> bound(int factor, PasswordPolicy policy);

    /** Human-readable reference cost for the startup log. */
    abstract String describe(int factor);

    @Override
    public String getId() {
        return builtIn.getId();
    }

    @Override
    public int order() {
        return builtIn.order() + 1;
    }

    /** Exactly where the built-in one is (Keycloak's argon2 is off in FIPS mode; the PBKDF2 ids are not). */
    @Override
    public boolean isSupported(Config.Scope config) {
        return !(builtIn instanceof EnvironmentDependentProviderFactory e) || e.isSupported(config);
    }

    @Override
    public void init(Config.Scope config) {
        builtIn.init(config);
        factor = StoredHashLimits.checkFactor(getId(), config.getInt(MAX_COST_FACTOR, defaultFactor));
        initReference(config);
    }

    /** Reads the built-in's own options that set its cost. */
    void initReference(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        builtIn.postInit(factory);
        // One pool of hashing slots for every password hash, shared with argon2id; on its own where argon2id is off
        // (FIPS mode) with the same defaults.
        if (factory.getProviderFactory(PasswordHashProvider.class, Argon2idPasswordHashProviderFactory.ID)
                instanceof Argon2idPasswordHashProviderFactory argon2id && argon2id.limiter() != null) {
            limiter = argon2id.limiter();
        } else {
            limiter = new HashingLimiter(Runtime.getRuntime().availableProcessors(), 10_000L);
        }
        LOG.infof("%s: Keycloak's built-in provider (%s) with stored credentials bounded to %s, sharing %d hashing"
                + " slots", getId(), builtIn.getClass().getName(), describe(factor), limiter.capacity());
    }

    @Override
    public PasswordHashProvider create(KeycloakSession session) {
        RealmModel realm = session == null || session.getContext() == null ? null : session.getContext().getRealm();
        PasswordPolicy policy = realm == null ? null : realm.getPasswordPolicy();
        SessionHashingSlot slot;
        try {
            slot = SessionHashingSlot.reserve(limiter);
        } catch (HashingLimiter.HashingUnavailableException e) {
            throw e.toHttp();
        }
        try {
            return new BoundedPasswordHashProvider(getId(), builtIn.create(session), bound(factor, policy), slot);
        } catch (RuntimeException | Error e) {
            slot.close(); // never leave a reserved slot behind
            throw e;
        }
    }

    @Override
    public void close() {
        builtIn.close();
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        List<ProviderConfigProperty> all = new ArrayList<>();
        if (builtIn.getConfigMetadata() != null) {
            all.addAll(builtIn.getConfigMetadata());
        }
        all.addAll(ProviderConfigurationBuilder.create()
                .property().name(MAX_COST_FACTOR).type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("A stored credential may cost at most this many times what this provider creates now.")
                .defaultValue(defaultFactor).add()
                .build());
        return all;
    }

    /** The realm policy's hashIterations, or -1. */
    static int policyIterations(PasswordPolicy policy) {
        return policy == null ? -1 : policy.getHashIterations();
    }
}
