package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Losing a members-only app reaches the app at once (spi-app-access, "Losing access"): the user's client sessions of
 * that app end, the app's back-channel logout URL gets a logout token, the next refresh fails, a {@code LOGOUT}
 * record says why; their other apps go on. And a members-only app is never named in another app's token of a
 * non-member (audience and resource_access), nor does its introspection call such a token active.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppAccessRevocationIT {

    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;
    static final String SECRET = "revocation-secret-0123456789";
    static final String TOKEN = "/protocol/openid-connect/token";

    KeycloakApi api;
    RealmFixtures fx;
    WebhookReceiver backchannel;
    String auditor;

    @BeforeAll
    void setUp(KeycloakApi api) throws Exception {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        backchannel = new WebhookReceiver();
        auditor = RealmFixtures.unique("revocation-auditor");
        fx.grantRealmRole(fx.createUser(auditor, PASSWORD), "admin");
    }

    @AfterAll
    void tearDown() {
        backchannel.close();
    }

    // ---- fixtures

    /** A password-grant app with a back-channel logout URL; members only with role app:<id> when asked. */
    String app(String prefix, boolean membersOnly) {
        String clientId = RealmFixtures.unique(prefix);
        Map<String, Object> attributes = new HashMap<>(Map.of("backchannel.logout.url", backchannel.url(),
                "backchannel.logout.session.required", "true"));
        if (membersOnly) {
            attributes.put("mcias.members-only", "true");
        }
        fx.createPasswordGrantClient(clientId, SECRET, Map.of("attributes", attributes));
        api.postJson(api.adminRealmUrl("/roles"), api.adminToken(), Map.of("name", "app:" + clientId)).expect(201);
        return clientId;
    }

    record Signin(String userId, String username, JsonNode tokens) {
    }

    Signin user(String... roles) {
        String name = RealmFixtures.unique("revoked");
        String id = fx.createUser(name, PASSWORD);
        for (String role : roles) {
            fx.grantRealmRole(id, role);
        }
        return new Signin(id, name, null);
    }

    /** The user signs in to the app (password grant): a user session with a client session of the app. */
    JsonNode signIn(String clientId, String username) {
        return api.postForm(api.realmUrl(TOKEN), null, Map.of("grant_type", "password", "client_id", clientId,
                "client_secret", SECRET, "username", username, "password", PASSWORD, "scope", "openid")).expect(200).json();
    }

    KeycloakApi.Response refresh(String clientId, JsonNode tokens) {
        return api.postForm(api.realmUrl(TOKEN), null, Map.of("grant_type", "refresh_token", "client_id", clientId,
                "client_secret", SECRET, "refresh_token", tokens.path("refresh_token").asText()));
    }

    /** Logout tokens the app's back-channel URL received for this user. */
    List<Jwt> logoutsOf(String userId) {
        List<Jwt> out = new ArrayList<>();
        for (WebhookReceiver.Delivery d : backchannel.received()) {
            String body = d.body();
            if (body != null && body.startsWith("logout_token=")) {
                Jwt jwt = Jwt.parse(URLDecoder.decode(body.substring("logout_token=".length()), StandardCharsets.UTF_8));
                if (userId.equals(jwt.claims.path("sub").asText())) {
                    out.add(jwt);
                }
            }
        }
        return out;
    }

    void awaitLoggedOut(String clientId, Signin u, JsonNode tokens) throws Exception {
        Await.until("a back-channel logout of " + clientId + " for " + u.username(), Duration.ofSeconds(20),
                () -> logoutsOf(u.userId()).stream().anyMatch(l -> l.claims.path("aud").toString().contains(clientId)));
        Jwt logout = logoutsOf(u.userId()).stream().filter(l -> l.claims.path("aud").toString().contains(clientId))
                .findFirst().orElseThrow();
        assertTrue(logout.claims.path("events").has("http://schemas.openid.net/event/backchannel-logout"), logout.claims.toString());
        assertEquals(Jwt.parse(tokens.path("access_token").asText()).claims.path("sid").asText(),
                logout.claims.path("sid").asText());
        KeycloakApi.Response refreshed = refresh(clientId, tokens);
        assertEquals(400, refreshed.status(), refreshed.body());
        assertEquals("invalid_grant", refreshed.json().path("error").asText());
        String bearer = fx.passwordGrant(auditor, PASSWORD).expect(200).json().path("access_token").asText();
        Await.until("LOGOUT reason=app_access_removed audited", Duration.ofSeconds(20), () -> {
            JsonNode events = api.get(api.realmUrl("/audit/events?limit=100&type=LOGOUT&user=" + u.userId()), bearer)
                    .expect(200).json().path("events");
            for (JsonNode e : events) {
                if ("app_access_removed".equals(e.path("details").path("reason").asText())
                        && u.userId().equals(e.path("user_id").asText())) {
                    return true;
                }
            }
            return false;
        });
    }

    void assertStillSignedIn(String clientId, JsonNode tokens) {
        KeycloakApi.Response refreshed = refresh(clientId, tokens);
        assertEquals(200, refreshed.status(), refreshed.body());
    }

    String groupWithRole(String role) {
        String name = RealmFixtures.unique("revocation-group");
        api.postJson(api.adminRealmUrl("/groups"), api.adminToken(), Map.of("name", name)).expect(201);
        String id = api.get(api.adminRealmUrl("/groups?exact=true&search=" + name), api.adminToken()).expect(200).json()
                .get(0).path("id").asText();
        JsonNode r = api.get(api.adminRealmUrl("/roles/" + role), api.adminToken()).expect(200).json();
        api.postJson(api.adminRealmUrl("/groups/" + id + "/role-mappings/realm"), api.adminToken(),
                List.of(Map.of("id", r.path("id").asText(), "name", role))).expect(204);
        return id;
    }

    void updateUser(String userId, Map<String, Object> changes) {
        JsonNode rep = api.get(api.adminRealmUrl("/users/" + userId), api.adminToken()).expect(200).json();
        Map<String, Object> body = KeycloakApi.JSON.convertValue(rep, new TypeReference<>() { });
        body.putAll(changes);
        api.putJson(api.adminRealmUrl("/users/" + userId), api.adminToken(), body).expect(204);
    }

    // ---- losing access

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenAMemberSignedInToAMembersOnlyAppAndToAnOpenOne {

        String members;
        String open;

        @BeforeAll
        void apps() {
            members = app("revocation-members", true);
            open = app("revocation-open", false);
        }

        @Test
        void whenTheRoleIsTakenAwayTheAppIsLoggedOutAndTheOpenAppGoesOn() throws Exception {
            Signin u = user("app:" + members);
            JsonNode inApp = signIn(members, u.username());
            JsonNode inOpen = signIn(open, u.username());
            fx.revokeRealmRole(u.userId(), "app:" + members);
            awaitLoggedOut(members, u, inApp);
            assertStillSignedIn(open, inOpen);
        }

        @Test
        void whenTheyLeaveTheGroupThatGaveAccessTheAppIsLoggedOut() throws Exception {
            String group = groupWithRole("app:" + members);
            Signin u = user();
            api.send("PUT", api.adminRealmUrl("/users/" + u.userId() + "/groups/" + group), api.adminToken(), null, null)
                    .expect(204);
            JsonNode inApp = signIn(members, u.username());
            api.delete(api.adminRealmUrl("/users/" + u.userId() + "/groups/" + group), api.adminToken()).expect(204);
            awaitLoggedOut(members, u, inApp);
        }

        @Test
        void whenTheirGroupLosesTheRoleTheAppIsLoggedOut() throws Exception {
            String group = groupWithRole("app:" + members);
            Signin u = user();
            api.send("PUT", api.adminRealmUrl("/users/" + u.userId() + "/groups/" + group), api.adminToken(), null, null)
                    .expect(204);
            JsonNode inApp = signIn(members, u.username());
            JsonNode r = api.get(api.adminRealmUrl("/roles/app:" + members), api.adminToken()).expect(200).json();
            api.send("DELETE", api.adminRealmUrl("/groups/" + group + "/role-mappings/realm"), api.adminToken(),
                    "application/json", KeycloakApi.toJson(List.of(Map.of("id", r.path("id").asText(),
                            "name", "app:" + members)))).expect(204);
            awaitLoggedOut(members, u, inApp);
        }

        @Test
        void whenTheyAreDisabledEveryAppIsLoggedOut() throws Exception {
            Signin u = user("app:" + members);
            JsonNode inApp = signIn(members, u.username());
            JsonNode inOpen = signIn(open, u.username());
            updateUser(u.userId(), Map.of("enabled", false));
            awaitLoggedOut(members, u, inApp);
            assertEquals(400, refresh(open, inOpen).status(), "the open app's session ended too");
        }

        @Test
        void whenTheyAreDeletedTheAppIsLoggedOut() throws Exception {
            Signin u = user("app:" + members);
            JsonNode inApp = signIn(members, u.username());
            api.delete(api.adminRealmUrl("/users/" + u.userId()), api.adminToken()).expect(204);
            Await.until("a back-channel logout for the deleted user", Duration.ofSeconds(20),
                    () -> !logoutsOf(u.userId()).isEmpty());
            assertEquals(400, refresh(members, inApp).status());
        }

        @Test
        void whenSomeoneElseLosesTheRoleOrTheyLoseAnotherRoleTheirSessionGoesOn() throws Exception {
            Signin keeps = user("app:" + members, "app:" + open);
            Signin loses = user("app:" + members);
            JsonNode inApp = signIn(members, keeps.username());
            JsonNode lost = signIn(members, loses.username());
            fx.revokeRealmRole(loses.userId(), "app:" + members);
            fx.revokeRealmRole(keeps.userId(), "app:" + open);
            awaitLoggedOut(members, loses, lost);
            assertStillSignedIn(members, inApp);
            assertTrue(logoutsOf(keeps.userId()).isEmpty(), "no logout token for the member who kept access");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenAnOpenAppThatBecomesMembersOnly {

        @Test
        void aSignedInNonMemberIsLoggedOutAndAMemberIsNot() throws Exception {
            String app = app("revocation-switched", false);
            Signin member = user("app:" + app);
            Signin other = user();
            JsonNode memberTokens = signIn(app, member.username());
            JsonNode otherTokens = signIn(app, other.username());
            String uuid = fx.clientUuid(app);
            JsonNode rep = api.get(api.adminRealmUrl("/clients/" + uuid), api.adminToken()).expect(200).json();
            Map<String, Object> body = KeycloakApi.JSON.convertValue(rep, new TypeReference<>() { });
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = (Map<String, Object>) body.get("attributes");
            attributes.put("mcias.members-only", "true");
            api.putJson(api.adminRealmUrl("/clients/" + uuid), api.adminToken(), body).expect(204);
            awaitLoggedOut(app, other, otherTokens);
            assertStillSignedIn(app, memberTokens);
        }
    }

    // ---- audience

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenAnOpenAppWhoseAudienceMapperNamesAMembersOnlyApi {

        String api_;
        String spa;

        @BeforeAll
        void apps() {
            api_ = app("rt-a", true);
            spa = app("rt-b", false);
            String apiUuid = fx.clientUuid(api_);
            // The usual SPA + API pair: Keycloak's own audience mapper on the SPA, a client role of the API.
            api.postJson(api.adminRealmUrl("/clients/" + fx.clientUuid(spa) + "/protocol-mappers/models"), api.adminToken(),
                    Map.of("name", "audience " + api_, "protocol", "openid-connect", "protocolMapper", "oidc-audience-mapper",
                            "config", Map.of("included.client.audience", api_, "access.token.claim", "true",
                                    "introspection.token.claim", "true"))).expect(201);
            api.postJson(api.adminRealmUrl("/clients/" + apiUuid + "/roles"), api.adminToken(), Map.of("name", "reader"))
                    .expect(201);
        }

        Signin withApiRole(String... realmRoles) {
            Signin u = user(realmRoles);
            String apiUuid = fx.clientUuid(api_);
            JsonNode role = api.get(api.adminRealmUrl("/clients/" + apiUuid + "/roles/reader"), api.adminToken()).expect(200).json();
            api.postJson(api.adminRealmUrl("/users/" + u.userId() + "/role-mappings/clients/" + apiUuid), api.adminToken(),
                    List.of(Map.of("id", role.path("id").asText(), "name", "reader"))).expect(204);
            return u;
        }

        JsonNode introspect(String clientId, String token) {
            return api.postForm(api.realmUrl(TOKEN + "/introspect"), null, Map.of("client_id", clientId,
                    "client_secret", SECRET, "token", token)).expect(200).json();
        }

        @Test
        void aNonMembersTokenNamesItNeitherAtIssuanceNorOnRefreshAndItsIntrospectionSaysInactive() throws Exception {
            Signin u = withApiRole();
            JsonNode tokens = signIn(spa, u.username());
            Jwt issued = Jwt.parse(tokens.path("access_token").asText());
            assertFalse(issued.claims.path("aud").toString().contains(api_), issued.claims.toString());
            assertFalse(issued.claims.path("resource_access").has(api_), issued.claims.toString());

            JsonNode refreshed = refresh(spa, tokens).expect(200).json();
            Jwt again = Jwt.parse(refreshed.path("access_token").asText());
            assertFalse(again.claims.path("aud").toString().contains(api_), again.claims.toString());
            assertFalse(again.claims.path("resource_access").has(api_), again.claims.toString());

            JsonNode byApi = introspect(api_, tokens.path("access_token").asText());
            assertEquals(false, byApi.path("active").asBoolean(true), byApi.toString());
            assertEquals(1, byApi.size(), "nothing but active: " + byApi);
            String bearer = fx.passwordGrant(auditor, PASSWORD).expect(200).json().path("access_token").asText();
            Await.until("INTROSPECT_TOKEN_ERROR audited for " + api_, Duration.ofSeconds(20), () -> api.get(
                    api.realmUrl("/audit/events?limit=20&type=INTROSPECT_TOKEN_ERROR&client=" + api_), bearer).expect(200)
                    .json().path("events").size() > 0);
        }

        @Test
        void aMembersTokenNamesItAndItsIntrospectionSaysActive() {
            Signin u = withApiRole("app:" + api_);
            JsonNode tokens = signIn(spa, u.username());
            Jwt issued = Jwt.parse(tokens.path("access_token").asText());
            assertTrue(issued.claims.path("aud").toString().contains(api_), issued.claims.toString());
            assertTrue(issued.claims.path("resource_access").has(api_), issued.claims.toString());
            assertTrue(introspect(api_, tokens.path("access_token").asText()).path("active").asBoolean());
        }

        @Test
        void aMemberWhoLosesTheRoleGetsTokensWithoutItFromTheNextRefresh() {
            Signin u = withApiRole("app:" + api_);
            JsonNode tokens = signIn(spa, u.username());
            String before = tokens.path("access_token").asText();
            fx.revokeRealmRole(u.userId(), "app:" + api_);
            Jwt again = Jwt.parse(refresh(spa, tokens).expect(200).json().path("access_token").asText());
            assertFalse(again.claims.path("aud").toString().contains(api_), again.claims.toString());
            assertEquals(false, introspect(api_, before).path("active").asBoolean(true),
                    "a token issued while they were a member, introspected after");
        }

        @Test
        void aServiceAccountTokenOfTheOpenAppDoesNotNameItEither() {
            String service = fx.serviceClient("rt-svc", SECRET);
            api.postJson(api.adminRealmUrl("/clients/" + fx.clientUuid(service) + "/protocol-mappers/models"), api.adminToken(),
                    Map.of("name", "audience " + api_, "protocol", "openid-connect", "protocolMapper", "oidc-audience-mapper",
                            "config", Map.of("included.client.audience", api_, "access.token.claim", "true"))).expect(201);
            Jwt token = Jwt.parse(api.clientCredentials(service, SECRET, null).expect(200).json().path("access_token").asText());
            assertFalse(token.claims.path("aud").toString().contains(api_), token.claims.toString());
        }
    }
}
