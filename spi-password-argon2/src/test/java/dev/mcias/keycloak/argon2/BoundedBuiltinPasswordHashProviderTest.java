package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.keycloak.common.crypto.CryptoIntegration;
import org.keycloak.credential.hash.PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha256PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha512PasswordHashProviderFactory;
import org.keycloak.crypto.hash.Argon2PasswordHashProviderFactory;
import org.keycloak.models.credential.PasswordCredentialModel;

/**
 * Our factories for Keycloak's built-in ids, with Keycloak's real built-in factories inside: they win the id, keep
 * Keycloak's behaviour for sane credentials and refuse costly ones without computing them.
 */
class BoundedBuiltinPasswordHashProviderTest {

    static final byte[] SALT = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @BeforeAll
    static void keycloakCrypto() {
        // Keycloak's PBKDF2 takes its SecretKeyFactory from the crypto provider the server initialises at startup.
        CryptoIntegration.init(BoundedBuiltinPasswordHashProviderTest.class.getClassLoader());
    }

    static BoundedPasswordHashProvider provider(BoundedBuiltinPasswordHashProviderFactory f, HashingLimiter limiter) {
        f.init(MapScope.of());
        return new BoundedPasswordHashProvider(f.getId(), f.builtIn.create(null), f.bound(f.defaultFactor(), null),
                SessionHashingSlot.reserve(limiter, true));
    }

    /** Keycloak keeps the factory with the higher order() for a duplicate id (ProviderManager.compareFactories). */
    @Test
    void eachOverridesTheBuiltInIdWithAHigherOrder() {
        // The deprecated SHA-1 id is still one Keycloak registers, and so one ours overrides.
        @SuppressWarnings("deprecation")
        PasswordHashProviderFactory sha1 = new Pbkdf2PasswordHashProviderFactory();
        Map<BoundedBuiltinPasswordHashProviderFactory, PasswordHashProviderFactory> pairs = Map.of(
                new BoundedArgon2PasswordHashProviderFactory(), new Argon2PasswordHashProviderFactory(),
                new BoundedPbkdf2PasswordHashProviderFactory.Sha1(), sha1,
                new BoundedPbkdf2PasswordHashProviderFactory.Sha256(), new Pbkdf2Sha256PasswordHashProviderFactory(),
                new BoundedPbkdf2PasswordHashProviderFactory.Sha512(), new Pbkdf2Sha512PasswordHashProviderFactory());
        pairs.forEach((ours, builtIn) -> {
            assertEquals(builtIn.getId(), ours.getId());
            assertTrue(ours.order() > builtIn.order(), ours.getId());
        });
        assertEquals(List.of("argon2", "pbkdf2", "pbkdf2-sha256", "pbkdf2-sha512"),
                pairs.keySet().stream().map(PasswordHashProviderFactory::getId).sorted().toList());
    }

    /** The defaults our bounds are relative to are those of the Keycloak we compile against. */
    @Test
    void referencesAreKeycloaksDefaults() {
        @SuppressWarnings("deprecation") // the SHA-1 id's default, which the Sha1 bound is relative to
        int sha1Iterations = Pbkdf2PasswordHashProviderFactory.DEFAULT_ITERATIONS;
        assertEquals(1_300_000, sha1Iterations);
        assertEquals(600_000, Pbkdf2Sha256PasswordHashProviderFactory.DEFAULT_ITERATIONS);
        assertEquals(210_000, Pbkdf2Sha512PasswordHashProviderFactory.DEFAULT_ITERATIONS);
        BoundedPbkdf2PasswordHashProviderFactory.Sha256 f = new BoundedPbkdf2PasswordHashProviderFactory.Sha256();
        f.init(MapScope.of());
        // What the built-in creates is within its own bound (else new passwords could never log in).
        PasswordCredentialModel fresh = f.builtIn.create(null).encodedCredential("correct horse battery", -1);
        assertTrue(f.bound(1, null).test(fresh));
        BoundedArgon2PasswordHashProviderFactory a = new BoundedArgon2PasswordHashProviderFactory();
        a.init(MapScope.of());
        assertTrue(a.bound(1, null).test(a.builtIn.create(null).encodedCredential("correct horse battery", -1)));
        assertEquals(7168L * 5, a.referenceCost(-1));
        assertEquals(7168L * 50, a.referenceCost(50), "the policy's passes, which the built-in uses up to 100");
        assertEquals(7168L * 5, a.referenceCost(1000));
    }

