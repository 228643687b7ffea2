package dev.mcias.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snippets {@code apps add --forward-auth --proxy} and {@code apps snippet} print are the blocks of
 * docs/forward-auth.md (which ForwardAuthIT runs through real nginx and Caddy): the doc's example rendered here
 * must be the doc, byte for byte.
 */
class ForwardAuthSnippetTest {

    static final Path DOC = Path.of("../docs/forward-auth.md");

    static String block(String name) throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        int at = lines.indexOf("<!-- ForwardAuthIT: " + name + " -->");
        assertTrue(at >= 0, "no block " + name);
        StringBuilder b = new StringBuilder();
        for (int i = at + 2; !lines.get(i).startsWith("```"); i++) {
            b.append(lines.get(i)).append('\n');
        }
        return b.toString();
    }

    @Nested
    class GivenTheDocsExample {

        @Test
        void eachProxysSnippetIsTheDocsBlock() throws Exception {
            for (String kind : AppsCommands.ForwardAuthSnippet.KINDS) {
                assertEquals(block(kind), AppsCommands.ForwardAuthSnippet.render(kind, "https://id.example.org",
                        "mcias", "friends-wiki", "https://wiki.example.org/"), kind);
            }
        }

        @Test
        void theDocsCommandIsOneTheToolAccepts() throws Exception {
            String doc = Files.readString(DOC);
            assertTrue(doc.contains("mciasctl apps add friends-wiki --forward-auth --url https://wiki.example.org "
                    + "--proxy nginx\n"));
            assertTrue(doc.contains("mciasctl apps snippet friends-wiki --proxy caddy"));
        }
    }

    @Nested
    class GivenAnotherApp {

        @Test
        void aPlainHttpOrPortedSiteIsWrittenAsAUrlForCaddy() {
            String caddy = AppsCommands.ForwardAuthSnippet.render("caddy", "http://127.0.0.1:8080", "home", "notes",
                    "http://notes.localhost:8081/");
            assertTrue(caddy.startsWith("http://notes.localhost:8081 {\n"), caddy);
            assertTrue(caddy.contains("reverse_proxy http://127.0.0.1:8080 {"), caddy);
            assertTrue(caddy.contains("uri /realms/home/forward-auth/check"), caddy);
            assertFalse(caddy.contains("{{"), caddy);
        }
    }

    @Nested
    class GivenBadArguments {

        @TempDir
        Path xdg;

        Run.Result run(String... args) {
            return Run.run(Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", xdg.toString()), null, args);
        }

        @Test
        void theyAreUsageErrorsBeforeAnythingIsSent() {
            for (String[] args : new String[][] {
                    {"apps", "add", "w", "--forward-auth"},
                    {"apps", "add", "w", "--forward-auth", "--url", "https://w.example.org", "--proxy", "apache"},
                    {"apps", "add", "w", "--forward-auth", "--url", "https://w.example.org", "--public"},
                    {"apps", "add", "w", "--forward-auth", "--url", "https://w.example.org", "--redirect-uri",
                            "https://w.example.org/cb"},
                    {"apps", "add", "w", "--forward-auth", "--url", "ftp://w.example.org"},
                    {"apps", "add", "w", "--url", "https://w.example.org", "--proxy", "nginx"},
                    {"apps", "snippet", "w"},
                    {"apps", "snippet", "w", "--proxy", "iis"}}) {
                Run.Result r = run(args);
                assertEquals(2, r.code(), String.join(" ", args) + ": " + r);
            }
        }
    }
}
