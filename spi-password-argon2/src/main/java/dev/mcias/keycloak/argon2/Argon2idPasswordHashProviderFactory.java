package dev.mcias.keycloak.argon2;

import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Password hashing with the native Argon2id reference implementation. Options
 * ({@code --spi-password-hashing--argon2id--<option>}): memory, iterations, parallelism, hash-length,
 * salt-length, max-concurrent, max-wait-millis, max-stored-memory.
 */
public class Argon2idPasswordHashProviderFactory implements PasswordHashProviderFactory {

    /** Distinct from Keycloak's built-in {@code argon2}. */
    public static final String ID = "argon2id";

    private static final Logger LOG = Logger.getLogger(Argon2idPasswordHashProviderFactory.class);

    private Argon2Parameters parameters;
    private int saltLength;
    private long maxStoredMemoryKiB;
    private HashingLimiter limiter;

    @Override
    public PasswordHashProvider create(KeycloakSession session) {
        try {
            return new Argon2idPasswordHashProvider(parameters, saltLength, maxStoredMemoryKiB,
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
        maxStoredMemoryKiB = Math.max(parameters.memoryKiB(),
                config.getLong("maxStoredMemory", Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB));
        if (maxStoredMemoryKiB > Argon2Parameters.MAX_MEMORY_KIB) {
            throw new IllegalArgumentException("argon2id: max-stored-memory must be at most "
                    + Argon2Parameters.MAX_MEMORY_KIB + " KiB");
        }
        limiter = new HashingLimiter(config.getInt("maxConcurrent", Runtime.getRuntime().availableProcessors()),
                config.getLong("maxWaitMillis", 10_000L));
        NativeArgon2.libraryPath();
        LOG.infof("argon2id: m=%d KiB, t=%d, p=%d, hash %d bytes, salt %d bytes, at most %d concurrent hashes"
                        + " (wait up to %d ms)", parameters.memoryKiB(), parameters.iterations(), parameters.parallelism(),
                parameters.hashLength(), saltLength, limiter.capacity(), limiter.maxWaitMillis());
    }

    HashingLimiter limiter() {
        return limiter;
    }

    long maxStoredMemoryKiB() {
        return maxStoredMemoryKiB;
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
                .build();
    }
}
