package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.AuditRows;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The mcias-audit listener and /audit resource on a real Keycloak. */
@ExtendWith(KeycloakExtension.class)
class AuditIT {

    KeycloakApi api;
    RealmFixtures fx;
    String admin;

    @BeforeEach
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        admin = fx.userWithRoles("audit-admin", "admin");
    }

    String url(String path) {
        return api.realmUrl("/audit" + path);
    }

    /** Audit records matching the filters (newest first), via the read API. */
    List<JsonNode> records(String query) {
        JsonNode body = api.get(url("/events?limit=500&" + query), admin).expect(200).json();
        List<JsonNode> out = new ArrayList<>();
        body.path("events").forEach(out::add);
        return out;
    }

    JsonNode one(String type, String userId) {
        List<JsonNode> found = records("type=" + type + "&user=" + userId);
        assertEquals(1, found.size(), type + " records for " + userId + ": " + found);
        return found.get(0);
    }

    String userId(String username) {
        return api.get(api.adminRealmUrl("/users?exact=true&username=" + username), api.adminToken()).expect(200)
                .json().get(0).path("id").asText();
    }

    @Test
    void realFlowsProduceRecordsWithTheRightFieldsAndNoSecrets() throws Exception {
        String password = "Audit-secret-" + RealmFixtures.unique("pw");
        String name = RealmFixtures.unique("audited");
        String id = fx.createUser(name, password);
        List<String> secrets = new ArrayList<>(List.of(password));

        // Browser login.
        assertTrue(BrowserFormLogin.login(api, RealmFixtures.PASSWORD_GRANT_CLIENT, "http://127.0.0.1/it-callback",
                name, password).gotCode());
        JsonNode login = one("LOGIN", id);
        assertEquals("success", login.path("outcome").asText());
        assertEquals(RealmFixtures.PASSWORD_GRANT_CLIENT, login.path("client_id").asText());
        assertEquals("127.0.0.1", login.path("ip_address").asText());
        assertFalse(login.path("session_id").asText().isEmpty());
        assertEquals(name, login.path("details").path("username").asText());
        assertEquals("USER", login.path("kind").asText());
        assertTrue(login.path("user_agent").asText().contains("Java-http-client"));

        // Failed login.
        String wrong = password + "-wrong";
        secrets.add(wrong);
        fx.passwordGrant(name, wrong).expect(400);
        JsonNode failed = one("LOGIN_ERROR", id);
        assertEquals("error", failed.path("outcome").asText());
        assertEquals("invalid_user_credentials", failed.path("error").asText());

        // Token refresh.
        JsonNode tokens = fx.passwordGrant(name, password).expect(200).json();
        secrets.add(tokens.path("access_token").asText());
        secrets.add(tokens.path("refresh_token").asText());
        JsonNode refreshed = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of(
                "grant_type", "refresh_token", "client_id", RealmFixtures.PASSWORD_GRANT_CLIENT,
                "client_secret", RealmFixtures.PASSWORD_GRANT_SECRET,
                "refresh_token", tokens.path("refresh_token").asText())).expect(200).json();
        secrets.add(refreshed.path("access_token").asText());
        secrets.add(refreshed.path("refresh_token").asText());
        assertEquals("success", one("REFRESH_TOKEN", id).path("outcome").asText());

        // Admin update of the user (by the master admin).
        JsonNode rep = api.get(api.adminRealmUrl("/users/" + id), api.adminToken()).expect(200).json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) rep).put("firstName", "Changed");
        api.putJson(api.adminRealmUrl("/users/" + id), api.adminToken(), rep.toString()).expect(204);
        List<JsonNode> updates = records("type=UPDATE:USER");
        assertTrue(updates.stream().anyMatch(r -> ("users/" + id).equals(r.path("resource_path").asText())
                && "ADMIN".equals(r.path("kind").asText())), updates.toString());

        // System-account token issue (event from our other module).
        String account = RealmFixtures.unique("audited-sa");
        api.postJson(api.realmUrl("/system-accounts"), admin, Map.of("name", account)).expect(201);
        JsonNode issued = api.send("POST", api.realmUrl("/system-accounts/" + account + "/token"), admin, null, null)
                .expect(200).json();
        secrets.add(issued.path("token").asText());
        List<JsonNode> actions = records("type=ACTION:MCIAS_SYSTEM_ACCOUNT");
        assertTrue(actions.stream().anyMatch(r -> account.equals(r.path("details").path("account").asText())
                && "issue".equals(r.path("details").path("action").asText())
                && issued.path("fingerprint").asText().equals(r.path("details").path("fingerprint").asText())));

        // No secret anywhere: in the API view, the export, and (on PostgreSQL) every stored column.
        String everything = api.get(url("/export?format=ndjson"), admin).expect(200).body()
                + api.get(url("/events?limit=500"), admin).body() + AuditRows.rawTable(api);
        for (String secret : secrets) {
            assertFalse(everything.contains(secret), "a secret was stored (" + secret.length() + " chars)");
        }
        assertTrue(api.get(url("/verify"), admin).expect(200).json().path("ok").asBoolean());
    }

    @Test
    void editingOrDeletingARowBreaksVerificationAtThatRow() throws Exception {
        assumeTrue(api.server() instanceof DistributionKeycloakServer s && s.testDatabase().pgDatabase() != null,
                "needs direct access to the database (PostgreSQL run)");
        String db = ((DistributionKeycloakServer) api.server()).testDatabase().pgDatabase();
        String name = RealmFixtures.unique("tamper");
        String id = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
        fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
        long seq = records("type=LOGIN&user=" + id).get(0).path("seq").asLong();
        assertTrue(api.get(url("/verify"), admin).json().path("ok").asBoolean());

        try (Connection c = TestDatabase.connect(db)) {
            exec(c, "update mcias_audit_record set ip_address = '10.6.6.6' where seq = " + seq
                    + " and realm_id = (select id from realm where name = 'mcias')");
            JsonNode v = api.get(url("/verify"), admin).expect(200).json();
            assertFalse(v.path("ok").asBoolean());
            assertEquals(seq, v.path("first_broken").path("seq").asLong());
            exec(c, "update mcias_audit_record set ip_address = '127.0.0.1' where seq = " + seq
                    + " and realm_id = (select id from realm where name = 'mcias')");
            assertTrue(api.get(url("/verify"), admin).json().path("ok").asBoolean(), "restored");

            exec(c, "create temporary table saved as select * from mcias_audit_record where seq = " + seq
                    + " and realm_id = (select id from realm where name = 'mcias')");
            exec(c, "delete from mcias_audit_record where seq = " + seq
                    + " and realm_id = (select id from realm where name = 'mcias')");
            JsonNode v2 = api.get(url("/verify"), admin).expect(200).json();
            assertFalse(v2.path("ok").asBoolean());
            assertEquals(seq, v2.path("first_broken").path("seq").asLong());
            exec(c, "insert into mcias_audit_record select * from saved");
            assertTrue(api.get(url("/verify"), admin).json().path("ok").asBoolean(), "restored");
        }
    }

    private static void exec(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void concurrentLoginsGiveALinearChain() throws Exception {
        int n = 20;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(RealmFixtures.unique("chain"));
            fx.createUser(names.get(i), RealmFixtures.DEFAULT_PASSWORD);
        }
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            // Two waves, so no user has two logins in flight (Keycloak refuses that by design).
            for (boolean right : new boolean[] {true, false}) {
                List<Future<Integer>> results = new ArrayList<>();
                for (String name : names) {
                    results.add(pool.submit(() -> fx.passwordGrant(name,
                            right ? RealmFixtures.DEFAULT_PASSWORD : "wrong-" + name).status()));
                }
                for (Future<Integer> f : results) {
                    assertEquals(right ? 200 : 400, f.get(120, TimeUnit.SECONDS));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode v = api.get(url("/verify"), admin).expect(200).json();
        assertTrue(v.path("ok").asBoolean(), v.toString());
        for (String name : names) {
            String id = userId(name);
            assertEquals(1, records("type=LOGIN&user=" + id).size());
            assertEquals(1, records("type=LOGIN_ERROR&user=" + id).size());
        }
    }

    /** A confidential client for the client_credentials grant; returns its client id. */
    String serviceClient(String secret) {
        return fx.serviceClient("audit-cc", secret);
    }

    /** token_id details of the client's CLIENT_LOGIN records (the jti of each access token issued). */
    Set<String> recordedTokenIds(String clientId) {
        return tokenIds(records("type=CLIENT_LOGIN&client=" + clientId));
    }

    /** The token_id detail of each record (the jti of the access token a CLIENT_LOGIN record vouches for). */
    static Set<String> tokenIds(List<JsonNode> records) {
        Set<String> ids = new HashSet<>();
        for (JsonNode r : records) {
            ids.add(r.path("details").path("token_id").asText());
        }
        return ids;
    }

    @Test
    void burstOfTokenRequestsIsGroupCommittedWithEveryAnsweredTokenInALinearChain() throws Exception {
        String secret = "audit-cc-secret-0123456789";
        String clientId = serviceClient(secret);
        int ok = 120;
        int refused = 30;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        Set<String> answered = ConcurrentHashMap.newKeySet();
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < ok + refused; i++) {
                boolean good = i % 5 != 4;
                results.add(pool.submit(() -> {
                    KeycloakApi.Response r = api.clientCredentials(clientId, good ? secret : "wrong-secret", null);
                    if (r.status() == 200) {
                        answered.add(Jwt.parse(r.json().path("access_token").asText()).claims.path("jti").asText());
                    }
                    return r.status();
                }));
            }
            int twoHundreds = 0;
            int fourHundreds = 0;
            for (Future<Integer> f : results) {
                int status = f.get(120, TimeUnit.SECONDS);
                twoHundreds += status == 200 ? 1 : 0;
                fourHundreds += status == 401 ? 1 : 0;
            }
            assertEquals(ok, twoHundreds);
            assertEquals(refused, fourHundreds);
        } finally {
            pool.shutdownNow();
        }
        // Answered means committed: no waiting here.
        assertEquals(answered, recordedTokenIds(clientId), "one CLIENT_LOGIN record per issued token");
        assertEquals(refused, records("type=CLIENT_LOGIN_ERROR&client=" + clientId).size());
        JsonNode v = api.get(url("/verify"), admin).expect(200).json();
        assertTrue(v.path("ok").asBoolean(), v.toString());
    }

    /**
     * Group-committed batches carry many requests' values at once: values that look like SQL or array syntax, like
     * NULL, or are longer than their column are stored as sent (or cut to the column), on the success and the error
     * path, and the chain still verifies.
     */
    @Test
    void groupCommittedValuesAreStoredExactlyAsSent() throws Exception {
        String secret = "audit-ua-secret-0123456789";
        String clientId = fx.serviceClient("audit-ua", secret);
        List<String> agents = List.of("NULL", "null", "{}", "{\"a\",NULL}", "back\\slash \"quote\" {brace},comma",
                "' OR '1'='1", "x".repeat(600));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int round = 0; round < 2; round++) { // concurrently, so that batches mix the values
                for (String agent : agents) {
                    results.add(pool.submit(() -> api.clientCredentials(clientId, secret, null,
                            Map.of("User-Agent", agent)).status()));
                    results.add(pool.submit(() -> api.clientCredentials(clientId, "wrong-secret", null,
                            Map.of("User-Agent", agent)).status()));
                }
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get(120, TimeUnit.SECONDS));
            }
            assertEquals(agents.size() * 2, statuses.stream().filter(st -> st == 200).count(), statuses.toString());
            assertEquals(agents.size() * 2, statuses.stream().filter(st -> st == 401).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        for (String agent : agents) {
            expected.merge(agent.length() > 512 ? agent.substring(0, 512) : agent, 2, Integer::sum);
        }
        for (String type : List.of("CLIENT_LOGIN", "CLIENT_LOGIN_ERROR")) {
            Map<String, Integer> stored = new LinkedHashMap<>();
            for (JsonNode r : records("type=" + type + "&client=" + clientId)) {
                assertTrue(r.path("user_agent").isTextual(), type + " record without its user agent: " + r);
                stored.merge(r.path("user_agent").asText(), 1, Integer::sum);
            }
            assertEquals(expected, stored, type);
        }
        JsonNode v = api.get(url("/verify"), admin).expect(200).json();
        assertTrue(v.path("ok").asBoolean(), v.toString());
    }

    /** Kills the shared server and starts it again (tagged {@code restart}: runs after every other test). */
    @Tag("restart")
    @Test
    void killMinus9AfterABurstLosesNoAnsweredEvent(KeycloakServer server) throws Exception {
        assumeTrue(server instanceof DistributionKeycloakServer, "needs the local process");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add(RealmFixtures.unique("crash"));
            fx.createUser(names.get(i), RealmFixtures.DEFAULT_PASSWORD);
        }
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<String> answered = new ArrayList<>();
        try {
            Map<String, Future<Integer>> results = new LinkedHashMap<>();
            for (String name : names) {
                results.put(name, pool.submit(() -> fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).status()));
            }
            for (Map.Entry<String, Future<Integer>> e : results.entrySet()) {
                if (e.getValue().get(120, TimeUnit.SECONDS) == 200) {
                    answered.add(e.getKey());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // Token requests (group-committed records) keep running until the kill: answered ones must survive it.
        String secret = "audit-cc-secret-0123456789";
        String clientId = serviceClient(secret);
        Set<String> answeredTokens = ConcurrentHashMap.newKeySet();
        AtomicBoolean serverUp = new AtomicBoolean(true);
        ExecutorService burst = Executors.newFixedThreadPool(6);
        for (int t = 0; t < 6; t++) {
            burst.submit(() -> {
                while (serverUp.get() && answeredTokens.size() < 400) {
                    try {
                        KeycloakApi.Response r = api.clientCredentials(clientId, secret, null);
                        if (r.status() == 200) {
                            answeredTokens.add(Jwt.parse(r.json().path("access_token").asText()).claims
                                    .path("jti").asText());
                        }
                    } catch (RuntimeException connectionLost) {
                        return;
                    }
                }
            });
        }
        DistributionKeycloakServer kc = (DistributionKeycloakServer) server;
        Await.until("token requests answered during the burst", Duration.ofSeconds(120),
                () -> answeredTokens.size() >= 30);
        kc.kill();
        serverUp.set(false);
        burst.shutdown();
        assertTrue(burst.awaitTermination(120, TimeUnit.SECONDS));
        Set<String> answeredBeforeKill = Set.copyOf(answeredTokens);
        kc.start();
        admin = fx.userWithRoles("audit-admin", "admin");
        assertEquals(names.size(), answered.size());
        for (String name : answered) {
            assertEquals(1, records("type=LOGIN&user=" + userId(name)).size(), name);
        }
        Set<String> recorded = recordedTokenIds(clientId);
        for (String jti : answeredBeforeKill) {
            assertTrue(recorded.contains(jti), "answered token " + jti + " has its record");
        }
        assertTrue(api.get(url("/verify"), admin).json().path("ok").asBoolean());
    }

    @Test
    void readEndpointsAuthorizationMatrix() {
        String viewer = fx.viewEventsUser();
        String plain = fx.userWithRoles("audit-plain");
        String account = RealmFixtures.unique("audit-sa");
        api.postJson(api.realmUrl("/system-accounts"), admin, Map.of("name", account)).expect(201);
        String token = api.send("POST", api.realmUrl("/system-accounts/" + account + "/token"), admin, null, null)
                .expect(200).json().path("token").asText();
        String accountBearer = fx.systemAccountAccessToken(account, token, "mcias-api");

        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("anonymous", null);
        callers.put("garbage", "garbage");
        callers.put("plain user", plain);
        callers.put("system account", accountBearer);
        callers.put("view-events holder", viewer);
        callers.put("admin", admin);
        // events, export, verify, purge
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("anonymous", new int[] {401, 401, 401, 401});
        expected.put("garbage", new int[] {401, 401, 401, 401});
        expected.put("plain user", new int[] {403, 403, 403, 403});
        expected.put("system account", new int[] {403, 403, 403, 403});
        expected.put("view-events holder", new int[] {200, 200, 200, 403});
        expected.put("admin", new int[] {200, 200, 200, 200}); // purge: retention-days is set for the tests
        List<String> failures = new ArrayList<>();
        expected.forEach((who, codes) -> {
            String b = callers.get(who);
            int[] got = {api.get(url("/events"), b).status(), api.get(url("/export?format=ndjson"), b).status(),
                    api.get(url("/verify"), b).status(), api.send("POST", url("/purge"), b, null, null).status()};
            if (!java.util.Arrays.equals(codes, got)) {
                failures.add(who + ": expected " + java.util.Arrays.toString(codes) + " got "
                        + java.util.Arrays.toString(got));
            }
        });
        assertEquals(List.of(), failures);
    }

    @Test
    void badQueryParametersAre400AndPagingWorks() {
        for (String q : List.of("limit=0", "limit=501", "limit=x", "outcome=maybe", "from=yesterday",
                "cursor=abc", "type=" + "t".repeat(300))) {
            assertEquals(400, api.get(url("/events?" + q), admin).status(), q);
        }
        assertEquals(400, api.get(url("/export?format=csv"), admin).status());

        JsonNode first = api.get(url("/events?limit=3"), admin).expect(200).json();
        assertEquals(3, first.path("events").size());
        String cursor = first.path("next_cursor").asText();
        assertNotNull(cursor);
        JsonNode second = api.get(url("/events?limit=3&cursor=" + cursor), admin).expect(200).json();
        long last = first.path("events").get(2).path("seq").asLong();
        assertEquals(last - 1, second.path("events").get(0).path("seq").asLong(), "pages continue without gaps");

        String ndjson = api.get(url("/export?format=ndjson&from=1970-01-01T00:00:00Z"), admin).expect(200).body();
        String[] lines = ndjson.split("\n");
        assertTrue(lines.length >= 6);
        long prev = 0;
        for (String line : lines) {
            long seq = Long.parseLong(line.replaceAll(".*\"seq\":(\\d+).*", "$1"));
            assertEquals(prev == 0 ? seq : prev + 1, seq, "ascending and contiguous");
            prev = seq;
        }
    }
}
