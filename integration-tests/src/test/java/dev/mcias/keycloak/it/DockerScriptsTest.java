package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Runs docker/test-make-local-secrets.sh (a plain-shell test of the secrets script's file modes) in the unit-test
 * phase, so ./mvnw verify and CI run it; its own output is the failure message.
 */
class DockerScriptsTest {

    static final Path ROOT = Path.of(System.getProperty("mcias.repo.dir", ".."));

    @Test
    void makeLocalSecretsKeepsSecretsPrivate() throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("docker/test-make-local-secrets.sh").toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "test-make-local-secrets.sh did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("all checks passed"), out);
    }
}
