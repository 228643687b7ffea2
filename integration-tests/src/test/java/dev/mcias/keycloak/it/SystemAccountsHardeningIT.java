package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** System accounts under attack and under Keycloak's own life cycle; each test is one finding of the review. */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SystemAccountsHardeningIT {

    KeycloakApi api;
    RealmFixtures fx;
    String admin;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        admin = fx.userWithRoles("sah-admin", "admin");
    }

    String url(String path) {
        return api.realmUrl("/system-accounts" + path);
    }

    String createAccount(String prefix) {
        String name = RealmFixtures.unique(prefix);
        api.postJson(url(""), admin, Map.of("name", name)).expect(201);
        return name;
    }

    String issue(String name) {
        return api.send("POST", url("/" + name + "/token"), admin, null, null).expect(200).json().path("token").asText();
    }

    boolean exists(String name) {
        return api.get(url("/" + name), admin).status() == 200;
    }

    List<JsonNode> audit(String query) {
        List<JsonNode> out = new ArrayList<>();
        api.get(api.realmUrl("/audit/events?limit=500&" + query), admin).expect(200).json().path("events")
                .forEach(out::add);
        return out;
    }

    static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Nested
    class AnOutsiderCannotTellWhetherAnAccountExists {

        @Test
        void atTheTokenEndpoint() {
            String name = createAccount("sah-exists");
            issue(name);
            KeycloakApi.Response unknown = api.clientCredentials(RealmFixtures.unique("sah-nobody"),
                    "mcias_sat_" + "A".repeat(43), null);
            KeycloakApi.Response wrong = api.clientCredentials(name, "mcias_sat_" + "A".repeat(43), null);
            assertEquals(401, wrong.status(), wrong.body());
            assertEquals(unknown.status(), wrong.status());
            assertEquals(unknown.json().path("error").asText(), wrong.json().path("error").asText());
            assertEquals(unknown.json().path("error_description").asText(),
                    wrong.json().path("error_description").asText());
        }

        @Test
        void atRenewalAndEveryFailedRenewalIsRecorded() {
            String name = createAccount("sah-renew");
            String other = createAccount("sah-renew-other");
            String otherToken = issue(other);
            issue(name);
            String nobody = RealmFixtures.unique("sah-nobody");
            String guess = "mcias_sat_" + "B".repeat(43);
            List<KeycloakApi.Response> answers = List.of(
                    api.send("POST", url("/" + nobody + "/token/renew"), Map.of("Authorization", basic(nobody, guess)), null),
                    api.send("POST", url("/" + name + "/token/renew"), Map.of("Authorization", basic(name, guess)), null),
                    api.send("POST", url("/" + name + "/token/renew"), Map.of("Authorization", basic(other, otherToken)),
                            null));
            for (KeycloakApi.Response r : answers) {
                assertEquals(401, r.status());
                assertEquals(answers.get(0).body(), r.body());
            }
            List<JsonNode> failures = audit("type=CLIENT_LOGIN_ERROR&client=" + name);
            assertEquals(2, failures.size(), failures.toString());
            for (JsonNode f : failures) {
                assertEquals("renew", f.path("details").path("action").asText());
                assertEquals("error", f.path("outcome").asText());
            }
            assertEquals(1, audit("type=CLIENT_LOGIN_ERROR&client=" + nobody).size());
            assertFalse(audit("type=CLIENT_LOGIN_ERROR&client=" + name).toString().contains("BBBB"),
                    "the presented token is recorded only as a fingerprint");
        }
    }

    @Nested
    class RefusedCallsAreRecorded {

        @Test
        void aPlainUsersLookAndAHoldersDeleteLeaveErrorRecords() {
            String name = createAccount("sah-refused");
            String plainName = RealmFixtures.unique("sah-plain");
            String plainId = fx.createUser(plainName, RealmFixtures.DEFAULT_PASSWORD);
            String plain = fx.passwordGrant(plainName, RealmFixtures.DEFAULT_PASSWORD).expect(200).json()
                    .path("access_token").asText();
            String holderName = RealmFixtures.unique("sah-holder");
            String holderId = fx.createUser(holderName, RealmFixtures.DEFAULT_PASSWORD);
            fx.grantRealmRole(holderId, name);
            String holder = fx.passwordGrant(holderName, RealmFixtures.DEFAULT_PASSWORD).expect(200).json()
                    .path("access_token").asText();

            assertEquals(404, api.get(url("/" + name), plain).status());
            assertEquals(403, api.delete(url("/" + name), holder).status());
            assertEquals(403, api.postJson(url(""), holder, Map.of("name", RealmFixtures.unique("sah-x"))).status());

            List<JsonNode> byPlain = audit("outcome=error&user=" + plainId);
            assertEquals(1, byPlain.size(), byPlain.toString());
            assertEquals("not_found", byPlain.get(0).path("error").asText());
            assertEquals(name, byPlain.get(0).path("details").path("account").asText());
            Set<String> byHolder = new TreeSet<>();
            audit("outcome=error&user=" + holderId).forEach(r -> byHolder.add(
                    r.path("details").path("action").asText() + ":" + r.path("error").asText()));
            assertEquals(Set.of("create:forbidden", "delete:forbidden"), byHolder);
            assertTrue(exists(name), "nothing was deleted");
        }
    }

    /** The refusals end the request with an exception; what the caller gets is still exactly this. */
    @Nested
    class RefusalsAnswerTheDocumentedJson {

        @Test
        void withoutATokenA401WithTheBearerChallenge() {
            KeycloakApi.Response r = api.get(url(""), null);
            assertEquals(401, r.status());
            assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals("unauthorized", r.json().path("error").asText());
            assertEquals("a valid bearer token for audience mcias-api is required",
                    r.json().path("error_description").asText());
        }

        @Test
        void anAccountTheCallerMayNotSeeA404() {
            KeycloakApi.Response r = api.get(url("/" + createAccount("sah-json")), fx.userWithRoles("sah-json"));
            assertEquals(404, r.status());
            assertEquals("not_found", r.json().path("error").asText());
            assertEquals("no such account", r.json().path("error_description").asText());
        }

        @Test
        void aCallerWithoutTheAdminRoleA403() {
            KeycloakApi.Response r = api.postJson(url(""), fx.userWithRoles("sah-json"),
                    Map.of("name", RealmFixtures.unique("sah-json")));
            assertEquals(403, r.status());
            assertEquals("forbidden", r.json().path("error").asText());
            assertEquals("not allowed", r.json().path("error_description").asText());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        }
    }

    @Nested
    class BadBodiesAreRefusedAndWriteNothing {

        @ParameterizedTest
        @ValueSource(strings = {"{\"name\":\"%s\"}garbage", "{\"name\":\"%s\"}{\"name\":\"%s\"}",
                "{\"name\":\"%s\",\"name\":\"%s-2\"}", "{\"name\":\"%s\",\"description\":\"a\\u0000b\"}",
                "{\"name\":\"%s\",\"description\":\"tab\\there\"}",
                "{\"name\":\"%s\",\"description\":\"evil\\u202Etxt.exe\"}"})
        void trailingDataDuplicateKeysAndControlCharacters(String template) {
            String name = RealmFixtures.unique("sah-body");
            String body = template.replace("%s", name);
            KeycloakApi.Response r = api.send("POST", url(""), admin, "application/json", body);
            assertEquals(400, r.status(), r.body());
            assertFalse(exists(name), "not created: " + body);
            assertFalse(exists(name + "-2"));
        }
    }

    @Nested
    class RacesWithDeletion {

        @Test
        void tokenIssuesRacingADeleteAnswer200Or404NeverAServerError() throws Exception {
            String name = createAccount("sah-race");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> issues = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    issues.add(pool.submit(() -> api.send("POST", url("/" + name + "/token"), admin, null, null)
                            .status()));
                    if (i == 4) {
                        issues.add(pool.submit(() -> api.delete(url("/" + name), admin).status()));
                    }
                }
                Set<Integer> seen = new TreeSet<>();
                for (Future<Integer> f : issues) {
                    seen.add(f.get(60, TimeUnit.SECONDS));
                }
                assertTrue(Set.of(200, 204, 404).containsAll(seen), seen.toString());
            } finally {
                pool.shutdownNow();
            }
            assertFalse(exists(name));
        }
    }

    @Nested
    class KeycloaksOwnLifeCycle {

        @Test
        void deletingTheClientInTheAdminApiRemovesSlotAndRoleSoTheNameCanBeReused() {
            String name = createAccount("sah-console");
            issue(name);
            String master = api.adminToken();
            api.delete(api.adminRealmUrl("/clients/" + fx.clientUuid(name)), master).expect(204);
            assertEquals(404, api.get(api.adminRealmUrl("/roles/" + name), master).status(), "delegation role gone");
            api.postJson(url(""), admin, Map.of("name", name)).expect(201);
            assertFalse(api.get(url("/" + name), admin).expect(200).json().path("token").path("present").asBoolean(),
                    "the new account starts without a token");
        }

        @Test
        void theAdminConsoleListMarksSystemAccounts() {
            String name = createAccount("sah-marked");
            JsonNode client = api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(name)), api.adminToken())
                    .expect(200).json();
            assertEquals("MCIAS system account " + name, client.path("name").asText());
        }
    }
}
