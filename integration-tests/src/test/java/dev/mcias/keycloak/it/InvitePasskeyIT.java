package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.ExampleSpa;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Tag;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/**
 * The passkey box of the invite page (spi-invites) in headless Chromium with a virtual authenticator (CTAP2,
 * resident keys, user verification): the friend ticks it, registers the key on Keycloak's page, lands signed in
 * at the invite's app, and signs in with it again. The shipped realm's browser flow has no passwordless sign-in
 * (docs/security-model.md): the key registered here is a WebAuthn second factor, asked for after the password.
 * The box is offered only while the realm's {@code webauthn-register} required action is enabled.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("any-db")
class InvitePasskeyIT {

    static final String SPA = "mcias-example-spa";
    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;
    static final String WEBAUTHN_REGISTER = "webauthn-register";

    KeycloakApi api;
    RealmFixtures fx;
    String adminName;
    String role;
    /** Keycloak as {@code localhost}: WebAuthn needs a domain as relying party id, not an IP address. */
    String realm;
    ExampleSpa spa;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        adminName = RealmFixtures.unique("passkey-admin");
        fx.grantRealmRole(fx.createUser(adminName, PASSWORD), "admin");
        role = RealmFixtures.unique("passkey-app-role");
        api.postJson(api.adminRealmUrl("/roles"), api.adminToken(), Map.of("name", role)).expect(201);
        realm = localhost(api.realmUrl(""));
        // The app signs in at Keycloak under the same name the invite page was opened with, so the SSO cookie the
        // redemption set is the one its login finds.
        spa = new ExampleSpa(realm);
    }

    @AfterAll
    void tearDown() {
        if (spa != null) {
            spa.close();
        }
    }

    static String localhost(String url) {
        return url.replace("://127.0.0.1:", "://localhost:");
    }

    String adminToken() {
        return fx.passwordGrant(adminName, PASSWORD).expect(200).json().path("access_token").asText();
    }

    /** A new invite to the example SPA with the test role; returns its link, on {@code localhost}. */
    String inviteLink() {
        JsonNode created = api.postJson(api.realmUrl("/invites"), adminToken(),
                Map.of("roles", List.of(role), "app", SPA, "note", "passkey browser test")).expect(201).json();
        return localhost(created.path("link").asText());
    }

    static void fillIn(Browser b, String friend) {
        b.type("#username", friend);
        b.type("#email", friend + "@example.test");
        b.type("#firstName", "Friend");
        b.type("#lastName", "Invited");
        b.type("#password", PASSWORD);
        b.type("#password-confirm", PASSWORD);
    }

    JsonNode user(String username) {
        JsonNode found = api.get(api.adminRealmUrl("/users?exact=true&username=" + username), api.adminToken())
                .expect(200).json();
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    List<String> credentialTypes(String userId) {
        List<String> types = new ArrayList<>();
        api.get(api.adminRealmUrl("/users/" + userId + "/credentials"), api.adminToken()).expect(200).json()
                .forEach(c -> types.add(c.path("type").asText()));
        return types;
    }

    /** At the SPA (where the invite lands): starts its login and returns the access token once it is signed in. */
    Jwt signInAtTheApp(Browser b) throws Exception {
        awaitSpaSignedOut(b);
        b.clickAndWait("#signin");
        return awaitSignedIn(b);
    }

    void awaitSpaSignedOut(Browser b) throws Exception {
        Await.until("the SPA ready", Duration.ofSeconds(20),
                () -> b.driver().getCurrentUrl().startsWith(spa.url()) && b.present("#status")
                        && "signed-out".equals(b.find("#status").getText()));
    }

    static Jwt awaitSignedIn(Browser b) throws Exception {
        String status = Await.value("the SPA signed in", Duration.ofSeconds(20), () -> {
            String s = b.present("#status") ? b.find("#status").getText() : "";
            return s.equals("signed-in") || s.startsWith("error") ? s : null;
        });
        assertEquals("signed-in", status, b.driver().getCurrentUrl());
        return Jwt.parse(KeycloakApi.JSON.readTree(b.find("#tokens").getText()).path("access_token").asText());
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenTheShippedRealmThatOffersPasskeys {

        @Nested
        @TestInstance(TestInstance.Lifecycle.PER_CLASS)
        class WhenAFriendTicksThePasskeyBoxAndRegistersOne {

            final String friend = RealmFixtures.unique("passkey-friend");
            final String keyLabel = "friend's laptop";
            Browser b;
            String boxLabel;
            String pageAfterSubmit;
            String landedAt;
            Jwt access;

            @BeforeAll
            void acceptTheInvite() throws Exception {
                b = new Browser(Browser.DESKTOP);
                VirtualAuthenticatorOptions passkey = new VirtualAuthenticatorOptions()
                        .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                        .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                        .setHasResidentKey(true).setHasUserVerification(true).setIsUserVerified(true)
                        .setIsUserConsenting(true);
                ((HasVirtualAuthenticator) b.driver()).addVirtualAuthenticator(passkey);

                b.open(inviteLink());
                b.awaitPage("login-mcias-invite-register");
                boxLabel = b.find("label[for='setup-passkey']").getText().trim();
                fillIn(b, friend);
                b.find("#setup-passkey").click();
                b.screenshot("invite-passkey-01-box-ticked");
                b.clickAndWait("#mcias-invite-submit");
                pageAfterSubmit = b.awaitPage("login-webauthn-register");
                b.screenshot("invite-passkey-02-register");
                // Keycloak's page asks for a label for the key in a prompt once the authenticator answered.
                BrowserIT.clickWhenReady(b, "#registerWebAuthn", ExpectedConditions.alertIsPresent());
                b.driver().switchTo().alert().sendKeys(keyLabel);
                b.driver().switchTo().alert().accept();
                Await.until("landing at the SPA", Duration.ofSeconds(20),
                        () -> b.driver().getCurrentUrl().startsWith(spa.url()));
                landedAt = b.driver().getCurrentUrl();
                access = signInAtTheApp(b);
            }

            @AfterAll
            void closeBrowser() {
                if (b != null) {
                    b.close();
                }
            }

            @Test
            void thePageOfferedTheBoxAndKeycloaksRegistrationPageFollowedTheForm() {
                assertEquals("Register a passkey or security key now", boxLabel);
                assertEquals("login-webauthn-register", pageAfterSubmit);
            }

            @Test
            void theyLandAtTheInvitesAppAndItsLoginCompletesWithoutAPasswordHoldingTheInvitesRole() {
                // The app's base URL; Keycloak adds session_state and iss, and no code (nothing was asked for one).
                assertEquals(spa.url(), landedAt.split("\\?")[0], landedAt);
                assertFalse(landedAt.contains("code="), landedAt);
                assertEquals(friend, access.claims.path("preferred_username").asText());
                assertEquals(SPA, access.claims.path("azp").asText());
                assertTrue(access.claims.path("realm_access").path("roles").toString().contains(role),
                        access.claims.toString());
            }

            @Test
            void theUserHasAWebAuthnSecondFactorCredentialAndNoActionLeft() {
                JsonNode user = user(friend);
                String userId = user.path("id").asText();
                assertEquals(0, user.path("requiredActions").size(), user.toString());
                List<String> types = credentialTypes(userId);
                // The realm's webauthn-register action registers a second factor ("webauthn"), not a passwordless
                // credential ("webauthn-passwordless"): the browser flow has no passwordless sign-in.
                assertEquals(List.of("password", "webauthn"), types.stream().sorted().toList(), types.toString());
                JsonNode key = null;
                for (JsonNode c : api.get(api.adminRealmUrl("/users/" + userId + "/credentials"), api.adminToken())
                        .expect(200).json()) {
                    if ("webauthn".equals(c.path("type").asText())) {
                        key = c;
                    }
                }
                assertEquals(keyLabel, key.path("userLabel").asText(), key.toString());
            }

            @Test
            void theRegistrationIsInTheAuditTrail() {
                String userId = user(friend).path("id").asText();
                JsonNode records = api.get(api.realmUrl("/audit/events?limit=100&user=" + userId), adminToken())
                        .expect(200).json().path("events");
                boolean registered = false;
                boolean keyAdded = false;
                for (JsonNode r : records) {
                    registered |= "REGISTER".equals(r.path("type").asText())
                            && "invite".equals(r.path("details").path("register_method").asText());
                    keyAdded |= r.path("type").asText().startsWith("UPDATE_")
                            && "success".equals(r.path("outcome").asText())
                            && "webauthn".equals(r.path("details").path("credential_type").asText());
                }
                assertTrue(registered, records.toString());
                assertTrue(keyAdded, records.toString());
            }

            @Test
            void signingInAgainTakesThePasswordThenTheKeyAndNoPasskeyOnlySignInIsOffered() throws Exception {
                // Drop Keycloak's cookies from a page without scripts (see BrowserIT's WebAuthn test).
                b.open(realm + "/.well-known/openid-configuration");
                b.driver().manage().deleteAllCookies();
                b.open(spa.url());
                awaitSpaSignedOut(b);
                b.clickAndWait("#signin");
                b.awaitPage("login-login");
                // What the flow offers first: username and password. No passkey button or passkey autofill form.
                assertTrue(b.present("#username") && b.present("#password"));
                assertFalse(b.present("#authenticateWebAuthnButton"), "a passkey button on the sign-in page");
                assertFalse(b.present("form#webauth"), "passkey autofill on the sign-in page");
                b.type("#username", friend);
                b.type("#password", PASSWORD);
                b.clickAndWait("#kc-login");
                b.awaitPage("login-webauthn-authenticate");
                b.screenshot("invite-passkey-03-second-factor");
                BrowserIT.clickWhenReady(b, "#authenticateWebAuthnButton",
                        d -> d.getCurrentUrl().startsWith(spa.url() + "callback"));
                Jwt again = awaitSignedIn(b);
                assertEquals(friend, again.claims.path("preferred_username").asText());
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GivenARealmWhoseWebAuthnRegisterActionIsDisabled {

        JsonNode action;

        @BeforeAll
        void disableTheAction() {
            action = api.get(api.adminRealmUrl("/authentication/required-actions/" + WEBAUTHN_REGISTER),
                    api.adminToken()).expect(200).json();
            assertTrue(action.path("enabled").asBoolean(), "the shipped realm enables " + WEBAUTHN_REGISTER);
            setEnabled(false);
        }

        @AfterAll
        void restoreTheAction() {
            setEnabled(true);
        }

        void setEnabled(boolean enabled) {
            Map<String, Object> changed = KeycloakApi.JSON.convertValue(action, new TypeReference<>() { });
            changed.put("enabled", enabled);
            api.putJson(api.adminRealmUrl("/authentication/required-actions/" + WEBAUTHN_REGISTER), api.adminToken(),
                    changed).expect(204);
        }

        @Test
        void thePageHasNoPasskeyBoxAndAForgedOneLandsAtTheAppWithoutAKeyStep() throws Exception {
            String friend = RealmFixtures.unique("no-passkey-friend");
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(inviteLink());
                b.awaitPage("login-mcias-invite-register");
                assertFalse(b.present("#setup-passkey"), "passkey box offered while webauthn-register is disabled");
                assertTrue(b.present("#setup-totp"), "the TOTP box stays");
                b.screenshot("invite-passkey-04-no-box");
                fillIn(b, friend);
                // A hand-made "setup-passkey=on" in the same form: the server checks the realm, not the form.
                b.js("const i = document.createElement('input'); i.type = 'hidden'; i.name = 'setup-passkey';"
                        + " i.value = 'on'; document.getElementById('mcias-invite-form').appendChild(i);");
                b.clickAndWait("#mcias-invite-submit");
                Await.until("landing at the SPA", Duration.ofSeconds(20),
                        () -> b.driver().getCurrentUrl().startsWith(spa.url()));
                assertEquals(friend, signInAtTheApp(b).claims.path("preferred_username").asText());
            }
            JsonNode user = user(friend);
            assertFalse(user.path("requiredActions").toString().contains(WEBAUTHN_REGISTER), user.toString());
            assertEquals(List.of("password"), credentialTypes(user.path("id").asText()));
        }
    }
}
