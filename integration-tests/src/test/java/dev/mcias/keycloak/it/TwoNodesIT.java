package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.OwnServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import dev.mcias.keycloak.it.support.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two clustered Keycloak nodes on one PostgreSQL database (PostgreSQL run only): exactly one system-account
 * token and one linear audit chain, whichever node serves which request.
 */
@OwnServer
class TwoNodesIT {

    static TestDatabase db;
    static DistributionKeycloakServer a;
    static DistributionKeycloakServer b;
    static KeycloakApi apiA;
    static KeycloakApi apiB;
    static String admin;
    static String adminName;

    @BeforeAll
    static void startCluster() {
        assumeTrue("postgres".equals(System.getProperty("kc.test.db")), "two nodes share a PostgreSQL database");
        db = TestDatabase.fromSystemProperty();
        a = DistributionKeycloakServer.clusterNode(db, 1, "two-nodes-" + RealmFixtures.unique("pw"));
        b = DistributionKeycloakServer.clusterNode(db, 2, a.adminPassword());
        // One public hostname for the cluster, as behind a load balancer: tokens from either node carry the
        // same issuer and are accepted by both.
        a.withOption("--hostname=" + a.baseUrl());
        b.withOption("--hostname=" + a.baseUrl());
        // Webhooks with the test options, but the default attempt timeout: "delivered once under normal operation"
        // must not count a retry after a client timeout on a loaded test machine (that is at-least-once, by design).
        KeycloakExtension.ServerOptions.webhookOptions().stream().filter(o -> !o.contains("--webhook-timeout-millis="))
                .forEach(o -> {
                    a.withOption(o);
                    b.withOption(o);
                });
        a.start(); // first: creates the schema, imports the realm, bootstraps the admin
        b.start();
        apiA = new KeycloakApi(a);
        apiB = new KeycloakApi(b);
        RealmFixtures fx = new RealmFixtures(apiA);
        fx.ensurePasswordGrantClient();
        adminName = RealmFixtures.unique("two-nodes-admin");
        fx.grantRealmRole(fx.createUser(adminName, RealmFixtures.DEFAULT_PASSWORD), "admin");
        admin = adminToken();
    }

