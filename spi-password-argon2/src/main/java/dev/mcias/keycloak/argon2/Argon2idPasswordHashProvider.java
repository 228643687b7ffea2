package dev.mcias.keycloak.argon2;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.credential.dto.PasswordCredentialData;

/**
 * Argon2id with the native reference library. Each credential stores its own parameters (algorithm
 * {@code argon2id}, iterations in {@code hashIterations}, the rest in {@code additionalParameters}) and is
 * always verified with them; {@link #policyCheck} asks for a re-hash when they differ from the configured
 * ones. The realm policy's {@code hashIterations} is ignored: the SPI options are the only source of cost,
 * so a policy value can never make every login re-hash.
 */
public class Argon2idPasswordHashProvider implements PasswordHashProvider {

    private static final Logger LOG = Logger.getLogger(Argon2idPasswordHashProvider.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    static final String MEMORY = "memory";
    static final String PARALLELISM = "parallelism";
    static final String HASH_LENGTH = "hashLength";
    static final String TYPE = "type";
    static final String VERSION = "version";

    private final Argon2Parameters configured;
    private final int saltLength;
    private final StoredHashLimits limits;
    private final SessionHashingSlot slot;

    Argon2idPasswordHashProvider(Argon2Parameters configured, int saltLength, StoredHashLimits limits,
                                 SessionHashingSlot slot) {
        this.configured = configured;
        this.saltLength = saltLength;
        this.limits = limits;
        this.slot = slot;
    }

    @Override
    public boolean policyCheck(PasswordPolicy policy, PasswordCredentialModel credential) {
        slot.release();
        PasswordCredentialData data = credential.getPasswordCredentialData();
        if (!Argon2idPasswordHashProviderFactory.ID.equals(data.getAlgorithm())) {
            return false;
        }
        Argon2Parameters stored = storedParameters(data);
        return configured.equals(stored) && credential.getPasswordSecretData().getSalt() != null
                && credential.getPasswordSecretData().getSalt().length == saltLength;
    }

    @Override
    public PasswordCredentialModel encodedCredential(String rawPassword, int iterations) {
        byte[] salt = new byte[saltLength];
        RANDOM.nextBytes(salt);
        byte[] hash = hash(configured, rawPassword, salt);
        try {
            Map<String, List<String>> params = new MultivaluedHashMap<>();
            params.put(TYPE, List.of("id"));
            params.put(VERSION, List.of("1.3"));
            params.put(MEMORY, List.of(Integer.toString(configured.memoryKiB())));
            params.put(PARALLELISM, List.of(Integer.toString(configured.parallelism())));
            params.put(HASH_LENGTH, List.of(Integer.toString(configured.hashLength())));
            return PasswordCredentialModel.createFromValues(Argon2idPasswordHashProviderFactory.ID, salt,
                    configured.iterations(), params, Base64.getEncoder().encodeToString(hash));
        } finally {
            Arrays.fill(hash, (byte) 0);
        }
    }

    @Override
    public boolean verify(String rawPassword, PasswordCredentialModel credential) {
        PasswordCredentialData data = credential.getPasswordCredentialData();
        if (!Argon2idPasswordHashProviderFactory.ID.equals(data.getAlgorithm())) {
            return false;
        }
        Argon2Parameters stored = storedParameters(data);
        byte[] salt = credential.getPasswordSecretData().getSalt();
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(credential.getPasswordSecretData().getValue());
        } catch (IllegalArgumentException | NullPointerException e) {
            expected = null;
        }
        if (stored == null || !stored.checkStored(limits.maxArgon2MemoryKiB(), limits.maxArgon2Cost()) || salt == null || salt.length < 8
                || expected == null || expected.length != stored.hashLength()) {
            // Refused before any memory is allocated: a wrong password, not an error, and no hashing slot is used.
            LOG.warnf("Refusing to verify malformed or too costly argon2id credential %s", credential.getId());
            return false;
        }
        byte[] computed = hash(stored, rawPassword, salt);
        try {
            return LegacyHash.constantTimeEquals(computed, expected);
        } finally {
            Arrays.fill(computed, (byte) 0);
        }
    }

    private byte[] hash(Argon2Parameters params, String rawPassword, byte[] salt) {
        byte[] password = rawPassword.getBytes(StandardCharsets.UTF_8);
        try {
            return slot.run(() -> NativeArgon2.hash(params, password, salt));
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    /** The parameters a credential was hashed with, or null if they are missing or unreadable. */
    static Argon2Parameters storedParameters(PasswordCredentialData data) {
        MultivaluedHashMap<String, String> p = data.getAdditionalParameters();
        if (p == null || !"id".equals(p.getFirst(TYPE))) {
            return null;
        }
        try {
            int version = "1.3".equals(p.getFirst(VERSION)) ? Argon2Parameters.VERSION_13
                    : "1.0".equals(p.getFirst(VERSION)) ? Argon2Parameters.VERSION_10 : -1;
            return new Argon2Parameters(Argon2Parameters.Type.ID, version, Integer.parseInt(p.getFirst(MEMORY)),
                    data.getHashIterations(), Integer.parseInt(p.getFirst(PARALLELISM)),
                    Integer.parseInt(p.getFirst(HASH_LENGTH)));
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    @Override
    public void close() {
        slot.close();
    }
}
