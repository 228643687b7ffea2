package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.ExampleApps;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Tag;

/**
 * The bearer-token rule of all three MCIAS APIs (docs/security-model.md): a token is honoured only if it carries
 * the audience {@code mcias-api}, and a role only if it is in the token and still held by the user.
 *
 * <p>Each probe asks the three resources for what the account's admin or role holder may do: issue account A's
 * token, read A's database credentials, read the audit log (admin only).
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("any-db")
class ApiTokenAudienceIT {

    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;

    KeycloakApi api;
    RealmFixtures fx;
    String admin;
    String adminName;
    String holderName;
    String account;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        adminName = RealmFixtures.unique("aud-admin");
        fx.grantRealmRole(fx.createUser(adminName, PASSWORD), "admin");
        admin = fx.passwordGrant(adminName, PASSWORD).expect(200).json().path("access_token").asText();
        account = RealmFixtures.unique("aud-sa");
        api.postJson(api.realmUrl("/system-accounts"), admin, Map.of("name", account)).expect(201);
        api.putJson(api.realmUrl("/db-credentials/" + account), admin, Map.of("mode", "static",
                "host", "127.0.0.1", "port", 5432, "database", "appdb", "username", "app",
                "password", "static-db-password-0123", "sslmode", "disable")).expect(200);
        holderName = RealmFixtures.unique("aud-holder");
        fx.grantRealmRole(fx.createUser(holderName, PASSWORD), account);
    }

    /** Statuses of: POST /system-accounts/A/token, GET /db-credentials/A, GET /audit/events. */
    List<Integer> probe(String bearer) {
        return List.of(
                api.send("POST", api.realmUrl("/system-accounts/" + account + "/token"), bearer, null, null).status(),
                api.get(api.realmUrl("/db-credentials/" + account), bearer).status(),
                api.get(api.realmUrl("/audit/events?limit=1"), bearer).status());
    }

    static final List<Integer> NO_AUDIENCE = List.of(401, 401, 401);
    /** Audience but no usable role: the account is invisible, the audit log forbidden. */
    static final List<Integer> NO_ROLE = List.of(404, 404, 403);
    static final List<Integer> ADMIN = List.of(200, 200, 200);
    static final List<Integer> HOLDER = List.of(200, 200, 403);

    String fingerprint() {
        return api.get(api.realmUrl("/system-accounts/" + account), admin).expect(200).json()
                .path("token").path("fingerprint").asText();
    }

    /** A password-grant client with the mcias-api scope whose scope maps only the admin role. */
    record ScopedClient(String id, String uuid, RealmFixtures fx, String user) {
        String adminToken() {
            return fx.accessToken(id, "secret-" + id, user, PASSWORD);
        }
    }

    ScopedClient clientWithTheAdminRoleInScope(String prefix) {
        String id = RealmFixtures.unique(prefix);
        String uuid = fx.createPasswordGrantClient(id, "secret-" + id, Map.of("fullScopeAllowed", false));
        fx.addClientScope(uuid, "mcias-api", true);
        fx.scopeMapping(uuid, "admin", true);
        return new ScopedClient(id, uuid, fx, adminName);
    }

    @Nested
    class GivenAnIntendedClient {

        @Test
        void theTestClientWithTheMciasApiScopeServesTheAdmin() {
            Jwt jwt = Jwt.parse(admin);
            assertTrue(jwt.claims.path("aud").toString().contains("mcias-api"), jwt.claims.toString());
            assertEquals(ADMIN, probe(admin));
        }

        @Test
        void theRealmsAdminCliServesARoleHolder() {
            String token = fx.accessToken("admin-cli", null, holderName, PASSWORD);
            assertEquals(HOLDER, probe(token));
        }

        @Test
        void aClientWhoseScopeMapsTheRoleExplicitlyServesTheAdmin() {
            ScopedClient client = clientWithTheAdminRoleInScope("aud-scoped");
            assertEquals(ADMIN, probe(client.adminToken()));
        }
    }

    @Nested
    class GivenATokenWithoutTheAudience {

        @Test
        void aLowTrustClientsTokenIsRefusedEverywhereAndChangesNothing() {
            String id = RealmFixtures.unique("aud-lowtrust");
            fx.createPasswordGrantClient(id, "secret-" + id, Map.of("fullScopeAllowed", false));
            String token = fx.accessToken(id, "secret-" + id, adminName, PASSWORD);
            String before = fingerprint();
            assertEquals(NO_AUDIENCE, probe(token));
            assertEquals(before, fingerprint(), "no token was issued");
        }

        @Test
        void aFullScopeClientsTokenIsRefusedAlthoughItCarriesTheAdminRole() {
            String id = RealmFixtures.unique("aud-fullscope");
            fx.createPasswordGrantClient(id, "secret-" + id, Map.of());
            String token = fx.accessToken(id, "secret-" + id, adminName, PASSWORD);
            assertTrue(Jwt.parse(token).claims.path("realm_access").toString().contains("\"admin\""));
            assertEquals(NO_AUDIENCE, probe(token));
        }

        @Test
        void thePublicSpasTokenIsRefused() throws Exception {
            String token = spaLogin(holderName, PASSWORD);
            assertTrue(Jwt.parse(token).claims.path("realm_access").toString().contains(account));
            assertEquals(NO_AUDIENCE, probe(token));
        }

        @Test
        void aSystemAccountsAppTokenCannotReadItsOwnCredentials() {
            String mciasToken = api.send("POST", api.realmUrl("/system-accounts/" + account + "/token"), admin, null,
                    null).expect(200).json().path("token").asText();
            String forApps = fx.systemAccountAccessToken(account, mciasToken, null);
            String forApi = fx.systemAccountAccessToken(account, mciasToken, "mcias-api");
            assertEquals(401, api.get(api.realmUrl("/db-credentials/" + account), forApps).status());
            assertEquals(200, api.get(api.realmUrl("/db-credentials/" + account), forApi).status());
        }
    }

    @Nested
    class GivenTheAudienceButNoRoleInTheToken {

        @Test
        void aLowTrustClientWithTheScopeButNoRolesSeesNothing() {
            String id = RealmFixtures.unique("aud-noroles");
            String uuid = fx.createPasswordGrantClient(id, "secret-" + id, Map.of("fullScopeAllowed", false));
            fx.addClientScope(uuid, "mcias-api", true);
            String before = fingerprint();
            assertEquals(NO_ROLE, probe(fx.accessToken(id, "secret-" + id, adminName, PASSWORD)));
            assertEquals(before, fingerprint(), "no token was issued");
        }

        @Test
        void removingTheRoleFromTheClientsScopeStopsNewTokens() {
            ScopedClient client = clientWithTheAdminRoleInScope("aud-unmapped");
            assertEquals(ADMIN, probe(client.adminToken()));
            fx.scopeMapping(client.uuid(), "admin", false);
            assertEquals(NO_ROLE, probe(client.adminToken()));
        }
    }

    @Nested
    class GivenTheRoleInTheTokenButNoLongerHeld {

        @Test
        void removingTheRoleFromTheUserTakesEffectAtOnce() {
            String name = RealmFixtures.unique("aud-demoted");
            String userId = fx.createUser(name, PASSWORD);
            fx.grantRealmRole(userId, "admin");
            String token = fx.passwordGrant(name, PASSWORD).expect(200).json().path("access_token").asText();
            assertEquals(ADMIN, probe(token));
            fx.revokeRealmRole(userId, "admin");
            assertTrue(Jwt.parse(token).claims.path("realm_access").toString().contains("\"admin\""),
                    "the old token still names the role");
            assertEquals(NO_ROLE, probe(token));
        }
    }

    /** Authorization code + PKCE at the example SPA (a public client), done with plain HTTP; the access token. */
    String spaLogin(String username, String password) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String redirect = ExampleApps.spaUrl() + "/callback";
        String auth = api.realmUrl("/protocol/openid-connect/auth") + "?client_id=mcias-example-spa"
                + "&response_type=code&scope=openid&redirect_uri=" + enc(redirect)
                + "&code_challenge_method=S256&code_challenge=" + challenge + "&state=s1";
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(auth)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), page.body());
        Matcher action = Pattern.compile("id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"|action=\"([^\"]+)\"[^>]*id=\"kc-form-login\"")
                .matcher(page.body());
        assertTrue(action.find(), "login form");
        String post = (action.group(1) != null ? action.group(1) : action.group(2)).replace("&amp;", "&");
        // Keycloak's login cookies, sent back by hand (java.net.CookieManager drops them for an IP host).
        String cookies = String.join("; ", page.headers().allValues("Set-Cookie").stream()
                .map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'))).toList());
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(post))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookies)
                .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(username) + "&password=" + enc(password)
                        + "&credentialId="))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, login.statusCode(), login.body());
        String location = login.headers().firstValue("Location").orElseThrow();
        Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
        assertTrue(location.startsWith(redirect) && code.find(), location);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("client_id", "mcias-example-spa");
        form.put("code", java.net.URLDecoder.decode(code.group(1), StandardCharsets.UTF_8));
        form.put("redirect_uri", redirect);
        form.put("code_verifier", verifier);
        JsonNode tokens = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, form).expect(200).json();
        return tokens.path("access_token").asText();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
