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

    /** The image's source build needs every reactor module: its POM in the dependency layer, its sources sent. */
    @Test
    void theDockerSourceBuildKnowsEveryModule() throws Exception {
        String pom = java.nio.file.Files.readString(ROOT.resolve("pom.xml"));
        String dockerfile = java.nio.file.Files.readString(ROOT.resolve("docker/Dockerfile"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        int modules = 0;
        while (m.find()) {
            String module = m.group(1);
            modules++;
            assertTrue(dockerfile.contains("COPY " + module + "/pom.xml " + module + "/"), "Dockerfile copies " + module);
            for (String ignore : java.util.List.of("docker/Dockerfile.dockerignore", ".dockerignore")) {
                assertTrue(java.nio.file.Files.readAllLines(ROOT.resolve(ignore)).contains("!" + module + "/"),
                        ignore + " sends " + module);
            }
        }
        assertTrue(modules >= 10, "modules found: " + modules);
    }
}
