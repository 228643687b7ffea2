package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mcias.client.Session;
import dev.mcias.client.SessionStore;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.it.support.AuditRows;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.ExampleSpa;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import dev.mcias.keycloak.it.support.Totp;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * Invite links (spi-invites, issue 15): the admin API with its authorization matrix and input checks, the
 * friend's registration in a real browser ending signed in at the example SPA, single use under 20 concurrent
 * redemptions, the one page for every unusable link, the audit trail, and the mail through a real SMTP server.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvitesIT {

    static final String SPA = "mcias-example-spa";
    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;

    KeycloakApi api;
    RealmFixtures fx;
    String admin;
    String adminName;
    String role;
    ExampleSpa spa;
    /** Created first with the shortest lifetime, so its expiry overlaps the other tests instead of adding a wait. */
    JsonNode shortLived;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        adminName = RealmFixtures.unique("inv-admin");
        fx.grantRealmRole(fx.createUser(adminName, PASSWORD), "admin");
        admin = adminToken();
        shortLived = create(Map.of("expires_in", 60, "note", "expires soon")).expect(201).json();
        role = RealmFixtures.unique("inv-app-role");
        api.postJson(api.adminRealmUrl("/roles"), api.adminToken(), Map.of("name", role)).expect(201);
        spa = new ExampleSpa(api.realmUrl(""));
    }

    @AfterAll
    void tearDown() {
        if (spa != null) {
            spa.close();
        }
    }

    String adminToken() {
        return fx.passwordGrant(adminName, PASSWORD).expect(200).json().path("access_token").asText();
    }

    KeycloakApi.Response create(Object body) {
        return api.postJson(api.realmUrl("/invites"), admin, body);
    }

    KeycloakApi.Response createAs(String bearer, Object body) {
        return api.postJson(api.realmUrl("/invites"), bearer, body);
    }

    static String token(JsonNode created) {
        String link = created.path("link").asText();
        return link.substring(link.indexOf("invite=") + "invite=".length());
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    int inviteCount() {
        return api.get(api.realmUrl("/invites"), adminToken()).expect(200).json().size();
    }

    List<JsonNode> audit(String query) {
        JsonNode events = api.get(api.realmUrl("/audit/events?limit=200&" + query), adminToken()).expect(200).json()
                .path("events");
        List<JsonNode> out = new ArrayList<>();
        events.forEach(out::add);
        return out;
    }

    JsonNode users(String search) {
        return api.get(api.adminRealmUrl("/users?exact=true&username=" + enc(search)), api.adminToken())
                .expect(200).json();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The redemption form POST as a browser sends it. */
    KeycloakApi.Response redeem(String token, String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("invite", token);
        form.put("username", username);
        form.put("email", username + "@example.test");
        form.put("firstName", "Friend");
        form.put("lastName", "Invited");
        form.put("password", password);
        form.put("password-confirm", password);
        return api.postForm(api.realmUrl("/invites/accept"), null, form);
    }

    @Nested
    class GivenTheAdminApi {

        @Test
        void anonymousCallersGet401Everywhere() {
            assertEquals(401, api.get(api.realmUrl("/invites"), null).status());
            assertEquals(401, createAs(null, Map.of()).status());
            String id = create(Map.of()).expect(201).json().path("id").asText();
            assertEquals(401, api.get(api.realmUrl("/invites/" + id), null).status());
            assertEquals(401, api.delete(api.realmUrl("/invites/" + id), null).status());
            assertEquals("pending", api.get(api.realmUrl("/invites/" + id), admin).expect(200).json()
                    .path("status").asText(), "not revoked by the anonymous DELETE");
        }

        @Test
        void aUserWithoutTheAdminRoleIsRefusedAndTheRefusalIsAudited() {
            String plain = fx.userWithRoles("inv-plain");
            int before = inviteCount();
            assertEquals(403, createAs(plain, Map.of("note", "nope")).status());
            assertEquals(403, api.get(api.realmUrl("/invites"), plain).status());
            String id = shortLived.path("id").asText();
            assertEquals(403, api.get(api.realmUrl("/invites/" + id), plain).status());
            assertEquals(403, api.delete(api.realmUrl("/invites/" + id), plain).status());
            assertEquals(before, inviteCount(), "nothing created");
            assertTrue(audit("type=ACTION:MCIAS_INVITE&outcome=error").size() >= 4);
        }

        @Test
        void aTokenWithoutTheMciasApiAudienceIsRefused() {
            String id = RealmFixtures.unique("inv-lowtrust");
            fx.createPasswordGrantClient(id, "secret-" + id, Map.of());
            String token = fx.accessToken(id, "secret-" + id, adminName, PASSWORD);
            assertEquals(401, createAs(token, Map.of()).status());
            assertEquals(401, api.get(api.realmUrl("/invites"), token).status());
        }

        @Test
        void anAdminWhoseRoleWasRemovedIsRefusedWithTheOldToken() {
            String name = RealmFixtures.unique("inv-exadmin");
            String id = fx.createUser(name, PASSWORD);
            fx.grantRealmRole(id, "admin");
            String token = fx.passwordGrant(name, PASSWORD).expect(200).json().path("access_token").asText();
            assertEquals(200, api.get(api.realmUrl("/invites"), token).status());
            fx.revokeRealmRole(id, "admin");
            assertEquals(403, api.get(api.realmUrl("/invites"), token).status());
            assertEquals(403, createAs(token, Map.of()).status());
        }

        @Test
        void theLinkIsInTheCreateAnswerOnlyAndNeitherItNorItsHashIsStoredOrAudited() throws Exception {
            JsonNode created = create(Map.of("roles", List.of(role), "app", SPA, "note", "for the docs",
                    "expires_in", 3600)).expect(201).json();
            String token = token(created);
            assertTrue(token.matches("mcias_inv_[A-Za-z0-9_-]{43}"), token);
            assertEquals(api.realmUrl("/invites/accept?invite=" + token), created.path("link").asText());
            assertEquals("pending", created.path("status").asText());
            assertEquals(SPA, created.path("app").asText());
            assertFalse(created.has("email_sent"), "no mail asked for, none mentioned");
            String id = created.path("id").asText();
            String shown = api.get(api.realmUrl("/invites/" + id), admin).expect(200).body();
            String listed = api.get(api.realmUrl("/invites"), admin).expect(200).body();
            String hash = sha256(token);
            for (String s : List.of(shown, listed)) {
                assertFalse(s.contains(token) || s.contains(hash) || s.contains("link"), s);
            }
            List<JsonNode> created1 = audit("type=CREATE:MCIAS_INVITE");
            assertTrue(created1.stream().anyMatch(r -> id.equals(r.path("details").path("invite_id").asText())));
            String everything = audit("").toString() + AuditRows.rawTable(api);
            assertFalse(everything.contains(token) || everything.contains(hash), "secret in the audit trail");
        }

        @Test
        void revokeIsIdempotentAuditedAndUnknownIdsLookLikeMissingOnes() {
            String id = create(Map.of()).expect(201).json().path("id").asText();
            api.delete(api.realmUrl("/invites/" + id), admin).expect(204);
            api.delete(api.realmUrl("/invites/" + id), admin).expect(204);
            assertEquals("revoked", api.get(api.realmUrl("/invites/" + id), admin).json().path("status").asText());
            assertTrue(audit("type=DELETE:MCIAS_INVITE").stream()
                    .anyMatch(r -> id.equals(r.path("details").path("invite_id").asText())));
            assertEquals(404, api.get(api.realmUrl("/invites/00000000-0000-0000-0000-000000000000"), admin).status());
            assertEquals(404, api.get(api.realmUrl("/invites/not-an-id"), admin).status());
            assertEquals(404, api.delete(api.realmUrl("/invites/00000000-0000-0000-0000-000000000000"), admin)
                    .status());
        }

        @Test
        void badBodiesAreRefusedWith400AndCreateNothing() {
            int before = inviteCount();
            List<String> bad = List.of("", "nope", "[]", "{\"note\":\"a\"} {}", "{\"note\":\"a\",\"note\":\"b\"}",
                    "{\"colour\":\"red\"}", "{\"note\":\"bell\\u0007\"}", "{\"note\":\"" + "x".repeat(256) + "\"}",
                    "{\"note\":\"" + "x".repeat(9000) + "\"}", "{\"roles\":[\"no-such-role-xyz\"]}",
                    "{\"roles\":\"admin\"}", "{\"app\":\"no-such-app\"}", "{\"app\":\"realm-management\"}",
                    "{\"expires_in\":59}", "{\"expires_in\":2592001}", "{\"expires_in\":1.5}",
                    "{\"username\":\"Bad Name\"}", "{\"email\":\"not-an-address\"}", "{\"send_email\":true}",
                    "{\"send_email\":\"yes\",\"email\":\"a@example.test\"}");
            for (String body : bad) {
                KeycloakApi.Response r = api.send("POST", api.realmUrl("/invites"), admin, "application/json", body);
                assertEquals(400, r.status(), body + " -> " + r.body());
                assertEquals("invalid_request", r.json().path("error").asText(), body);
            }
            String existing = RealmFixtures.unique("inv-taken");
            fx.createUser(existing, PASSWORD);
            assertEquals(409, create(Map.of("username", existing)).status());
            assertEquals(before, inviteCount(), "nothing written");
        }
    }

    static String formNonce(KeycloakApi.Response page) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"form_nonce\" value=\"([A-Za-z0-9_-]+)\"")
                .matcher(page.body());
        assertTrue(m.find(), "no form nonce in the page");
        return m.group(1);
    }

    static String formCookie(KeycloakApi.Response page) {
        String set = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("MCIAS_INVITE_FORM="))
                .findFirst().orElseThrow(() -> new AssertionError("no form cookie"));
        assertTrue(set.contains("SameSite=Strict") && set.contains("HttpOnly"), set);
        return set.substring(0, set.indexOf(';'));
    }

    @Nested
    class GivenAFriendWithALink {

        @Test
        void aPostThatDidNotComeFromTheFormCreatesNothingAndLeavesTheInviteUsable() {
            JsonNode created = create(Map.of()).expect(201).json();
            String username = RealmFixtures.unique("inv-csrf");
            KeycloakApi.Response r = redeem(token(created), username, PASSWORD);
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("This page expired"), r.body());
            assertEquals(0, users(username).size());
            assertEquals("pending", api.get(api.realmUrl("/invites/" + created.path("id").asText()), admin).json()
                    .path("status").asText());
        }

        @Test
        void theyRegisterWithPasswordAndTotpAndLandSignedInAtTheAppWithTheRole() throws Exception {
            String friend = RealmFixtures.unique("inv-friend");
            JsonNode created = create(Map.of("roles", List.of(role), "app", SPA, "note", "browser test"))
                    .expect(201).json();
            String link = created.path("link").asText();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(link);
                b.awaitPage("login-mcias-invite-register");
                String rules = b.find("#mcias-password-rules").getText();
                assertTrue(rules.contains("at least 12 characters"), rules);
                assertTrue(rules.contains("common password"), rules);
                b.screenshot("invite-01-register-desktop");
                b.resize(Browser.PHONE);
                b.screenshot("invite-01-register-phone");
                assertEquals(Boolean.FALSE, b.js("return document.documentElement.scrollWidth > window.innerWidth"));
                b.resize(Browser.DESKTOP);

                b.type("#username", friend);
                b.type("#email", friend + "@example.test");
                b.type("#firstName", "Friend");
                b.type("#lastName", "Invited");
                b.type("#password", "Zq8#vT");
                b.type("#password-confirm", "Zq8#vT");
                b.clickAndWait("#mcias-invite-submit");
                b.awaitPage("login-mcias-invite-register");
                assertTrue(b.errorText().contains("12"), b.errorText());
                b.js("document.getElementById('password').scrollIntoView({block: 'center'})");
                b.screenshot("invite-02-weak-password-desktop");
                b.resize(Browser.PHONE);
                b.js("document.getElementById('password').scrollIntoView({block: 'center'})");
                b.screenshot("invite-02-weak-password-phone");
                b.resize(Browser.DESKTOP);
                assertEquals(0, users(friend).size(), "nothing created by a refused form");

                b.type("#password", PASSWORD);
                b.type("#password-confirm", PASSWORD);
                b.driver().findElement(By.cssSelector("#setup-totp")).click();
                b.clickAndWait("#mcias-invite-submit");
                b.awaitPage("login-login-config-totp");
                b.screenshot("invite-04-totp-setup-desktop");
                b.clickAndWait("#mode-manual");
                String key = b.await("#kc-totp-secret-key").getText();
                b.type("#totp", Totp.code(key, 0));
                b.type("#userLabel", "phone");
                b.clickAndWait("#saveTOTPBtn");

                // Back at the app, signed in at MCIAS: the app's own login completes without a password prompt.
                Await.until("landing at the SPA", Duration.ofSeconds(20),
                        () -> b.driver().getCurrentUrl().startsWith(spa.url()));
                Await.until("SPA ready", Duration.ofSeconds(20),
                        () -> "signed-out".equals(b.find("#status").getText()));
                b.clickAndWait("#signin");
                Await.until("signed in", Duration.ofSeconds(20),
                        () -> "signed-in".equals(b.find("#status").getText()));
                JsonNode tokens = KeycloakApi.JSON.readTree(b.find("#tokens").getText());
                Jwt access = Jwt.parse(tokens.path("access_token").asText());
                assertEquals(friend, access.claims.path("preferred_username").asText());
                assertTrue(access.claims.path("realm_access").path("roles").toString().contains(role),
                        access.claims.toString());
            }
            JsonNode user = users(friend).get(0);
            String userId = user.path("id").asText();
            assertEquals("used", api.get(api.realmUrl("/invites/" + created.path("id").asText()), admin).json()
                    .path("status").asText());
            assertEquals(friend, api.get(api.realmUrl("/invites/" + created.path("id").asText()), admin).json()
                    .path("used_by").asText());
            JsonNode register = audit("type=REGISTER&user=" + userId).get(0);
            assertEquals(created.path("id").asText(), register.path("details").path("invite_id").asText());

            // The same link again: the one page, nothing new.
            KeycloakApi.Response again = api.get(link, null);
            assertEquals(404, again.status());
            assertTrue(again.body().contains("mcias-invite-invalid"), again.body());
            assertEquals(404, redeem(token(created), RealmFixtures.unique("inv-second"), PASSWORD).status());
        }

        @Test
        void anInviteThatMakesAnAdminSetsUpTotpBeforeTheSessionWhateverTheFriendTicked() throws Exception {
            String token = token(create(Map.of("roles", List.of("admin"))).expect(201).json());
            String username = RealmFixtures.unique("inv-admin");
            KeycloakApi.Response page = api.get(api.realmUrl("/invites/accept?invite=" + token), null).expect(200);
            String body = "invite=" + enc(token) + "&username=" + enc(username) + "&email="
                    + enc(username + "@example.test") + "&firstName=F&lastName=L&password=" + enc(PASSWORD)
                    + "&password-confirm=" + enc(PASSWORD) + "&form_nonce=" + enc(formNonce(page));
            HttpResponse<String> r = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                    .send(HttpRequest.newBuilder(URI.create(api.realmUrl("/invites/accept")))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header("Cookie", formCookie(page))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(r.statusCode() == 302 || r.statusCode() == 303, r.statusCode() + " " + r.body());
            JsonNode user = users(username).get(0);
            assertTrue(user.path("requiredActions").toString().contains("CONFIGURE_TOTP"), user.toString());
        }

        @Test
        void twentyConcurrentRedemptionsCreateExactlyOneUser() throws Exception {
            String token = token(create(Map.of("roles", List.of(role))).expect(201).json());
            String prefix = RealmFixtures.unique("inv-race");
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            // One fetch of the form, as a browser would: its nonce and the matching cookie go with every POST.
            KeycloakApi.Response page = api.get(api.realmUrl("/invites/accept?invite=" + token), null).expect(200);
            String nonce = formNonce(page);
            String cookie = formCookie(page);
            int n = 20;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(n);
            List<Future<Integer>> results = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    String username = prefix + "-" + i;
                    String body = "invite=" + enc(token) + "&username=" + enc(username) + "&email="
                            + enc(username + "@example.test") + "&firstName=F&lastName=L&password=" + enc(PASSWORD)
                            + "&password-confirm=" + enc(PASSWORD) + "&form_nonce=" + enc(nonce);
                    Callable<Integer> post = () -> {
                        start.await();
                        return http.send(HttpRequest.newBuilder(URI.create(api.realmUrl("/invites/accept")))
                                .timeout(Duration.ofSeconds(120))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("Cookie", cookie)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                    };
                    results.add(pool.submit(post));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : results) {
                    statuses.add(f.get());
                }
                assertEquals(1, statuses.stream().filter(s -> s == 302 || s == 303).count(), statuses.toString());
                assertEquals(n - 1, statuses.stream().filter(s -> s == 404).count(), statuses.toString());
            } finally {
                pool.shutdownNow();
            }
            int created = 0;
            for (int i = 0; i < n; i++) {
                created += users(prefix + "-" + i).size();
            }
            assertEquals(1, created, "exactly one user");
        }
    }

    @Nested
    class GivenALinkThatCannotBeUsed {

        String revokedToken() {
            JsonNode c = create(Map.of()).expect(201).json();
            api.delete(api.realmUrl("/invites/" + c.path("id").asText()), admin).expect(204);
            return token(c);
        }

        String tamperedToken() {
            String t = token(create(Map.of()).expect(201).json());
            char last = t.charAt(t.length() - 1);
            return t.substring(0, t.length() - 1) + (last == 'A' ? 'B' : 'A');
        }

        @Test
        void expiredRevokedTamperedUnknownAndGarbageShowOneIdenticalPageAndCreateNothing() throws Exception {
            String id = shortLived.path("id").asText();
            String pg = api.server() instanceof DistributionKeycloakServer d ? d.testDatabase().pgDatabase() : null;
            Map<String, String> tokens = new LinkedHashMap<>();
            if (pg != null) {
                // The expired link on PostgreSQL only: its stored expiry moved into the past, so that database's
                // comparison decides without waiting out the 60 s minimum lifetime (H2's file is held by the
                // server; the comparison is the same JPQL on a number there).
                try (java.sql.Connection c = TestDatabase.connect(pg); java.sql.PreparedStatement u = c.prepareStatement(
                        "update mcias_invite set expires_at = ? where id = ?")) {
                    u.setLong(1, System.currentTimeMillis() - 1000);
                    u.setString(2, id);
                    assertEquals(1, u.executeUpdate());
                }
                Await.until("the short-lived invite expired", Duration.ofSeconds(10), () -> "expired".equals(
                        api.get(api.realmUrl("/invites/" + id), adminToken()).json().path("status").asText()));
                tokens.put("expired", token(shortLived));
            }
            tokens.put("revoked", revokedToken());
            tokens.put("tampered", tamperedToken());
            tokens.put("unknown", "mcias_inv_" + "A".repeat(43));
            tokens.put("garbage", "<script>");
            Map<String, String> pages = new LinkedHashMap<>();
            for (Map.Entry<String, String> t : tokens.entrySet()) {
                KeycloakApi.Response get = api.get(api.realmUrl("/invites/accept?invite=" + enc(t.getValue())), null);
                assertEquals(404, get.status(), t.getKey());
                pages.put(t.getKey(), get.body());
                String username = RealmFixtures.unique("inv-" + t.getKey());
                KeycloakApi.Response post = redeem(t.getValue(), username, PASSWORD);
                assertEquals(404, post.status(), t.getKey());
                assertEquals(get.body(), post.body(), t.getKey() + ": GET and POST pages differ");
                assertEquals(0, users(username).size(), t.getKey() + ": a user was created");
            }
            assertEquals(1, pages.values().stream().distinct().count(), "pages differ: " + pages.keySet());
            assertTrue(pages.get("unknown").contains("This invite is not valid. Ask the person who sent it"));

            List<JsonNode> failures = audit("type=REGISTER_ERROR");
            for (String reason : List.of("expired", "revoked", "unknown")) {
                assertTrue(!tokens.containsKey(reason) || failures.stream().anyMatch(
                        r -> reason.equals(r.path("details").path("reason").asText())), reason + " not audited");
            }
            assertTrue(pg == null || failures.stream().anyMatch(
                    r -> id.equals(r.path("details").path("invite_id").asText())));
            String recorded = failures.toString();
            for (String t : tokens.values()) {
                assertFalse(recorded.contains(t) || recorded.contains(sha256(t)), "secret in the audit trail");
            }

            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(api.realmUrl("/invites/accept?invite=" + enc(tokens.get("revoked"))));
                b.awaitPage("login-mcias-invite-invalid");
                b.screenshot("invite-03-invalid-desktop");
                b.resize(Browser.PHONE);
                b.screenshot("invite-03-invalid-phone");
            }
        }
    }

    @Nested
    class GivenARealmWithSmtp {

        @Test
        void theLinkIsMailedAfterCommitAndWithoutSmtpNothingIsSaidAboutMail() throws Exception {
            String address = RealmFixtures.unique("inv-mail") + "@example.test";
            JsonNode noSmtp = create(Map.of("email", address, "send_email", true)).expect(201).json();
            assertFalse(noSmtp.has("email_sent"), noSmtp.toString());

            GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();
            String adminToken = api.adminToken();
            try {
                api.putJson(api.adminRealmUrl(""), adminToken, Map.of("smtpServer", Map.of("host", "127.0.0.1",
                        "port", String.valueOf(smtp.getSmtp().getPort()), "from", "mcias@example.test")))
                        .expect(204);
                String to = RealmFixtures.unique("inv-mail2") + "@example.test";
                JsonNode sent = create(Map.of("email", to, "send_email", true)).expect(201).json();
                assertTrue(sent.path("email_sent").asBoolean(), sent.toString());
                assertTrue(smtp.waitForIncomingEmail(30_000, 1), "no mail arrived");
                MimeMessage mail = smtp.getReceivedMessages()[0];
                assertEquals(to, mail.getAllRecipients()[0].toString());
                String body = GreenMailUtil.getBody(mail).replaceAll("=\\r?\\n", "").replace("=3D", "=");
                assertTrue(body.contains(sent.path("link").asText()), body);
                assertTrue(api.get(api.realmUrl("/invites/" + sent.path("id").asText()), admin).json()
                        .path("email_sent").asBoolean());
            } finally {
                api.putJson(api.adminRealmUrl(""), api.adminToken(), Map.of("smtpServer", Map.of())).expect(204);
                smtp.stop();
            }
        }
    }

    @Nested
    class GivenMciasctl {

        @TempDir
        Path tmp;

        /** A config home holding an mciasctl session of {@code username} (password grant, as MciasctlIT does). */
        Path sessionOf(String username) throws Exception {
            String client = "it-mciasctl-invites";
            synchronized (InvitesIT.class) {
                if (api.get(api.adminRealmUrl("/clients?clientId=" + client), api.adminToken()).expect(200).json()
                        .isEmpty()) {
                    fx.addClientScope(fx.createPasswordGrantClient(client, null, Map.of()), "mcias-api", true);
                }
            }
            Path home = Files.createTempDirectory(tmp, "home-");
            JsonNode t = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type",
                    "password", "client_id", client, "username", username, "password", PASSWORD, "scope", "openid"))
                    .expect(200).json();
            new SessionStore(home.resolve("mciasctl")).save("default", new Session(api.server().baseUrl(),
                    KeycloakServer.REALM, client, username, t.path("refresh_token").asText(),
                    t.path("access_token").asText(),
                    java.time.Instant.now().getEpochSecond() + t.path("expires_in").asLong()));
            return home;
        }

        Run.Result run(Path home, String... args) {
            return Run.run(Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString()), null, args);
        }

        @Test
        void anAdminInvitesListsShowsAndRevokesAndTheLinkIsPrintedOnce() throws Exception {
            Path home = sessionOf(adminName);
            Run.Result created = run(home, "users", "invite", "--role", role, "--app", SPA, "--expires", "2d",
                    "--note", "cli test");
            assertEquals(0, created.code(), created.toString());
            String link = created.out().lines().filter(l -> l.contains("/invites/accept?invite=")).findFirst()
                    .orElseThrow(() -> new AssertionError(created.toString()));
            String id = created.out().lines().findFirst().orElseThrow().split(" ")[1];
            Run.Result json = run(home, "invites", "show", id, "-o", "json");
            assertEquals(0, json.code(), json.toString());
            JsonNode shown = KeycloakApi.JSON.readTree(json.out());
            assertEquals("pending", shown.path("status").asText());
            assertEquals(SPA, shown.path("app").asText());
            assertEquals(role, shown.path("roles").get(0).asText());
            Run.Result list = run(home, "invites", "list");
            assertEquals(0, list.code(), list.toString());
            assertTrue(list.out().contains(id) && list.out().contains("cli test"), list.toString());
            String token = link.substring(link.indexOf("invite=") + 7).trim();
            assertFalse(list.out().contains(token) || json.out().contains(token), "the link shown again");
            assertEquals(0, run(home, "invites", "revoke", id).code());
            assertEquals("revoked", api.get(api.realmUrl("/invites/" + id), adminToken()).json().path("status")
                    .asText());
            assertEquals(404, api.get(link.trim(), null).status());
        }

        @Test
        void aUserWithoutTheAdminRoleGetsExitCode4AndBadOptionsExitCode2() throws Exception {
            String plain = RealmFixtures.unique("inv-cli-plain");
            fx.createUser(plain, PASSWORD);
            Path home = sessionOf(plain);
            Run.Result refused = run(home, "users", "invite", "--note", "x");
            assertEquals(4, refused.code(), refused.toString());
            Path adminHome = sessionOf(adminName);
            Run.Result badRole = run(adminHome, "users", "invite", "--role", "no-such-role-" + plain);
            assertEquals(2, badRole.code(), badRole.toString());
            assertEquals(2, run(adminHome, "users", "invite", "--expires", "31d").code());
        }
    }
}
