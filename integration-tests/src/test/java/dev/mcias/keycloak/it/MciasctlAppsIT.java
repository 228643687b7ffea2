package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.client.Session;
import dev.mcias.client.SessionStore;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mciasctl apps add|show|update|list} and the people-readable {@code audit list} against the real server,
 * in-process as in {@link MciasctlIT} (sessions from the password grant of a test client of the same realm).
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MciasctlAppsIT {

    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;
    static final String CLI_CLIENT = "it-mciasctl-apps";

    /** Static: JUnit injects instance {@code @TempDir} fields only after {@code @BeforeAll} of a per-class instance. */
    @TempDir
    static Path tmp;

    KeycloakApi api;
    KeycloakServer server;
    RealmFixtures fx;
    String adminName;
    Path admin;

    @BeforeAll
    void setUp(KeycloakApi api, KeycloakServer server) throws Exception {
        this.api = api;
        this.server = server;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        fx.addClientScope(fx.createPasswordGrantClient(CLI_CLIENT, null, Map.of()), "mcias-api", true);
        adminName = RealmFixtures.unique("apps-admin");
        fx.grantRealmRole(fx.createUser(adminName, PASSWORD), "admin");
        admin = sessionOf(adminName);
    }

    Path sessionOf(String username) throws Exception {
        Path home = Files.createTempDirectory(tmp, "home-");
        JsonNode t = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "password",
                "client_id", CLI_CLIENT, "username", username, "password", PASSWORD, "scope", "openid"))
                .expect(200).json();
        new SessionStore(home.resolve("mciasctl")).save("default", new Session(server.baseUrl(), KeycloakServer.REALM,
                CLI_CLIENT, username, t.path("refresh_token").asText(), t.path("access_token").asText(),
                java.time.Instant.now().getEpochSecond() + t.path("expires_in").asLong()));
        return home;
    }

    Run.Result run(String... args) {
        return Run.run(Map.of("XDG_CONFIG_HOME", admin.toString(), "HOME", admin.toString()), null, args);
    }

    static Run.Result ok(Run.Result r) {
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    static JsonNode json(Run.Result r) {
        try {
            return KeycloakApi.JSON.readTree(r.out());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r, e);
        }
    }

    JsonNode clientRep(String clientId) {
        return api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(clientId)), api.adminToken()).expect(200).json();
    }

    boolean exists(String clientId) {
        return !api.get(api.adminRealmUrl("/clients?clientId=" + clientId), api.adminToken()).expect(200).json()
                .isEmpty();
    }

    /** Exit code 2, one line naming the problem, and no client made. */
    void refused(String errorContains, String name, String... options) {
        List<String> args = new ArrayList<>(List.of("apps", "add", name));
        args.addAll(List.of(options));
        Run.Result r = run(args.toArray(String[]::new));
        assertEquals(2, r.code(), args + "\n" + r);
        assertTrue(r.err().contains(errorContains), args + "\n" + r);
        assertEquals(1, r.err().lines().count(), "one line, no stack trace:\n" + r);
        assertFalse(exists(name), "nothing created: " + args);
    }

    static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(e -> l.add(e.asText()));
        return l;
    }

    // ---- tests

    @Test
    void addWithAHomeUrlAloneIsReadyForInvitesAndSignsWithRs256() throws Exception {
        String name = RealmFixtures.unique("apps-home");
        String url = "https://" + name + ".example.test/";
        Run.Result r = ok(run("apps", "add", name, "--url", url, "--description", "Photos of the family",
                "--display-name", "Family photos"));
        // Standard output is an env file: comments and KEY=VALUE lines; the secret alone on its line.
        for (String line : r.out().lines().toList()) {
            assertTrue(line.startsWith("#") || line.matches("[A-Z_]+=(\\S*|'[^']*')"), "not an env line: " + line + "\n" + r);
        }
        String secretLine = r.out().lines().filter(l -> l.startsWith("OIDC_CLIENT_SECRET=")).findFirst().orElseThrow();
        String secret = secretLine.substring("OIDC_CLIENT_SECRET=".length());
        assertTrue(secret.matches("[A-Za-z0-9]{32,}"), secretLine);
        assertTrue(r.out().contains("\nOIDC_SIGNING_ALG=RS256\n") && r.out().contains("\nOIDC_HOME_URL=" + url + "\n"),
                r.toString());
        assertTrue(r.err().contains("shown once") && !r.err().contains(secret), r.toString());
        assertFalse(r.out().contains("shown once"), r.toString());

        JsonNode rep = clientRep(name);
        assertEquals(url, rep.path("baseUrl").asText());
        assertEquals("", rep.path("rootUrl").asText(""));
        assertEquals(Set.of(url, url + "*"), Set.copyOf(strings(rep.path("redirectUris"))));
        assertEquals("RS256", rep.path("attributes").path("id.token.signed.response.alg").asText());
        assertEquals("RS256", rep.path("attributes").path("access.token.signed.response.alg").asText());
        assertTrue(rep.path("attributes").path("user.info.response.signature.alg").asText("").isEmpty(), rep.toString());
        assertEquals("Family photos", rep.path("name").asText());
        assertEquals("Photos of the family", rep.path("description").asText());
        assertEquals("S256", rep.path("attributes").path("pkce.code.challenge.method").asText());

        // Right away an invite can land there (the server checks the base URL is a valid redirect URI).
        Run.Result invite = ok(run("users", "invite", "--app", name, "--expires", "1h", "-o", "json"));
        assertEquals(name, json(invite).path("app").asText(), invite.toString());

        // A real sign-in: the ID token and the access token are RS256, verifiable by any relying party.
        String user = RealmFixtures.unique("apps-user");
        fx.createUser(user, PASSWORD);
        String redirect = url + "callback";
        BrowserFormLogin.Outcome login = BrowserFormLogin.login(api, name, redirect, user, PASSWORD);
        assertTrue(login.gotCode(), login.toString());
        String basic = Base64.getEncoder().encodeToString((name + ":" + secret).getBytes(StandardCharsets.UTF_8));
        JsonNode tokens = api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic, Map.of(
                "grant_type", "authorization_code", "code", login.code(), "redirect_uri", redirect,
                "code_verifier", login.codeVerifier())).expect(200).json();
        assertEquals("RS256", Jwt.parse(tokens.path("id_token").asText()).header.path("alg").asText());
        assertEquals("RS256", Jwt.parse(tokens.path("access_token").asText()).header.path("alg").asText());

        // -o env: KEY=VALUE lines only.
        Run.Result env = ok(run("apps", "show", name, "-o", "env"));
        for (String line : env.out().lines().toList()) {
            assertTrue(line.matches("[A-Z_]+=(\\S*|'[^']*')"), "not a KEY=VALUE line: " + line + "\n" + env);
        }
        assertTrue(env.out().contains("OIDC_CLIENT_ID=" + name + "\n") && !env.out().contains(secret), env.toString());
    }

    @Test
    void addWithAHomeUrlAndRedirectUrisKeepsThemAndAddsTheHomeUrl() throws Exception {
        String name = RealmFixtures.unique("apps-both");
        String url = "https://" + name + ".example.test/home";
        String cb = "https://" + name + ".example.test/oauth/callback";
        JsonNode c = json(ok(run("apps", "add", name, "--url", url, "--redirect-uri", cb, "--public", "-o", "json")));
        assertEquals(Set.of(cb, url), Set.copyOf(strings(c.path("redirect_uris"))));
        assertEquals(url, c.path("home_url").asText());
        assertEquals("RS256", c.path("signing_alg").asText());
        assertTrue(c.path("public").asBoolean() && !c.has("client_secret"), c.toString());
        JsonNode rep = clientRep(name);
        assertEquals(url, rep.path("baseUrl").asText());
        assertEquals(Set.of(cb, url), Set.copyOf(strings(rep.path("redirectUris"))));
        assertEquals("[\"https://" + name + ".example.test\"]", rep.path("webOrigins").toString());
        assertEquals("RS256", rep.path("attributes").path("access.token.signed.response.alg").asText());
        ok(run("users", "invite", "--app", name));
    }

    @Test
    void signingAlgorithmsNeedAKeyOfTheRealm() throws Exception {
        String ed = RealmFixtures.unique("apps-eddsa");
        JsonNode c = json(ok(run("apps", "add", ed, "--url", "https://" + ed + ".example.test/", "--signing-alg",
                "EdDSA", "-o", "json")));
        assertEquals("EdDSA", c.path("signing_alg").asText());
        assertEquals("EdDSA", clientRep(ed).path("attributes").path("id.token.signed.response.alg").asText());

        // ES256: allowed when the realm has an active ES256 key, else refused naming the key provider to add.
        boolean hasEs256 = false;
        for (JsonNode k : api.get(api.adminRealmUrl("/keys"), api.adminToken()).expect(200).json().path("keys")) {
            hasEs256 |= "ES256".equals(k.path("algorithm").asText()) && "ACTIVE".equals(k.path("status").asText());
        }
        String es = RealmFixtures.unique("apps-es256");
        if (hasEs256) {
            ok(run("apps", "add", es, "--url", "https://" + es + ".example.test/", "--signing-alg", "ES256"));
            assertEquals("ES256", clientRep(es).path("attributes").path("id.token.signed.response.alg").asText());
        } else {
            refused("ecdsa-generated", es, "--url", "https://" + es + ".example.test/", "--signing-alg", "ES256");
        }
    }

    @Test
    void badInputIsExitCode2AndCreatesNothing() {
        String name = RealmFixtures.unique("apps-bad");
        refused("--signing-alg must be one of", name, "--url", "https://a.example.test/", "--signing-alg", "HS256");
        refused("--signing-alg must be one of", name, "--url", "https://a.example.test/", "--signing-alg", "none");
        refused("--url must be an absolute http(s) URL", name, "--url", "ftp://a.example.test/");
        refused("--url must be an absolute http(s) URL", name, "--url", "/relative");
        refused("fragment", name, "--redirect-uri", "https://a.example.test/cb#frag");
        refused("no wildcard in the host", name, "--redirect-uri", "https://*.example.test/cb");
        refused("http(s) URL", name, "--redirect-uri", "javascript:alert(1)");
        refused("--backchannel-logout-url must be an absolute", name, "--url", "https://a.example.test/",
                "--backchannel-logout-url", "/logout");
        refused("--rp must be one of", name, "--url", "https://a.example.test/", "--rp", "oauth2-proxy");
        refused("--url URL", name);
        refused("control characters", name, "--url", "https://a.example.test/", "--description", "a\u001b[31mb");
    }

    @Test
    void modAuthOpenidcGetsBackChannelLogoutAtItsRedirectUri() {
        String name = RealmFixtures.unique("apps-mod");
        String redirect = "https://" + name + ".example.test/protected/redirect_uri";
        Run.Result r = ok(run("apps", "add", name, "--url", "https://" + name + ".example.test/protected/",
                "--redirect-uri", redirect, "--rp", "mod_auth_openidc"));
        assertTrue(r.out().contains("\nOIDC_BACKCHANNEL_LOGOUT_URL=" + redirect + "?logout=backchannel\n"), r.toString());
        JsonNode rep = clientRep(name);
        JsonNode attrs = rep.path("attributes");
        assertEquals(redirect + "?logout=backchannel", attrs.path("backchannel.logout.url").asText());
        assertEquals("true", attrs.path("backchannel.logout.session.required").asText());
        assertEquals("false", attrs.path("backchannel.logout.revoke.offline.tokens").asText());
        assertFalse(rep.path("frontchannelLogout").asBoolean(), rep.toString());
        assertEquals("RS256", attrs.path("id.token.signed.response.alg").asText());

        String explicit = RealmFixtures.unique("apps-bcl");
        ok(run("apps", "add", explicit, "--redirect-uri", "https://" + explicit + ".example.test/cb",
                "--backchannel-logout-url", "https://" + explicit + ".example.test/logout"));
        assertEquals("https://" + explicit + ".example.test/logout",
                clientRep(explicit).path("attributes").path("backchannel.logout.url").asText());
    }

    @Test
    void showUpdateAndList() {
        String name = RealmFixtures.unique("apps-upd");
        String cb = "https://" + name + ".example.test/cb";
        ok(run("apps", "add", name, "--redirect-uri", cb, "--members-only"));
        Run.Result table = ok(run("apps", "show", name));
        assertTrue(table.out().contains("client id:") && table.out().contains(name) && table.out().contains("app:" + name),
                table.toString());
        JsonNode shown = json(ok(run("apps", "show", name, "-o", "json")));
        assertEquals(name, shown.path("client_id").asText());
        assertFalse(shown.path("public").asBoolean());
        assertTrue(shown.path("members_only").asBoolean());
        assertEquals("RS256", shown.path("signing_alg").asText());
        assertFalse(shown.hasNonNull("home_url"), shown.toString());
        assertFalse(shown.toString().contains(clientSecret(name)), "never the secret");

        String url = "https://" + name + ".example.test/start";
        JsonNode updated = json(ok(run("apps", "update", name, "--url", url, "--signing-alg", "EdDSA",
                "--backchannel-logout-url", "https://" + name + ".example.test/bcl", "--description", "New text",
                "--display-name", "Renamed", "-o", "json")));
        assertEquals(url, updated.path("home_url").asText());
        JsonNode rep = clientRep(name);
        assertEquals(url, rep.path("baseUrl").asText());
        assertEquals(Set.of(cb, url), Set.copyOf(strings(rep.path("redirectUris"))));
        assertEquals("EdDSA", rep.path("attributes").path("id.token.signed.response.alg").asText());
        assertEquals("EdDSA", rep.path("attributes").path("access.token.signed.response.alg").asText());
        assertEquals("https://" + name + ".example.test/bcl", rep.path("attributes").path("backchannel.logout.url").asText());
        assertEquals("New text", rep.path("description").asText());
        assertEquals("Renamed", rep.path("name").asText());
        // What update was not asked to change stays.
        assertEquals("true", rep.path("attributes").path("mcias.members-only").asText());
        assertEquals("S256", rep.path("attributes").path("pkce.code.challenge.method").asText());
        ok(run("users", "invite", "--app", name));

        // Replaced redirect URIs keep the home URL; "" removes the back-channel logout URL.
        String cb2 = "https://" + name + ".example.test/cb2";
        ok(run("apps", "update", name, "--redirect-uri", cb2, "--backchannel-logout-url", ""));
        rep = clientRep(name);
        assertEquals(Set.of(cb2, url), Set.copyOf(strings(rep.path("redirectUris"))));
        assertTrue(rep.path("attributes").path("backchannel.logout.url").asText("").isEmpty(), rep.toString());
        assertNull(json(ok(run("apps", "show", name, "-o", "json"))).path("backchannel_logout_url").textValue());

        Run.Result bad = run("apps", "update", name, "--redirect-uri", "https://*.example.test/x");
        assertEquals(2, bad.code(), bad.toString());
        assertEquals(Set.of(cb2, url), Set.copyOf(strings(clientRep(name).path("redirectUris"))), "unchanged");
        assertEquals(2, run("apps", "update", name).code(), "nothing to change");
        assertEquals(4, run("apps", "show", "no-such-app-" + name).code());

        JsonNode list = json(ok(run("apps", "list", "-o", "json")));
        List<String> ids = new ArrayList<>();
        for (JsonNode a : list) {
            ids.add(a.path("client_id").asText());
            if (a.path("client_id").asText().equals(name)) {
                assertEquals("Renamed", a.path("name").asText());
                assertEquals(url, a.path("home_url").asText());
                assertTrue(a.path("members_only").asBoolean());
            }
        }
        assertTrue(ids.contains(name), ids.toString());
        for (String builtIn : List.of("account", "account-console", "admin-cli", "broker", "realm-management",
                "security-admin-console", "mciasctl")) {
            assertFalse(ids.contains(builtIn), builtIn + " is not an app: " + ids);
        }
        Run.Result listed = ok(run("apps", "list"));
        assertTrue(listed.out().startsWith("CLIENT ID") && listed.out().contains(name), listed.toString());
    }

    String clientSecret(String clientId) {
        return api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(clientId) + "/client-secret"), api.adminToken())
                .expect(200).json().path("value").asText();
    }

    @Test
    void auditListNamesUsersAndClientsAndFiltersByUserName() throws Exception {
        // This class's sessions come from password grants of CLI_CLIENT: LOGIN records of the admin.
        sessionOf(adminName);
        String adminId = api.get(api.adminRealmUrl("/users?exact=true&username=" + adminName), api.adminToken())
                .expect(200).json().get(0).path("id").asText();
        JsonNode page = Await.value("the admin's LOGIN record", Duration.ofSeconds(30), () -> {
            JsonNode p = json(ok(run("audit", "list", "--user", adminName, "--type", "LOGIN", "-o", "json")));
            return p.path("events").size() > 0 ? p : null;
        });
        for (JsonNode e : page.path("events")) {
            assertEquals(adminId, e.path("user_id").asText(), e.toString());
            assertEquals(adminName, e.path("username").asText(), e.toString());
            assertEquals(CLI_CLIENT, e.path("client").asText(), e.toString());
        }
        Run.Result table = ok(run("audit", "list", "--user", adminName, "--type", "LOGIN", "--limit", "3"));
        List<String> lines = table.out().lines().toList();
        assertTrue(lines.get(0).startsWith("SEQ") && lines.size() > 1, table.toString());
        assertTrue(lines.get(1).contains(" " + adminName + " ") && lines.get(1).contains(CLI_CLIENT)
                && !lines.get(1).contains(adminId), table.toString());
        // The raw id still works.
        assertTrue(json(ok(run("audit", "list", "--user-id", adminId, "--type", "LOGIN", "-o", "json")))
                .path("events").size() > 0);

        // An admin event names the client by its internal id; shown by its client id, --app finds it.
        String app = RealmFixtures.unique("apps-audited");
        ok(run("apps", "add", app, "--url", "https://" + app + ".example.test/"));
        JsonNode created = Await.value("the CREATE:CLIENT record", Duration.ofSeconds(30), () -> {
            JsonNode p = json(ok(run("audit", "list", "--user", adminName, "--type", "CREATE:CLIENT", "--app",
                    CLI_CLIENT, "-o", "json")));
            return p.path("events").size() > 0 ? p : null;
        });
        JsonNode e = created.path("events").get(0);
        assertEquals(fx.clientUuid(CLI_CLIENT), e.path("client_id").asText(), e.toString());
        assertEquals(CLI_CLIENT, e.path("client").asText(), e.toString());
        assertEquals(adminName, e.path("username").asText(), e.toString());

        // No such user: no records, not an error.
        Run.Result none = ok(run("audit", "list", "--user", "no-such-user-" + app, "-o", "json"));
        assertEquals(0, json(none).path("events").size(), none.toString());
        assertEquals(2, run("audit", "list", "--user", adminName, "--user-id", adminId).code());
    }
}
