package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.ExampleApps;
import dev.mcias.keycloak.it.support.ExampleSpa;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Members-only apps (spi-app-access): the example app {@code mcias-example-members} (browser, code flow + PKCE)
 * and a test client with the password and device grants, both members-only. Every path that could issue a token
 * for them to a user without the access role is tried, and the token endpoint's answer is checked, not only the
 * page.
 */
@ExtendWith(KeycloakExtension.class)
@Tag("any-db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppAccessIT {

    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;
    static final String APP = "mcias-example-members";
    static final String APP_NAME = "Example members-only app";
    static final String APP_ROLE = "app:mcias-example-members";
    static final String OPEN_APP = "mcias-example-spa";
    static final String REFUSED_PAGE = "login-mcias-app-access-denied";

    KeycloakApi api;
    RealmFixtures fx;
    ExampleSpa spa;
    /** Public test client with the password and device grants, members-only with the default role name. */
    String grants;
    String grantsRole;
    String outsider;
    String outsiderId;
    String member;
    String memberId;
    /** An admin, to read the audit trail; a fresh token per assertion (a run on a busy machine outlives one). */
    String auditor;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        // Serves the redirect targets of both example apps (any path), so the browser lands somewhere real.
        spa = new ExampleSpa(api.realmUrl(""));
        grants = RealmFixtures.unique("it-members-grants");
        grantsRole = "app:" + grants;
        api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), Map.of(
                "clientId", grants, "enabled", true, "publicClient", true, "directAccessGrantsEnabled", true,
                "standardFlowEnabled", false, "attributes", Map.of("oauth2.device.authorization.grant.enabled", "true",
                        "mcias.members-only", "true"))).expect(201);
        api.postJson(api.adminRealmUrl("/roles"), api.adminToken(), Map.of("name", grantsRole)).expect(201);
        outsider = RealmFixtures.unique("outsider");
        outsiderId = fx.createUser(outsider, PASSWORD);
        member = RealmFixtures.unique("member");
        memberId = fx.createUser(member, PASSWORD);
        fx.grantRealmRole(memberId, APP_ROLE);
        fx.grantRealmRole(memberId, grantsRole);
        auditor = RealmFixtures.unique("members-auditor");
        fx.grantRealmRole(fx.createUser(auditor, PASSWORD), "admin");
    }

    @AfterAll
    void stopSpa() {
        if (spa != null) {
            spa.close();
        }
    }

    // ---- OAuth helpers ----------------------------------------------------------------------------------------

    record Pkce(String verifier, String challenge) {
        static Pkce create() {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(d));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static String appRedirect() {
        return ExampleApps.spaUrl() + "/members/callback";
    }

    /** Not the SPA page's own /callback, whose script would redeem the code before the test does. */
    static String openAppRedirect() {
        return ExampleApps.spaUrl() + "/open/callback";
    }

    String authUrl(String clientId, String redirect, Pkce pkce, String extra) {
        return api.realmUrl("/protocol/openid-connect/auth") + "?client_id=" + enc(clientId)
                + "&response_type=code&scope=openid&redirect_uri=" + enc(redirect) + "&state=it"
                + "&code_challenge=" + pkce.challenge() + "&code_challenge_method=S256" + (extra == null ? "" : extra);
    }

    static String param(String url, String name) {
        Matcher m = Pattern.compile("[?&#]" + name + "=([^&#]+)").matcher(url);
        return m.find() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null;
    }

    KeycloakApi.Response token(Map<String, String> form) {
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, form);
    }

    KeycloakApi.Response exchangeCode(String clientId, String code, String redirect, Pkce pkce) {
        return token(Map.of("grant_type", "authorization_code", "client_id", clientId, "code", code,
                "redirect_uri", redirect, "code_verifier", pkce.verifier()));
    }

    KeycloakApi.Response refresh(String clientId, String refreshToken) {
        return token(Map.of("grant_type", "refresh_token", "client_id", clientId, "refresh_token", refreshToken));
    }

    KeycloakApi.Response passwordGrant(String clientId, String username, String password) {
        return token(Map.of("grant_type", "password", "client_id", clientId, "username", username,
                "password", password, "scope", "openid"));
    }

    /** Device authorization (with PKCE, which the realm requires of public clients); the answer plus the verifier. */
    record Device(JsonNode answer, Pkce pkce) {
        String deviceCode() {
            return answer.path("device_code").asText();
        }

        String verificationUrl() {
            return answer.path("verification_uri_complete").asText();
        }
    }

    Device deviceStart(String clientId) {
        Pkce pkce = Pkce.create();
        JsonNode answer = api.postForm(api.realmUrl("/protocol/openid-connect/auth/device"), null, Map.of(
                "client_id", clientId, "code_challenge", pkce.challenge(), "code_challenge_method", "S256"))
                .expect(200).json();
        return new Device(answer, pkce);
    }

    KeycloakApi.Response devicePoll(String clientId, Device device) {
        return token(Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", clientId,
                "device_code", device.deviceCode(), "code_verifier", device.pkce().verifier()));
    }

    /** A refused token request: OAuth JSON with error {@code access_denied}, no token of any kind. */
    static void assertRefused(KeycloakApi.Response r) {
        assertRefused(r, "access_denied");
    }

    /**
     * A refused token request with this OAuth error: Keycloak answers a refused code redemption with
     * {@code invalid_grant} whatever error the executor names (the code cannot be used, RFC 6749 5.2).
     */
    static void assertRefused(KeycloakApi.Response r, String error) {
        assertEquals(400, r.status(), r.body());
        JsonNode body = r.json();
        assertEquals(error, body.path("error").asText(), r.body());
        assertTrue(body.path("error_description").asText().startsWith("app_access_denied"), r.body());
        assertFalse(body.has("access_token") || body.has("refresh_token") || body.has("id_token"), r.body());
    }

    /** Audit records (newest first) of this type for this client. */
    List<JsonNode> audit(String type, String clientId, String bearer) {
        JsonNode body = api.get(api.realmUrl("/audit/events?limit=500&type=" + type + "&client=" + enc(clientId)),
                bearer).expect(200).json();
        List<JsonNode> out = new ArrayList<>();
        body.path("events").forEach(out::add);
        return out;
    }

    void assertAudited(String type, String userId, String clientId, String error) throws Exception {
        String bearer = fx.passwordGrant(auditor, PASSWORD).expect(200).json().path("access_token").asText();
        Await.until(type + " " + error + " audited for " + clientId, Duration.ofSeconds(20),
                () -> audit(type, clientId, bearer).stream().anyMatch(e -> userId.equals(e.path("user_id").asText())
                        && error.equals(e.path("error").asText())));
    }

    /** Sessions Keycloak holds for the user (the admin API's view). */
    int sessions(String userId) {
        return api.get(api.adminRealmUrl("/users/" + userId + "/sessions"), api.adminToken()).expect(200).json().size();
    }

    // ---- browser helpers --------------------------------------------------------------------------------------

    static void signIn(Browser b, String username) {
        b.awaitPage("login-login");
        b.type("#username", username);
        b.type("#password", PASSWORD);
        b.clickAndWait("#kc-login");
    }

    /** Waits until the browser is back at an app (redirect carrying a code or an error). */
    String awaitRedirectTo(Browser b, String prefix) {
        new WebDriverWait(b.driver(), Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().startsWith(prefix));
        return b.driver().getCurrentUrl();
    }

    void assertRefusalPage(Browser b) {
        b.awaitPage(REFUSED_PAGE);
        String text = b.find("#mcias-app-access-denied").getText();
        assertTrue(text.contains(APP_NAME), text);
        assertTrue(b.find("#mcias-app-access-ask").getText().startsWith("To get access, ask"), text);
        assertTrue(b.driver().getCurrentUrl().startsWith(api.realmUrl("")), "still on the login server");
        assertNull(param(b.driver().getCurrentUrl(), "code"));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Nested
    class GivenAUserWithoutTheAccessRole {

        @Nested
        class WhenSigningInToTheAppInABrowser {

            @Test
            void theyGetTheThemedRefusalNoCodeAndTheRefusalIsAudited() throws Exception {
                try (Browser b = new Browser(Browser.DESKTOP)) {
                    b.open(authUrl(APP, appRedirect(), Pkce.create(), null));
                    signIn(b, outsider);
                    assertRefusalPage(b);
                    b.screenshot("app-access-denied-desktop");
                    b.resize(Browser.PHONE);
                    assertRefusalPage(b);
                    b.screenshot("app-access-denied-phone");
                    long overflow = ((Number) b.js("return document.documentElement.scrollWidth - window.innerWidth;"))
                            .longValue();
                    assertTrue(overflow <= 0, "overflows by " + overflow + "px: " + b.js(
                            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                                    + " > window.innerWidth).slice(0, 8).map(e => e.tagName + '#' + e.id + '.'"
                                    + " + e.className + ':' + Math.round(e.getBoundingClientRect().right)).join(' ');"));
                }
                assertAudited("LOGIN_ERROR", outsiderId, APP, "app_access_denied");
            }

            @Test
            void theServerAnswers403WithThePageAndNoRedirect() {
                BrowserFormLogin.Outcome o = BrowserFormLogin.login(api, APP, appRedirect(), outsider, PASSWORD);
                assertEquals(403, o.status(), o.page());
                assertFalse(o.gotCode());
                assertNull(o.location());
                assertTrue(o.page().contains(APP_NAME), o.page());
            }
        }

        @Nested
        class WhenAlreadySignedInToAnotherApp {

            @Test
            void theCookiePathIsRefusedTooAndTheOtherAppKeepsWorkingInTheSameSession() throws Exception {
                try (Browser b = new Browser(Browser.DESKTOP)) {
                    // Signs in to an open app: the browser now holds an SSO session.
                    Pkce first = Pkce.create();
                    b.open(authUrl(OPEN_APP, openAppRedirect(), first, null));
                    signIn(b, outsider);
                    String back = awaitRedirectTo(b, openAppRedirect());
                    assertEquals(200, exchangeCode(OPEN_APP, param(back, "code"), openAppRedirect(), first).status());

                    // The members-only app: no login form (the SSO cookie is used), the refusal, no code.
                    b.open(authUrl(APP, appRedirect(), Pkce.create(), null));
                    assertRefusalPage(b);
                    // Silent SSO (prompt=none) ends in an error redirect without a code, too.
                    b.open(authUrl(APP, appRedirect(), Pkce.create(), "&prompt=none"));
                    String silent = awaitRedirectTo(b, appRedirect());
                    assertNull(param(silent, "code"), silent);
                    assertTrue(param(silent, "error") != null, silent);

                    // The open app still signs in silently from the same SSO session and gets tokens.
                    Pkce again = Pkce.create();
                    b.open(authUrl(OPEN_APP, openAppRedirect(), again, "&prompt=none"));
                    String ok = awaitRedirectTo(b, openAppRedirect());
                    JsonNode tokens = exchangeCode(OPEN_APP, param(ok, "code"), openAppRedirect(), again)
                            .expect(200).json();
                    assertTrue(tokens.has("access_token"));
                }
            }
        }

        @Nested
        class WhenUsingThePasswordGrant {

            @Test
            void theyGetAccessDeniedAndNoSessionIsLeft() throws Exception {
                int before = sessions(outsiderId);
                assertRefused(passwordGrant(grants, outsider, PASSWORD));
                assertEquals(before, sessions(outsiderId));
                assertAudited("LOGIN_ERROR", outsiderId, grants, "app_access_denied");
            }

            @Test
            void aWrongPasswordReadsTheSameForAMemberSoMembershipIsNotRevealed() {
                KeycloakApi.Response outsiders = passwordGrant(grants, outsider, "Wrong-password-123456");
                KeycloakApi.Response members = passwordGrant(grants, member, "Wrong-password-123456");
                assertEquals("invalid_grant", outsiders.json().path("error").asText(), outsiders.body());
                assertEquals(members.status(), outsiders.status());
                assertEquals(members.body(), outsiders.body());
            }
        }

        @Nested
        class WhenUsingTheDeviceGrant {

            @Test
            void theVerificationPageRefusesAndThePollingDeviceGetsAccessDenied() throws Exception {
                Device device = deviceStart(grants);
                try (Browser b = new Browser(Browser.PHONE)) {
                    b.open(device.verificationUrl());
                    MciasctlDeviceLoginIT.confirmCodeIfAsked(b);
                    signIn(b, outsider);
                    b.awaitPage(REFUSED_PAGE);
                }
                KeycloakApi.Response poll = devicePoll(grants, device);
                assertEquals(400, poll.status(), poll.body());
                assertEquals("access_denied", poll.json().path("error").asText(), poll.body());
                assertFalse(poll.json().has("access_token"));
            }
        }

        @Nested
        class WhenExchangingATokenForTheApp {

            /** Standard token exchange (Keycloak's default, enabled per client): the app may not mint their token. */
            @Test
            void theExchangeIsRefusedAndAMembersIsGranted() {
                String target = RealmFixtures.unique("it-members-te");
                String targetSecret = "secret-" + target;
                api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), Map.of(
                        "clientId", target, "enabled", true, "publicClient", false, "secret", targetSecret,
                        "standardFlowEnabled", false, "attributes", Map.of("standard.token.exchange.enabled", "true",
                                "mcias.members-only", "true", "mcias.access-role", grantsRole))).expect(201);
                // An open app whose tokens name the members-only app as audience, as token exchange requires.
                String source = RealmFixtures.unique("it-te-source");
                fx.createPasswordGrantClient(source, "secret-" + source, Map.of("protocolMappers", List.of(Map.of(
                        "name", "audience", "protocol", "openid-connect", "protocolMapper", "oidc-audience-mapper",
                        "config", Map.of("included.client.audience", target, "access.token.claim", "true",
                                "id.token.claim", "false")))));
                String basic = Base64.getEncoder().encodeToString((target + ":" + targetSecret)
                        .getBytes(StandardCharsets.UTF_8));
                for (String user : List.of(outsider, member)) {
                    String subject = fx.accessToken(source, "secret-" + source, user, PASSWORD);
                    KeycloakApi.Response r = api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic, Map.of(
                            "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token", subject,
                            "subject_token_type", "urn:ietf:params:oauth:token-type:access_token"));
                    if (user.equals(outsider)) {
                        assertRefused(r);
                    } else {
                        assertEquals(200, r.status(), r.body());
                        assertTrue(r.json().has("access_token"), r.body());
                    }
                }
            }
        }

        @Nested
        class WhenAnAdminGivesTheAppAFlowWithoutTheCheck {

            /** The client-policy executor still refuses at the token endpoint: the code is worthless. */
            @Test
            void theCodeFromTheBuiltInBrowserFlowIsRefusedAtTheTokenEndpoint() throws Exception {
                String id = RealmFixtures.unique("it-members-override");
                api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), Map.of(
                        "clientId", id, "enabled", true, "publicClient", true, "standardFlowEnabled", true,
                        "redirectUris", List.of(openAppRedirect()),
                        "attributes", Map.of("mcias.members-only", "true", "mcias.access-role", APP_ROLE),
                        "authenticationFlowBindingOverrides", Map.of("browser", fx.flowId("browser"),
                                "direct_grant", fx.flowId("direct grant")), "directAccessGrantsEnabled", true))
                        .expect(201);
                BrowserFormLogin.Outcome o = BrowserFormLogin.login(api, id, openAppRedirect(), outsider, PASSWORD);
                assertTrue(o.gotCode(), "the misconfigured flow issues a code: " + o.status());
                assertRefused(exchangeCode(id, o.code(), openAppRedirect(), new Pkce(o.codeVerifier(), null)),
                        "invalid_grant");
                assertAudited("CODE_TO_TOKEN_ERROR", outsiderId, id, "access_denied");
                // The password grant through Keycloak's built-in direct-grant flow: refused as well.
                assertRefused(passwordGrant(id, outsider, PASSWORD));
                // A member gets through the same client.
                assertEquals(200, passwordGrant(id, member, PASSWORD).status());
            }
        }
    }

    @Nested
    class GivenAMember {

        @Nested
        class WhenSigningIn {

            @Test
            void theBrowserLoginEndsAtTheAppWithACodeThatBuysTokens() {
                Pkce pkce = Pkce.create();
                try (Browser b = new Browser(Browser.DESKTOP)) {
                    b.open(authUrl(APP, appRedirect(), pkce, null));
                    signIn(b, member);
                    String back = awaitRedirectTo(b, appRedirect());
                    JsonNode tokens = exchangeCode(APP, param(back, "code"), appRedirect(), pkce).expect(200).json();
                    assertTrue(tokens.has("access_token") && tokens.has("refresh_token"), tokens.toString());
                    assertEquals(200, refresh(APP, tokens.path("refresh_token").asText()).status());
                }
            }

            @Test
            void thePasswordAndDeviceGrantsIssueTokens() throws Exception {
                assertEquals(200, passwordGrant(grants, member, PASSWORD).status());
                Device device = deviceStart(grants);
                try (Browser b = new Browser(Browser.DESKTOP)) {
                    b.open(device.verificationUrl());
                    MciasctlDeviceLoginIT.confirmCodeIfAsked(b);
                    signIn(b, member);
                    if ("login-login-oauth-grant".equals(MciasctlDeviceLoginIT.awaitOneOf(b,
                            Set.of("login-login-oauth-grant", "login-info")))) {
                        b.clickAndWait("#kc-login");
                    }
                    b.awaitPage("login-info");
                }
                JsonNode tokens = devicePoll(grants, device).expect(200).json();
                assertTrue(tokens.has("access_token"), tokens.toString());
            }

            @Test
            void theRoleThroughAGroupCountsAsWell() {
                String group = RealmFixtures.unique("friends");
                KeycloakApi.Response created = api.postJson(api.adminRealmUrl("/groups"), api.adminToken(),
                        Map.of("name", group)).expect(201);
                String location = created.headers().firstValue("Location").orElseThrow();
                String groupId = location.substring(location.lastIndexOf('/') + 1);
                JsonNode role = api.get(api.adminRealmUrl("/roles/" + grantsRole), api.adminToken()).expect(200).json();
                api.postJson(api.adminRealmUrl("/groups/" + groupId + "/role-mappings/realm"), api.adminToken(),
                        List.of(Map.of("id", role.path("id").asText(), "name", grantsRole))).expect(204);
                String name = RealmFixtures.unique("grouped");
                String id = fx.createUser(name, PASSWORD);
                assertRefused(passwordGrant(grants, name, PASSWORD));
                api.send("PUT", api.adminRealmUrl("/users/" + id + "/groups/" + groupId), api.adminToken(), null, null)
                        .expect(204);
                assertEquals(200, passwordGrant(grants, name, PASSWORD).status());
            }
        }

        @Nested
        class WhenTheRoleIsTakenAway {

            @Test
            void theNextRefreshIsRefusedAndNoNewTokenIsIssued() throws Exception {
                String name = RealmFixtures.unique("former-member");
                String id = fx.createUser(name, PASSWORD);
                fx.grantRealmRole(id, grantsRole);
                JsonNode tokens = passwordGrant(grants, name, PASSWORD).expect(200).json();
                String refreshToken = tokens.path("refresh_token").asText();
                String accessToken = tokens.path("access_token").asText();
                assertEquals(200, api.get(api.realmUrl("/protocol/openid-connect/userinfo"), accessToken).status());
                fx.revokeRealmRole(id, grantsRole);
                // The access token already issued no longer reads the user's profile at userinfo either.
                KeycloakApi.Response userinfo = api.get(api.realmUrl("/protocol/openid-connect/userinfo"), accessToken);
                assertEquals(401, userinfo.status(), userinfo.body());
                assertTrue(userinfo.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"),
                        userinfo.headers().map().toString());
                assertFalse(userinfo.body().contains(name), userinfo.body());
                // The app's session ended with the role (AppAccessRevocationIT): the refresh token is dead.
                KeycloakApi.Response refreshed = refresh(grants, refreshToken);
                assertEquals(400, refreshed.status(), refreshed.body());
                assertEquals("invalid_grant", refreshed.json().path("error").asText(), refreshed.body());
                assertFalse(refreshed.json().has("access_token"), refreshed.body());
                String bearer = fx.passwordGrant(auditor, PASSWORD).expect(200).json().path("access_token").asText();
                Await.until("the ended app session audited", Duration.ofSeconds(20), () -> audit("LOGOUT", grants, bearer)
                        .stream().anyMatch(e -> id.equals(e.path("user_id").asText())
                                && "app_access_removed".equals(e.path("details").path("reason").asText())));
                assertRefused(passwordGrant(grants, name, PASSWORD));
                // Given back, it works again at the next sign-in.
                fx.grantRealmRole(id, grantsRole);
                assertEquals(200, passwordGrant(grants, name, PASSWORD).status());
            }
        }
    }

    @Nested
    class GivenAMembersOnlyAppWhoseRoleDoesNotExist {

        @Test
        void nobodyGetsInNotEvenAnAdmin() {
            String id = RealmFixtures.unique("it-members-typo");
            api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), Map.of(
                    "clientId", id, "enabled", true, "publicClient", true, "directAccessGrantsEnabled", true,
                    "standardFlowEnabled", false,
                    "attributes", Map.of("mcias.members-only", "true", "mcias.access-role", "no-such-role")))
                    .expect(201);
            assertRefused(passwordGrant(id, member, PASSWORD));
            JsonNode rep = api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(id)), api.adminToken()).expect(200).json();
            ((com.fasterxml.jackson.databind.node.ObjectNode) rep.path("attributes")).put("mcias.members-only", "false");
            api.putJson(api.adminRealmUrl("/clients/" + fx.clientUuid(id)), api.adminToken(), rep).expect(204);
            assertEquals(200, passwordGrant(id, outsider, PASSWORD).status(), "switched off: open to everyone");
        }
    }
}
