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
    class GivenAnAppWithItsOwnHeaderNamesAndAToken {

        final java.util.Map<String, String> names = java.util.Map.of("user", "X-Webauth-User", "email",
                "Remote-Email", "name", "Remote-Name", "groups", "X-Groups");

        String render(String kind) {
            java.util.Map<String, String> ordered = new java.util.LinkedHashMap<>();
            AppsCommands.ForwardAuthSnippet.HEADERS.keySet().forEach(k -> ordered.put(k, names.get(k)));
            return AppsCommands.ForwardAuthSnippet.render(kind, "https://id.example.org", "mcias", "friends-wiki",
                    "https://wiki.example.org/", ordered, true);
        }

        @Test
        void nginxReadsSetsAndSoOverwritesExactlyTheAppsNamesAndTheToken() {
            String nginx = render("nginx");
            assertTrue(nginx.contains("auth_request_set $mcias_user $upstream_http_x_webauth_user;\n"), nginx);
            assertTrue(nginx.contains("proxy_set_header X-Webauth-User $mcias_user;\n"), nginx);
            assertTrue(nginx.contains("proxy_set_header X-Groups $mcias_groups;\n"), nginx);
            assertTrue(nginx.contains("auth_request_set $mcias_token $upstream_http_authorization;\n"), nginx);
            assertTrue(nginx.contains("proxy_set_header Authorization $mcias_token;\n"), nginx);
            assertFalse(nginx.contains("Remote-User") || nginx.contains("{{"), nginx);
        }

        @Test
        void caddyAndTraefikStripBothSpellingsAndCopyTheNamesAndTheToken() {
            String caddy = render("caddy");
            for (String line : List.of("request_header -X-Webauth-User\n", "request_header -X_Webauth_User\n",
                    "request_header -X-Groups\n", "request_header -X_Groups\n",
                    "copy_headers X-Webauth-User Remote-Email Remote-Name X-Groups Authorization\n")) {
                assertTrue(caddy.contains(line), line + " in " + caddy);
            }
            String traefik = render("traefik");
            assertTrue(traefik.contains("          X_Webauth_User: \"\"\n"), traefik);
            assertTrue(traefik.contains("authResponseHeaders: [\"X-Webauth-User\", \"Remote-Email\", \"Remote-Name\", "
                    + "\"X-Groups\", \"Authorization\"]\n"), traefik);
            assertFalse(caddy.contains("{{") || traefik.contains("{{"));
        }

        @Test
        void withoutATokenNoLineMentionsAuthorization() {
            assertFalse(AppsCommands.ForwardAuthSnippet.render("nginx", "https://id.example.org", "mcias", "w",
                    "https://wiki.example.org/").contains("Authorization"));
        }
    }

    @Nested
    class GivenBadArguments {

        @TempDir
        Path xdg;

        /** {@code apps add w --forward-auth --url https://w.example.org} and then {@code more}. */
        static String[] fa(String... more) {
            List<String> args = new java.util.ArrayList<>(List.of("apps", "add", "w", "--forward-auth", "--url",
                    "https://w.example.org"));
            args.addAll(List.of(more));
            return args.toArray(String[]::new);
        }

        Run.Result run(String... args) {
            return Run.run(Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", xdg.toString()), null, args);
        }

        @Test
        void theyAreUsageErrorsBeforeAnythingIsSent() {
            for (String[] args : new String[][] {
                    {"apps", "add", "w", "--forward-auth"},
                    fa("--proxy", "apache"),
                    fa("--public"),
                    fa("--redirect-uri", "https://w.example.org/cb"),
                    {"apps", "add", "w", "--forward-auth", "--url", "ftp://w.example.org"},
                    {"apps", "add", "w", "--url", "https://w.example.org", "--proxy", "nginx"},
                    {"apps", "add", "w", "--url", "https://w.example.org", "--pass-token"},
                    {"apps", "add", "w", "--url", "https://w.example.org", "--header", "user=X-User"},
                    fa("--header", "user"),
                    fa("--header", "role=X-R"),
                    fa("--header", "user=Host"),
                    fa("--header", "user=X-Forwarded-User"),
                    fa("--header", "user=X_User"),
                    fa("--header", "user=X-User\r\nX-Admin: 1"),
                    fa("--header", "user=Remote-Email"),
                    fa("--header", "user=X-A", "--header", "name=x-a"),
                    {"apps", "update", "w", "--pass-token", "yes"},
                    {"apps", "add", "w", "--url", "https://w.example.org", "--cookie-domain", "example.org"},
                    fa("--cookie-domain", "other.org"),
                    fa("--cookie-domain", "org"),
                    fa("--cookie-domain", "ample.org"),
                    {"apps", "add", "w", "--forward-auth", "--url", "http://127.0.0.1:8080", "--cookie-domain",
                            "0.0.1"},
                    {"apps", "snippet", "w"},
                    {"apps", "snippet", "w", "--proxy", "iis"}}) {
                Run.Result r = run(args);
                assertEquals(2, r.code(), String.join(" ", args) + ": " + r);
            }
        }
    }
}
