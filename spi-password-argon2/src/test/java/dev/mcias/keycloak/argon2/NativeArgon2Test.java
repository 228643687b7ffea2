package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import dev.mcias.keycloak.argon2.Argon2Parameters.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Known-answer tests from the reference implementation's src/test.c (version 0x13). */
class NativeArgon2Test {

    @ParameterizedTest
    @CsvSource({
            "ID, 2, 16, 1, password, somesalt, 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7",
            "ID, 2, 18, 1, password, somesalt, 78fe1ec91fb3aa5657d72e710854e4c3d9b9198c742f9616c2f085bed95b2e8c",
            "ID, 2, 8, 1, password, somesalt, 9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe",
            "ID, 2, 8, 2, password, somesalt, 6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037",
            "I, 2, 16, 1, password, diffsalt, b0357cccfbef91f3860b0dba447b2348cbefecadaf990abfe9cc40726c521271",
            "I, 2, 16, 1, differentpassword, somesalt, 14ae8da01afea8700c2358dcef7c5358d9021282bd88663a4562f59fb74d22ee",
    })
    void referenceVectors(Type type, int t, int log2m, int p, String password, String salt, String hex) {
        Argon2Parameters params = new Argon2Parameters(type, Argon2Parameters.VERSION_13, 1 << log2m, t, p, 32);
        byte[] hash = NativeArgon2.hash(params, password.getBytes(StandardCharsets.US_ASCII),
                salt.getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(HexFormat.of().parseHex(hex), hash);
    }

    @Test
    void variantFollowsTheCpuAndTheSwitch() {
        String expected = Boolean.getBoolean("mcias.argon2.portable") ? "portable"
                : NativeArgon2.class.getResource("native/linux-x86-64-avx2/libargon2.so") != null
                && cpuFlags().contains(" avx2 ") ? "avx2" : "portable";
        org.junit.jupiter.api.Assertions.assertEquals(expected, NativeArgon2.variant());
    }

    private static String cpuFlags() {
        try {
            return " " + String.join(" ", Files.readAllLines(Path.of("/proc/cpuinfo"))) + " ";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void nativeErrorsAreReported() {
        Argon2Parameters params = new Argon2Parameters(Type.ID, Argon2Parameters.VERSION_13, 256, 2, 1, 32);
        // libargon2 refuses salts shorter than 8 bytes.
        assertThrows(IllegalArgumentException.class, () -> NativeArgon2.hash(params, new byte[1], new byte[4]));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void bundledLibraryIsTheOneMapped() throws Exception {
        Path lib = NativeArgon2.libraryPath();
        assertTrue(lib.getFileName().toString().startsWith("mcias-argon2-"), lib.toString());
        List<String> mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("argon2")).toList();
        assertTrue(mapped.stream().anyMatch(l -> l.endsWith(lib.toString())), mapped.toString());
        assertFalse(mapped.stream().anyMatch(l -> l.contains("/lib/") && l.contains("libargon2")),
                "a system libargon2 is mapped: " + mapped);
    }
}
