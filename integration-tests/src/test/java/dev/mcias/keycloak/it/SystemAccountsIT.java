package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.SharedServerTest;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** System accounts end to end on a real Keycloak: life cycle, authorization matrix, rotation, restart. */
class SystemAccountsIT extends SharedServerTest {

    String admin;

    @BeforeEach
    void anAdmin() {
        admin = fx.userWithRoles("sa-admin", "admin");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    String url(String path) {
        return api.realmUrl("/system-accounts" + path);
    }

    String createAccount(String prefix) {
        String name = RealmFixtures.unique(prefix);
        api.postJson(url(""), admin, Map.of("name", name, "description", "test account")).expect(201);
        return name;
    }

    String issue(String name, String bearer) {
        KeycloakApi.Response r = api.send("POST", url("/" + name + "/token"), bearer, null, null).expect(200);
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        return r.json().path("token").asText();
    }

    KeycloakApi.Response clientCredentials(String name, String token) {
        String basic = Base64.getEncoder().encodeToString((name + ":" + token).getBytes(StandardCharsets.UTF_8));
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic,
                Map.of("grant_type", "client_credentials", "scope", "openid"));
    }

    /** The account's access token for the MCIAS APIs (scope mcias-api) and userinfo (openid). */
    String accessToken(String name, String token) {
        return fx.systemAccountAccessToken(name, token, "openid mcias-api");
    }

    boolean introspectionActive(String accessToken) {
        String basic = Base64.getEncoder().encodeToString((RealmFixtures.PASSWORD_GRANT_CLIENT + ":"
                + RealmFixtures.PASSWORD_GRANT_SECRET).getBytes(StandardCharsets.UTF_8));
        return api.postForm(api.realmUrl("/protocol/openid-connect/token/introspect"), basic,
                Map.of("token", accessToken)).expect(200).json().path("active").asBoolean();
    }

