package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.client.Session;
import dev.mcias.client.SessionStore;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.it.support.ApacheOidcApp;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.DocBlocks;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.NimbusOidcApp;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A friend's whole journey through relying parties nobody here wrote, set up only with the commands and the
 * configuration docs/onboarding.md shows (read from the doc, not copied): Debian's Apache httpd with
 * {@code libapache2-mod-auth-openidc}, and a Java app on the Nimbus OAuth 2.0 SDK. Invite link, registration,
 * landing in the app that shows the friend's username and e-mail from its own claims, a token refresh, and the
 * friend's next page load refused within seconds once their access is taken away.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealAppsIT {

    static final String ONBOARDING = "onboarding.md";
    static final String TAG = "RealAppsIT";
    static final String CLI_CLIENT = "it-realapps-cli";
    static final String REFUSED_PAGE = "login-mcias-app-access-denied";
    static final String FRIEND_PASSWORD = "Friend-password-4711-zq";

    KeycloakApi api;
    KeycloakServer server;
    RealmFixtures fx;
    Path home;
    Path work;
    String admin;

    @BeforeAll
    void setUp(KeycloakApi api, KeycloakServer server) throws Exception {
        this.api = api;
        this.server = server;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        // The operator: a realm admin with an mciasctl session, as after `mciasctl login`.
        String uuid = fx.createPasswordGrantClient(CLI_CLIENT, null, Map.of());
        fx.addClientScope(uuid, "mcias-api", true);
        admin = RealmFixtures.unique("rp-admin");
        fx.grantRealmRole(fx.createUser(admin, RealmFixtures.DEFAULT_PASSWORD), "admin");
        work = Path.of("target/it-work/real-apps-" + server.database()).toAbsolutePath();
        Files.createDirectories(work);
        home = Files.createTempDirectory(work, "mciasctl-home-");
        JsonNode t = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "password",
                "client_id", CLI_CLIENT, "username", admin, "password", RealmFixtures.DEFAULT_PASSWORD, "scope", "openid"))
                .expect(200).json();
        new SessionStore(home.resolve("mciasctl")).save("default", new Session(server.baseUrl(), KeycloakServer.REALM,
                CLI_CLIENT, admin, t.path("refresh_token").asText(), t.path("access_token").asText(),
                java.time.Instant.now().getEpochSecond() + t.path("expires_in").asLong()));
    }

    // ---- helpers

    Run.Result mciasctl(List<String> args) {
        assertEquals("mciasctl", args.get(0), "a doc command: " + args);
        Run.Result r = Run.run(new HashMap<>(Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString())), null,
                args.subList(1, args.size()).toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    Run.Result mciasctl(String... args) {
        List<String> all = new ArrayList<>(List.of("mciasctl"));
        all.addAll(List.of(args));
        return mciasctl(all);
    }

    /** The one command of a doc block, with the doc's example hosts replaced by the test's. */
    List<String> docCommand(String block, Map<String, String> hosts) throws Exception {
        List<List<String>> commands = DocBlocks.commands(DocBlocks.substitute(DocBlocks.block(ONBOARDING, TAG, block), hosts));
        assertEquals(1, commands.size(), block + ": " + commands);
        return commands.get(0);
    }

    /** The value of {@code KEY=value} on a line of its own. */
    static String line(Run.Result r, String key) {
        return r.out().lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " line:\n" + r));
    }

    static String link(Run.Result invite) {
        return invite.out().lines().map(String::trim).filter(l -> l.startsWith("http") && l.contains("invite="))
                .findFirst().orElseThrow(() -> new AssertionError("no link:\n" + invite));
    }

    JsonNode client(String clientId) {
        JsonNode found = api.get(api.adminRealmUrl("/clients?clientId=" + clientId), api.adminToken()).expect(200).json();
        assertEquals(1, found.size(), clientId);
        return found.get(0);
    }

    String userId(String username) {
        return api.get(api.adminRealmUrl("/users?exact=true&username=" + username), api.adminToken()).expect(200).json()
                .get(0).path("id").asText();
    }

    List<JsonNode> audit(String query) {
        String bearer = fx.accessToken(CLI_CLIENT, null, admin, RealmFixtures.DEFAULT_PASSWORD);
        List<JsonNode> out = new ArrayList<>();
        api.get(api.realmUrl("/audit/events?limit=200&" + query), bearer).expect(200).json().path("events").forEach(out::add);
        return out;
    }

    String shot(String name) {
        return "real-apps-" + server.database() + "-" + name;
    }

    /** The invite page in Chromium: the friend registers and is sent on to the app. */
    String register(Browser b, String link, String prefix) {
        String friend = RealmFixtures.unique(prefix);
        b.open(link);
        b.awaitPage("login-mcias-invite-register");
        b.screenshot(shot(prefix + "-01-invite"));
        b.type("#username", friend);
        b.type("#email", friend + "@example.test");
        b.type("#firstName", "Friend");
        b.type("#lastName", "Invited");
        b.type("#password", FRIEND_PASSWORD);
        b.type("#password-confirm", FRIEND_PASSWORD);
        b.clickAndWait("#mcias-invite-submit");
        return friend;
    }

    /** The app's page, once the browser is on {@code url} and the app rendered the user. */
    void awaitSignedInAt(Browser b, String url, String friend) throws Exception {
        Await.until("signed in at " + url + " (now at " + b.driver().getCurrentUrl() + ", page " + b.pageId() + ")",
                Duration.ofSeconds(30), () -> b.driver().getCurrentUrl().startsWith(url) && b.present("#username"));
        assertEquals(friend, b.find("#username").getText());
        assertEquals(friend + "@example.test", b.find("#email").getText());
    }

    /**
     * After the access role is taken away, the app's next page load sends the friend to MCIAS, which refuses them.
     * The back-channel logout ran before the command returned, so the first load already leaves the app. An app
     * that also revokes its tokens at a back-channel logout (mod_auth_openidc does) ends the SSO session with its
     * last client session: then MCIAS asks for the password first, and refuses after it.
     */
    void assertRefusedAtNextLoad(Browser b, String appPage, String friend) throws Exception {
        b.open(appPage);
        Await.until("MCIAS's sign-in or refusal page (at " + b.driver().getCurrentUrl() + ")", Duration.ofSeconds(20),
                () -> REFUSED_PAGE.equals(b.pageId()) || "login-login".equals(b.pageId()));
        if ("login-login".equals(b.pageId())) {
            b.type("#username", friend);
            b.type("#password", FRIEND_PASSWORD);
            b.clickAndWait("#kc-login");
        }
        b.awaitPage(REFUSED_PAGE);
        assertFalse(b.present("#access-token"), "no app page");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- the journeys

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ApacheWithModAuthOpenidc {

        @Test
        void aFriendIsInvitedLandsInTheAppAndIsRefusedAtOnceWhenAccessIsTakenAway() throws Exception {
            int port = ApacheOidcApp.freePort();
            String site = "http://127.0.0.1:" + port;
            Map<String, String> hosts = Map.of("https://id.example.org", server.baseUrl(), "https://wiki.example.org", site);

            Run.Result added = mciasctl(docCommand("apache-add", hosts));
            String secret = line(added, "OIDC_CLIENT_SECRET");
            JsonNode rep = client("friends-wiki");
            assertEquals("RS256", rep.path("attributes").path("id.token.signed.response.alg").asText(), rep.toString());
            assertEquals("RS256", rep.path("attributes").path("access.token.signed.response.alg").asText());
            assertEquals(site + "/private/redirect_uri?logout=backchannel",
                    rep.path("attributes").path("backchannel.logout.url").asText());
            assertEquals(site + "/private/", rep.path("baseUrl").asText());

            String config = DocBlocks.substitute(DocBlocks.block(ONBOARDING, TAG, "apache-config"), Map.of(
                    "https://id.example.org", server.baseUrl(), "https://wiki.example.org", site,
                    "<the secret apps add printed>", secret,
                    "<a random string: openssl rand -hex 32>", HexFormat.of().formatHex(new SecureRandom().generateSeed(32))));
            try (ApacheOidcApp apache = ApacheOidcApp.start(work.resolve("apache-" + port), port, config);
                 Browser b = new Browser(Browser.DESKTOP)) {
                String link = link(mciasctl(docCommand("invite", hosts)));
                String friend = register(b, link, "apache-friend");
                try {
                    awaitSignedInAt(b, site + "/private/", friend);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nmod_auth_openidc log:\n" + apache.errorLog(), e);
                }
                assertEquals(friend, b.find("#remote-user").getText());
                b.screenshot(shot("apache-02-app-desktop"));
                b.resize(Browser.PHONE);
                b.screenshot(shot("apache-02-app-phone"));
                b.resize(Browser.DESKTOP);
                Jwt access = Jwt.parse(b.find("#access-token").getText());
                assertEquals("RS256", access.header.path("alg").asText());
                assertEquals("friends-wiki", access.claims.path("azp").asText());

                // mod_auth_openidc's refresh endpoint runs the refresh grant and returns to the page with new tokens.
                String before = b.find("#access-token").getText();
                b.open(apache.url("/private/redirect_uri?refresh=" + enc(apache.url("/private/")) + "&access_token="
                        + before));
                Await.until("a refreshed access token", Duration.ofSeconds(20),
                        () -> b.present("#access-token") && !before.equals(b.find("#access-token").getText()));
                assertEquals(friend, b.find("#username").getText());
                String userId = userId(friend);
                assertFalse(audit("type=REFRESH_TOKEN&client=friends-wiki&user=" + userId).isEmpty());

                // Access taken away, as docs/onboarding.md says: back-channel logout ends the Apache session.
                mciasctl("users", "roles", "remove", friend, "app:friends-wiki");
                assertRefusedAtNextLoad(b, apache.url("/private/"), friend);
                b.screenshot(shot("apache-03-refused-desktop"));
                assertTrue(b.driver().getPageSource().contains("friends"), "the refusal names the app");
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class JavaAppOnTheNimbusSdk {

        @Test
        void aFriendIsInvitedLandsInTheAppRefreshesAndIsLoggedOutByTheBackChannel() throws Exception {
            int port = ApacheOidcApp.freePort();
            String site = "http://127.0.0.1:" + port;
            Map<String, String> hosts = Map.of("https://id.example.org", server.baseUrl(), "https://notes.example.org", site);

            Run.Result added = mciasctl(docCommand("generic-add", hosts));
            String secret = line(added, "OIDC_CLIENT_SECRET");
            JsonNode rep = client("notes");
            assertEquals(site + "/", rep.path("baseUrl").asText());
            assertEquals(site + "/backchannel-logout", rep.path("attributes").path("backchannel.logout.url").asText());

            // The doc's invite, for this app.
            List<String> invite = new ArrayList<>(docCommand("invite", hosts));
            invite.replaceAll(a -> a.replace("friends-wiki", "notes"));
            try (NimbusOidcApp app = NimbusOidcApp.start(port, api.realmUrl(""), "notes", secret,
                    rep.path("attributes").path("id.token.signed.response.alg").asText());
                 Browser b = new Browser(Browser.DESKTOP)) {
                String link = link(mciasctl(invite));
                String friend = register(b, link, "nimbus-friend");
                try {
                    awaitSignedInAt(b, site + "/", friend);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\napp refusals: " + app.refusals, e);
                }
                b.screenshot(shot("nimbus-02-app-desktop"));
                b.resize(Browser.PHONE);
                b.screenshot(shot("nimbus-02-app-phone"));
                b.resize(Browser.DESKTOP);

                b.open(app.url("/refresh"));
                Await.until("the refresh grant", Duration.ofSeconds(10),
                        () -> b.driver().getPageSource().contains("refreshed"));
                assertEquals(List.of(), app.refusals);

                mciasctl("users", "roles", "remove", friend, "app:notes");
                Await.until("a back-channel logout the library accepted (refusals: " + app.refusals + ")",
                        Duration.ofSeconds(20), () -> !app.backchannelLogouts.isEmpty());
                assertRefusedAtNextLoad(b, app.url("/"), friend);
                b.screenshot(shot("nimbus-03-refused-desktop"));
                assertNotEquals(0, app.backchannelLogouts.size());
            }
        }
    }
}
