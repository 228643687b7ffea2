package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vectors: Argon2 from the reference src/test.c; bcrypt from libxcrypt (Python's crypt), scrypt and PBKDF2 from
 * OpenSSL (Python's hashlib), i.e. implementations independent of the Bouncy Castle code under test.
 */
class LegacyHashTest {

    /** What the default options give: 8 x the OWASP argon2id cost, 1 GiB Argon2 memory. */
    static final StoredHashLimits MAX = StoredHashLimits.of(Argon2Parameters.OWASP, StoredHashLimits.DEFAULT_FACTOR,
            Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "argon2id     | password      | $argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "argon2id     | password      | $argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
            "argon2i      | password      | $argon2i$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$sDV8zPvvkfOGCw26RHsjSMvv7K2vmQq/6cxAcmxSEnE",
            "bcrypt       | correct horse | $2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "bcrypt       | correct horse | $2a$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "bcrypt       | correct horse | $2y$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "bcrypt       | pässwörd      | $2b$04$ABCDEFGHIJKLMNOPQRSTUuek4CbSQQu35c9YYgSnjvfYm3e9bPOL.",
            "scrypt       | correct horse | $scrypt$ln=10,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "pbkdf2-sha256 | correct horse | $pbkdf2-sha256$29000$TmFDbC1zYWx0LTE2Ynl0ZQ$k66qdNHMvcsEJzqaVAYX3bwHP7J5nT5lS312sjkTJ6Y",
            "pbkdf2-sha256 | correct horse | pbkdf2_sha256$100000$seasalt42$eCWeO55XDDRhUvUlhFFryNgaVvcTIUBvLvE0csSYU7Q=",
    })
    void knownHashesVerify(String scheme, String password, String encoded) {
        LegacyHash hash = LegacyHash.parse(encoded, MAX);
        assertEquals(scheme.trim(), hash.scheme());
        assertTrue(hash.matches(utf8(password.trim())));
        assertFalse(hash.matches(utf8(password.trim() + "x")));
        assertFalse(hash.matches(new byte[0]));
    }

    @Test
    void bcryptReadsOnlyTheFirst72Bytes() {
        // libxcrypt gives the same hash for 72 and 80 'x'.
        LegacyHash hash = LegacyHash.parse("$2b$04$ABCDEFGHIJKLMNOPQRSTUuuPMGVdMuE6yqNwaDAANxW.7cK/ZbrX6", MAX);
        assertTrue(hash.matches(utf8("x".repeat(72))));
        assertTrue(hash.matches(utf8("x".repeat(80))));
        assertFalse(hash.matches(utf8("x".repeat(71))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "plaintext",
            "$argon2id$",
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",                               // truncated
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$",                              // empty hash
            "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1,x=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,m=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=2147483648,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=2147483647,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=99999999999999999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=-2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=20$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=65536,t=2,p=1$c29t$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",          // salt < 8
            "$argon2id$v=19$m=65536,t=2,p=1$c2*tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",   // bad base64
            "$argon2x$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$2b$31$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",             // cost 2^31
            "$2b$03$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy",              // truncated
            "$2x$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "$2b$05$abcdefghijklmnopqrstu!HNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "$scrypt$ln=30,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",  // 128 GiB
            "$scrypt$ln=10,r=8$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "$scrypt$ln=10,r=8,p=100$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "$scrypt$ln=10,r=8,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ",
            "$pbkdf2-sha256$999999999$TmFDbC1zYWx0LTE2Ynl0ZQ$k66qdNHMvcsEJzqaVAYX3bwHP7J5nT5lS312sjkTJ6Y",
            "$pbkdf2-sha256$0$TmFDbC1zYWx0LTE2Ynl0ZQ$k66qdNHMvcsEJzqaVAYX3bwHP7J5nT5lS312sjkTJ6Y",
            "$pbkdf2-sha256$29000$TmFDbC1zYWx0LTE2Ynl0ZQ$k66q",
            "pbkdf2_sha256$abc$seasalt42$eCWeO55XDDRhUvUlhFFryNgaVvcTIUBvLvE0csSYU7Q=",
            "pbkdf2_sha256$100000$$eCWeO55XDDRhUvUlhFFryNgaVvcTIUBvLvE0csSYU7Q=",
    })
    void malformedOrHostileHashesAreRejected(String encoded) {
        assertThrows(IllegalArgumentException.class, () -> LegacyHash.parse(encoded, MAX));
    }

    @Test
    void oversizedInputIsRejectedBeforeParsing() {
        String huge = "$argon2id$v=19$m=65536,t=2,p=1$" + "A".repeat(2_000_000) + "$AAAA";
        assertThrows(IllegalArgumentException.class, () -> LegacyHash.parse(huge, MAX));
        assertThrows(IllegalArgumentException.class, () -> LegacyHash.parse(null, MAX));
    }

    @Test
    void argon2MemoryCeilingApplies() {
        String big = "$argon2id$v=19$m=262144,t=2,p=1$c29tZXNhbHQ$eP4eyR+zqlZX1y5xCFTkw9m5GYx0L5YWwvCFvtlbLow";
        StoredHashLimits generous = StoredHashLimits.of(Argon2Parameters.OWASP, 16, MAX.maxArgon2MemoryKiB());
        assertTrue(LegacyHash.parse(big, generous).matches(utf8("password")));
        assertThrows(IllegalArgumentException.class,
                () -> LegacyHash.parse(big, StoredHashLimits.of(Argon2Parameters.OWASP, 16, 65536)));
    }

    /** m=256 MiB, t=2 is 13.5 x the OWASP cost: refused at the default factor 8, accepted at 16. */
    @Test
    void argon2CostCeilingFollowsTheFactor() {
        String big = "$argon2id$v=19$m=262144,t=2,p=1$c29tZXNhbHQ$eP4eyR+zqlZX1y5xCFTkw9m5GYx0L5YWwvCFvtlbLow";
        assertThrows(IllegalArgumentException.class, () -> LegacyHash.parse(big, MAX));
        assertTrue(LegacyHash.parse(big, StoredHashLimits.of(Argon2Parameters.OWASP, 16, MAX.maxArgon2MemoryKiB()))
                .matches(utf8("password")));
    }

    /** The documented ceilings at the default factor (module README). */
    @Test
    void defaultLimits() {
        assertEquals(8L * 19456 * 2, MAX.maxArgon2Cost());
        assertEquals(15, MAX.maxBcryptCost());
        assertEquals(1L << 20, MAX.maxScryptWork());
        assertEquals(2_400_000, MAX.maxPbkdf2Iterations());
        StoredHashLimits one = StoredHashLimits.of(Argon2Parameters.OWASP, 1, MAX.maxArgon2MemoryKiB());
        assertEquals(12, one.maxBcryptCost());
        assertEquals(16, StoredHashLimits.of(Argon2Parameters.OWASP, 1024, 1 << 20).maxBcryptCost(),
                "absolute ceiling");
        assertThrows(IllegalArgumentException.class, () -> StoredHashLimits.of(Argon2Parameters.OWASP, 0, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> StoredHashLimits.of(Argon2Parameters.OWASP, 1025, 1 << 20));
    }

    /**
     * Each of these costs from seconds to minutes to compute (bcrypt 16: ~5 s, PBKDF2 10M: ~9 s, scrypt 2^24: ~10 s,
     * Argon2 64 GiB-passes: ~1 min): refusing them must take no time at all.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "$argon2id$v=19$m=1048576,t=64,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=1048576,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=19456,t=17,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$2b$16$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "$scrypt$ln=18,r=8,p=8$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "$scrypt$ln=17,r=8,p=2$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "$pbkdf2-sha256$9999999$TmFDbC1zYWx0LTE2Ynl0ZQ$k66qdNHMvcsEJzqaVAYX3bwHP7J5nT5lS312sjkTJ6Y",
            "pbkdf2_sha256$2400001$seasalt42$eCWeO55XDDRhUvUlhFFryNgaVvcTIUBvLvE0csSYU7Q=",
    })
    void hashesAboveTheCostBoundAreRefusedQuickly(String encoded) {
        long start = System.nanoTime();
        assertThrows(IllegalArgumentException.class, () -> LegacyHash.parse(encoded, MAX));
        assertTrue(System.nanoTime() - start < 100_000_000L, "refusal took " + (System.nanoTime() - start) + " ns");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "$argon2id$v=19$m=155648,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",  // exactly 8x
            "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",   // argon2-cffi default
            "$2b$15$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "$scrypt$ln=16,r=8,p=2$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "pbkdf2_sha256$1000000$seasalt42$eCWeO55XDDRhUvUlhFFryNgaVvcTIUBvLvE0csSYU7Q=",              // Django 5.2
            "pbkdf2_sha256$2400000$seasalt42$eCWeO55XDDRhUvUlhFFryNgaVvcTIUBvLvE0csSYU7Q=",
    })
    void hashesAtOrBelowTheCostBoundAreAccepted(String encoded) {
        LegacyHash.parse(encoded, MAX);
    }

    @Test
    void messagesNeverEchoTheHash() {
        String encoded = "$2b$31$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LegacyHash.parse(encoded, MAX));
        assertFalse(e.getMessage().contains("abcdefghij"), e.getMessage());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
