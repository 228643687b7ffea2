package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import dev.mcias.keycloak.argon2.Argon2Parameters.Type;
import org.junit.jupiter.api.Test;
import org.keycloak.models.credential.PasswordCredentialModel;

class Argon2idPasswordHashProviderTest {

    static final Argon2Parameters SMALL = new Argon2Parameters(Type.ID, 0x13, 8192, 1, 1, 32);
    static final HashingLimiter LIMITER = new HashingLimiter(2, 1000);

    static Argon2idPasswordHashProvider provider(Argon2Parameters p, int saltLength) {
        return new Argon2idPasswordHashProvider(p, saltLength,
                StoredHashLimits.of(p, StoredHashLimits.DEFAULT_FACTOR, Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB),
                SessionHashingSlot.reserve(LIMITER, true));
    }

    @Test
    void storesItsParametersAndVerifies() {
        Argon2idPasswordHashProvider p = provider(SMALL, 16);
        try {
            PasswordCredentialModel c = p.encodedCredential("correct horse battery", -1);
            assertEquals("argon2id", c.getPasswordCredentialData().getAlgorithm());
            assertEquals(1, c.getPasswordCredentialData().getHashIterations());
            assertEquals("8192", c.getPasswordCredentialData().getAdditionalParameters().getFirst("memory"));
            assertEquals(16, c.getPasswordSecretData().getSalt().length);
            assertTrue(p.verify("correct horse battery", c));
            assertFalse(p.verify("correct horse batterY", c));
            assertFalse(p.verify("", c));
        } finally {
            p.close();
        }
        assertEquals(2, LIMITER.available(), "slots returned");
    }

    @Test
    void saltsDiffer() {
        Argon2idPasswordHashProvider p = provider(SMALL, 16);
        try {
            assertNotEquals(p.encodedCredential("same", 0).getPasswordSecretData().getValue(),
                    p.encodedCredential("same", 0).getPasswordSecretData().getValue());
        } finally {
            p.close();
        }
    }

    @Test
    void verificationUsesStoredParametersAndPolicyCheckAsksForRehash() {
        PasswordCredentialModel old;
        Argon2idPasswordHashProvider p = provider(SMALL, 16);
        try {
            old = p.encodedCredential("pw-123456789", 0);
            assertTrue(p.policyCheck(null, old));
        } finally {
            p.close();
        }
        Argon2Parameters stronger = new Argon2Parameters(Type.ID, 0x13, 9216, 2, 1, 32);
        p = provider(stronger, 16);
        try {
            assertTrue(p.verify("pw-123456789", old), "old parameters still verify");
            assertFalse(p.policyCheck(null, old), "differing parameters ask for a re-hash");
            assertTrue(p.policyCheck(null, p.encodedCredential("pw-123456789", 0)));
        } finally {
            p.close();
        }
        p = provider(SMALL, 32);
        try {
            assertFalse(p.policyCheck(null, old), "salt length change asks for a re-hash");
        } finally {
            p.close();
        }
    }

    @Test
    void policyIterationsAreIgnored() {
        Argon2idPasswordHashProvider p = provider(SMALL, 16);
        try {
            PasswordCredentialModel c = p.encodedCredential("pw-123456789", 27500);
            assertEquals(SMALL.iterations(), c.getPasswordCredentialData().getHashIterations());
            assertTrue(p.policyCheck(null, c));
        } finally {
            p.close();
        }
    }

    @Test
    void otherAlgorithmsAndMalformedCredentialsFailCleanly() {
        Argon2idPasswordHashProvider p = provider(SMALL, 16);
        try {
            PasswordCredentialModel good = p.encodedCredential("pw-123456789", 0);
            byte[] salt = good.getPasswordSecretData().getSalt();
            String value = good.getPasswordSecretData().getValue();
            PasswordCredentialModel otherAlg = PasswordCredentialModel.createFromValues("pbkdf2-sha256", salt, 1, value);
            assertFalse(p.verify("pw-123456789", otherAlg));
            assertFalse(p.policyCheck(null, otherAlg));

            Map<String, List<String>> absurd = Map.of("type", List.of("id"), "version", List.of("1.3"),
                    "memory", List.of("2147483647"), "parallelism", List.of("1"), "hashLength", List.of("32"));
            assertFalse(p.verify("pw-123456789",
                    PasswordCredentialModel.createFromValues("argon2id", salt, 2, absurd, value)));
            Map<String, List<String>> garbage = Map.of("type", List.of("id"), "version", List.of("1.3"),
                    "memory", List.of("lots"), "parallelism", List.of("1"), "hashLength", List.of("32"));
            assertFalse(p.verify("pw-123456789",
                    PasswordCredentialModel.createFromValues("argon2id", salt, 2, garbage, value)));
            Map<String, List<String>> shortHash = Map.of("type", List.of("id"), "version", List.of("1.3"),
                    "memory", List.of("8192"), "parallelism", List.of("1"), "hashLength", List.of("32"));
            assertFalse(p.verify("pw-123456789",
                    PasswordCredentialModel.createFromValues("argon2id", salt, 1, shortHash, "AAAA")));
        } finally {
            p.close();
        }
        assertEquals(2, LIMITER.available());
    }

    /**
     * A credential above 8 x the configured cost is refused at once, holding no slot; one at exactly 8 x verifies.
     * (Configured here: 8 MiB x 1 pass, so the bound is 64 MiB-passes.)
     */
    @Test
    void storedCostIsBoundedRelativeToTheConfiguredCost() {
        Argon2Parameters atBound = new Argon2Parameters(Type.ID, 0x13, 16384, 4, 1, 32);
        Argon2Parameters aboveBound = new Argon2Parameters(Type.ID, 0x13, 16384, 5, 1, 32);
        PasswordCredentialModel ok;
        PasswordCredentialModel tooCostly;
        Argon2idPasswordHashProvider maker = provider(atBound, 16);
        try {
            ok = maker.encodedCredential("pw-123456789", 0);
        } finally {
            maker.close();
        }
        maker = provider(aboveBound, 16);
        try {
            tooCostly = maker.encodedCredential("pw-123456789", 0);
        } finally {
            maker.close();
        }
        Argon2idPasswordHashProvider p = provider(SMALL, 16);
        try {
            long start = System.nanoTime();
            assertFalse(p.verify("pw-123456789", tooCostly), "the right password, but above the bound");
            assertTrue(System.nanoTime() - start < 50_000_000L, "refused without hashing");
            assertEquals(1, LIMITER.available(), "only the reservation is held");
            assertTrue(p.verify("pw-123456789", ok));
        } finally {
            p.close();
        }
        assertEquals(2, LIMITER.available());
    }
}
