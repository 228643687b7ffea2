package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.ExampleApps;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.Totp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Tag;

/** What the imported realm JSON does on a real server (the browser-facing parts are in BrowserIT). */
@ExtendWith(KeycloakExtension.class)
@Tag("any-db")
class RealmConfigIT {

    /** A client on the realm's own direct-grant flow (RealmFixtures' client uses Keycloak's built-in one). */
    static final String REALM_FLOW_CLIENT = "it-realm-direct-grant";
    static final String REALM_FLOW_SECRET = "it-realm-direct-grant-secret-0123456789";

    KeycloakApi api;
    RealmFixtures fx;

    @BeforeEach
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        String token = api.adminToken();
        if (api.get(api.adminRealmUrl("/clients?clientId=" + REALM_FLOW_CLIENT), token).expect(200).json().isEmpty()) {
            api.postJson(api.adminRealmUrl("/clients"), token, Map.of("clientId", REALM_FLOW_CLIENT, "enabled", true,
                    "publicClient", false, "secret", REALM_FLOW_SECRET, "directAccessGrantsEnabled", true,
                    "standardFlowEnabled", false)).expect(201);
        }
    }

    KeycloakApi.Response realmFlowPasswordGrant(String username, String password) {
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "password",
                "client_id", REALM_FLOW_CLIENT, "client_secret", REALM_FLOW_SECRET, "username", username,
                "password", password));
    }

    @Test
    void realmFlowsAreBoundAndAdminsWithoutTotpCannotUseThePasswordGrant() {
        JsonNode realm = api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json();
        assertEquals("mcias browser", realm.path("browserFlow").asText());
        assertEquals("mcias direct grant", realm.path("directGrantFlow").asText());
        assertEquals("mcias clients", realm.path("clientAuthenticationFlow").asText());

        String user = RealmFixtures.unique("plain");
        fx.createUser(user, RealmFixtures.DEFAULT_PASSWORD);
        realmFlowPasswordGrant(user, RealmFixtures.DEFAULT_PASSWORD).expect(200);

        String admin = RealmFixtures.unique("admin-no-totp");
        fx.grantRealmRole(fx.createUser(admin, RealmFixtures.DEFAULT_PASSWORD), "admin");
        KeycloakApi.Response refused = realmFlowPasswordGrant(admin, RealmFixtures.DEFAULT_PASSWORD);
        // Keycloak's deny-access step answers with its error page rather than OAuth JSON; what matters is the refusal.
        assertTrue(refused.status() == 400 || refused.status() == 401, refused.toString());
        assertFalse(refused.body().contains("access_token"));

        // An admin with TOTP: the code is required, and enough.
        String key = "it-totp-secret-" + RealmFixtures.unique("k");
        String totpAdmin = RealmFixtures.unique("admin-totp");
        String id = fx.createUser(Map.of("username", totpAdmin, "enabled", true, "firstName", "Test", "lastName", "Admin",
                "email", totpAdmin + "@example.test", "emailVerified", true, "credentials", List.of(
                        Map.of("type", "password", "value", RealmFixtures.DEFAULT_PASSWORD, "temporary", false),
                        Map.of("type", "otp", "userLabel", "phone", "secretData", "{\"value\":\"" + key + "\"}",
                                "credentialData", "{\"subType\":\"totp\",\"digits\":6,\"period\":30,"
                                        + "\"algorithm\":\"HmacSHA1\",\"counter\":0}"))));
        fx.grantRealmRole(id, "admin");
        KeycloakApi.Response noCode = realmFlowPasswordGrant(totpAdmin, RealmFixtures.DEFAULT_PASSWORD);
        assertFalse(noCode.status() == 200 || noCode.body().contains("access_token"), noCode.toString());
        api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "password",
                "client_id", REALM_FLOW_CLIENT, "client_secret", REALM_FLOW_SECRET, "username", totpAdmin,
                "password", RealmFixtures.DEFAULT_PASSWORD, "totp", Totp.codeForKey(key.getBytes(StandardCharsets.UTF_8), 0)))
                .expect(200);
    }

    @Test
    void webAuthnIsAnAvailableSecondFactor() {
        String token = api.adminToken();
        JsonNode actions = api.get(api.adminRealmUrl("/authentication/required-actions"), token).expect(200).json();
        boolean webauthn = false;
        for (JsonNode a : actions) {
            if ("webauthn-register".equals(a.path("alias").asText())) {
                webauthn = a.path("enabled").asBoolean();
            }
        }
        assertTrue(webauthn, "webauthn-register required action enabled");
        JsonNode executions = api.get(api.adminRealmUrl("/authentication/flows/mcias%20browser/executions"), token)
                .expect(200).json();
        boolean inFlow = false;
        for (JsonNode e : executions) {
            if ("webauthn-authenticator".equals(e.path("providerId").asText())) {
                inFlow = "ALTERNATIVE".equals(e.path("requirement").asText());
            }
        }
        assertTrue(inFlow, executions.toString());
    }

    @Test
    void commonPasswordsAreRefusedEvenWhenLongEnough() throws IOException {
        Path list = Path.of(System.getProperty("mcias.password.blacklists.dir"), "mcias-common-passwords.txt");
        String common = Files.readAllLines(list, StandardCharsets.UTF_8).stream()
                .filter(p -> p.length() >= 12 && p.chars().allMatch(c -> c > 32 && c < 127)).findFirst().orElseThrow();
        String id = fx.createUser(RealmFixtures.unique("weak"), RealmFixtures.DEFAULT_PASSWORD);
        KeycloakApi.Response r = api.putJson(api.adminRealmUrl("/users/" + id + "/reset-password"), api.adminToken(),
                Map.of("type", "password", "value", common, "temporary", false)).expect(400);
        assertTrue(r.body().contains("invalidPasswordBlacklistedMessage") || r.body().contains("blacklist")
                || r.body().contains("denylist"), r.body());
        api.putJson(api.adminRealmUrl("/users/" + id + "/reset-password"), api.adminToken(),
                Map.of("type", "password", "value", "Uncommon-" + RealmFixtures.unique("pw"), "temporary", false))
                .expect(204);
    }

    @Test
    void tokensAreShortAndRefreshTokensRotate() {
        JsonNode realm = api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json();
        assertEquals(300, realm.path("accessTokenLifespan").asInt());
        assertTrue(realm.path("revokeRefreshToken").asBoolean());
        assertEquals(0, realm.path("refreshTokenMaxReuse").asInt());
        assertEquals(30 * 24 * 3600, realm.path("ssoSessionMaxLifespan").asInt());

        String user = RealmFixtures.unique("rotating");
        fx.createUser(user, RealmFixtures.DEFAULT_PASSWORD);
        JsonNode tokens = fx.passwordGrant(user, RealmFixtures.DEFAULT_PASSWORD).expect(200).json();
        // expires_in counts from the response, so a second boundary crossed on the way shows as 299.
        int expiresIn = tokens.path("expires_in").asInt();
        assertTrue(expiresIn > 290 && expiresIn <= 300, "expires_in " + expiresIn);
        String first = tokens.path("refresh_token").asText();
        JsonNode next = refresh(first).expect(200).json();
        refresh(next.path("refresh_token").asText()).expect(200);
        // Reuse of a replaced refresh token is refused and ends the client's session, so the token that
        // replaced it (possibly the thief's) stops working too.
        JsonNode again = fx.passwordGrant(user, RealmFixtures.DEFAULT_PASSWORD).expect(200).json();
        JsonNode rotated = refresh(again.path("refresh_token").asText()).expect(200).json();
        KeycloakApi.Response reused = refresh(again.path("refresh_token").asText()).expect(400);
        assertEquals("invalid_grant", reused.json().path("error").asText());
        refresh(rotated.path("refresh_token").asText()).expect(400);
    }

    KeycloakApi.Response refresh(String token) {
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "refresh_token",
                "client_id", RealmFixtures.PASSWORD_GRANT_CLIENT, "client_secret", RealmFixtures.PASSWORD_GRANT_SECRET,
                "refresh_token", token));
    }

    @Test
    void exampleWebAppUsesTheSecretFromTheEnvironment() {
        String user = RealmFixtures.unique("webapp-user");
        fx.createUser(user, RealmFixtures.DEFAULT_PASSWORD);
        String redirect = ExampleApps.webappUrl() + "/callback";
        BrowserFormLogin.Outcome login = BrowserFormLogin.login(api, "mcias-example-webapp", redirect, user,
                RealmFixtures.DEFAULT_PASSWORD);
        assertTrue(login.gotCode(), login.location());
        String wrong = Base64.getEncoder().encodeToString(("mcias-example-webapp:not-the-secret").getBytes(StandardCharsets.UTF_8));
        api.postForm(api.realmUrl("/protocol/openid-connect/token"), wrong, Map.of("grant_type", "authorization_code",
                "code", login.code(), "redirect_uri", redirect, "code_verifier", login.codeVerifier())).expect(401);

        BrowserFormLogin.Outcome again = BrowserFormLogin.login(api, "mcias-example-webapp", redirect, user,
                RealmFixtures.DEFAULT_PASSWORD);
        String basic = Base64.getEncoder().encodeToString(("mcias-example-webapp:" + ExampleApps.WEBAPP_CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        JsonNode tokens = api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic, Map.of(
                "grant_type", "authorization_code", "code", again.code(), "redirect_uri", redirect,
                "code_verifier", again.codeVerifier())).expect(200).json();
        assertEquals("EdDSA", Jwt.parse(tokens.path("access_token").asText()).header.path("alg").asText());

        // Redirect URIs come from MCIAS_WEBAPP_URL: another origin is refused.
        KeycloakApi.Response other = api.get(api.realmUrl("/protocol/openid-connect/auth?client_id=mcias-example-webapp"
                + "&response_type=code&scope=openid&code_challenge_method=S256"
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                + "&redirect_uri=http%3A%2F%2Fevil.example%2Fcallback"), null);
        assertEquals(400, other.status());
        // No direct grants for the example clients.
        assertEquals("unauthorized_client", api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic,
                Map.of("grant_type", "password", "username", user, "password", RealmFixtures.DEFAULT_PASSWORD))
                .expect(400).json().path("error").asText());
    }

    @Test
    void publicClientsMustUsePkceAndNoClientMayUseTheImplicitFlow() {
        String base = api.realmUrl("/protocol/openid-connect/auth?client_id=mcias-example-spa&scope=openid"
                + "&redirect_uri=" + java.net.URLEncoder.encode(ExampleApps.spaUrl() + "/callback", StandardCharsets.UTF_8));
        KeycloakApi.Response noPkce = api.get(base + "&response_type=code", null);
        assertEquals(302, noPkce.status());
        assertTrue(noPkce.headers().firstValue("Location").orElse("").contains("error=invalid_request"));
        KeycloakApi.Response implicit = api.get(base + "&response_type=token&nonce=n", null);
        assertTrue(implicit.headers().firstValue("Location").orElse("").contains("error="), implicit.toString());

        // A public client an admin adds later gets the same rules from the realm's client policy.
        String later = RealmFixtures.unique("later-spa");
        api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), Map.of("clientId", later, "publicClient", true,
                "standardFlowEnabled", true, "redirectUris", List.of("http://127.0.0.1:1/*"))).expect(201);
        JsonNode created = api.get(api.adminRealmUrl("/clients?clientId=" + later), api.adminToken()).expect(200).json().get(0);
        assertEquals("S256", created.path("attributes").path("pkce.code.challenge.method").asText(), created.toString());
        assertFalse(created.path("implicitFlowEnabled").asBoolean());
        KeycloakApi.Response laterNoPkce = api.get(api.realmUrl("/protocol/openid-connect/auth?client_id=" + later
                + "&scope=openid&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb"), null);
        assertTrue(laterNoPkce.headers().firstValue("Location").orElse("").contains("error=invalid_request"));
    }

    @Test
    void importedSystemAccountWorksEndToEnd() {
        String admin = fx.userWithRoles("realm-admin", "admin");
        JsonNode issued = api.send("POST", api.realmUrl("/system-accounts/example-job/token"), admin, null, null)
                .expect(200).json();
        String basic = Base64.getEncoder().encodeToString(("example-job:" + issued.path("token").asText())
                .getBytes(StandardCharsets.UTF_8));
        JsonNode tokens = api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic,
                Map.of("grant_type", "client_credentials")).expect(200).json();
        Jwt jwt = Jwt.parse(tokens.path("access_token").asText());
        assertEquals("EdDSA", jwt.header.path("alg").asText());
        assertEquals("example-job", jwt.claims.path("azp").asText());
        assertTrue(tokens.path("refresh_token").isMissingNode(), "no refresh token for system accounts");

        // The delegation role from the realm JSON lets its holder issue for this account only.
        String holder = fx.userWithRoles("job-owner", "example-job");
        api.send("POST", api.realmUrl("/system-accounts/example-job/token"), holder, null, null).expect(200);
        api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic, Map.of("grant_type", "client_credentials"))
                .expect(401);
    }
}
