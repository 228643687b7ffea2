package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcias.keycloak.argon2.Argon2Parameters.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Argon2ParametersTest {

    @Test
    void owaspDefaultsAreAccepted() {
        assertDoesNotThrow(Argon2Parameters.OWASP::checkConfigured);
        assertDoesNotThrow(() -> new Argon2Parameters(Type.ID, 0x13, 8192, 1, 1, 16).checkConfigured());
    }

    @ParameterizedTest
    @CsvSource({
            "ID, 8191, 2, 1, 32",       // below 8 MiB
            "ID, 4194305, 2, 1, 32",    // above 4 GiB
            "ID, 19456, 0, 1, 32",      // t < 1
            "ID, 19456, 65, 1, 32",
            "ID, 19456, 2, 0, 32",
            "ID, 19456, 2, 65, 32",
            "ID, 19456, 2, 1, 8",       // hash too short
            "ID, 19456, 2, 1, 129",
            "I, 19456, 2, 1, 32",       // only Argon2id may be configured
            "D, 19456, 2, 1, 32",
    })
    void unsafeSettingsAreRejected(Type type, int m, int t, int p, int len) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Argon2Parameters(type, 0x13, m, t, p, len).checkConfigured());
        assertTrue(e.getMessage().startsWith("argon2id: "), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
            "19, 19456, 2, 1, 32, true",
            "16, 4096, 3, 1, 32, true",
            "18, 19456, 2, 1, 32, false",          // unknown version
            "19, 2147483647, 2, 1, 32, false",     // m = 2^31 - 1 KiB
            "19, 7, 2, 1, 32, false",               // m < 8 * p
            "19, 64, 2, 9, 32, false",
            "19, 19456, 0, 1, 32, false",
            "19, 19456, 1000, 1, 32, false",
            "19, 19456, 2, 1, 3, false",
            "19, 19456, 2, 1, 4096, false",
    })
    void storedParametersAreBounded(int version, int m, int t, int p, int len, boolean ok) {
        int v = version == 19 ? 0x13 : version;
        assertTrue(ok == new Argon2Parameters(Type.ID, v, m, t, p, len)
                .checkStored(Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB, Long.MAX_VALUE));
    }

    @Test
    void storedMemoryCeilingIsConfigurable() {
        Argon2Parameters big = new Argon2Parameters(Type.ID, 0x13, 2 * 1024 * 1024, 1, 1, 32);
        assertFalse(big.checkStored(Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB, Long.MAX_VALUE));
        assertTrue(big.checkStored(4L * 1024 * 1024, Long.MAX_VALUE));
    }

    /** Memory and passes each within their own limit, together 64 GiB-passes (~1 min, 1 GiB): the cost decides. */
    @Test
    void costBoundsMemoryTimesPasses() {
        Argon2Parameters hostile = new Argon2Parameters(Type.ID, 0x13, 1024 * 1024, 64, 1, 32);
        assertTrue(hostile.checkStored(Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB, Long.MAX_VALUE));
        long eightTimesOwasp = 8 * Argon2Parameters.OWASP.cost();
        assertFalse(hostile.checkStored(Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB, eightTimesOwasp));
        assertTrue(new Argon2Parameters(Type.ID, 0x13, 19456, 16, 1, 32)
                .checkStored(Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB, eightTimesOwasp));
        assertFalse(new Argon2Parameters(Type.ID, 0x13, 19456, 17, 1, 32)
                .checkStored(Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB, eightTimesOwasp));
    }
}
