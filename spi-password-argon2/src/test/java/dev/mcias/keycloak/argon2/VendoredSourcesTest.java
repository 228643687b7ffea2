package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** What the README says about the vendored C sources and the shipped licences is what the build uses and ships. */
class VendoredSourcesTest {

    static final Path VENDORED = Path.of("src/main/c/argon2");
    static final Pattern SUM_LINE = Pattern.compile("^([0-9a-f]{64})  (\\S+)$", Pattern.MULTILINE);

    /** Every vendored file is listed in the module README with its SHA-256, and nothing else is there. */
    @Test
    void vendoredSourcesMatchTheReadmeChecksums() throws Exception {
        Map<String, String> listed = new TreeMap<>();
        Matcher m = SUM_LINE.matcher(Files.readString(Path.of("README.md")));
        while (m.find()) {
            listed.put(m.group(2), m.group(1));
        }
        Map<String, String> actual = new TreeMap<>();
        try (Stream<Path> files = Files.walk(VENDORED)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                actual.put(VENDORED.relativize(f).toString().replace('\\', '/'), sha256(Files.readAllBytes(f)));
            }
        }
        assertEquals(actual, listed, "README.md 'Vendored Argon2 sources' vs " + VENDORED);
    }

    @Test
    void licencesOfTheNativesAreInTheJar() throws IOException {
        assertTrue(resource("/META-INF/licenses/phc-winner-argon2/LICENSE")
                .startsWith("Argon2 reference source code package"));
        assertTrue(resource("/META-INF/licenses/argon2-jvm-natives/README.md").contains("phc-winner-argon2"));
        assertTrue(resource("/META-INF/licenses/NATIVE-LIBRARIES.md").contains("CC0 1.0 or Apache 2.0"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = VendoredSourcesTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
