package dev.mcias.keycloak.argon2;

import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.common.Profile;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Password hashing with the native Argon2id reference implementation. Options
 * ({@code --spi-password-hashing--argon2id--<option>}): memory, iterations, parallelism, hash-length,
 * salt-length, max-concurrent, max-wait-millis, max-stored-memory, max-cost-factor.
 */
public class Argon2idPasswordHashProviderFactory implements PasswordHashProviderFactory,
        EnvironmentDependentProviderFactory {

    /** Distinct from Keycloak's built-in {@code argon2}. */
    public static final String ID = "argon2id";

    private static final Logger LOG = Logger.getLogger(Argon2idPasswordHashProviderFactory.class);

    private Argon2Parameters parameters;
    private int saltLength;
    private StoredHashLimits storedLimits;
    private HashingLimiter limiter;

    /**
     * Off in FIPS mode, like Keycloak's own argon2: Argon2 is no FIPS-approved algorithm, and our native library is
     * no validated module. legacy-import depends on this provider and is off with it.
     */
    @Override
    public boolean isSupported(Config.Scope config) {
        return !Profile.isFeatureEnabled(Profile.Feature.FIPS);
    }

    @Override
    public PasswordHashProvider create(KeycloakSession session) {
        try {
            return new Argon2idPasswordHashProvider(parameters, saltLength, storedLimits,
                    SessionHashingSlot.reserve(limiter));
        } catch (HashingLimiter.HashingUnavailableException e) {
            throw e.toHttp();
        }
    }

    @Override
    public void init(Config.Scope config) {
        Argon2Parameters owasp = Argon2Parameters.OWASP;
        parameters = new Argon2Parameters(Argon2Parameters.Type.ID, Argon2Parameters.VERSION_13,
                config.getInt("memory", owasp.memoryKiB()),
                config.getInt("iterations", owasp.iterations()),
                config.getInt("parallelism", owasp.parallelism()),
                config.getInt("hashLength", owasp.hashLength())).checkConfigured();
        saltLength = config.getInt("saltLength", 16);
        if (saltLength < 16 || saltLength > 64) {
            throw new IllegalArgumentException("argon2id: salt-length must be between 16 and 64 bytes, got " + saltLength);
        }
        long maxStoredMemoryKiB = Math.max(parameters.memoryKiB(),
                config.getLong("maxStoredMemory", Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB));
        if (maxStoredMemoryKiB > Argon2Parameters.MAX_MEMORY_KIB) {
            throw new IllegalArgumentException("argon2id: max-stored-memory must be at most "
                    + Argon2Parameters.MAX_MEMORY_KIB + " KiB");
        }
        storedLimits = StoredHashLimits.of(parameters,
                config.getInt("maxCostFactor", StoredHashLimits.DEFAULT_FACTOR), maxStoredMemoryKiB);
        limiter = new HashingLimiter(config.getInt("maxConcurrent", Runtime.getRuntime().availableProcessors()),
                config.getLong("maxWaitMillis", 10_000L));
        NativeArgon2.libraryPath();
        LOG.infof("argon2id: m=%d KiB, t=%d, p=%d, hash %d bytes, salt %d bytes, at most %d concurrent hashes"
                        + " (wait up to %d ms); stored hashes up to %s", parameters.memoryKiB(), parameters.iterations(),
                parameters.parallelism(), parameters.hashLength(), saltLength, limiter.capacity(),
                limiter.maxWaitMillis(), storedLimits);
    }

    HashingLimiter limiter() {
        return limiter;
    }

    StoredHashLimits storedLimits() {
        return storedLimits;
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // The slot reservation recognises Keycloak's password check by two of its method names: refuse to start on
        // a Keycloak where they are gone rather than silently turn "no slot" into "invalid credentials".
        SessionHashingSlot.requirePasswordCheckMethods();
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("memory").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Argon2id memory in KiB (at least 8192).").defaultValue(19456).add()
                .property().name("iterations").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Argon2id passes (t).").defaultValue(2).add()
                .property().name("parallelism").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Argon2id lanes (p).").defaultValue(1).add()
                .property().name("hashLength").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Hash length in bytes.").defaultValue(32).add()
                .property().name("saltLength").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Salt length in bytes.").defaultValue(16).add()
                .property().name("maxConcurrent").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Most password hashes computed at once (default: CPU cores).").add()
                .property().name("maxWaitMillis").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Longest wait for a hashing slot before the request fails as temporarily unavailable.")
                .defaultValue(10000).add()
                .property().name("maxStoredMemory").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Largest Argon2 memory (KiB) a stored or imported hash may ask for.")
                .defaultValue(Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB).add()
                .property().name("maxCostFactor").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("A stored or imported hash may cost at most this many times the configured one"
                        + " (Argon2 memory x passes; legacy schemes against fixed references).")
                .defaultValue(StoredHashLimits.DEFAULT_FACTOR).add()
                .build();
    }
}
