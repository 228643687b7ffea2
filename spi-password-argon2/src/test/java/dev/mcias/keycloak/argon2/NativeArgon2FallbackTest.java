package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import dev.mcias.keycloak.argon2.NativeArgon2.Argon2Library;
import dev.mcias.keycloak.argon2.NativeArgon2.Candidate;
import dev.mcias.keycloak.argon2.NativeArgon2.Loaded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** The loader falls back to the next bundled build on any load or self-test failure. */
class NativeArgon2FallbackTest {

    static final Candidate FIRST = new Candidate("avx2", "a");
    static final Candidate SECOND = new Candidate("portable", "b");

    /**
     * Run by the surefire execution {@code broken-library-fallback}, which hands the real loader a file that is no
     * shared object as its first choice: Keycloak must still get a working library (the portable one).
     */
    @Test
    @EnabledIfSystemProperty(named = NativeArgon2.FIRST_CANDIDATE_PROPERTY, matches = ".+")
    void brokenFirstLibraryFallsBackToThePortableOne() {
        assertEquals("portable", NativeArgon2.variant());
        assertEquals(1, NativeArgon2.rejected().size(), NativeArgon2.rejected().toString());
        assertTrue(NativeArgon2.rejected().get(0).startsWith("test: java.lang.UnsatisfiedLinkError"),
                NativeArgon2.rejected().toString());
        Argon2Parameters p = new Argon2Parameters(Argon2Parameters.Type.ID, Argon2Parameters.VERSION_13, 65536, 2, 1, 32);
        assertArrayEquals(HexFormat.of().parseHex("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"),
                NativeArgon2.hash(p, ascii("password"), ascii("somesalt")));
    }

    @Test
    void linkErrorFallsBack() {
        Argon2Library good = fake();
        Loaded l = NativeArgon2.select(List.of(FIRST, SECOND), c -> {
            if (c == FIRST) {
                throw new UnsatisfiedLinkError("/tmp/x.so: version `GLIBC_2.34' not found");
            }
            return new Loaded(c.variant(), Path.of("/b"), good, List.of());
        }, lib -> true);
        assertEquals("portable", l.variant());
        assertEquals(1, l.rejected().size());
        assertTrue(l.rejected().get(0).contains("GLIBC_2.34"), l.rejected().toString());
    }

    @Test
    void wrongKnownAnswerFallsBack() {
        Argon2Library wrong = fake();
        Argon2Library right = fake();
        Loaded l = NativeArgon2.select(List.of(FIRST, SECOND),
                c -> new Loaded(c.variant(), Path.of(c.resource()), c == FIRST ? wrong : right, List.of()),
                lib -> lib == right);
        assertEquals("portable", l.variant());
        assertEquals(List.of("avx2: wrong known-answer hash"), l.rejected());
    }

    @Test
    void selfTestThatThrowsFallsBack() {
        Argon2Library throwing = fake();
        Loaded l = NativeArgon2.select(List.of(FIRST, SECOND),
                c -> new Loaded(c.variant(), Path.of(c.resource()), c == FIRST ? throwing : fake(), List.of()),
                lib -> {
                    if (lib == throwing) {
                        throw new UnsatisfiedLinkError("Error looking up function 'argon2_hash'");
                    }
                    return true;
                });
        assertEquals("portable", l.variant());
    }

    @Test
    void noWorkingLibraryStopsWithEveryReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeArgon2.select(
                List.of(FIRST, SECOND), c -> {
                    throw new java.io.IOException("no bundled " + c.resource());
                }, lib -> true));
        assertTrue(e.getMessage().contains("avx2: java.io.IOException: no bundled a"), e.getMessage());
        assertTrue(e.getMessage().contains("portable: java.io.IOException: no bundled b"), e.getMessage());
    }

    /** The real self-test accepts the library actually loaded. */
    @Test
    void loadedLibraryPassesTheKnownAnswerSelfTest() {
        Argon2Library lib = com.sun.jna.Native.load(NativeArgon2.libraryPath().toString(), Argon2Library.class);
        assertTrue(NativeArgon2.knownAnswer(lib));
    }

    private static Argon2Library fake() {
        return (Argon2Library) Proxy.newProxyInstance(Argon2Library.class.getClassLoader(),
                new Class<?>[] {Argon2Library.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
