package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.WebElement;

/**
 * The apps page {@code /realms/mcias/apps} (spi-app-access, issue 26): a signed-in user sees exactly the apps they
 * may open, each linked to its home URL; it is linked from the members-only refusal page and the account console,
 * and an invite without an app ends there. The test's own clients cover every kind that must not be listed.
 */
@ExtendWith(KeycloakExtension.class)
@Tag("any-db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppsPageIT {

    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;
    static final String PAGE_ID = "login-mcias-apps";
    static final Set<String> BUILT_INS = Set.of("account", "account-console", "admin-cli", "security-admin-console",
            "broker", "realm-management", "mciasctl", "mcias-apps");

    KeycloakApi api;
    RealmFixtures fx;
    /** Members-only, the friend holds its role. */
    String appA;
    String roleA;
    /** Members-only, nobody here holds its role. */
    String appB;
    /** Open, with a home URL, and a name and description full of markup. */
    String appC;
    static final String C_NAME = "C & <b>co</b> \"quoted\"";
    static final String C_DESCRIPTION = "<script>window.pwned=1</script> shared notes";
    /** Clients that must never be listed, whatever the user holds. */
    Map<String, String> notListed = new TreeMap<>();
    String adminName;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        String tag = RealmFixtures.unique("apps");
        appA = tag + "-a";
        roleA = "app:" + appA;
        client(appA, Map.of("name", "App A " + tag, "description", "Photos of A", "rootUrl", "https://a.example.test",
                "baseUrl", "/home", "attributes", Map.of("mcias.members-only", "true")));
        api.postJson(api.adminRealmUrl("/roles"), api.adminToken(), Map.of("name", roleA)).expect(201);
        appB = tag + "-b";
        client(appB, Map.of("baseUrl", "https://b.example.test/", "attributes", Map.of("mcias.members-only", "true")));
        api.postJson(api.adminRealmUrl("/roles"), api.adminToken(), Map.of("name", "app:" + appB)).expect(201);
        appC = tag + "-c";
        client(appC, Map.of("name", C_NAME, "description", C_DESCRIPTION, "baseUrl", "https://c.example.test/start"));

        notListed.put(tag + "-no-url", "no home URL");
        client(tag + "-no-url", Map.of());
        notListed.put(tag + "-bearer", "bearer-only");
        client(tag + "-bearer", Map.of("bearerOnly", true, "baseUrl", "https://bearer.example.test/"));
        notListed.put(tag + "-service", "service account only");
        client(tag + "-service", Map.of("publicClient", false, "secret", "s-0123456789abcdef0123456789abcdef",
                "standardFlowEnabled", false, "serviceAccountsEnabled", true,
                "baseUrl", "https://service.example.test/"));
        notListed.put(tag + "-system", "marked as a system account");
        client(tag + "-system", Map.of("baseUrl", "https://system.example.test/",
                "attributes", Map.of("mcias.system_account", "true")));
        // (A javascript: or a relative base URL is refused by Keycloak's client validation already: 400.)
        notListed.put(tag + "-disabled", "disabled");
        client(tag + "-disabled", Map.of("enabled", false, "baseUrl", "https://disabled.example.test/"));
        // Members-only with the friend's role as its access role, but the role named does not exist: nobody.
        notListed.put(tag + "-typo", "members-only with a missing role");
        client(tag + "-typo", Map.of("baseUrl", "https://typo.example.test/",
                "attributes", Map.of("mcias.members-only", "true", "mcias.access-role", roleA + "-typo")));

        adminName = RealmFixtures.unique("apps-admin");
        fx.grantRealmRole(fx.createUser(adminName, PASSWORD), "admin");
    }

    void client(String clientId, Map<String, Object> extra) {
        Map<String, Object> rep = new LinkedHashMap<>(Map.of("clientId", clientId, "enabled", true,
                "publicClient", true, "standardFlowEnabled", true, "redirectUris", List.of("https://" + clientId
                        + ".example.test/*")));
        rep.putAll(extra);
        api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), rep).expect(201);
    }

    String pageUrl() {
        return api.realmUrl("/apps");
    }

    /** A user holding A's role (a fresh one per test that changes them). */
    String friend() {
        String name = RealmFixtures.unique("apps-friend");
        fx.grantRealmRole(fx.createUser(name, PASSWORD), roleA);
        return name;
    }

    static void signIn(Browser b, String username) {
        b.awaitPage("login-login");
        b.type("#username", username);
        b.type("#password", PASSWORD);
        b.clickAndWait("#kc-login");
    }

    /** Opens the page in a fresh browser session: the login first, then the page. */
    void openSignedIn(Browser b, String username) {
        b.open(pageUrl());
        signIn(b, username);
        b.awaitPage(PAGE_ID);
    }

    /** client id -> link of every app on the page. */
    static Map<String, String> listed(Browser b, String listCss) {
        Map<String, String> out = new TreeMap<>();
        for (WebElement item : b.all(listCss + " li[data-client-id]")) {
            out.put(item.getDomAttribute("data-client-id"),
                    item.findElement(org.openqa.selenium.By.cssSelector("a")).getDomAttribute("href"));
        }
        return out;
    }

    /** The browser's SSO cookies, as a Cookie header for plain HTTP calls. */
    static String cookies(Browser b) {
        return b.driver().manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
                .collect(Collectors.joining("; "));
    }

    HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        if (cookie != null) {
            r.header("Cookie", cookie);
        }
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                .send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    String userId(String username) {
        return api.get(api.adminRealmUrl("/users?exact=true&username=" + enc(username)), api.adminToken())
                .expect(200).json().get(0).path("id").asText();
    }

    static String param(String url, String name) {
        Matcher m = Pattern.compile("[?&]" + name + "=([^&#]*)").matcher(url);
        return m.find() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    void assertFits(Browser b) {
        assertEquals(Boolean.FALSE, b.js("return document.documentElement.scrollWidth > window.innerWidth"),
                "the page scrolls sideways at " + b.driver().manage().window().getSize());
    }

    @Nested
    class GivenAnAnonymousVisitor {

        @Test
        void theyAreSentToTheRealmsLoginForThePagesClientWithNothingToRedeem() throws Exception {
            HttpResponse<String> r = get(pageUrl(), null);
            assertEquals(303, r.statusCode(), r.body());
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
            String login = r.headers().firstValue("Location").orElseThrow();
            assertTrue(login.startsWith(api.realmUrl("/protocol/openid-connect/auth?")), login);
            assertEquals("mcias-apps", param(login, "client_id"));
            assertEquals("none", param(login, "response_type"), "no code is ever issued for the page");
            assertEquals(pageUrl(), param(login, "redirect_uri"));
            assertEquals("S256", param(login, "code_challenge_method"));
        }

        @Test
        void afterSigningInTheyAreOnThePageWithoutACodeInTheAddress() throws Exception {
            String friend = friend();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(pageUrl());
                signIn(b, friend);
                b.awaitPage(PAGE_ID);
                assertTrue(b.driver().getCurrentUrl().startsWith(pageUrl()), b.driver().getCurrentUrl());
                assertEquals(null, param(b.driver().getCurrentUrl(), "code"));
                assertTrue(b.find("#mcias-apps-user").getText().contains(friend));
            }
        }
    }

    @Nested
    class GivenAFriendWithTheRoleOfOneMembersOnlyApp {

        @Test
        void theySeeThatAppAndTheOpenAppLinkedToTheirHomeUrlsAndNothingElse() throws Exception {
            String friend = friend();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, friend);
                Map<String, String> apps = listed(b, "#mcias-apps-list");
                assertEquals("https://a.example.test/home", apps.get(appA), apps.toString());
                assertEquals("https://c.example.test/start", apps.get(appC), apps.toString());
                assertFalse(apps.containsKey(appB), "members-only app without the role: " + apps);
                for (Map.Entry<String, String> e : notListed.entrySet()) {
                    assertFalse(apps.containsKey(e.getKey()), e.getValue() + " listed: " + apps);
                }
                for (String builtIn : BUILT_INS) {
                    assertFalse(apps.containsKey(builtIn), builtIn + " listed: " + apps);
                }
                // Names and descriptions are text, never markup.
                WebElement c = b.find("li[data-client-id='" + appC + "']");
                assertEquals(C_NAME, c.findElement(org.openqa.selenium.By.cssSelector("a")).getText());
                assertTrue(c.getText().contains(C_DESCRIPTION), c.getText());
                assertTrue(b.all("#mcias-apps-list b, #mcias-apps-list script").isEmpty());
                assertEquals(null, b.js("return window.pwned"));
                assertTrue(b.find("li[data-client-id='" + appA + "']").getText().contains("Photos of A"));

                b.screenshot("apps-page-desktop");
                b.resize(Browser.PHONE);
                assertFits(b);
                b.screenshot("apps-page-phone");
            }
        }

        @Test
        void thePageIsServedLikeKeycloaksLoginPages() throws Exception {
            String friend = friend();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, friend);
                HttpResponse<String> r = get(pageUrl(), cookies(b));
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
                assertTrue(r.headers().firstValue("Cache-Control").orElse("").contains("no-store"));
                assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors"),
                        r.headers().map().toString());
                assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
                assertTrue(r.headers().firstValue("X-Frame-Options").isPresent(), r.headers().map().toString());
                assertTrue(r.body().contains("mcias.css"), "the mcias login theme");
            }
        }

        @Test
        void losingTheRoleRemovesTheAppAtTheNextLoad() throws Exception {
            String friend = friend();
            String id = userId(friend);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, friend);
                assertTrue(listed(b, "#mcias-apps-list").containsKey(appA));
                fx.revokeRealmRole(id, roleA);
                b.open(pageUrl());
                b.awaitPage(PAGE_ID);
                Map<String, String> apps = listed(b, "#mcias-apps-list");
                assertFalse(apps.containsKey(appA), apps.toString());
                assertTrue(apps.containsKey(appC), apps.toString());
            }
        }

        @Test
        void anotherAccountWithoutTheRoleSeesOnlyTheOpenApps() throws Exception {
            String other = RealmFixtures.unique("apps-other");
            fx.createUser(other, PASSWORD);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, other);
                Map<String, String> apps = listed(b, "#mcias-apps-list");
                assertTrue(apps.containsKey(appC), apps.toString());
                assertFalse(apps.containsKey(appA) || apps.containsKey(appB), apps.toString());
            }
        }

        @Test
        void anEndedOrDisabledAccountsCookieSendsTheBrowserToTheLoginAgain() throws Exception {
            String friend = friend();
            String id = userId(friend);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, friend);
                String cookie = cookies(b);
                api.send("POST", api.adminRealmUrl("/users/" + id + "/logout"), api.adminToken(), null, null)
                        .expect(204);
                assertEquals(303, get(pageUrl(), cookie).statusCode(), "sessions ended by an admin");

                openSignedIn(b, friend);
                cookie = cookies(b);
                JsonNode user = api.get(api.adminRealmUrl("/users/" + id), api.adminToken()).expect(200).json();
                ((com.fasterxml.jackson.databind.node.ObjectNode) user).put("enabled", false);
                api.putJson(api.adminRealmUrl("/users/" + id), api.adminToken(), user.toString()).expect(204);
                assertEquals(303, get(pageUrl(), cookie).statusCode(), "disabled account");
            }
        }

    }

    @Nested
    class GivenTheMembersOnlyRefusalPage {

        @Test
        void itLinksToTheAppsPageAndListsTheAppsTheUserMayOpen() throws Exception {
            String friend = friend();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, friend);
                // B through the SSO cookie: refused, with the way to the other apps.
                b.open(api.realmUrl("/protocol/openid-connect/auth") + "?client_id=" + appB
                        + "&response_type=code&scope=openid&redirect_uri=" + enc("https://" + appB + ".example.test/cb")
                        + "&state=s&code_challenge=" + "a".repeat(43) + "&code_challenge_method=S256");
                b.awaitPage("login-mcias-app-access-denied");
                WebElement link = b.find("#mcias-app-access-other a#mcias-apps-link");
                assertEquals("You can still use the other apps this account has access to.", link.getText());
                assertEquals(pageUrl(), link.getDomAttribute("href"));
                Map<String, String> apps = listed(b, "#mcias-app-access-apps");
                assertEquals("https://a.example.test/home", apps.get(appA), apps.toString());
                assertTrue(apps.containsKey(appC), apps.toString());
                assertFalse(apps.containsKey(appB), apps.toString());
                b.screenshot("apps-refusal-desktop");
                b.resize(Browser.PHONE);
                assertFits(b);
                b.screenshot("apps-refusal-phone");

                b.clickAndWait("#mcias-apps-link");
                b.awaitPage(PAGE_ID);
                assertTrue(listed(b, "#mcias-apps-list").containsKey(appA));
            }
        }
    }

    @Nested
    class GivenTheAccountConsole {

        @Test
        void itHasALinkToTheAppsPage() throws Exception {
            String friend = friend();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, friend);
                b.open(api.realmUrl("/account/"));
                WebElement link = b.await("#mcias-apps-bar a#mcias-apps-link");
                assertEquals(pageUrl(), link.getDomAttribute("href"));
                Await.until("the console rendered", Duration.ofSeconds(30), () -> b.present(".pf-v5-c-masthead"));
                b.screenshot("apps-account-console-desktop");
                b.resize(Browser.PHONE);
                assertFits(b);
                // The bar takes its height from the console, so the window does not scroll by it.
                assertEquals(Boolean.TRUE, b.js("return document.getElementById('mcias-apps-bar').offsetHeight"
                        + " + document.getElementById('app').offsetHeight <= window.innerHeight + 1"));
                b.screenshot("apps-account-console-phone");
                b.resize(Browser.DESKTOP);
                b.clickAndWait("#mcias-apps-link");
                b.awaitPage(PAGE_ID);
            }
        }
    }

    @Nested
    class GivenAnInviteWithoutAnApp {

        @Test
        void theFriendEndsOnTheAppsPageAfterRegistering() throws Exception {
            String admin = fx.passwordGrant(adminName, PASSWORD).expect(200).json().path("access_token").asText();
            JsonNode created = api.postJson(api.realmUrl("/invites"), admin, Map.of("roles", List.of(roleA)))
                    .expect(201).json();
            String friend = RealmFixtures.unique("apps-invited");
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(created.path("link").asText());
                b.awaitPage("login-mcias-invite-register");
                b.type("#username", friend);
                b.type("#email", friend + "@example.test");
                b.type("#firstName", "Friend");
                b.type("#lastName", "Invited");
                b.type("#password", PASSWORD);
                b.type("#password-confirm", PASSWORD);
                b.clickAndWait("#mcias-invite-submit");
                b.awaitPage(PAGE_ID);
                assertTrue(b.driver().getCurrentUrl().startsWith(pageUrl()), b.driver().getCurrentUrl());
                assertTrue(b.find("#mcias-apps-user").getText().contains(friend));
                assertTrue(listed(b, "#mcias-apps-list").containsKey(appA), "the invite's role opens A");
                b.screenshot("apps-after-invite-desktop");
            }
        }
    }

    @Nested
    class GivenBadInput {

        @Test
        void junkOversizedAndControlCharacterQueriesNeverGiveA500() throws Exception {
            String friend = friend();
            String junk = "?state=" + "x".repeat(3000) + "&session_state=&iss=" + enc("<script>")
                    + "&code=zzz&code=again&%ff%fe=1&=&&";
            HttpResponse<String> anonymous = get(pageUrl() + junk, null);
            assertEquals(303, anonymous.statusCode(), anonymous.body());
            // Control characters: Keycloak's request filter answers 400 before any resource runs.
            HttpResponse<String> control = get(pageUrl() + "?state=%00%01%1b", null);
            assertEquals(400, control.statusCode(), control.body());
            HttpResponse<String> error = get(pageUrl() + "?error=access_denied&error_description=" + enc("<b>x</b>"),
                    null);
            assertEquals(400, error.statusCode(), "a failed login gets a page, not another round trip");
            assertFalse(error.body().contains("<b>x</b>"));
            HttpResponse<String> huge = get(pageUrl() + "?state=" + "y".repeat(20_000), null);
            // Within the server's header limits the query is just ignored (303); beyond them Vert.x answers 4xx.
            assertTrue(huge.statusCode() == 303 || (huge.statusCode() >= 400 && huge.statusCode() < 500),
                    "oversized: " + huge.statusCode());
            HttpResponse<String> huger = get(pageUrl() + "?state=" + "y".repeat(200_000), null);
            assertTrue(huger.statusCode() >= 400 && huger.statusCode() < 500, "far oversized: " + huger.statusCode());
            HttpResponse<String> garbageCookie = get(pageUrl(), "KEYCLOAK_IDENTITY=not.a.jwt; KEYCLOAK_SESSION=x");
            assertEquals(303, garbageCookie.statusCode());
            HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(pageUrl()))
                    .POST(HttpRequest.BodyPublishers.ofString("a=b")).header("Content-Type",
                            "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            HttpResponse<String> subPath = get(pageUrl() + "/../apps/x%00y", null);
            assertTrue(subPath.statusCode() >= 300 && subPath.statusCode() < 500, "sub path: " + subPath.statusCode());

            try (Browser b = new Browser(Browser.DESKTOP)) {
                openSignedIn(b, friend);
                HttpResponse<String> signedIn = get(pageUrl() + junk, cookies(b));
                assertEquals(200, signedIn.statusCode(), signedIn.body());
                assertFalse(signedIn.body().contains("x".repeat(3000)), "query values are not echoed");
            }
        }
    }
}
