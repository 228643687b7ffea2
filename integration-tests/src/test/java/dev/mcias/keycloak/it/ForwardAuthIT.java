package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.client.Session;
import dev.mcias.client.SessionStore;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.it.support.ApacheOidcApp;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.DocBlocks;
import dev.mcias.keycloak.it.support.EchoUpstream;
import dev.mcias.keycloak.it.support.ForwardAuthProxy;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RawHttp;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Cookie;

/**
 * Forward-auth through Debian's nginx ({@code auth_request}) and Caddy ({@code forward_auth}), each started on
 * 127.0.0.1 with the snippet docs/forward-auth.md shows (read from the doc, only hosts and ports replaced), in
 * front of an app that trusts {@code Remote-User} and echoes it. Chromium signs in through each; forged identity
 * headers, open redirects, other apps' cookies, revoked access, logout and bad forwarded headers are tried
 * against both.
 */
@Tag("any-db")
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardAuthIT {

    static final String DOC = "forward-auth.md";
    static final String TAG = "ForwardAuthIT";
    static final String DENIED_PAGE = "login-mcias-forward-auth-denied";
    static final String KEYCLOAK_DENIED_PAGE = "login-mcias-app-access-denied";
    static final String AUDIT_CLIENT = "it-forward-auth-audit";

    KeycloakApi api;
    KeycloakServer server;
    RealmFixtures fx;
    EchoUpstream upstream;
    Site nginx;
    Site caddy;
    String auditor;
    final List<AutoCloseable> started = new ArrayList<>();

    /** One app behind one proxy: its client, its host (a *.localhost name Chromium resolves to 127.0.0.1). */
    record Site(String clientId, String secret, String host, ForwardAuthProxy proxy, boolean nginx) {
        String url(String path) {
            return "http://" + host + "/" + path;
        }

        String home() {
            return url("");
        }

        RawHttp.Response get(String path, String... headers) throws Exception {
            return proxy.get(host, path, pairs(headers));
        }
    }

    @BeforeAll
    void setUp(KeycloakApi api, KeycloakServer server) throws Exception {
        this.api = api;
        this.server = server;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        String uuid = fx.createPasswordGrantClient(AUDIT_CLIENT + "-" + server.database(), null, Map.of());
        fx.addClientScope(uuid, "mcias-api", true);
        auditor = RealmFixtures.unique("fa-auditor");
        fx.grantRealmRole(fx.createUser(auditor, RealmFixtures.DEFAULT_PASSWORD), "admin");
        upstream = EchoUpstream.start();
        started.add(upstream);
        Path work = Files.createDirectories(Path.of("target/it-work/forward-auth-" + server.database()).toAbsolutePath());
        nginx = site(work, "nginx");
        caddy = site(work, "caddy");
    }

    Site site(Path work, String kind) throws Exception {
        int port = ApacheOidcApp.freePort();
        String host = RealmFixtures.unique("fa-" + kind) + ".localhost:" + port;
        String clientId = RealmFixtures.unique("fa-" + kind + "-app");
        String secret = registerApp(clientId, "http://" + host + "/");
        String snippet = DocBlocks.substitute(DocBlocks.block(DOC, TAG, kind), Map.of(
                "https://id.example.org", server.baseUrl(),
                "http://127.0.0.1:8080", upstream.url(),
                "127.0.0.1:8080", upstream.url().substring("http://".length()),
                "wiki.example.org", "http://" + host,
                "friends-wiki", clientId));
        Path dir = Files.createTempDirectory(work, kind + "-");
        ForwardAuthProxy proxy = kind.equals("nginx") ? ForwardAuthProxy.nginx(dir, port, snippet)
                : ForwardAuthProxy.caddy(dir, port, snippet);
        started.add(proxy);
        return new Site(clientId, secret, host, proxy, kind.equals("nginx"));
    }

    /** A members-only forward-auth app, as `mciasctl apps add NAME --forward-auth --url URL` creates it. */
    String registerApp(String clientId, String url) {
        String origin = url.substring(0, url.indexOf('/', "http://".length()));
        Map<String, Object> rep = new java.util.LinkedHashMap<>();
        rep.put("clientId", clientId);
        rep.put("name", clientId);
        rep.put("enabled", true);
        rep.put("protocol", "openid-connect");
        rep.put("publicClient", false);
        String secret = RealmFixtures.unique("secret-") + "0123456789abcdef";
        rep.put("secret", secret);
        rep.put("standardFlowEnabled", true);
        rep.put("directAccessGrantsEnabled", true);
        rep.put("redirectUris", List.of(origin + "/_mcias/callback"));
        rep.put("baseUrl", url);
        rep.put("attributes", Map.of("mcias.forward-auth.url", url, "mcias.members-only", "true",
                "pkce.code.challenge.method", "S256", "post.logout.redirect.uris", url));
        rep.put("protocolMappers", List.of(Map.of("name", "audience", "protocol", "openid-connect",
                "protocolMapper", "oidc-audience-mapper", "config", Map.of("included.client.audience", clientId,
                        "access.token.claim", "true", "id.token.claim", "false"))));
        api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), rep).expect(201);
        api.postJson(api.adminRealmUrl("/roles"), api.adminToken(), Map.of("name", "app:" + clientId)).expect(201);
        return secret;
    }

    @AfterAll
    void tearDown() {
        for (AutoCloseable c : started) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the next one still stops
            }
        }
    }

    // ---- helpers

    record Friend(String name, String id) {
    }

    Friend member(Site... sites) {
        String name = RealmFixtures.unique("fa-friend");
        String id = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        for (Site s : sites) {
            fx.grantRealmRole(id, "app:" + s.clientId());
        }
        return new Friend(name, id);
    }

    /** In Chromium: the app's page, through sign-in; returns once the app rendered the user it was given. */
    void signIn(Browser b, Site site, String path, Friend friend) throws Exception {
        b.open(site.url(path));
        b.awaitPage("login-login");
        b.type("#username", friend.name());
        b.type("#password", RealmFixtures.DEFAULT_PASSWORD);
        b.clickAndWait("#kc-login");
        awaitApp(b, site, path);
        assertEquals(friend.name(), b.find("#remote-user").getText());
    }

    void awaitApp(Browser b, Site site, String path) throws Exception {
        Await.until("the app's page " + path + " (now at " + b.driver().getCurrentUrl() + ", page " + b.pageId()
                + ")", Duration.ofSeconds(30), () -> b.driver().getCurrentUrl().startsWith(site.url(path))
                && b.present("#remote-user"));
    }

    String appCookie(Browser b, Site site) {
        b.open(site.url("_mcias/none")); // any page of the host, so the driver reads its cookies
        Cookie c = b.driver().manage().getCookieNamed("mcias_fa");
        assertNotNull(c, "no app cookie on " + site.host());
        assertTrue(c.isHttpOnly());
        assertEquals("Lax", c.getSameSite());
        assertNull(c.getDomain() == null || c.getDomain().equals(site.host().split(":")[0]) ? null : c.getDomain(),
                "host-only");
        return c.getValue();
    }

    /** What the proxy answers a request the check did not admit: the sign-in redirect, never the app. */
    static void assertSentToSignIn(Site site, RawHttp.Response r) {
        assertEquals(302, r.status(), r.toString());
        assertTrue(r.header("Location").contains("/_mcias/login?rd="), r.toString());
    }

    List<JsonNode> audit(String query) {
        String bearer = fx.accessToken(AUDIT_CLIENT + "-" + server.database(), null, auditor,
                RealmFixtures.DEFAULT_PASSWORD);
        List<JsonNode> out = new ArrayList<>();
        api.get(api.realmUrl("/audit/events?limit=200&" + query), bearer).expect(200).json().path("events")
                .forEach(out::add);
        return out;
    }

    JsonNode awaitAudit(String what, String query, java.util.function.Predicate<JsonNode> match) throws Exception {
        return Await.value(what, Duration.ofSeconds(20),
                () -> audit(query).stream().filter(match).findFirst().orElse(null));
    }

    /** Keycloak's check asked directly (no proxy) in {@code realm}, with these header name/value pairs. */
    RawHttp.Response check(String realm, String query, String... headers) throws Exception {
        int port = java.net.URI.create(server.baseUrl()).getPort();
        return RawHttp.get(port, "127.0.0.1:" + port, "/realms/" + realm + "/forward-auth/check" + query,
                pairs(headers));
    }

    static List<String[]> pairs(String... namesAndValues) {
        List<String[]> h = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(new String[] {namesAndValues[i], namesAndValues[i + 1]});
        }
        return h;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- through each proxy

    abstract class ThroughAProxy {

        abstract Site site();

        abstract Site other();

        @Test
        void aMemberSignsInAndTheAppSeesThemAsTheProxySaysWhateverTheBrowserClaims() throws Exception {
            Site site = site();
            Friend friend = member(site);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                signIn(b, site, "notes/page?x=1&y=2", friend);
                assertEquals("/notes/page?x=1&y=2", b.find("#path").getText(), "back at the original URL");
                assertEquals(friend.name() + "@example.test", b.find("#remote-email").getText());
                assertEquals("Test User", b.find("#remote-name").getText());
                b.screenshot("forward-auth-" + server.database() + "-" + (site.nginx() ? "nginx" : "caddy"));
                String cookie = appCookie(b, site);

                // Forged identity headers are overwritten or dropped before the app.
                RawHttp.Response r = site.get("/forged-1", "Cookie", "mcias_fa=" + cookie, "Remote-User", "admin",
                        "Remote-Groups", "admins", "Remote-Name", "Admin", "Remote_User", "admin",
                        "Remote_Groups", "admins", "Remote_Email", "admin@example.test", "Remote_Name", "Admin");
                assertEquals(200, r.status(), r.toString());
                Map<String, List<String>> seen = upstream.seen("/forged-1");
                assertEquals(List.of(friend.name()), seen.get("Remote-User"));
                assertEquals("Test User", seen.get("Remote-Name").get(0));
                assertTrue(seen.get("Remote-Groups") == null || seen.get("Remote-Groups").equals(List.of(""))
                        , "no groups, and never the forged ones: " + seen.get("Remote-Groups"));
                // An app's own Basic auth is not a bearer token: the cookie decides, the header reaches the app.
                String basic = "/basic-" + RealmFixtures.unique("p");
                RawHttp.Response withBasic = site.get(basic, "Cookie", "mcias_fa=" + cookie, "Authorization",
                        "Basic dXNlcjpwYXNz");
                assertEquals(200, withBasic.status(), withBasic.toString());
                assertEquals(List.of("Basic dXNlcjpwYXNz"), upstream.seen(basic).get("Authorization"));
                assertEquals(List.of(friend.name()), upstream.seen(basic).get("Remote-User"));
                // CGI and PHP read Remote_User as REMOTE_USER: the underscore spellings never reach the app either.
                assertEquals(List.of(), seen.keySet().stream()
                        .filter(k -> k.toLowerCase(java.util.Locale.ROOT).startsWith("remote_")).toList());

                // The return URL of a sign-in is the app's or its home, never another site.
                for (String evil : List.of("https://evil.example/", "//evil.example/x", "http://" + other().host()
                        + "/", "javascript:alert(1)")) {
                    b.open(site.url("_mcias/login?rd=" + enc(evil)));
                    awaitApp(b, site, "");
                    assertEquals("/", b.find("#path").getText(), evil);
                }

                // This app's cookie is worthless at another app, and a tampered one is no cookie.
                String path = "/other-" + RealmFixtures.unique("p");
                assertSentToSignIn(other(), other().get(path, "Cookie", "mcias_fa=" + cookie));
                String tampered = cookie.substring(0, cookie.length() - 2)
                        + (cookie.endsWith("AA") ? "BB" : "AA");
                assertSentToSignIn(site, site.get(path, "Cookie", "mcias_fa=" + tampered));
                assertNull(upstream.seen(path), "neither request reached the app");

                // The other app's proxy, sent this app's Host and cookie: its snippet names its own app, so the
                // request is checked as that app's, and this host is not inside it.
                String hostPath = "/host-" + RealmFixtures.unique("p");
                RawHttp.Response viaOther = other().proxy().get(site.host(), hostPath,
                        List.<String[]>of(new String[] {"Cookie", "mcias_fa=" + cookie}));
                if (other().nginx()) { // Caddy answers an empty 200 for a host it has no site for
                    assertEquals(403, viaOther.status(), viaOther.toString());
                }
                assertNull(upstream.seen(hostPath), "the other app's proxy let this app's Host through");

                // The first admission of this session is on the audit trail, with the app and the user.
                awaitAudit("admission recorded", "type=CODE_TO_TOKEN&client=" + site.clientId(),
                        e -> friend.id().equals(e.path("user_id").asText())
                                && "forward-auth".equals(e.path("details").path("auth_method").asText()));
            }
        }

        @Test
        void theCheckIsNeverAskedFromOutside() throws Exception {
            RawHttp.Response r = site().get("/_mcias/check", "X-Forwarded-Host", other().host(),
                    "X-Mcias-App", other().clientId());
            assertEquals(404, r.status(), r.toString());
        }

        @Test
        void anAnonymousRequestWithForgedHeadersIsSentToSignInAndNeverReachesTheApp() throws Exception {
            String path = "/anon-" + RealmFixtures.unique("p");
            RawHttp.Response r = site().get(path, "Remote-User", "admin", "Remote-Groups", "admins");
            assertSentToSignIn(site(), r);
            assertTrue(r.header("Location").startsWith("http://" + site().host() + "/_mcias/login?rd="),
                    r.header("Location"));
            assertNull(upstream.seen(path));
        }

        @Test
        void aNonMemberIsRefusedAtSignInAndNeverAdmitted() throws Exception {
            Friend stranger = member(other());
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(site().url("private"));
                b.awaitPage("login-login");
                b.type("#username", stranger.name());
                b.type("#password", RealmFixtures.DEFAULT_PASSWORD);
                b.clickAndWait("#kc-login");
                b.awaitPage(KEYCLOAK_DENIED_PAGE);
                assertNull(b.driver().manage().getCookieNamed("mcias_fa"));
            }
            assertNull(upstream.seen("/private"));
        }

        @Test
        void aMemberWhoseAccessIsTakenAwayIsRefusedOnTheNextRequestWithTheNoAccessPage() throws Exception {
            Site site = site();
            Friend friend = member(site);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                signIn(b, site, "before", friend);
                fx.revokeRealmRole(friend.id(), "app:" + site.clientId());
                // Losing access ends the app's client session (spi-app-access): the next request goes through
                // sign-in, where Keycloak's members-only step refuses.
                b.open(site.url("after"));
                Await.until("the no-access page (now at " + b.driver().getCurrentUrl() + ")", Duration.ofSeconds(40),
                        () -> KEYCLOAK_DENIED_PAGE.equals(b.pageId()) || DENIED_PAGE.equals(b.pageId()));
                b.screenshot("forward-auth-" + server.database() + "-" + (site.nginx() ? "nginx" : "caddy") + "-denied");
                assertNull(upstream.seen("/after"));
                awaitAudit("refusal recorded", "client=" + site.clientId(),
                        e -> friend.id().equals(e.path("user_id").asText())
                                && "app_access_denied".equals(e.path("error").asText()));

                // Access given back: admitted again, same session.
                fx.grantRealmRole(friend.id(), "app:" + site.clientId());
                b.open(site.url("again"));
                awaitApp(b, site, "again");

                // Disabled: the next request is not admitted.
                String cookie = appCookie(b, site);
                api.putJson(api.adminRealmUrl("/users/" + friend.id()), api.adminToken(),
                        Map.of("enabled", false)).expect(204);
                String path = "/disabled-" + RealmFixtures.unique("p");
                assertSentToSignIn(site, site.get(path, "Cookie", "mcias_fa=" + cookie));
                assertNull(upstream.seen(path));
            }
        }

        @Test
        void logoutEndsTheAppCookieEvenForACopyAndSsoLogoutEndsTheSession() throws Exception {
            Site site = site();
            Friend friend = member(site);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                signIn(b, site, "one", friend);
                String cookie = appCookie(b, site);
                assertEquals(200, site.get("/copy-ok", "Cookie", "mcias_fa=" + cookie).status());

                b.open(site.url("_mcias/logout"));
                assertTrue(b.find("body").getText().contains("Signed out"), b.find("body").getText());
                assertNull(b.driver().manage().getCookieNamed("mcias_fa"));
                String path = "/copy-" + RealmFixtures.unique("p");
                assertSentToSignIn(site, site.get(path, "Cookie", "mcias_fa=" + cookie));
                assertNull(upstream.seen(path));

                // The SSO session is still there: signing in again is silent.
                b.open(site.url("two"));
                awaitApp(b, site, "two");
                assertEquals(friend.name(), b.find("#remote-user").getText());
                // The copy kept from before the logout stays worthless after the silent sign-in: the new cookie
                // carries a new nonce of the new app session, the old one a nonce that no session holds.
                String again = appCookie(b, site);
                assertNotEquals(cookie, again);
                String stale = "/stale-" + RealmFixtures.unique("p");
                assertSentToSignIn(site, site.get(stale, "Cookie", "mcias_fa=" + cookie));
                assertNull(upstream.seen(stale));
                assertEquals(200, site.get("/again-" + RealmFixtures.unique("p"), "Cookie", "mcias_fa=" + again)
                        .status());

                // sso=true: Keycloak's own sign-out, confirmed by the user; then a password is needed again.
                b.open(site.url("_mcias/logout?sso=true"));
                b.awaitPage("login-logout-confirm");
                b.clickAndWait("#kc-logout");
                b.open(site.url("three"));
                b.awaitPage("login-login");
            }
        }

        @Test
        void theRefusalPageOnTheAppsHostIsStyledWithKeycloaksResources() throws Exception {
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(site().url("_mcias/denied"));
                b.awaitPage(DENIED_PAGE);
                // The theme's links are Keycloak's absolute URLs, not paths of the app's host (the app's proxy
                // would send each one through the check): the stylesheet is loaded, the header in our colour.
                for (var link : b.all("link[rel='stylesheet']")) {
                    assertTrue(link.getDomAttribute("href").startsWith(server.baseUrl() + "/resources/"),
                            link.getDomAttribute("href"));
                }
                assertEquals(BrandingIT.BRAND, b.js("return getComputedStyle(arguments[0]).color;",
                        b.find("#kc-header-wrapper")));
                b.screenshot("forward-auth-" + server.database() + "-" + (site().nginx() ? "nginx" : "caddy")
                        + "-denied-styled");
            }
        }

        /** {@code /_mcias/login} through the proxy: the authorization URL and the browser's login cookie. */
        record SignInStarted(String authorize, String state, String loginCookie) {
        }

        SignInStarted startSignIn(Site site) throws Exception {
            RawHttp.Response r = site.get("/_mcias/login?rd=" + URLEncoder.encode(site.url("x"), StandardCharsets.UTF_8));
            assertEquals(302, r.status(), r.toString());
            String location = r.header("Location");
            java.util.regex.Matcher state = java.util.regex.Pattern.compile("[?&]state=([^&]+)").matcher(location);
            assertTrue(state.find(), location);
            String cookie = r.all("Set-Cookie").stream().filter(c -> c.startsWith("mcias_fa_login="))
                    .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
            return new SignInStarted(location, state.group(1), cookie);
        }

        /** Keycloak's login form for a started sign-in, posted as {@code friend}: the code it redirects with. */
        String codeFor(SignInStarted started, Friend friend) {
            BrowserFormLogin.Outcome o = BrowserFormLogin.loginAt(started.authorize(), null, friend.name(),
                    RealmFixtures.DEFAULT_PASSWORD);
            assertTrue(o.gotCode(), o.status() + " " + o.location());
            return o.code();
        }

        RawHttp.Response callback(Site site, String state, String code, String... headers) throws Exception {
            return site.get("/_mcias/callback?state=" + URLEncoder.encode(state, StandardCharsets.UTF_8) + "&code="
                    + URLEncoder.encode(code, StandardCharsets.UTF_8), headers);
        }

        static void assertRefusedWithoutCookie(RawHttp.Response r, String what) {
            assertEquals(400, r.status(), what + ": " + r);
            assertTrue(r.all("Set-Cookie").stream().noneMatch(c -> c.startsWith("mcias_fa=")
                    || c.startsWith("__Host-mcias_fa=")), what + ": " + r);
        }

        @Test
        void aCallbackFinishesOnlyTheSignInThisBrowserStartedWithItsOwnCode() throws Exception {
            Site site = site();
            Friend attacker = member(site, other());
            SignInStarted one = startSignIn(site);
            SignInStarted two = startSignIn(site);
            String code = codeFor(one, attacker);

            // Login CSRF: the attacker's code and state, in a browser that did not start that sign-in.
            assertRefusedWithoutCookie(callback(site, one.state(), code), "no login cookie");
            assertRefusedWithoutCookie(callback(site, one.state(), code, "Cookie", two.loginCookie()),
                    "another sign-in's login cookie");
            // The right state and cookie, but a code nobody issued, or another app's.
            assertRefusedWithoutCookie(callback(site, one.state(), "forged." + code, "Cookie", one.loginCookie()),
                    "forged code");
            SignInStarted atOther = startSignIn(other());
            assertRefusedWithoutCookie(callback(site, one.state(), codeFor(atOther, attacker), "Cookie",
                    one.loginCookie()), "another app's code");
            // This app's code with the state and cookie of another sign-in: its PKCE verifier does not match.
            assertRefusedWithoutCookie(callback(site, two.state(), code, "Cookie", two.loginCookie()),
                    "the code of another sign-in");

            // A sign-in finished by its own browser sets the app cookie, once.
            SignInStarted three = startSignIn(site);
            String good = codeFor(three, attacker);
            RawHttp.Response ok = callback(site, three.state(), good, "Cookie", three.loginCookie());
            assertEquals(302, ok.status(), ok.toString());
            assertEquals(site.url("x"), ok.header("Location"));
            assertTrue(ok.all("Set-Cookie").stream().anyMatch(c -> c.startsWith("mcias_fa=") && c.length() > 20),
                    ok.toString());
            assertRefusedWithoutCookie(callback(site, three.state(), good, "Cookie", three.loginCookie()),
                    "the same code again");
            awaitAudit("refused callbacks recorded", "type=CODE_TO_TOKEN_ERROR&client=" + site.clientId(),
                    e -> "forward-auth".equals(e.path("details").path("auth_method").asText()));
        }

        @Test
        void aBearerTokenForTheAppIsCheckedTheSameWayAndNeverRedirected() throws Exception {
            Site site = site();
            Friend friend = member(site, other());
            String forApp = fx.accessToken(site.clientId(), site.secret(), friend.name(), RealmFixtures.DEFAULT_PASSWORD);
            String path = "/api-" + RealmFixtures.unique("p");
            RawHttp.Response ok = site.get(path, "Authorization", "Bearer " + forApp, "Remote-User", "admin");
            assertEquals(200, ok.status(), ok.toString());
            assertEquals(List.of(friend.name()), upstream.seen(path).get("Remote-User"));

            String otherPath = "/api-" + RealmFixtures.unique("p");
            String forOther = fx.accessToken(other().clientId(), other().secret(), friend.name(), RealmFixtures.DEFAULT_PASSWORD);
            for (String bad : List.of("Bearer " + forOther, "Bearer not-a-token",
                    "Bearer " + forApp.substring(0, forApp.length() - 3) + "abc")) {
                RawHttp.Response r = site.get(otherPath, "Authorization", bad);
                assertEquals(403, r.status(), bad + ": " + r);
                assertNull(r.header("Location"));
            }
            // Basic is the app's own business, not a token: without a cookie it is a request to sign in.
            assertSentToSignIn(site, site.get(otherPath, "Authorization", "Basic YWRtaW46YWRtaW4="));
            assertNull(upstream.seen(otherPath));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ThroughNginx extends ThroughAProxy {
        @Override
        Site site() {
            return nginx;
        }

        @Override
        Site other() {
            return caddy;
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ThroughCaddy extends ThroughAProxy {
        @Override
        Site site() {
            return caddy;
        }

        @Override
        Site other() {
            return nginx;
        }
    }

    // ---- the CLI: the doc's commands against this server

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenTheCli {

        Path home;

        @BeforeAll
        void login() throws Exception {
            home = Files.createTempDirectory(Files.createDirectories(
                    Path.of("target/it-work/forward-auth-" + server.database()).toAbsolutePath()), "mciasctl-");
            String cli = AUDIT_CLIENT + "-" + server.database();
            JsonNode t = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of(
                    "grant_type", "password", "client_id", cli, "username", auditor,
                    "password", RealmFixtures.DEFAULT_PASSWORD, "scope", "openid")).expect(200).json();
            new SessionStore(home.resolve("mciasctl")).save("default", new Session(server.baseUrl(),
                    KeycloakServer.REALM, cli, auditor, t.path("refresh_token").asText(),
                    t.path("access_token").asText(),
                    java.time.Instant.now().getEpochSecond() + t.path("expires_in").asLong()));
        }

        Run.Result mciasctl(List<String> args) {
            assertEquals("mciasctl", args.get(0), args.toString());
            return Run.run(Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString()), null,
                    args.subList(1, args.size()).toArray(String[]::new));
        }

        /** The doc's command with its app name and URL replaced, and the doc's block for the same app. */
        List<String> docCommand(String name, String url) throws Exception {
            return docLine("mciasctl apps add friends-wiki --forward-auth", "friends-wiki", name, url);
        }

        String docBlock(String kind, String name, String host) throws Exception {
            return DocBlocks.substitute(DocBlocks.block(DOC, TAG, kind), Map.of(
                    "https://id.example.org", server.baseUrl(), "friends-wiki", name,
                    "wiki.example.org {", "http://" + host + " {", "wiki.example.org", host.split(":")[0]));
        }

        @Test
        void appsAddPrintsTheDocsSnippetAndCreatesTheForwardAuthClient() throws Exception {
            String name = RealmFixtures.unique("fa-cli");
            String host = name + ".localhost:8081";
            Run.Result added = mciasctl(docCommand(name, "http://" + host));
            assertEquals(0, added.code(), added.toString());
            assertEquals(docBlock("nginx", name, host), added.out());
            JsonNode rep = api.get(api.adminRealmUrl("/clients?clientId=" + name), api.adminToken()).expect(200)
                    .json().get(0);
            assertEquals("http://" + host + "/", rep.path("attributes").path("mcias.forward-auth.url").asText());
            assertEquals("[\"http://" + host + "/_mcias/callback\"]", rep.path("redirectUris").toString());
            assertFalse(rep.path("publicClient").asBoolean());
            // members-only without being asked: an open forward-auth app would admit every user of the realm
            assertEquals("true", rep.path("attributes").path("mcias.members-only").asText());
            assertEquals("app:" + name, rep.path("attributes").path("mcias.access-role").asText());
            assertFalse(added.out().contains(rep.path("secret").asText("no-secret-shown")), "no secret printed");

            Run.Result snippet = mciasctl(List.of("mciasctl", "apps", "snippet", name, "--proxy", "caddy"));
            assertEquals(0, snippet.code(), snippet.toString());
            assertEquals(docBlock("caddy", name, host), snippet.out());
        }

        /** The doc's command line starting with {@code prefix}. */
        String docLine(String prefix) throws Exception {
            String text = java.nio.file.Files.readString(DocBlocks.DOCS.resolve(DOC));
            return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        }

        /** The doc's command starting with {@code prefix}, its example app and URL replaced. */
        List<String> docLine(String prefix, String app, String name, String url) throws Exception {
            return DocBlocks.commands(DocBlocks.substitute(docLine(prefix), Map.of(app, name,
                    "https://" + app.substring("friends-".length()) + ".example.org", url))).get(0);
        }

        /** A proxy started with the snippet the CLI printed; only the app's address (the echo upstream) replaced. */
        Site proxied(String name, String host, String kind, String snippet) throws Exception {
            String upstreamHost = upstream.url().substring("http://".length());
            String config = snippet.replace("proxy_pass http://127.0.0.1:8080;", "proxy_pass " + upstream.url() + ";")
                    .replace("reverse_proxy 127.0.0.1:8080", "reverse_proxy " + upstreamHost);
            Path dir = Files.createTempDirectory(home, kind + "-");
            int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
            ForwardAuthProxy proxy = kind.equals("nginx") ? ForwardAuthProxy.nginx(dir, port, config)
                    : ForwardAuthProxy.caddy(dir, port, config);
            started.add(proxy);
            return new Site(name, null, host, proxy, kind.equals("nginx"));
        }

        /** Signs in through the site in Chromium and returns the app cookie. */
        String signedIn(Site site, Friend friend) throws Exception {
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(site.url("start"));
                b.awaitPage("login-login");
                b.type("#username", friend.name());
                b.type("#password", RealmFixtures.DEFAULT_PASSWORD);
                b.clickAndWait("#kc-login");
                awaitApp(b, site, "start");
                return appCookie(b, site);
            }
        }

        /** The app was sent a valid access token of its own for the friend: userinfo answers with it. */
        void assertTokenOfTheApp(Map<String, List<String>> seen, Site site, Friend friend) {
            List<String> authorization = seen.get("Authorization");
            assertEquals(1, authorization == null ? 0 : authorization.size(), String.valueOf(seen));
            assertTrue(authorization.get(0).startsWith("Bearer "), authorization.get(0));
            String token = authorization.get(0).substring("Bearer ".length());
            assertEquals(site.clientId(), dev.mcias.keycloak.it.support.Jwt.parse(token).claims.path("azp").asText());
            JsonNode me = api.get(api.realmUrl("/protocol/openid-connect/userinfo"), token).expect(200).json();
            assertEquals(friend.name(), me.path("preferred_username").asText());
        }

        @Test
        void anAppWithItsOwnHeaderNamesAndATokenGetsExactlyThoseThroughNginxAndCaddy() throws Exception {
            // nginx: the doc's apps add with --header and --pass-token, and the snippet it prints.
            String grafana = RealmFixtures.unique("fa-named");
            String grafanaHost = grafana + ".localhost:" + ApacheOidcApp.freePort();
            Run.Result added = mciasctl(docLine("mciasctl apps add friends-grafana", "friends-grafana", grafana,
                    "http://" + grafanaHost));
            assertEquals(0, added.code(), added.toString());
            Site viaNginx = proxied(grafana, grafanaHost, "nginx", added.out());
            // Caddy: a plain app changed by the doc's apps update, then its snippet printed again.
            String wiki = RealmFixtures.unique("fa-named");
            String wikiHost = wiki + ".localhost:" + ApacheOidcApp.freePort();
            assertEquals(0, mciasctl(docCommand(wiki, "http://" + wikiHost)).code());
            Run.Result updated = mciasctl(docLine("mciasctl apps update friends-wiki", "friends-wiki", wiki, ""));
            assertEquals(0, updated.code(), updated.toString());
            Run.Result shown = mciasctl(List.of("mciasctl", "apps", "show", wiki, "-o", "json"));
            assertEquals("user=Remote-User email=Remote-Email name=Remote-Name groups=X-Wiki-Groups",
                    KeycloakApi.JSON.readTree(shown.out()).path("forward_auth_headers").asText(), shown.toString());
            Run.Result snippet = mciasctl(List.of("mciasctl", "apps", "snippet", wiki, "--proxy", "caddy"));
            Site viaCaddy = proxied(wiki, wikiHost, "caddy", snippet.out());

            Friend friend = member(viaNginx, viaCaddy);
            String group = RealmFixtures.unique("fa-group");
            fx.addToGroup(friend.id(), group);

            String cookie = signedIn(viaNginx, friend);
            String path = "/named-" + RealmFixtures.unique("p");
            assertEquals(200, viaNginx.get(path, "Cookie", "mcias_fa=" + cookie, "X-Webauth-User", "admin",
                    "Authorization", "Basic YWRtaW46YWRtaW4=").status());
            Map<String, List<String>> seen = upstream.seen(path);
            assertEquals(List.of(friend.name()), seen.get("X-Webauth-User"));
            assertEquals(List.of(group), seen.get("Remote-Groups"));
            assertTokenOfTheApp(seen, viaNginx, friend);

            cookie = signedIn(viaCaddy, friend);
            path = "/named-" + RealmFixtures.unique("p");
            assertEquals(200, viaCaddy.get(path, "Cookie", "mcias_fa=" + cookie, "X-Wiki-Groups", "admins",
                    "X_Wiki_Groups", "admins", "Authorization", "Basic YWRtaW46YWRtaW4=").status());
            seen = upstream.seen(path);
            assertEquals(List.of(friend.name()), seen.get("Remote-User"));
            assertEquals(List.of(group), seen.get("X-Wiki-Groups"));
            assertNull(seen.get("X_Wiki_Groups"));
            assertNull(seen.get("Remote-Groups"));
            assertTokenOfTheApp(seen, viaCaddy, friend);
        }

        @Test
        void appsSharingACookieDomainAdmitAMemberSignedInAtOneOfThemWithoutASignIn() throws Exception {
            String domain = RealmFixtures.unique("fa-dom") + ".localhost";
            Map<String, Site> sites = new java.util.LinkedHashMap<>();
            for (String which : List.of("a", "b", "c")) {
                String name = RealmFixtures.unique("fa-dom-" + which);
                String host = which + "." + domain + ":" + ApacheOidcApp.freePort();
                // a and b by the doc's command with --cookie-domain; c is an app of the same domain without it
                List<String> add = which.equals("c") ? docCommand(name, "http://" + host)
                        : DocBlocks.commands(DocBlocks.substitute(docLine("mciasctl apps add friends-photos"),
                                Map.of("friends-photos", name, "https://photos.example.org", "http://" + host,
                                        "example.org", domain))).get(0);
                Run.Result added = mciasctl(add);
                assertEquals(0, added.code(), added.toString());
                sites.put(which, proxied(name, host, "nginx", added.out()));
            }
            Site a = sites.get("a");
            Site b = sites.get("b");
            Site c = sites.get("c");
            Friend friend = member(a, b, c);
            Friend stranger = member(a);

            String cookie;
            try (Browser br = new Browser(Browser.DESKTOP)) {
                signIn(br, a, "start", friend);
                Cookie shared = br.driver().manage().getCookieNamed("mcias_fa_d");
                assertNotNull(shared, "the shared cookie");
                assertTrue(shared.isHttpOnly());
                assertEquals(domain, shared.getDomain().replaceFirst("^\\.", ""));
                cookie = shared.getValue();
                // b, in the same browser: the app at once, through no sign-in.
                br.open(b.url("next"));
                awaitApp(br, b, "next");
                assertEquals(friend.name(), br.find("#remote-user").getText());
            }
            String path = "/shared-" + RealmFixtures.unique("p");
            RawHttp.Response atB = b.get(path, "Cookie", "mcias_fa_d=" + cookie);
            assertEquals(200, atB.status(), atB.toString());
            assertEquals(List.of(friend.name()), upstream.seen(path).get("Remote-User"));
            awaitAudit("the first admission at b recorded", "type=LOGIN&client=" + b.clientId(),
                    e -> friend.id().equals(e.path("user_id").asText())
                            && domain.equals(e.path("details").path("cookie_domain").asText()));

            // b made to want a token (asked directly, as its snippet has no token lines): one of b's, for the
            // client session its first admission created.
            assertEquals(0, mciasctl(List.of("mciasctl", "apps", "update", b.clientId(), "--pass-token", "true"))
                    .code());
            RawHttp.Response direct = check(KeycloakServer.REALM, "?proxy=nginx", "X-Forwarded-Proto", "http",
                    "X-Forwarded-Host", b.host(), "X-Forwarded-Uri", "/t", "X-Forwarded-Method", "GET",
                    "X-Mcias-App", b.clientId(), "Cookie", "mcias_fa_d=" + cookie);
            assertEquals(200, direct.status(), direct.toString());
            assertTokenOfTheApp(Map.of("Authorization", direct.all("Authorization")), b, friend);

            // An app of the domain that does not share the cookie ignores it.
            String atC = "/c-" + RealmFixtures.unique("p");
            assertSentToSignIn(c, c.get(atC, "Cookie", "mcias_fa_d=" + cookie));
            assertNull(upstream.seen(atC));

            // Signed in at a, not a member of b: b's no-access page, never b.
            String strangers;
            try (Browser br = new Browser(Browser.DESKTOP)) {
                signIn(br, a, "start", stranger);
                strangers = br.driver().manage().getCookieNamed("mcias_fa_d").getValue();
            }
            String refused = "/stranger-" + RealmFixtures.unique("p");
            RawHttp.Response denied = b.get(refused, "Cookie", "mcias_fa_d=" + strangers);
            assertEquals(403, denied.status(), denied.toString());
            assertTrue(denied.body().contains("mcias-app-access-denied"), denied.body());
            assertNull(upstream.seen(refused));

            // Logout at b clears the shared cookie and ends the sign-in it came from: a copy is worthless at a too.
            RawHttp.Response out = b.get("/_mcias/logout", "Cookie", "mcias_fa_d=" + cookie);
            assertEquals(200, out.status(), out.toString());
            assertTrue(out.all("Set-Cookie").stream().anyMatch(v -> v.startsWith("mcias_fa_d=;")
                    && v.contains("Max-Age=0") && v.contains("Domain=" + domain)), out.toString());
            String after = "/after-" + RealmFixtures.unique("p");
            assertSentToSignIn(a, a.get(after, "Cookie", "mcias_fa_d=" + cookie));
            assertSentToSignIn(b, b.get(after, "Cookie", "mcias_fa_d=" + cookie));
            assertNull(upstream.seen(after));
        }

        @Test
        void anAppThatIsNotForwardAuthOrUnknownHasNoSnippet() {
            Run.Result unknown = mciasctl(List.of("mciasctl", "apps", "snippet", RealmFixtures.unique("none"),
                    "--proxy", "nginx"));
            assertEquals(4, unknown.code(), unknown.toString());
            Run.Result notFa = mciasctl(List.of("mciasctl", "apps", "snippet", AUDIT_CLIENT + "-" + server.database(),
                    "--proxy", "nginx"));
            assertEquals(2, notFa.code(), notFa.toString());
        }
    }

    // ---- what a valid cookie is worth once its session, realm or key is gone (Keycloak decides, so nginx only)

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenAValidCookie {

        Friend friend;
        String cookie;

        @BeforeAll
        void signedIn() throws Exception {
            friend = member(nginx);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                signIn(b, nginx, "start", friend);
                cookie = appCookie(b, nginx);
            }
        }

        boolean admitted(String value) throws Exception {
            String path = "/valid-" + RealmFixtures.unique("p");
            RawHttp.Response r = nginx.get(path, "Cookie", "mcias_fa=" + value);
            if (r.status() == 200) {
                assertEquals(List.of(friend.name()), upstream.seen(path).get("Remote-User"));
                return true;
            }
            assertSentToSignIn(nginx, r);
            assertNull(upstream.seen(path));
            return false;
        }

        /** Keycloak's check asked directly, as nginx's snippet would ask it, in {@code realm}. */
        RawHttp.Response checkIn(String realm, String value) throws Exception {
            return check(realm, "", "X-Forwarded-Proto", "http", "X-Forwarded-Host", nginx.host(),
                    "X-Forwarded-Uri", "/", "X-Mcias-App", nginx.clientId(), "Cookie", "mcias_fa=" + value);
        }

        static String b64(String json) {
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        }

        @Test
        void itIsWorthlessWithAnotherAlgorithmOrNoSignature() throws Exception {
            assertTrue(admitted(cookie));
            String[] parts = cookie.split("\\.");
            JsonNode header = KeycloakApi.JSON.readTree(java.util.Base64.getUrlDecoder().decode(parts[0]));
            String kid = header.path("kid").asText();
            for (String alg : List.of("none", "HS256", "RS256", "EdDSA")) {
                String forged = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}")
                        + "." + parts[1] + "." + (alg.equals("none") ? "" : parts[2]);
                assertFalse(admitted(forged), alg);
            }
            assertFalse(admitted(parts[0] + "." + parts[1] + "."), "signature dropped");
            assertTrue(admitted(cookie), "the real one still is");
        }

        @Test
        void itIsWorthlessInAnotherRealmWithAnAppOfTheSameNameAndUrl() throws Exception {
            String other = RealmFixtures.unique("fa-realm");
            api.postJson(api.url("/admin/realms"), api.adminToken(), Map.of("realm", other, "enabled", true))
                    .expect(201);
            try {
                api.postJson(api.url("/admin/realms/" + other + "/clients"), api.adminToken(), Map.of(
                        "clientId", nginx.clientId(), "enabled", true, "publicClient", false,
                        "standardFlowEnabled", true, "redirectUris", List.of("http://" + nginx.host() + "/_mcias/callback"),
                        "attributes", Map.of("mcias.forward-auth.url", nginx.home()))).expect(201);
                assertEquals(200, checkIn(KeycloakServer.REALM, cookie).status(), "the direct call is right");
                RawHttp.Response there = checkIn(other, cookie);
                assertEquals(302, there.status(), there.toString());
                assertTrue(there.header("Location").contains("/_mcias/login?rd="), there.toString());
                assertNull(there.header("Remote-User"));
            } finally {
                api.delete(api.url("/admin/realms/" + other), api.adminToken()).expect(204);
            }
        }

        @Test
        void aNewKeySignsNobodyOutAndDisablingTheOldOneSignsOutWhatItSigned() throws Exception {
            assertTrue(admitted(cookie));
            String realmId = api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json().path("id").asText();
            String kid = KeycloakApi.JSON.readTree(java.util.Base64.getUrlDecoder().decode(cookie.split("\\.")[0]))
                    .path("kid").asText();
            JsonNode keys = api.get(api.adminRealmUrl("/keys"), api.adminToken()).expect(200).json().path("keys");
            String oldId = null;
            for (JsonNode k : keys) {
                if (kid.equals(k.path("kid").asText())) {
                    oldId = k.path("providerId").asText();
                }
            }
            assertNotNull(oldId, "the key that signed the cookie: " + keys);
            JsonNode old = api.get(api.adminRealmUrl("/components/" + oldId), api.adminToken()).expect(200).json();
            KeycloakApi.Response created = api.postJson(api.adminRealmUrl("/components"), api.adminToken(), Map.of(
                    "name", RealmFixtures.unique("it-rotated"), "providerId", old.path("providerId").asText(),
                    "providerType", "org.keycloak.keys.KeyProvider", "parentId", realmId,
                    "config", Map.of("priority", List.of("1000000"),
                            "algorithm", List.of(old.path("config").path("algorithm").path(0).asText("HS512")))))
                    .expect(201);
            String location = created.headers().firstValue("Location").orElseThrow();
            String newId = location.substring(location.lastIndexOf('/') + 1);
            try {
                assertTrue(admitted(cookie), "a new key with a higher priority signs nobody out");
                putKeyConfig(old, "active", "false");
                assertTrue(admitted(cookie), "a passive key still verifies what it signed");
                putKeyConfig(old, "enabled", "false");
                assertFalse(admitted(cookie), "a disabled key verifies nothing");
            } finally {
                putKeyConfig(old, "active", "true");
                putKeyConfig(old, "enabled", "true");
                api.delete(api.adminRealmUrl("/components/" + newId), api.adminToken()).expect(204);
            }
            assertTrue(admitted(cookie), "the old key back, its cookie verifies again");
        }

        void putKeyConfig(JsonNode component, String key, String value) {
            com.fasterxml.jackson.databind.node.ObjectNode rep = component.deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) rep.path("config")).putArray(key).add(value);
            api.putJson(api.adminRealmUrl("/components/" + component.path("id").asText()), api.adminToken(), rep)
                    .expect(204);
            ((com.fasterxml.jackson.databind.node.ObjectNode) component.path("config")).putArray(key).add(value);
        }

        /** What an outsider can compare of two answers: everything but the date. */
        static String shape(RawHttp.Response r) {
            java.util.TreeMap<String, List<String>> h = new java.util.TreeMap<>(r.headers());
            h.remove("date");
            return r.status() + " " + h + " " + r.body();
        }

        @Test
        void everyCookieThatDoesNotAdmitGetsTheSameAnswerWhoseverItWas() throws Exception {
            assertEquals(200, checkIn(KeycloakServer.REALM, cookie).status());
            String[] parts = cookie.split("\\.");
            Map<String, String> refused = new java.util.LinkedHashMap<>();
            refused.put("tampered", parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse());
            refused.put("unsigned", b64("{\"alg\":\"none\"}") + "." + parts[1] + ".");
            refused.put("garbage", "x");
            Friend disabled = member(nginx);
            Friend loggedOut = member(nginx);
            for (Friend f : List.of(disabled, loggedOut)) {
                try (Browser b = new Browser(Browser.DESKTOP)) {
                    signIn(b, nginx, "shape", f);
                    refused.put(f == disabled ? "disabled user" : "ended session", appCookie(b, nginx));
                }
            }
            api.putJson(api.adminRealmUrl("/users/" + disabled.id()), api.adminToken(), Map.of("enabled", false))
                    .expect(204);
            api.postJson(api.adminRealmUrl("/users/" + loggedOut.id() + "/logout"), api.adminToken(), Map.of())
                    .expect(204);
            String expected = null;
            for (Map.Entry<String, String> e : refused.entrySet()) {
                RawHttp.Response r = checkIn(KeycloakServer.REALM, e.getValue());
                assertEquals(302, r.status(), e.getKey() + ": " + r);
                expected = expected == null ? shape(r) : expected;
                assertEquals(expected, shape(r), e.getKey());
            }
            // Without any cookie, nothing to clear; otherwise the same redirect.
            RawHttp.Response none = check(KeycloakServer.REALM, "", "X-Forwarded-Proto", "http", "X-Forwarded-Host",
                    nginx.host(), "X-Forwarded-Uri", "/", "X-Mcias-App", nginx.clientId());
            assertEquals(302, none.status());
            assertEquals(checkIn(KeycloakServer.REALM, "x").header("Location"), none.header("Location"));
        }

        @Test
        void itEndsWithItsSessionEndedByAnAdminOrExpired() throws Exception {
            Friend other = member(nginx);
            String lifespan = "ssoSessionMaxLifespan";
            int before = api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json().path(lifespan).asInt();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                signIn(b, nginx, "first", other);
                String first = appCookie(b, nginx);
                assertEquals(200, nginx.get("/first-ok", "Cookie", "mcias_fa=" + first).status());
                api.postJson(api.adminRealmUrl("/users/" + other.id() + "/logout"), api.adminToken(), Map.of())
                        .expect(204);
                assertSentToSignIn(nginx, nginx.get("/after-admin-" + RealmFixtures.unique("p"),
                        "Cookie", "mcias_fa=" + first));

                // SSO sessions that live 15 s: the cookie is admitted until its session expires, never after.
                api.putJson(api.adminRealmUrl(""), api.adminToken(), Map.of(lifespan, 15)).expect(204);
                b.driver().manage().deleteAllCookies();
                signIn(b, nginx, "second", other);
                String second = appCookie(b, nginx);
                Await.until("the expired session refused", Duration.ofSeconds(90), () -> {
                    RawHttp.Response r = nginx.get("/expiring", "Cookie", "mcias_fa=" + second);
                    return r.status() == 302;
                });
                String path = "/expired-" + RealmFixtures.unique("p");
                assertSentToSignIn(nginx, nginx.get(path, "Cookie", "mcias_fa=" + second));
                assertNull(upstream.seen(path));
            } finally {
                api.putJson(api.adminRealmUrl(""), api.adminToken(), Map.of(lifespan, before)).expect(204);
            }
        }
    }

    // ---- bad requests, whoever sends them

    @Nested
    class GivenBadForwardedRequests {

        RawHttp.Response check(String query, String... headers) throws Exception {
            return ForwardAuthIT.this.check(KeycloakServer.REALM, query, headers);
        }

        @Test
        void anUnknownHostIsRefusedNeverAllowed() throws Exception {
            assertEquals(403, check("", "X-Forwarded-Proto", "http", "X-Forwarded-Host", "unknown.localhost:1",
                    "X-Forwarded-Uri", "/").status());
            // the registered host on another scheme or port is another site
            String host = nginx.host();
            assertEquals(403, check("", "X-Forwarded-Proto", "https", "X-Forwarded-Host", host,
                    "X-Forwarded-Uri", "/").status());
            RawHttp.Response viaNginx = nginx.proxy().get("unknown.localhost", "/x", List.of());
            assertEquals(403, viaNginx.status(), viaNginx.toString());
            assertNull(upstream.seen("/x"));
        }

        @Test
        void malformedForwardedHeadersAreA400AndA403ForNginx() throws Exception {
            String host = nginx.host();
            List<String[]> cases = List.of(
                    new String[] {"X-Forwarded-Proto", "http"},
                    new String[] {"X-Forwarded-Host", "a b"},
                    new String[] {"X-Forwarded-Host", host + ", evil.localhost"},
                    new String[] {"X-Forwarded-Uri", "/a/../admin"},
                    new String[] {"X-Forwarded-Uri", "/a/%2e%2e/admin"},
                    new String[] {"X-Forwarded-Uri", "http://evil.example/"},
                    new String[] {"X-Forwarded-Uri", "/a\tb"},
                    new String[] {"X-Forwarded-Uri", "/" + "a".repeat(5000)});
            for (String[] bad : cases) {
                List<String> headers = new ArrayList<>(List.of("X-Forwarded-Proto", "http", "X-Forwarded-Host", host,
                        "X-Forwarded-Uri", "/"));
                int at = headers.indexOf(bad[0]);
                headers.set(at + 1, bad[1]);
                if (bad[0].equals("X-Forwarded-Proto")) {
                    headers = headers.subList(0, 4); // and no URI at all
                }
                String[] h = headers.toArray(String[]::new);
                RawHttp.Response r = check("", h);
                assertEquals(400, r.status(), bad[0] + "=" + bad[1] + ": " + r);
                assertEquals(403, check("?proxy=nginx", h).status(), bad[0] + "=" + bad[1]);
            }
            RawHttp.Response twice = check("", "X-Forwarded-Proto", "http", "X-Forwarded-Host", host,
                    "X-Forwarded-Host", "evil.localhost", "X-Forwarded-Uri", "/");
            assertEquals(400, twice.status(), twice.toString());
        }

        @Test
        void oversizedHeadersAreRefusedByTheProxyOrKeycloakNever500() throws Exception {
            String big = "a".repeat(70_000);
            RawHttp.Response direct = check("", "X-Forwarded-Proto", "http", "X-Forwarded-Host", nginx.host(),
                    "X-Forwarded-Uri", "/", "Cookie", "mcias_fa=" + big);
            assertTrue(direct.status() >= 400 && direct.status() < 500, direct.toString());
            for (Site s : List.of(nginx, caddy)) {
                // The mid-sized one first: Keycloak closes the connection after refusing a header that is too
                // large, and Caddy 2.6 may send the next check down that pooled connection and answer 502 (seen
                // once in its log: "connection broken: write: broken pipe").
                String mid = "/mid-" + RealmFixtures.unique("p");
                RawHttp.Response m = s.get(mid, "Cookie", "mcias_fa=" + "b".repeat(6000));
                assertFalse(m.status() >= 500, s.host() + ": " + m);
                assertNull(upstream.seen(mid));
                String path = "/big-" + RealmFixtures.unique("p");
                RawHttp.Response r = s.get(path, "Cookie", "mcias_fa=" + big);
                assertTrue(r.status() >= 400 && r.status() < 500 || r.status() == 302, s.host() + ": " + r.status());
                assertNull(upstream.seen(path));
            }
        }
    }
}