    /** A fresh token of the admin user, for a test that may run longer than one access token lives. */
    static String adminToken() {
        return new RealmFixtures(apiA).passwordGrant(adminName, RealmFixtures.DEFAULT_PASSWORD).expect(200).json()
                .path("access_token").asText();
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (b != null) {
                b.stop();
            }
            if (a != null) {
                a.stop();
            }
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    static int clientCredentials(KeycloakApi api, String name, String token) {
        String basic = Base64.getEncoder().encodeToString((name + ":" + token).getBytes(StandardCharsets.UTF_8));
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), basic,
                Map.of("grant_type", "client_credentials")).status();
    }

    @Test
    void concurrentIssuesOnBothNodesLeaveOneTokenThatBothNodesAgreeOn() throws Exception {
        String name = RealmFixtures.unique("two-nodes");
        apiA.postJson(apiA.realmUrl("/system-accounts"), admin, Map.of("name", name)).expect(201);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<String> tokens = new ArrayList<>();
        try {
            List<Future<KeycloakApi.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                KeycloakApi api = i % 2 == 0 ? apiA : apiB;
                futures.add(pool.submit(() -> api.send("POST", api.realmUrl("/system-accounts/" + name + "/token"),
                        admin, null, null)));
            }
            for (Future<KeycloakApi.Response> f : futures) {
                tokens.add(f.get(120, TimeUnit.SECONDS).expect(200).json().path("token").asText());
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> workingOnA = tokens.stream().filter(t -> clientCredentials(apiA, name, t) == 200).toList();
        List<String> workingOnB = tokens.stream().filter(t -> clientCredentials(apiB, name, t) == 200).toList();
        assertEquals(1, workingOnA.size(), "exactly one token works on node A");
        assertEquals(workingOnA, workingOnB, "both nodes accept the same single token");

        // Rotation on B is seen by A at once.
        String old = workingOnA.get(0);
        String fresh = apiB.send("POST", apiB.realmUrl("/system-accounts/" + name + "/token"), admin, null, null)
                .expect(200).json().path("token").asText();
        assertEquals(401, clientCredentials(apiA, name, old));
        assertEquals(200, clientCredentials(apiA, name, fresh));
    }

    @Test
    void loginsAndGroupCommittedTokenRequestsOnBothNodesFormOneLinearAuditChain() throws Exception {
        RealmFixtures fx = new RealmFixtures(apiA);
        RealmFixtures fxB = new RealmFixtures(apiB);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add(RealmFixtures.unique("two-nodes-user"));
            fx.createUser(names.get(i), RealmFixtures.DEFAULT_PASSWORD);
        }
        // Token requests: their records go through each node's group commit, interleaved with the logins'
        // in-transaction appends on the same chain.
        String ccClient = RealmFixtures.unique("two-nodes-cc");
        String ccSecret = "two-nodes-cc-secret-0123456789";
        apiA.postJson(apiA.adminRealmUrl("/clients"), apiA.adminToken(), Map.of("clientId", ccClient, "enabled", true,
                "publicClient", false, "secret", ccSecret, "serviceAccountsEnabled", true,
                "standardFlowEnabled", false)).expect(201);
        Set<String> issued = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                RealmFixtures f = i % 2 == 0 ? fx : fxB;
                String n = names.get(i);
                results.add(pool.submit(() -> f.passwordGrant(n, RealmFixtures.DEFAULT_PASSWORD).status()));
            }
            for (int i = 0; i < 60; i++) {
                KeycloakApi api = i % 2 == 0 ? apiA : apiB;
                results.add(pool.submit(() -> {
                    KeycloakApi.Response r = api.clientCredentials(ccClient, ccSecret, null);
                    if (r.status() == 200) {
                        issued.add(Jwt.parse(r.json().path("access_token").asText()).claims.path("jti").asText());
                    }
                    return r.status();
                }));
            }
            for (Future<Integer> r : results) {
                assertEquals(200, r.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        for (KeycloakApi api : List.of(apiA, apiB)) {
            var v = api.get(api.realmUrl("/audit/verify"), admin).expect(200).json();
            assertTrue(v.path("ok").asBoolean(), v.toString());
        }
        var logins = apiB.get(apiB.realmUrl("/audit/events?type=LOGIN&limit=500"), admin).expect(200).json().path("events");
        long ours = 0;
        for (var e : logins) {
            if (names.contains(e.path("details").path("username").asText())) {
                ours++;
            }
        }
        assertEquals(names.size(), ours, "every login recorded once");
        Set<String> recorded = new HashSet<>();
        for (var e : apiA.get(apiA.realmUrl("/audit/events?type=CLIENT_LOGIN&limit=500&client=" + ccClient), admin)
                .expect(200).json().path("events")) {
            recorded.add(e.path("details").path("token_id").asText());
        }
        assertEquals(60, issued.size());
        assertEquals(issued, recorded, "every issued token recorded once, whichever node issued it");
    }

    /** Logins on both nodes: every record's webhook is delivered exactly once, by whichever node claims it. */
    @Test
    void eachWebhookMessageIsDeliveredOnce() throws Exception {
        RealmFixtures fx = new RealmFixtures(apiA);
        RealmFixtures fxB = new RealmFixtures(apiB);
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            fx.realmAttributes(Map.of("mcias.webhook.url", receiver.url(), "mcias.webhook.events", "LOGIN"));
            try {
                List<String> users = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    names.add(RealmFixtures.unique("two-nodes-hook"));
                    users.add(fx.createUser(names.get(i), RealmFixtures.DEFAULT_PASSWORD));
                }
                ExecutorService pool = Executors.newFixedThreadPool(10);
                try {
                    List<Future<Integer>> results = new ArrayList<>();
                    for (int i = 0; i < names.size(); i++) {
                        RealmFixtures f = i % 2 == 0 ? fx : fxB;
                        String n = names.get(i);
                        results.add(pool.submit(() -> f.passwordGrant(n, RealmFixtures.DEFAULT_PASSWORD).status()));
                    }
                    for (Future<Integer> r : results) {
                        assertEquals(200, r.get(120, TimeUnit.SECONDS));
                    }
                } finally {
                    pool.shutdownNow();
                }
                for (String user : users) {
                    String recordId = AuditWebhookIT.loginRecord(apiB, admin, user).path("id").asText();
                    var row = AuditWebhookIT.awaitRow(apiA, admin, recordId, "delivered");
                    List<WebhookReceiver.Delivery> got = receiver.forRecord(recordId);
                    assertEquals(1, got.size(), "delivered once: " + row + " ids "
                            + got.stream().map(WebhookReceiver.Delivery::id).toList());
                    assertEquals(1, row.path("attempts").asInt(), row.toString());
                }
            } finally {
                fx.realmAttributes(Map.of("mcias.webhook.url", ""));
            }
        }
    }

    /** What an invite fixes of the account; the friend chooses the rest on the form. */
    enum Fixed { NOTHING, USERNAME, EMAIL }

    /** The invite form's POST as the friend's browser sends it, with the nonce and cookie of a fetched form. */
    static KeycloakApi.Response redeem(KeycloakApi api, String token, String username, String nonce, String cookie) {
        String pw = RealmFixtures.DEFAULT_PASSWORD;
        String body = "invite=" + InvitesIT.enc(token) + "&username=" + InvitesIT.enc(username) + "&email="
                + InvitesIT.enc(username + "@example.test") + "&firstName=F&lastName=L&password=" + InvitesIT.enc(pw)
                + "&password-confirm=" + InvitesIT.enc(pw) + "&form_nonce=" + InvitesIT.enc(nonce);
        // KeycloakApi.send bounds every request (60 s client timeout): a request stuck in the server fails the
        // test instead of hanging it.
        return api.send("POST", api.realmUrl("/invites/accept"),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Cookie", cookie), body);
    }

    /**
     * The field messages shown on a form page that came back instead of the expected answer, for the failure
     * message (a field the invite fixes is not on the form: its message is not shown).
     */
    static List<String> formErrors(String page) {
        return Pattern.compile("id=\"input-error-([A-Za-z-]+)\">\\s*<span[^>]*>\\s*([^<]*)")
                .matcher(page).results().map(m -> m.group(1) + ": " + m.group(2).trim()).toList();
    }

    static boolean signedIn(KeycloakApi.Response r) {
        return r.status() == 302 || r.status() == 303;
    }

    /**
     * One invite link redeemed 10 times at once on each node: one account, the "not valid" page for the other 19,
     * and no request stuck behind another one's locks. The 19 losers record their REGISTER_ERROR through the
     * group commit while their own request transactions (with the user they created) are still open, and the
     * winner appends its records to the same chain: neither may end up waiting for the other. Each kind of
     * invite: the friend chooses username and e-mail (every request its own), or the invite fixes the username or
     * the e-mail (every request writes the same unique value and may wait on another one's row for it).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Fixed.class)
    void concurrentRedemptionsOfOneInviteOnBothNodesCreateOneUserAndLeaveTheChainUsable(Fixed fixed)
            throws Exception {
        String adminToken = adminToken();
        String role = RealmFixtures.unique("two-nodes-inv-role");
        apiA.postJson(apiA.adminRealmUrl("/roles"), apiA.adminToken(), Map.of("name", role)).expect(201);
        String prefix = RealmFixtures.unique("two-nodes-inv");
        Map<String, Object> request = new HashMap<>(Map.of("roles", List.of(role)));
        if (fixed == Fixed.USERNAME) {
            request.put("username", prefix);
        } else if (fixed == Fixed.EMAIL) {
            request.put("email", prefix + "@example.test");
        }
        JsonNode invite = apiA.postJson(apiA.realmUrl("/invites"), adminToken, request).expect(201).json();
        String token = InvitesIT.token(invite);
        // One fetch of the form, as a browser would: its nonce and cookie go with every POST, to either node.
        KeycloakApi.Response page = apiA.get(apiA.realmUrl("/invites/accept?invite=" + token), null).expect(200);
        String nonce = InvitesIT.formNonce(page);
        String cookie = InvitesIT.formCookie(page);

        int n = 20;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<KeycloakApi.Response> answers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            List<Future<KeycloakApi.Response>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                KeycloakApi api = i % 2 == 0 ? apiA : apiB;
                // What the invite fixes, the server takes from the invite and ignores in the form.
                String username = prefix + "-" + i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return redeem(api, token, username, nonce, cookie);
                }));
            }
            start.countDown();
            for (Future<KeycloakApi.Response> f : futures) {
                try {
                    // The request's own 60 s timeout ends it first; this bound only keeps a broken client from hanging.
                    answers.add(f.get(90, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    failures.add(String.valueOf(e.getCause()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        List<Integer> statuses = answers.stream().map(KeycloakApi.Response::status).toList();
        assertTrue(failures.isEmpty(), "requests without an answer: " + failures + "; answered: " + statuses);
        assertEquals(1, answers.stream().filter(TwoNodesIT::signedIn).count(), statuses.toString());
        List<KeycloakApi.Response> refused = answers.stream().filter(r -> !signedIn(r)).toList();
        assertEquals(n - 1, refused.size(), statuses.toString());
        for (KeycloakApi.Response r : refused) {
            assertEquals(404, r.status(), "form errors " + formErrors(r.body()) + " among " + statuses);
            assertTrue(r.body().contains("mcias-invite-invalid"), r.body());
        }

        adminToken = adminToken();
        JsonNode users = apiB.get(apiB.adminRealmUrl("/users?max=100&username=" + InvitesIT.enc(prefix)),
                apiB.adminToken()).expect(200).json();
        assertEquals(1, users.size(), "exactly one user: " + users);
        String inviteId = invite.path("id").asText();
        JsonNode shown = apiB.get(apiB.realmUrl("/invites/" + inviteId), adminToken).expect(200).json();
        assertEquals("used", shown.path("status").asText(), shown.toString());
        assertEquals(users.get(0).path("username").asText(), shown.path("used_by").asText());
        for (KeycloakApi api : List.of(apiA, apiB)) {
            var v = api.get(api.realmUrl("/audit/verify"), adminToken).expect(200).json();
            assertTrue(v.path("ok").asBoolean(), v.toString());
        }
        // Every refusal was answered only once its record was durable: all 19 are in the chain.
        long recorded = 0;
        for (var e : apiA.get(apiA.realmUrl("/audit/events?type=REGISTER_ERROR&limit=500"), adminToken).expect(200)
                .json().path("events")) {
            if (inviteId.equals(e.path("details").path("invite_id").asText())) {
                recorded++;
            }
        }
        assertEquals(n - 1, recorded, "one REGISTER_ERROR per refused redemption");

        // Nothing is left holding a lock: a second invite is redeemed at once, on either node.
        for (KeycloakApi api : List.of(apiA, apiB)) {
            String next = InvitesIT.token(api.postJson(api.realmUrl("/invites"), adminToken, Map.of()).expect(201)
                    .json());
            KeycloakApi.Response form = api.get(api.realmUrl("/invites/accept?invite=" + next), null).expect(200);
            KeycloakApi.Response r = redeem(api, next, RealmFixtures.unique("two-nodes-inv-next"),
                    InvitesIT.formNonce(form), InvitesIT.formCookie(form));
            assertTrue(signedIn(r), r.status() + " " + r.body());
        }
    }
}