    KeycloakApi.Response renew(String name, String basicUser, String token) {
        Map<String, String> headers = new HashMap<>();
        if (basicUser != null) {
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (basicUser + ":" + token).getBytes(StandardCharsets.UTF_8)));
        }
        return api.send("POST", url("/" + name + "/token/renew"), headers, null);
    }

    // ---- life cycle ----------------------------------------------------------------------------------------

    @Test
    void aNewAccountHasNoTokenAndTheRealmDefaultTtl() {
        String name = createAccount("lifecycle");
        JsonNode status = api.get(url("/" + name), admin).expect(200).json();
        assertFalse(status.path("token").path("present").asBoolean());
        assertEquals(2592000, status.path("token_ttl").asLong(), "realm default: 30 days");
    }

    @Test
    void anIssuedTokenHasTheDocumentedFormat() {
        String token = issue(createAccount("lifecycle"), admin);
        assertTrue(token.matches("mcias_sat_[A-Za-z0-9_-]{43}"), token.substring(0, 10));
    }

    /** An account with a freshly issued token, used through Keycloak's standard token endpoint. */
    @Nested
    class GivenAnIssuedToken {

        String name;
        String token;
        String fingerprint;

        @BeforeEach
        void issueOne() {
            name = createAccount("lifecycle");
            JsonNode issued = api.send("POST", url("/" + name + "/token"), admin, null, null).expect(200).json();
            token = issued.path("token").asText();
            fingerprint = issued.path("fingerprint").asText();
        }

        @Test
        void clientCredentialsWithBasicAuthGiveAShortLivedEd25519TokenOfTheServiceUser() throws Exception {
            JsonNode tokens = clientCredentials(name, token).expect(200).json();
            Jwt jwt = Jwt.parse(tokens.path("access_token").asText());
            assertEquals("EdDSA", jwt.header.path("alg").asText());
            JsonNode discovery = api.get(api.realmUrl("/.well-known/openid-configuration"), null).expect(200).json();
            JsonNode jwks = api.get(discovery.path("jwks_uri").asText(), null).expect(200).json();
            assertTrue(jwt.verifiesWithEd25519(jwks), "signature verifies with the realm's Ed25519 key");
            assertEquals(name, jwt.claims.path("azp").asText());
            String serviceUserId = api.get(api.adminRealmUrl("/users?username=service-account-" + name
                    + "&exact=true"), api.adminToken()).expect(200).json().get(0).path("id").asText();
            assertEquals(serviceUserId, jwt.claims.path("sub").asText());
            long lifetime = jwt.claims.path("exp").asLong() - jwt.claims.path("iat").asLong();
            assertTrue(lifetime > 0 && lifetime <= 300, "short-lived: " + lifetime);
            assertFalse(tokens.has("refresh_token"), "no refresh token for system accounts");
        }

        @Test
        void clientCredentialsInTheFormBodyWorkToo() {
            api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type",
                    "client_credentials", "client_id", name, "client_secret", token)).expect(200);
        }

        @Test
        void theStatusShowsFingerprintAndLastUseButNeverTheToken() {
            clientCredentials(name, token).expect(200);
            JsonNode after = api.get(url("/" + name), admin).expect(200).json().path("token");
            assertTrue(after.path("present").asBoolean());
            assertEquals(fingerprint, after.path("fingerprint").asText());
            assertFalse(after.path("last_used_at").isNull(), "last use recorded");
            assertFalse(after.toString().contains(token), "status never shows the token");
        }

        @Test
        void renewalByTheAccountEndsTheOldTokenAtOnce() {
            String renewed = renew(name, name, token).expect(200).json().path("token").asText();
            assertNotEquals(token, renewed);
            clientCredentials(name, token).expect(401);
            clientCredentials(name, renewed).expect(200);
        }

        @Test
        void accessTokensOfTheRenewedTokenPassIntrospectionAndUserinfo() {
            introspectableByTheTestClient();
            String access = accessToken(name, renew(name, name, token).expect(200).json().path("token").asText());
            assertTrue(introspectionActive(access));
            api.get(api.realmUrl("/protocol/openid-connect/userinfo"), access).expect(200);
        }

        @Test
        void revocationRejectsTheTokenAndEndsItsAccessTokens() {
            introspectableByTheTestClient();
            String access = accessToken(name, token);
            assertTrue(introspectionActive(access));
            api.delete(url("/" + name + "/token"), admin).expect(204);
            clientCredentials(name, token).expect(401);
            assertFalse(introspectionActive(access));
            assertEquals(401, api.get(api.realmUrl("/protocol/openid-connect/userinfo"), access).status());
            assertFalse(api.get(url("/" + name), admin).expect(200).json().path("token").path("present")
                    .asBoolean());
        }

        /**
         * Keycloak 26.7 introspects only for clients in the token's audience: put the test client there, as a
         * resource server would be.
         */
        void introspectableByTheTestClient() {
            String clientUuid = api.get(api.adminRealmUrl("/clients?clientId=" + name), api.adminToken()).json()
                    .get(0).path("id").asText();
            api.postJson(api.adminRealmUrl("/clients/" + clientUuid + "/protocol-mappers/models"), api.adminToken(),
                    Map.of("name", "it-audience", "protocol", "openid-connect", "protocolMapper",
                            "oidc-audience-mapper", "config", Map.of("included.client.audience",
                                    RealmFixtures.PASSWORD_GRANT_CLIENT, "access.token.claim", "true",
                                    "introspection.token.claim", "true"))).expect(201);
        }
    }

    @Test
    void deleteRemovesClientRoleAndToken() {
        String name = createAccount("deleted");
        String token = issue(name, admin);
        api.delete(url("/" + name), admin).expect(204);
        clientCredentials(name, token).expect(401);
        api.get(url("/" + name), admin).expect(404);
        api.get(api.adminRealmUrl("/roles/" + name), api.adminToken()).expect(404);
        assertEquals(0, api.get(api.adminRealmUrl("/clients?clientId=" + name), api.adminToken()).json().size());
    }

    @Test
    void perAccountTtlIsUsed() {
        String name = RealmFixtures.unique("ttl");
        api.postJson(url(""), admin, Map.of("name", name, "token_ttl", 3600)).expect(201);
        KeycloakApi.Response r = api.send("POST", url("/" + name + "/token"), admin, null, null).expect(200);
        long issued = java.time.Instant.parse(r.json().path("issued_at").asText()).getEpochSecond();
        long expires = java.time.Instant.parse(r.json().path("expires_at").asText()).getEpochSecond();
        assertEquals(3600, expires - issued);
    }

    @Test
    void expiredTokenIsRejected() throws Exception {
        assumeTrue(api.server() instanceof DistributionKeycloakServer s && s.testDatabase().pgDatabase() != null,
                "needs direct access to the database (PostgreSQL run)");
        String name = createAccount("expired");
        String token = issue(name, admin);
        clientCredentials(name, token).expect(200);
        String db = ((DistributionKeycloakServer) api.server()).testDatabase().pgDatabase();
        long past = System.currentTimeMillis() - 1000;
        try (Connection c = TestDatabase.connect(db);
             PreparedStatement row = c.prepareStatement("update mcias_sa_token set expires_at = ?"
                     + " where client_id = (select id from client where client_id = ?)");
             PreparedStatement attr = c.prepareStatement("update client_attributes set value = ?"
                     + " where name = 'mcias.token_expires_at'"
                     + " and client_id = (select id from client where client_id = ?)")) {
            row.setLong(1, past);
            row.setString(2, name);
            assertEquals(1, row.executeUpdate());
            attr.setString(1, Long.toString(past));
            attr.setString(2, name);
            assertEquals(1, attr.executeUpdate());
        }
        // The change went around Keycloak, so its client cache must be told.
        api.send("POST", api.adminRealmUrl("/clear-realm-cache"), api.adminToken(), null, null).expect(204);
        clientCredentials(name, token).expect(401);
        renew(name, name, token).expect(401);
        JsonNode status = api.get(url("/" + name), admin).expect(200).json().path("token");
        assertTrue(status.path("expired").asBoolean());
    }

    // ---- humans and systems do not mix --------------------------------------------------------------------

    @Test
    void systemAccountCannotLogInAsAUserAndUsersCannotUseTokens() {
        String name = createAccount("nohuman");
        String token = issue(name, admin);
        // The service-account user has no password: neither its token nor anything else logs it in.
        assertEquals(400, fx.passwordGrant("service-account-" + name, token).status());
        // A human cannot present a system-account token as a password ...
        String human = RealmFixtures.unique("human");
        fx.createUser(human, RealmFixtures.DEFAULT_PASSWORD);
        assertEquals(400, fx.passwordGrant(human, token).status());
        // ... nor use it as a client secret under their own name.
        assertEquals(401, clientCredentials(human, token).status());
        // An ordinary confidential client's secret does not work for a system account, nor the reverse.
        assertEquals(401, clientCredentials(name, RealmFixtures.PASSWORD_GRANT_SECRET).status());
        assertEquals(401, clientCredentials(RealmFixtures.PASSWORD_GRANT_CLIENT, token).status());
        // The account has no interactive flow.
        JsonNode client = api.get(api.adminRealmUrl("/clients?clientId=" + name), api.adminToken()).json().get(0);
        assertFalse(client.path("standardFlowEnabled").asBoolean());
        assertFalse(client.path("directAccessGrantsEnabled").asBoolean());
        assertFalse(client.path("implicitFlowEnabled").asBoolean());
        assertTrue(client.path("serviceAccountsEnabled").asBoolean());
        assertEquals("system-account-token", client.path("clientAuthenticatorType").asText());
    }

    // ---- authorization matrix -----------------------------------------------------------------------------

    @Test
    void authorizationMatrix() {
        String a = createAccount("matrix-a");
        String b = createAccount("matrix-b");
        String tokenA = issue(a, admin);
        String tokenB = issue(b, admin);
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("anonymous", null);
        callers.put("plain user", fx.userWithRoles("plain"));
        callers.put("holder of A's role", fx.userWithRoles("holder-a", a));
        callers.put("holder of B's role", fx.userWithRoles("holder-b", b));
        callers.put("admin", admin);
        callers.put("account A itself", accessToken(a, tokenA));
        callers.put("account B", accessToken(b, tokenB));
        callers.put("garbage bearer", "not-a-token");

        // caller -> expected status for: GET /, POST /, GET /A, POST /A/token, DELETE /A/token, DELETE /A
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("anonymous", new int[] {401, 401, 401, 401, 401, 401});
        expected.put("plain user", new int[] {200, 403, 404, 404, 404, 404});
        expected.put("holder of A's role", new int[] {200, 403, 200, 200, 403, 403});
        expected.put("holder of B's role", new int[] {200, 403, 404, 404, 404, 404});
        expected.put("account A itself", new int[] {200, 403, 200, 403, 403, 403});
        expected.put("account B", new int[] {200, 403, 404, 404, 404, 404});
        expected.put("garbage bearer", new int[] {401, 401, 401, 401, 401, 401});

        List<String> failures = new ArrayList<>();
        expected.forEach((who, codes) -> {
            String bearer = callers.get(who);
            int[] got = {
                    api.get(url(""), bearer).status(),
                    api.postJson(url(""), bearer, Map.of("name", RealmFixtures.unique("nope"))).status(),
                    api.get(url("/" + a), bearer).status(),
                    api.send("POST", url("/" + a + "/token"), bearer, null, null).status(),
                    api.delete(url("/" + a + "/token"), bearer).status(),
                    api.delete(url("/" + a), bearer).status()};
            if (!java.util.Arrays.equals(codes, got)) {
                failures.add(who + ": expected " + java.util.Arrays.toString(codes) + " got "
                        + java.util.Arrays.toString(got));
            }
        });
        assertEquals(List.of(), failures);

        // Nothing above changed A: its token (re-issued only by its role holder) still works.
        JsonNode list = api.get(url(""), callers.get("holder of A's role")).expect(200).json();
        assertEquals(List.of(a), list.findValuesAsText("name"));
        assertEquals(List.of(b), api.get(url(""), callers.get("account B")).json().findValuesAsText("name"));
        assertTrue(api.get(url(""), admin).json().findValuesAsText("name").containsAll(List.of(a, b)));
        assertEquals(0, api.get(url(""), callers.get("plain user")).json().size());

        // Unknown and forbidden look the same to an outsider.
        KeycloakApi.Response unknown = api.get(url("/no-such-account"), callers.get("plain user"));
        KeycloakApi.Response forbidden = api.get(url("/" + a), callers.get("plain user"));
        assertEquals(unknown.status(), forbidden.status());
        assertEquals(unknown.body(), forbidden.body());

        // Admin may do everything to A; its access token dies with the revocation.
        String accessA = callers.get("account A itself");
        api.delete(url("/" + a + "/token"), admin).expect(204);
        assertEquals(401, api.get(url("/" + a), accessA).status(), "revoked account's access token");
        api.delete(url("/" + a), admin).expect(204);
    }

    @Test
    void renewAcceptsOnlyTheAccountsOwnCurrentToken() {
        String a = createAccount("renew-a");
        String b = createAccount("renew-b");
        String tokenA = issue(a, admin);
        String tokenB = issue(b, admin);
        KeycloakApi.Response none = renew(a, null, null);
        assertEquals(401, none.status());
        KeycloakApi.Response wrong = renew(a, a, tokenA.substring(0, tokenA.length() - 1) + "x");
        KeycloakApi.Response otherAccount = renew(a, b, tokenB);
        KeycloakApi.Response unknown = renew("no-such-account", "no-such-account", tokenA);
        for (KeycloakApi.Response r : List.of(wrong, otherAccount, unknown)) {
            assertEquals(401, r.status());
            assertEquals(wrong.body(), r.body(), "indistinguishable failures");
        }
        assertEquals(401, api.send("POST", url("/" + a + "/token/renew"), admin, null, null).status(),
                "a bearer token is not the account's token");
        clientCredentials(a, tokenA).expect(200);
        clientCredentials(b, tokenB).expect(200);
    }

    // ---- bad input ----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"A", "x", "-abc", "9abc", "a b", "abc_def", "../etc", "abc/def", "ümlaut",
            "a123456789012345678901234567890123456789012345678901234567890123"})
    void badNamesAreRejectedAndNothingIsWritten(String name) {
        KeycloakApi.Response r = api.postJson(url(""), admin, Map.of("name", name));
        assertEquals(400, r.status(), r.body());
        assertEquals("invalid_request", r.json().path("error").asText());
        assertEquals(0, api.get(api.adminRealmUrl("/clients?clientId=" + java.net.URLEncoder.encode(name,
                StandardCharsets.UTF_8) + "&search=false"), api.adminToken()).json().size());
    }

    @Test
    void malformedOversizedAndUnknownInputGetsA400() {
        assertEquals(400, api.send("POST", url(""), admin, "application/json", "{\"name\": ").status());
        assertEquals(400, api.send("POST", url(""), admin, "application/json", "[]").status());
        assertEquals(400, api.send("POST", url(""), admin, "application/json", "").status());
        assertEquals(400, api.postJson(url(""), admin, Map.of("name", "okname", "extra", 1)).status());
        assertEquals(400, api.postJson(url(""), admin, Map.of("name", "okname", "token_ttl", 5)).status());
        assertEquals(400, api.postJson(url(""), admin, Map.of("name", "okname", "token_ttl", "3600")).status());
        assertEquals(400, api.postJson(url(""), admin, Map.of("name", 42)).status());
        assertEquals(400, api.postJson(url(""), admin, Map.of("name", "okname", "description", "d".repeat(256))).status());
        String big = "{\"name\":\"okname\",\"description\":\"" + "x".repeat(5000) + "\"}";
        assertEquals(400, api.send("POST", url(""), admin, "application/json", big).status());
        assertEquals(415, api.send("POST", url(""), admin, "text/plain", "{\"name\":\"okname\"}").status());
        assertEquals(404, api.get(url("/okname"), admin).status(), "nothing was created");

        String name = createAccount("dup");
        assertEquals(409, api.postJson(url(""), admin, Map.of("name", name)).status());
        assertEquals(409, api.postJson(url(""), admin, Map.of("name", "admin")).status());
        assertEquals(404, api.send("POST", url("/no-such-account/token"), admin, null, null).status());
        assertEquals(404, api.delete(url("/no-such-account"), admin).status());
    }

    // ---- events -------------------------------------------------------------------------------------------

    @Test
    void stateChangesAndFailedPresentationsAreEventsWithoutTheToken() throws Exception {
        String name = createAccount("events");
        String token = issue(name, admin);
        clientCredentials(name, token + "x").expect(401);
        String renewed = renew(name, name, token).expect(200).json().path("token").asText();
        api.delete(url("/" + name + "/token"), admin).expect(204);

        // (the admin API's resourceTypes filter only accepts Keycloak's own types, so filter here)
        List<String> actions = new ArrayList<>();
        JsonNode adminEvents = Await.value("the account's admin events are stored", Duration.ofSeconds(30), () -> {
            JsonNode events = api.get(api.adminRealmUrl("/admin-events?max=1000"), api.adminToken()).expect(200).json();
            actions.clear();
            for (JsonNode e : events) {
                if ("MCIAS_SYSTEM_ACCOUNT".equals(e.path("resourceType").asText())
                        && name.equals(e.path("details").path("account").asText())) {
                    actions.add(e.path("details").path("action").asText());
                }
            }
            return actions.containsAll(List.of("create", "issue", "renew", "revoke")) ? events : null;
        });
        JsonNode userEvents = api.get(api.adminRealmUrl("/events?type=CLIENT_LOGIN_ERROR&client=" + name),
                api.adminToken()).expect(200).json();
        assertTrue(userEvents.size() >= 1, "failed presentation recorded");
        assertEquals(name, userEvents.get(0).path("details").path("system_account").asText());
        String all = adminEvents.toString() + userEvents;
        assertFalse(all.contains(token) || all.contains(renewed), "no token in any event");
    }

    // ---- concurrency and durability ----------------------------------------------------------------------

    @Test
    void fiftyConcurrentIssuesLeaveExactlyOneWorkingToken() throws Exception {
        String name = createAccount("concurrent");
        ExecutorService pool = Executors.newFixedThreadPool(25);
        List<String> tokens = new ArrayList<>();
        try {
            List<Future<KeycloakApi.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(pool.submit(() -> api.send("POST", url("/" + name + "/token"), admin, null, null)));
            }
            for (Future<KeycloakApi.Response> f : futures) {
                tokens.add(f.get(120, TimeUnit.SECONDS).expect(200).json().path("token").asText());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(50, tokens.stream().distinct().count());
        List<String> working = tokens.stream().filter(t -> clientCredentials(name, t).status() == 200).toList();
        assertEquals(1, working.size(), "exactly one working token");
    }

    /**
     * One restart of the shared server (tagged {@code restart}: runs after every other test) after an account got a
     * token and the realm was changed at runtime; each test checks one thing that must hold afterwards.
     */
    @Nested
    @Tag("restart")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class AfterARestart {

        String account;
        String accountToken;

        @BeforeAll
        void changeThingsThenRestart(KeycloakServer server, KeycloakApi kc) {
            assumeTrue(server instanceof DistributionKeycloakServer, "needs the local process");
            RealmFixtures fixtures = new RealmFixtures(kc);
            fixtures.ensurePasswordGrantClient();
            String administrator = fixtures.userWithRoles("sa-admin", "admin");
            account = RealmFixtures.unique("restart");
            kc.postJson(kc.realmUrl("/system-accounts"), administrator, Map.of("name", account)).expect(201);
            accountToken = kc.send("POST", kc.realmUrl("/system-accounts/" + account + "/token"), administrator,
                    null, null).expect(200).json().path("token").asText();
            kc.putJson(kc.adminRealmUrl(""), kc.adminToken(), Map.of("displayName", "MCIAS changed at runtime"))
                    .expect(204);
            ((DistributionKeycloakServer) server).restart();
        }

        @AfterAll
        void restoreTheRealm(KeycloakApi kc) {
            kc.putJson(kc.adminRealmUrl(""), kc.adminToken(), Map.of("displayName", "MCIAS")).expect(204);
        }

        @Test
        void issuedTokensStillWork() {
            clientCredentials(account, accountToken).expect(200);
        }

        @Test
        void theRealmImportAtStartLeavesTheExistingRealmAsItIs() {
            assertEquals("MCIAS changed at runtime", api.get(api.adminRealmUrl(""), api.adminToken()).expect(200)
                    .json().path("displayName").asText());
        }
    }
}
