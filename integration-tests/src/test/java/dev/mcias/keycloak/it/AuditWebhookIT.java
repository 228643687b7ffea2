package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakExtension.ServerOptions;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import dev.mcias.keycloak.it.support.WebhookReceiver;
import dev.mcias.keycloak.it.support.WebhookReceiver.Delivery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Audit webhooks (spi-audit-listener README, "Webhooks") against a real receiver on 127.0.0.1: Standard Webhooks
 * signatures, retries after errors and timeouts, the attempt bound, redirects not followed, the destination policy
 * (internal addresses refused unless the operator allows them), the deliveries endpoint, and (in the
 * {@code restart} execution, on its server) delivery resumed after {@code kill -9}. The test servers run with short
 * webhook timeouts ({@link ServerOptions#webhookOptions}); the realm's webhook is on only while this class runs.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditWebhookIT {

    static final String URL_ATTRIBUTE = "mcias.webhook.url";
    static final String EVENTS_ATTRIBUTE = "mcias.webhook.events";
    static final Duration WAIT = Duration.ofSeconds(60);

    KeycloakApi api;
    RealmFixtures fx;
    String adminName;
    /** A fresh token per test (the class runs longer than a token lives, and restarts the server). */
    String admin;
    WebhookReceiver receiver;
    /** What the deliveries endpoint said before this class set the realm's webhook. */
    boolean enabledBeforeConfigured;
    /** Per user id: how the receiver answers that user's LOGIN records (others get 200). */
    final Map<String, java.util.function.Function<Integer, Integer>> plans = new ConcurrentHashMap<>();

    @BeforeAll
    void setUp(KeycloakApi api) throws Exception {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        adminName = RealmFixtures.unique("hook-admin");
        fx.grantRealmRole(fx.createUser(adminName, RealmFixtures.DEFAULT_PASSWORD), "admin");
        freshAdminToken();
        enabledBeforeConfigured = deliveries(api, admin, "").path("enabled").asBoolean();
        receiver = new WebhookReceiver();
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        receiver.answer(d -> {
            String user = d.json() == null ? "" : d.json().path("user_id").asText();
            var plan = plans.get(user);
            return plan == null ? 200 : plan.apply(seen.computeIfAbsent(user, u -> new AtomicInteger()).incrementAndGet());
        });
        fx.realmAttributes(Map.of(URL_ATTRIBUTE, receiver.url(), EVENTS_ATTRIBUTE, "LOGIN"));
    }

    @BeforeEach
    void freshAdminToken() {
        admin = fx.passwordGrant(adminName, RealmFixtures.DEFAULT_PASSWORD).expect(200).json().path("access_token")
                .asText();
    }

    @AfterAll
    void tearDown() {
        if (fx != null) {
            fx.realmAttributes(Map.of(URL_ATTRIBUTE, "", EVENTS_ATTRIBUTE, ""));
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static JsonNode deliveries(KeycloakApi api, String bearer, String query) {
        return api.get(api.realmUrl("/audit/webhooks/deliveries?limit=500" + query), bearer).expect(200).json();
    }

    /** The outbox row of a record, once it has reached {@code status}. */
    static JsonNode awaitRow(KeycloakApi api, String bearer, String recordId, String status) throws Exception {
        return Await.value("delivery of record " + recordId + " " + status, WAIT, () -> {
            for (JsonNode row : deliveries(api, bearer, "&status=" + status).path("deliveries")) {
                if (recordId.equals(row.path("record_id").asText())) {
                    return row;
                }
            }
            return null;
        });
    }

    /** The LOGIN record of a user's (single) login, as the read API shows it. */
    static JsonNode loginRecord(KeycloakApi api, String bearer, String userId) {
        JsonNode events = api.get(api.realmUrl("/audit/events?type=LOGIN&user=" + userId), bearer).expect(200).json()
                .path("events");
        assertEquals(1, events.size(), events.toString());
        return events.get(0);
    }

    /** A new user who logs in once (password grant); returns the user id. */
    static String userWhoLogsIn(RealmFixtures fx) {
        String name = RealmFixtures.unique("hooked");
        String id = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
        return id;
    }

    @Test
    void aRealmHasNoWebhookUntilItsAttributesSetOne() {
        assertFalse(enabledBeforeConfigured, "off by default");
    }

    @Nested
    class GivenAWebhookForLoginEvents {

        @Test
        void aLoginArrivesOnceSignedAsStandardWebhooksWithTheRecordAsExported() throws Exception {
            String user = userWhoLogsIn(fx);
            JsonNode record = loginRecord(api, admin, user);
            JsonNode row = awaitRow(api, admin, record.path("id").asText(), "delivered");
            List<Delivery> got = receiver.forRecord(record.path("id").asText());
            assertEquals(1, got.size());
            Delivery d = got.get(0);

            assertTrue(WebhookReceiver.verifies(d, ServerOptions.webhookSecret()), "signature verifies");
            assertFalse(WebhookReceiver.verifies(d, "whsec_" + java.util.Base64.getEncoder()
                    .encodeToString(new byte[32])), "and not with another secret");
            assertEquals(row.path("webhook_id").asText(), d.id());
            long ts = Long.parseLong(d.timestamp());
            assertTrue(Math.abs(ts - d.receivedAtMillis() / 1000) <= 5, "webhook-timestamp is now, in seconds");
            assertTrue(d.contentType().startsWith("application/json"));
            // The payload is the record exactly as the read API and the export give it.
            assertEquals(record, d.json());
            String export = api.get(api.realmUrl("/audit/export?format=ndjson"), admin).expect(200).body();
            assertTrue(export.lines().anyMatch(l -> l.equals(d.body())), "the body is the record's export line");

            assertEquals(1, row.path("attempts").asInt());
            assertEquals(200, row.path("last_status").asInt());
            assertEquals("http://127.0.0.1:" + java.net.URI.create(receiver.url()).getPort(),
                    row.path("endpoint").asText(), "listed by origin only");
        }

        @Test
        void recordsOfOtherTypesAreNotQueued() throws Exception {
            String name = RealmFixtures.unique("hook-other");
            String user = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
            fx.passwordGrant(name, "wrong-password").expect(400);
            fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
            String errorId = api.get(api.realmUrl("/audit/events?type=LOGIN_ERROR&user=" + user), admin).expect(200)
                    .json().path("events").get(0).path("id").asText();
            awaitRow(api, admin, loginRecord(api, admin, user).path("id").asText(), "delivered");
            // Outbox rows are written with their record: the error record exists, so its absence is final.
            for (JsonNode row : deliveries(api, admin, "").path("deliveries")) {
                assertFalse(errorId.equals(row.path("record_id").asText()), "LOGIN_ERROR is not in the filter");
            }
            assertEquals(List.of(), receiver.forRecord(errorId));
        }
    }

    @Nested
    class GivenAReceiverThatFails {

        @Test
        void after500sItRetriesWithTheSameIdUntilDelivered() throws Exception {
            String name = RealmFixtures.unique("hook-500");
            String user = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
            plans.put(user, n -> n < 3 ? 500 : 200);
            fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
            String recordId = loginRecord(api, admin, user).path("id").asText();
            JsonNode row = awaitRow(api, admin, recordId, "delivered");
            List<Delivery> got = receiver.forRecord(recordId);
            assertEquals(3, got.size());
            assertEquals(1, got.stream().map(Delivery::id).distinct().count(), "one webhook-id for every attempt");
            assertTrue(got.stream().allMatch(d -> WebhookReceiver.verifies(d, ServerOptions.webhookSecret())));
            assertEquals(3, row.path("attempts").asInt());
            assertTrue(got.get(2).receivedAtMillis() - got.get(1).receivedAtMillis() >= 150,
                    "backed off (at least half the nominal delay)");
        }

        @Test
        void afterATimeoutItRetriesWithTheSameId() throws Exception {
            String name = RealmFixtures.unique("hook-slow");
            String user = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
            plans.put(user, n -> n == 1 ? WebhookReceiver.HANG : 200);
            fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
            String recordId = loginRecord(api, admin, user).path("id").asText();
            JsonNode row = awaitRow(api, admin, recordId, "delivered");
            receiver.releaseHung();
            List<Delivery> got = receiver.forRecord(recordId);
            assertEquals(2, got.size());
            assertEquals(got.get(0).id(), got.get(1).id());
            assertTrue(got.get(1).receivedAtMillis() - got.get(0).receivedAtMillis()
                    >= ServerOptions.WEBHOOK_TIMEOUT_MILLIS, "the second attempt came after the first timed out");
            assertEquals(2, row.path("attempts").asInt());
        }

        @Test
        void whenItNeverRecoversDeliveryStopsAtTheBoundAndShowsAsFailed() throws Exception {
            String name = RealmFixtures.unique("hook-down");
            String user = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
            plans.put(user, n -> 500);
            fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
            String recordId = loginRecord(api, admin, user).path("id").asText();
            JsonNode row = awaitRow(api, admin, recordId, "failed");
            assertEquals(ServerOptions.WEBHOOK_MAX_ATTEMPTS, row.path("attempts").asInt());
            assertEquals(500, row.path("last_status").asInt());
            assertEquals("HTTP 500", row.path("last_error").asText());
            assertNotNull(row.path("done").asText());
            // Marked failed after the last attempt was answered: no attempt can follow.
            assertEquals(ServerOptions.WEBHOOK_MAX_ATTEMPTS, receiver.forRecord(recordId).size());
            assertTrue(deliveries(api, admin, "").path("counts").path("failed").asLong() >= 1);
            if (api.server() instanceof DistributionKeycloakServer) {
                assertTrue(deliveriesCounted(api, "failed") >= 1, "the failure is counted in /metrics");
            }
        }

        /** An endpoint that redirects elsewhere is a failed attempt: the other address never hears of the record. */
        @Test
        void redirectsAreNotFollowed() throws Exception {
            try (WebhookReceiver elsewhere = new WebhookReceiver()) {
                receiver.redirectTo(elsewhere.url());
                String name = RealmFixtures.unique("hook-redirect");
                String user = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
                plans.put(user, n -> 307);
                fx.passwordGrant(name, RealmFixtures.DEFAULT_PASSWORD).expect(200);
                String recordId = loginRecord(api, admin, user).path("id").asText();
                JsonNode row = awaitRow(api, admin, recordId, "failed");
                assertEquals(307, row.path("last_status").asInt());
                assertEquals("HTTP 307", row.path("last_error").asText());
                assertEquals(ServerOptions.WEBHOOK_MAX_ATTEMPTS, receiver.forRecord(recordId).size());
                assertEquals(List.of(), elsewhere.received(), "the redirect target got nothing");
            } finally {
                receiver.redirectTo(null);
            }
        }
    }

    /** {@code mcias_audit_webhook_deliveries_total{outcome}} of the shared server, summed over its series. */
    static double deliveriesCounted(KeycloakApi api, String outcome) {
        String metrics = api.get(((DistributionKeycloakServer) api.server()).managementUrl() + "/metrics", null)
                .expect(200).body();
        return metrics.lines()
                .filter(l -> l.startsWith("mcias_audit_webhook_deliveries_total{")
                        && l.contains("outcome=\"" + outcome + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * The destination policy (README, "Where deliveries may go"): the test servers allow only 127.0.0.1
     * ({@link ServerOptions#WEBHOOK_ALLOWED_DESTINATIONS}), the receivers' address; every other internal
     * destination is refused at delivery time without a connection, with one fixed error whatever the reason.
     */
    @Nested
    class GivenAnInternalDestination {

        @Test
        void notAllowedByTheOperatorItIsRefusedWithoutAConnectionAndNeverRetried() throws Exception {
            double refusedBefore = api.server() instanceof DistributionKeycloakServer ? deliveriesCounted(api,
                    "refused") : 0;
            try (Listener internal = new Listener("127.0.0.2")) {
                String port = ":" + internal.port();
                // A listening internal address, the same one spelled as a decimal number, cloud metadata, a name
                // that does not resolve, and the allowed receiver on 127.0.0.1 (the option's positive case).
                List<String> refused = List.of("https://127.0.0.2" + port + "/hook", "https://2130706434" + port
                        + "/hook", "https://169.254.169.254/latest/meta-data", "https://no-such-host.invalid/hook");
                fx.realmAttributes(Map.of(URL_ATTRIBUTE, String.join(" ", refused) + " " + receiver.url(),
                        EVENTS_ATTRIBUTE, "LOGIN"));
                try {
                    String user = userWhoLogsIn(fx);
                    String recordId = loginRecord(api, admin, user).path("id").asText();
                    List<JsonNode> rows = Await.value("four refused deliveries of " + recordId, WAIT, () -> {
                        List<JsonNode> failed = rowsOf(recordId, "failed");
                        return failed.size() == refused.size() ? failed : null;
                    });
                    awaitRow(api, admin, recordId, "delivered");
                    assertEquals(1, receiver.forRecord(recordId).size(), "the allowed loopback receiver got it");

                    Set<String> endpoints = new java.util.HashSet<>();
                    for (JsonNode row : rows) {
                        endpoints.add(row.path("endpoint").asText());
                        assertEquals("destination not allowed", row.path("last_error").asText(), row.toString());
                        assertTrue(absent(row.path("last_status")), "no HTTP status: " + row);
                        assertEquals(1, row.path("attempts").asInt(), "failed at once, no retry: " + row);
                        assertTrue(absent(row.path("next_attempt")), row.toString());
                    }
                    assertEquals(refused.stream().map(u -> u.substring(0, u.indexOf('/', 8))).collect(
                            java.util.stream.Collectors.toSet()), endpoints);
                    assertEquals(0, internal.accepted(), "no connection was attempted");
                    if (api.server() instanceof DistributionKeycloakServer) {
                        assertTrue(deliveriesCounted(api, "refused") >= refusedBefore + refused.size(),
                                "counted as outcome=refused in /metrics");
                    }

                    // Failed is final: a later record's delivery comes and goes, the refused rows stay as they
                    // were and the internal address still has had no connection.
                    fx.realmAttributes(Map.of(URL_ATTRIBUTE, receiver.url(), EVENTS_ATTRIBUTE, "LOGIN"));
                    String later = userWhoLogsIn(fx);
                    awaitRow(api, admin, loginRecord(api, admin, later).path("id").asText(), "delivered");
                    for (JsonNode row : rowsOf(recordId, "failed")) {
                        assertEquals(1, row.path("attempts").asInt());
                    }
                    assertEquals(0, internal.accepted());
                } finally {
                    fx.realmAttributes(Map.of(URL_ATTRIBUTE, receiver.url(), EVENTS_ATTRIBUTE, "LOGIN"));
                }
            }
        }

        /** A null field: the endpoint leaves those out. */
        static boolean absent(JsonNode n) {
            return n.isMissingNode() || n.isNull();
        }

        List<JsonNode> rowsOf(String recordId, String status) {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode row : deliveries(api, admin, "&status=" + status).path("deliveries")) {
                if (recordId.equals(row.path("record_id").asText())) {
                    out.add(row);
                }
            }
            return out;
        }
    }

    /** A TCP listener that counts the connections it accepts (and closes them): did anything try to connect? */
    static final class Listener implements AutoCloseable {
        private final java.net.ServerSocket socket;
        private final AtomicInteger accepted = new AtomicInteger();

        Listener(String address) throws java.io.IOException {
            socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName(address));
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        java.net.Socket s = socket.accept();
                        accepted.incrementAndGet();
                        s.close();
                    } catch (java.io.IOException e) {
                        // closed
                    }
                }
            }, "internal-listener");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Nested
    class GivenTheDeliveriesEndpoint {

        String url(String query) {
            return api.realmUrl("/audit/webhooks/deliveries" + query);
        }

        @Test
        void readersOfTheAuditLogMayListAndNobodyElse() {
            String viewer = fx.viewEventsUser();
            String plain = fx.userWithRoles("hook-plain");
            String account = RealmFixtures.unique("hook-sa");
            api.postJson(api.realmUrl("/system-accounts"), admin, Map.of("name", account)).expect(201);
            String token = api.send("POST", api.realmUrl("/system-accounts/" + account + "/token"), admin, null, null)
                    .expect(200).json().path("token").asText();
            String accountBearer = fx.systemAccountAccessToken(account, token, "mcias-api");
            String lowTrust = RealmFixtures.unique("hook-lowtrust");
            fx.createPasswordGrantClient(lowTrust, "secret-" + lowTrust, Map.of());
            String revokedName = RealmFixtures.unique("hook-revoked");
            String revokedId = fx.createUser(revokedName, RealmFixtures.DEFAULT_PASSWORD);
            fx.grantRealmRole(revokedId, "admin");
            String noAudience = fx.accessToken(lowTrust, "secret-" + lowTrust, revokedName,
                    RealmFixtures.DEFAULT_PASSWORD);
            String revoked = fx.passwordGrant(revokedName, RealmFixtures.DEFAULT_PASSWORD).expect(200).json()
                    .path("access_token").asText();
            fx.revokeRealmRole(revokedId, "admin");

            Map<String, String> callers = new LinkedHashMap<>();
            callers.put("anonymous", null);
            callers.put("garbage", "garbage");
            callers.put("plain user", plain);
            callers.put("system account", accountBearer);
            callers.put("token without the mcias-api audience", noAudience);
            callers.put("admin role revoked since the token", revoked);
            callers.put("view-events holder", viewer);
            callers.put("admin", admin);
            Map<String, Integer> expected = Map.of("anonymous", 401, "garbage", 401, "plain user", 403,
                    "system account", 403, "token without the mcias-api audience", 401,
                    "admin role revoked since the token", 403, "view-events holder", 200, "admin", 200);
            List<String> failures = new ArrayList<>();
            callers.forEach((who, bearer) -> {
                int got = api.get(url("?status=failed"), bearer).status();
                if (got != expected.get(who)) {
                    failures.add(who + ": expected " + expected.get(who) + " got " + got);
                }
            });
            assertEquals(List.of(), failures);
            JsonNode body = api.get(url(""), viewer).expect(200).json();
            assertTrue(body.path("enabled").asBoolean());
            assertEquals(Set.of("pending", "delivered", "failed"), Set.copyOf(iterable(body.path("counts"))));
            assertFalse(body.toString().contains(ServerOptions.webhookSecret().substring(6)), "no secret listed");
        }

        @Test
        void badParametersAre400() {
            for (String q : List.of("?status=maybe", "?status=FAILED", "?status=" + "x".repeat(300), "?limit=0",
                    "?limit=501", "?limit=x", "?limit=1e3", "?limit=99999999999")) {
                KeycloakApi.Response r = api.get(url(q), admin);
                assertEquals(400, r.status(), q + ": " + r.body());
                assertEquals("invalid_request", r.json().path("error").asText(), q);
            }
            // Control characters: Keycloak refuses them before any resource runs, also 400.
            for (String q : List.of("?status=failed%00", "?status=failed%0A", "?limit=1%1B")) {
                assertEquals(400, api.get(url(q), admin).status(), q);
            }
            assertEquals(200, api.get(url("?status=pending&limit=1"), admin).status());
        }
    }

    @Nested
    class GivenARealmThatIsRemoved {

        @Test
        void itsOutboxRowsGoWithIt() throws Exception {
            assumeTrue(api.server() instanceof DistributionKeycloakServer s && s.testDatabase().pgDatabase() != null,
                    "needs direct access to the database (PostgreSQL run)");
            String db = ((DistributionKeycloakServer) api.server()).testDatabase().pgDatabase();
            String realm = RealmFixtures.unique("hook-removed");
            String token = api.adminToken();
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("realm", realm);
            rep.put("enabled", true);
            rep.put("eventsListeners", List.of("mcias-audit"));
            rep.put("adminEventsEnabled", true);
            rep.put("attributes", Map.of(URL_ATTRIBUTE, receiver.url()));
            api.postJson(api.url("/admin/realms"), token, rep).expect(201);
            String realmId = api.get(api.url("/admin/realms/" + realm), token).expect(200).json().path("id").asText();
            api.postJson(api.url("/admin/realms/" + realm + "/users"), token, Map.of("username", "someone",
                    "enabled", true)).expect(201);
            // Written with the record, in the same transaction: there as soon as the call returned.
            assertTrue(outboxRows(db, realmId) > 0, "the realm's admin event was queued");
            api.delete(api.url("/admin/realms/" + realm), token).expect(204);
            assertEquals(0, outboxRows(db, realmId));
        }

        static long outboxRows(String db, String realmId) throws Exception {
            try (Connection c = TestDatabase.connect(db); PreparedStatement ps = c.prepareStatement(
                    "select count(*) from mcias_audit_webhook_outbox where realm_id = ?")) {
                ps.setString(1, realmId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }

    static List<String> iterable(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * {@code kill -9} while a delivery is in flight (tagged {@code restart}: runs after every other test); the
     * restarted server delivers the record again, with the same webhook-id.
     */
    @Nested
    @Tag("restart")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenAServerKilledDuringADelivery {

        WebhookReceiver ownReceiver;

        @BeforeAll
        void start() throws Exception {
            ownReceiver = new WebhookReceiver();
        }

        @AfterAll
        void stop() {
            if (ownReceiver != null) {
                ownReceiver.close();
            }
        }

        @Test
        void theRestartedServerDeliversWithTheSameWebhookId(KeycloakServer server) throws Exception {
            assumeTrue(server instanceof DistributionKeycloakServer, "needs the local process");
            DistributionKeycloakServer own = (DistributionKeycloakServer) server;
            // An endpoint that is not https and not loopback is ignored: nothing is queued.
            fx.realmAttributes(Map.of(URL_ATTRIBUTE, "http://example.com/hook", EVENTS_ATTRIBUTE, "LOGIN"));
            String ignored = loginRecord(api, admin, userWhoLogsIn(fx)).path("id").asText();
            for (JsonNode row : deliveries(api, admin, "").path("deliveries")) {
                assertFalse(ignored.equals(row.path("record_id").asText()), "queued for http://example.com: " + row);
            }

            fx.realmAttributes(Map.of(URL_ATTRIBUTE, ownReceiver.url(), EVENTS_ATTRIBUTE, "LOGIN"));
            ownReceiver.answer(d -> WebhookReceiver.HANG);
            String user = userWhoLogsIn(fx);
            String recordId = loginRecord(api, admin, user).path("id").asText();
            Delivery first = Await.value("first attempt in flight", WAIT,
                    () -> ownReceiver.forRecord(recordId).isEmpty() ? null : ownReceiver.forRecord(recordId).get(0));

            own.kill();
            ownReceiver.answer(d -> 200);
            ownReceiver.releaseHung();
            own.start();

            freshAdminToken();
            awaitRow(api, admin, recordId, "delivered");
            List<Delivery> got = ownReceiver.forRecord(recordId);
            assertTrue(got.size() >= 2, "delivered again after the restart");
            assertTrue(got.stream().allMatch(d -> d.id().equals(first.id())), "with the same webhook-id");
            assertTrue(WebhookReceiver.verifies(got.get(got.size() - 1), ServerOptions.webhookSecret()));
        }
    }
}