    /** Reference vectors from OpenSSL (Python's hashlib.pbkdf2_hmac), independent of Keycloak's code. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sha1   | rDjxw4qmzpl4HTyqLNYNsdE5Zi5hOVtuAtSpIuv9sre4VuMqmB4GODFe6Wixy274SVuULGbsfRdOmmfrHd+XnQ==",
            "sha256 | BVALGMmC/K/8ELErc5VgJxyPFApArIZRCQsqjEgZWJ4=",
            "sha512 | 7F/Y1rnWXXurLCfFvAmyjyXtbABhgzBTBNcm//wlnvGBOz7OExlgRFs5qwaY5PzB3/WjR7P4yv/ACDQZpDXIfQ==",
    })
    void pbkdf2SaneVerifiesHostileIsRefusedQuickly(String variant, String vector) {
        HashingLimiter limiter = new HashingLimiter(1, 50);
        BoundedPasswordHashProvider p = provider(switch (variant.trim()) {
            case "sha1" -> new BoundedPbkdf2PasswordHashProviderFactory.Sha1();
            case "sha256" -> new BoundedPbkdf2PasswordHashProviderFactory.Sha256();
            default -> new BoundedPbkdf2PasswordHashProviderFactory.Sha512();
        }, limiter);
        try {
            String id = switch (variant.trim()) {
                case "sha1" -> "pbkdf2";
                default -> "pbkdf2-" + variant.trim();
            };
            PasswordCredentialModel sane = PasswordCredentialModel.createFromValues(id, SALT, 1000, vector.trim());
            PasswordCredentialModel hostile = PasswordCredentialModel.createFromValues(id, SALT, 20_000_000, vector.trim());
            long start = System.nanoTime();
            assertFalse(p.verify("correct horse battery", hostile));
            assertTrue(System.nanoTime() - start < 100_000_000L, "20M iterations refused without computing them");
            assertEquals(1, limiter.available(), "a refusal gives the reserved slot back");
            assertTrue(p.verify("correct horse battery", sane));
            assertFalse(p.verify("correct horse batterY", sane));
        } finally {
            p.close();
        }
        assertEquals(1, limiter.available());
    }

    @Test
    void pbkdf2WorkCountsHashBlocks() {
        // 64-byte key from SHA-256 = 2 blocks: at factor 2 (reference 600,000 x 1 block), 600,000 iterations fit,
        // 600,001 do not; a key longer than Keycloak ever stores is refused outright.
        String twoBlocks = Base64.getEncoder().encodeToString(new byte[64]);
        assertTrue(BuiltinHashBounds.pbkdf2(cred("pbkdf2-sha256", 600_000, twoBlocks), 32, 2 * 600_000L, 1));
        assertFalse(BuiltinHashBounds.pbkdf2(cred("pbkdf2-sha256", 600_001, twoBlocks), 32, 2 * 600_000L, 1));
        String tooLong = Base64.getEncoder().encodeToString(new byte[65]);
        assertFalse(BuiltinHashBounds.pbkdf2(cred("pbkdf2-sha256", 1, tooLong), 32, 1L << 40, 1));
        assertFalse(BuiltinHashBounds.pbkdf2(cred("pbkdf2-sha256", 0, twoBlocks), 32, 1L << 40, 1));
        assertFalse(BuiltinHashBounds.pbkdf2(cred("pbkdf2-sha256", 1000, "not base64!"), 32, 1L << 40, 1));
    }

    /** Argon2 reference vector (m=256 KiB, t=2, p=1, "password"/"somesalt") through Keycloak's own argon2 code. */
    @Test
    void argon2SaneVerifiesHostileIsRefusedQuickly() {
        HashingLimiter limiter = new HashingLimiter(1, 50);
        BoundedPasswordHashProvider p = provider(new BoundedArgon2PasswordHashProviderFactory(), limiter);
        try {
            byte[] somesalt = "somesalt".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            PasswordCredentialModel sane = PasswordCredentialModel.createFromValues("argon2", somesalt, 2,
                    argon2Params("256", "id", "1.3"), "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4=");
            PasswordCredentialModel hostile = PasswordCredentialModel.createFromValues("argon2", somesalt, 8,
                    argon2Params("1048576", "id", "1.3"), "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4=");
            long start = System.nanoTime();
            assertFalse(p.verify("password", hostile));
            assertTrue(System.nanoTime() - start < 100_000_000L, "1 GiB x 8 refused without allocating it");
            for (Map<String, List<String>> bad : List.of(argon2Params("lots", "id", "1.3"),
                    argon2Params("256", "x", "1.3"), argon2Params("256", "id", "2.0"))) {
                assertFalse(p.verify("password",
                        PasswordCredentialModel.createFromValues("argon2", somesalt, 2, bad, "AAAA")));
            }
            assertTrue(p.verify("password", sane));
            assertFalse(p.verify("passwordx", sane));
        } finally {
            p.close();
        }
        assertEquals(1, limiter.available());
    }

    @Test
    void invalidFactorStopsStartupNamingTheProvider() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BoundedPbkdf2PasswordHashProviderFactory.Sha256().init(MapScope.of("maxCostFactor", "0")));
        assertTrue(e.getMessage().startsWith("pbkdf2-sha256: max-cost-factor"), e.getMessage());
    }

    private static Map<String, List<String>> argon2Params(String memory, String type, String version) {
        return Map.of("type", List.of(type), "version", List.of(version), "memory", List.of(memory),
                "parallelism", List.of("1"), "hashLength", List.of("32"));
    }

    private static PasswordCredentialModel cred(String id, int iterations, String value) {
        return PasswordCredentialModel.createFromValues(id, SALT, iterations, value);
    }
}
